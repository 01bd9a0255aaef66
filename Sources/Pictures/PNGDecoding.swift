import CPNG
import Foundation

/// PNG through libpng's simplified API, which handles every bit depth, palette and interlacing
/// and reports errors in the image structure rather than by longjmp.
enum PNGDecoding {
    static func decode(_ data: Data, limits: PictureLimits) throws -> Picture {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        return try data.withUnsafeBytes { raw -> Picture in
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                throw PictureError("cannot read the PNG: \(message(&image))")
            }
            defer { png_image_free(&image) }
            let (width, height) = (Int(image.width), Int(image.height))
            try PictureDecoder.checkFullDecode(width: width, height: height, format: "PNG", limits: limits)
            image.format = UInt32(PNG_FORMAT_RGB)
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            // Transparent areas are shown on white, as a browser on a white page shows them.
            var white = png_color(red: 255, green: 255, blue: 255)
            let finished = pixels.withUnsafeMutableBytes { out in
                png_image_finish_read(&image, &white, out.baseAddress, Int32(width * 3), nil)
            }
            guard finished != 0 else { throw PictureError("cannot decode the PNG: \(message(&image))") }
            return Picture(width: width, height: height, pixels: pixels)
        }
    }

    static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { bytes in
            let text = bytes.prefix { $0 != 0 }
            return text.isEmpty ? "unknown error" : String(decoding: text, as: UTF8.self)
        }
    }
}
