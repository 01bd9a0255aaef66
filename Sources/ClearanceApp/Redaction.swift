import CTurboJPEG
import Foundation

/// Why a picture could not be redacted.
public struct RedactionError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Decodes a JPEG with libturbojpeg, turns it upright (EXIF orientation), paints black over
/// regions, and encodes a new JPEG. The result is a fresh encode: no EXIF, XMP, GPS, comments
/// or thumbnails from the original can survive in it.
public enum JPEGRedaction {
    /// Refuse inputs larger than this many bytes or pixels (a hostile header cannot make us
    /// allocate gigabytes).
    static let maximumBytes = 200 << 20
    static let maximumPixels = 150_000_000
    /// Regions are widened by this fraction of their size on each side: a face box drawn tight
    /// still leaves hair and ears visible.
    static let margin = 0.05

    /// Black rectangles, as x, y, w, h fractions of the image as displayed (after orientation).
    public static func redact(_ jpeg: Data, orientation: Int?, blackOut regions: [[Double]], quality: Int32 = 90) throws -> Data {
        guard !jpeg.isEmpty, jpeg.count <= maximumBytes else { throw RedactionError("JPEG is empty or larger than 200 MiB") }
        var decoded = try decode(jpeg)
        var (upright, displayWidth, displayHeight) = orient(decoded.pixels, width: decoded.width, height: decoded.height,
                                                            orientation: orientation ?? 1)
        // Let go of the decoded buffer, so painting does not copy it (a picture upright as
        // stored shares it with `upright`).
        decoded.pixels = []
        for region in regions {
            guard region.count == 4, region.allSatisfy({ $0.isFinite }) else { continue }
            let (x, y, w, h) = (region[0], region[1], max(0, region[2]), max(0, region[3]))
            let left = x - w * margin, top = y - h * margin, right = x + w * (1 + margin), bottom = y + h * (1 + margin)
            let x0 = clamp(Int((left * Double(displayWidth)).rounded(.down)), displayWidth)
            let x1 = clamp(Int((right * Double(displayWidth)).rounded(.up)), displayWidth)
            let y0 = clamp(Int((top * Double(displayHeight)).rounded(.down)), displayHeight)
            let y1 = clamp(Int((bottom * Double(displayHeight)).rounded(.up)), displayHeight)
            guard x0 < x1, y0 < y1 else { continue }
            upright.withUnsafeMutableBufferPointer { buffer in
                for row in y0..<y1 {
                    let start = (row * displayWidth + x0) * 3
                    for i in start..<(start + (x1 - x0) * 3) { buffer[i] = 0 }
                }
            }
        }
        return try encode(upright, width: displayWidth, height: displayHeight, quality: quality)
    }

    static func clamp(_ value: Int, _ limit: Int) -> Int { min(max(value, 0), limit) }

    /// At most this many pixels are decoded, whatever the header declares: larger pictures are
    /// decoded at a reduced scale by libjpeg-turbo's DCT scaling (7/8, 3/4, 1/2, 1/4, 1/8…),
    /// which never builds the full-size image. 8 megapixels is 24 MB of RGB, 48 MB while it is
    /// turned upright; a 12-megapixel phone photo comes out at 3/4 of its size.
    public static let maximumDecodedPixels = 8_000_000

    /// RGB pixels, row by row, with their width and height: the stored size, or that size scaled
    /// down to fit `decodedPixels`. A header declaring more than `maximumPixels` is refused.
    public static func decode(_ jpeg: Data, decodedPixels: Int = maximumDecodedPixels) throws -> (pixels: [UInt8], width: Int, height: Int) {
        guard let handle = tjInitDecompress() else { throw RedactionError("cannot start the JPEG decoder") }
        defer { tjDestroy(handle) }
        return try jpeg.withUnsafeBytes { raw -> ([UInt8], Int, Int) in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress else { throw RedactionError("empty JPEG") }
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
            guard tjDecompressHeader3(handle, base, UInt(raw.count), &width, &height, &subsampling, &colorspace) == 0 else {
                throw RedactionError("cannot read the JPEG header: \(message(handle))")
            }
            guard width > 0, height > 0, Int(width) * Int(height) <= maximumPixels else {
                throw RedactionError("JPEG of \(width)×\(height) pixels is outside what Clearance redacts")
            }
            let (scaledWidth, scaledHeight) = scaledSize(width: Int(width), height: Int(height), maximumPixels: decodedPixels)
            var pixels = [UInt8](repeating: 0, count: scaledWidth * scaledHeight * 3)
            // Given a smaller size than the stored one, tjDecompress2 picks the scaling factor that fits.
            let status = pixels.withUnsafeMutableBufferPointer { out in
                tjDecompress2(handle, base, UInt(raw.count), out.baseAddress, Int32(scaledWidth), Int32(scaledWidth * 3),
                              Int32(scaledHeight), Int32(TJPF_RGB.rawValue), TJFLAG_ACCURATEDCT)
            }
            // A warning (e.g. a truncated scan) still fills the buffer; only a hard error refuses.
            if status != 0, tjGetErrorCode(handle) == Int32(TJERR_FATAL.rawValue) {
                throw RedactionError("cannot decode the JPEG: \(message(handle))")
            }
            return (pixels, scaledWidth, scaledHeight)
        }
    }

    /// The largest of libjpeg-turbo's scaling factors, no larger than 1, whose result has at most
    /// `maximumPixels` pixels.
    static func scaledSize(width: Int, height: Int, maximumPixels: Int) -> (Int, Int) {
        var count: Int32 = 0
        guard let factors = tjGetScalingFactors(&count), count > 0 else { return (width, height) }
        var best: (Int, Int)?
        for factor in UnsafeBufferPointer(start: factors, count: Int(count)) where factor.num <= factor.denom {
            let (num, denom) = (Int(factor.num), Int(factor.denom))
            // TJSCALED: rounded up, as the decoder does.
            let w = (width * num + denom - 1) / denom, h = (height * num + denom - 1) / denom
            guard w * h <= maximumPixels else { continue }
            if best.map({ w * h > $0.0 * $0.1 }) ?? true { best = (w, h) }
        }
        // Nothing fits (beyond 1/8 of 150 megapixels cannot happen, but): the smallest factor.
        return best ?? ((width + 7) / 8, (height + 7) / 8)
    }

    static func encode(_ pixels: [UInt8], width: Int, height: Int, quality: Int32) throws -> Data {
        guard let handle = tjInitCompress() else { throw RedactionError("cannot start the JPEG encoder") }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = pixels.withUnsafeBufferPointer { input in
            tjCompress2(handle, input.baseAddress, Int32(width), Int32(width * 3), Int32(height), Int32(TJPF_RGB.rawValue),
                        &output, &size, Int32(TJSAMP_420.rawValue), quality, TJFLAG_ACCURATEDCT)
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output, size > 0 else { throw RedactionError("cannot encode the JPEG: \(message(handle))") }
        return Data(bytes: output, count: Int(size))
    }

    static func message(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown error" }
        return String(cString: text)
    }

    /// The picture as displayed: EXIF orientation 2–8 mirror and/or rotate the stored pixels.
    static func orient(_ pixels: [UInt8], width: Int, height: Int, orientation: Int) -> ([UInt8], Int, Int) {
        guard (2...8).contains(orientation) else { return (pixels, width, height) }
        let swaps = orientation >= 5
        let displayWidth = swaps ? height : width, displayHeight = swaps ? width : height
        var out = [UInt8](repeating: 0, count: pixels.count)
        out.withUnsafeMutableBufferPointer { target in
            pixels.withUnsafeBufferPointer { source in
                for dy in 0..<displayHeight {
                    for dx in 0..<displayWidth {
                        // Which stored pixel is shown at (dx, dy).
                        let (sx, sy): (Int, Int)
                        switch orientation {
                        case 2: (sx, sy) = (width - 1 - dx, dy)
                        case 3: (sx, sy) = (width - 1 - dx, height - 1 - dy)
                        case 4: (sx, sy) = (dx, height - 1 - dy)
                        case 5: (sx, sy) = (dy, dx)
                        case 6: (sx, sy) = (dy, height - 1 - dx)
                        case 7: (sx, sy) = (width - 1 - dy, height - 1 - dx)
                        default: (sx, sy) = (width - 1 - dy, dx)
                        }
                        let s = (sy * width + sx) * 3, t = (dy * displayWidth + dx) * 3
                        target[t] = source[s]; target[t + 1] = source[s + 1]; target[t + 2] = source[s + 2]
                    }
                }
            }
        }
        return (out, displayWidth, displayHeight)
    }
}
