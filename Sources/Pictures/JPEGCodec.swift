import CTurboJPEG
import Foundation

/// JPEG through libjpeg-turbo's TurboJPEG API: decode at a reduced scale (DCT scaling), encode.
enum JPEGCodec {
    /// libjpeg keeps every DCT coefficient of a progressive JPEG in memory (128 bytes per 8×8
    /// block and component) whatever the output scale; refuse files that would need more.
    static let maximumCoefficientBytes = 160 << 20

    /// The stored (not yet oriented) pixels at the smallest scale that keeps the longer side at
    /// least `longSide` and the picture within `limits.maximumDecodedPixels`.
    static func decode(_ jpeg: Data, longSide: Int?, limits: PictureLimits) throws -> Picture {
        guard let handle = tjInitDecompress() else { throw PictureError("cannot start the JPEG decoder") }
        defer { tjDestroy(handle) }
        return try jpeg.withUnsafeBytes { raw -> Picture in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress else { throw PictureError("the file is empty") }
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
            // TurboJPEG reports a warning (stray bytes before a marker, say) as a failure of the
            // header call although the header was read; viewers show such files, so a warning
            // with a size is accepted.
            let header = tjDecompressHeader3(handle, base, UInt(raw.count), &width, &height, &subsampling, &colorspace)
            guard header == 0 || tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue) && width > 0 && height > 0 else {
                throw PictureError("cannot read the JPEG header: \(message(handle))")
            }
            try PictureDecoder.checkDeclared(width: Int(width), height: Int(height), format: "JPEG", limits: limits)
            if isProgressive(UnsafeRawBufferPointer(raw)) {
                let blocks = ((Int(width) + 7) / 8) * ((Int(height) + 7) / 8)
                // Luma plus, at worst, two full-size chroma planes.
                guard blocks * 128 * 3 <= maximumCoefficientBytes else {
                    throw PictureError("progressive JPEG of \(width)×\(height) pixels needs more memory than Clearance allows")
                }
            }
            let factor = try scale(width: Int(width), height: Int(height), longSide: longSide, limits: limits)
            let outWidth = scaled(width, factor), outHeight = scaled(height, factor)
            var pixels = [UInt8](repeating: 0, count: Int(outWidth) * Int(outHeight) * 3)
            let status = pixels.withUnsafeMutableBufferPointer { out in
                tjDecompress2(handle, base, UInt(raw.count), out.baseAddress, outWidth, outWidth * 3, outHeight,
                              Int32(TJPF_RGB.rawValue), factor.num == factor.denom ? TJFLAG_ACCURATEDCT : 0)
            }
            // A warning (a truncated scan, say) still fills the buffer, grey where data was missing;
            // only a fatal error refuses.
            if status != 0, tjGetErrorCode(handle) == Int32(TJERR_FATAL.rawValue) {
                throw PictureError("cannot decode the JPEG: \(message(handle))")
            }
            return Picture(width: Int(outWidth), height: Int(outHeight), pixels: pixels)
        }
    }

    /// Encodes RGB pixels as a baseline JPEG with 4:2:0 chroma: a fresh file with no metadata at all.
    static func encode(_ picture: Picture, quality: Int) throws -> Data {
        guard let handle = tjInitCompress() else { throw PictureError("cannot start the JPEG encoder") }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = picture.pixels.withUnsafeBufferPointer { input in
            tjCompress2(handle, input.baseAddress, Int32(picture.width), Int32(picture.width * 3), Int32(picture.height),
                        Int32(TJPF_RGB.rawValue), &output, &size, Int32(TJSAMP_420.rawValue),
                        Int32(min(max(quality, 1), 100)), TJFLAG_ACCURATEDCT)
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output, size > 0 else { throw PictureError("cannot encode the JPEG: \(message(handle))") }
        return Data(bytes: output, count: Int(size))
    }

    static func scaled(_ dimension: Int32, _ factor: tjscalingfactor) -> Int32 {
        (dimension * factor.num + factor.denom - 1) / factor.denom
    }

    /// The factor to decode at: libjpeg-turbo offers n/8 for n = 1…16; only reductions are used.
    static func scale(width: Int, height: Int, longSide: Int?, limits: PictureLimits) throws -> tjscalingfactor {
        var count: Int32 = 0
        guard let list = tjGetScalingFactors(&count), count > 0 else { throw PictureError("cannot read JPEG scaling factors") }
        let reductions = UnsafeBufferPointer(start: list, count: Int(count))
            .filter { $0.num > 0 && $0.num <= $0.denom }
            .sorted { Double($0.num) / Double($0.denom) < Double($1.num) / Double($1.denom) }
        func fits(_ f: tjscalingfactor) -> Bool {
            Int(scaled(Int32(width), f)) * Int(scaled(Int32(height), f)) <= limits.maximumDecodedPixels
        }
        let allowed = reductions.filter(fits)
        guard let largest = allowed.last else {
            throw PictureError("JPEG of \(width)×\(height) pixels is larger than Clearance decodes")
        }
        guard let longSide else { return largest }
        return allowed.first { Int(scaled(Int32(max(width, height)), $0)) >= longSide } ?? largest
    }

    /// True when the first frame header is progressive (SOF2, SOF6, SOF10, SOF14).
    static func isProgressive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 2
        while offset + 4 <= bytes.count {
            guard bytes[offset] == 0xFF else { return false }
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 { offset += 2; continue }
            switch marker {
            case 0xC2, 0xC6, 0xCA, 0xCE: return true
            case 0xC0, 0xC1, 0xC3, 0xC5, 0xC7, 0xC9, 0xCB, 0xCD, 0xDA, 0xD9: return false
            default:
                let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
                guard length >= 2 else { return false }
                offset += 2 + length
            }
        }
        return false
    }

    static func message(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown error" }
        return String(cString: text)
    }
}

extension Picture {
    /// A new baseline JPEG of these pixels: no EXIF, XMP, GPS, comments or thumbnails can be in it.
    public func jpegData(quality: Int = 90) throws -> Data {
        try JPEGCodec.encode(self, quality: quality)
    }
}
