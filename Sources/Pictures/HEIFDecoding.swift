import CHeif
import Foundation

/// HEIC/HEIF through libheif (HEVC by libde265): the primary image, grid tiles joined, with the
/// file's rotation and mirroring applied by libheif. Depth maps, alpha and thumbnails are other
/// items and are never decoded.
enum HEIFDecoding {
    static func decode(_ data: Data, limits: PictureLimits) throws -> Picture {
        guard let context = heif_context_alloc() else { throw PictureError("cannot start the HEIF decoder") }
        defer { heif_context_free(context) }
        // libheif's own bound on a side, checked while it parses, before it allocates anything.
        heif_context_set_maximum_image_size_limit(context, 65_535)
        return try data.withUnsafeBytes { raw -> Picture in
            let opened = heif_context_read_from_memory_without_copy(context, raw.baseAddress, raw.count, nil)
            guard opened.code == heif_error_Ok else { throw PictureError("cannot read the HEIF file: \(message(opened))") }
            var handle: OpaquePointer?
            let primary = heif_context_get_primary_image_handle(context, &handle)
            guard primary.code == heif_error_Ok, let handle else {
                throw PictureError("the HEIF file has no primary image: \(message(primary))")
            }
            defer { heif_image_handle_release(handle) }
            try PictureDecoder.checkFullDecode(width: Int(heif_image_handle_get_width(handle)),
                                               height: Int(heif_image_handle_get_height(handle)), format: "HEIF", limits: limits)
            var image: OpaquePointer?
            let decoded = heif_decode_image(handle, &image, heif_colorspace_RGB, heif_chroma_interleaved_RGB, nil)
            guard decoded.code == heif_error_Ok, let image else { throw PictureError("cannot decode the HEIF image: \(message(decoded))") }
            defer { heif_image_release(image) }
            let width = Int(heif_image_get_width(image, heif_channel_interleaved))
            let height = Int(heif_image_get_height(image, heif_channel_interleaved))
            var stride: Int32 = 0
            guard width > 0, height > 0, width * height <= limits.maximumDecodedPixels,
                  let plane = heif_image_get_plane_readonly(image, heif_channel_interleaved, &stride), Int(stride) >= width * 3 else {
                throw PictureError("the HEIF image decoded to no usable pixels")
            }
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            pixels.withUnsafeMutableBufferPointer { out in
                for row in 0..<height {
                    (out.baseAddress! + row * width * 3).update(from: plane + row * Int(stride), count: width * 3)
                }
            }
            return Picture(width: width, height: height, pixels: pixels)
        }
    }

    static func message(_ error: heif_error) -> String {
        error.message.map { String(cString: $0) } ?? "error \(error.code.rawValue)"
    }
}
