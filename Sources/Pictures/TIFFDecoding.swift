import CTIFF
import Foundation

/// TIFF through libtiff's RGBA interface, which converts every photometric interpretation it
/// knows (RGB, palette, greyscale, YCbCr, CMYK…) to RGB. Raw camera files in TIFF containers
/// (CFA data) are refused by libtiff, which leaves the picture to a person's review.
enum TIFFDecoding {
    /// libtiff reports errors and warnings through process-wide handlers that print to stderr;
    /// Clearance reports its own error instead, so both are switched off once.
    static let quiet: Void = {
        TIFFSetErrorHandler(nil)
        TIFFSetWarningHandler(nil)
    }()

    static func decode(_ data: Data, limits: PictureLimits) throws -> Picture {
        _ = quiet
        return try data.withUnsafeBytes { raw -> Picture in
            guard let base = raw.baseAddress else { throw PictureError("the file is empty") }
            let source = MemorySource(base: base, count: raw.count)
            let handle = Unmanaged.passUnretained(source).toOpaque()
            guard let tiff = TIFFClientOpen("picture", "rm", handle, MemorySource.read, MemorySource.write,
                                            MemorySource.seek, MemorySource.close, MemorySource.size,
                                            MemorySource.map, MemorySource.unmap) else {
                throw PictureError("cannot read the TIFF structure")
            }
            defer { TIFFClose(tiff) }
            var width: UInt32 = 0, height: UInt32 = 0
            guard field(tiff, TIFFTAG_IMAGEWIDTH, &width), field(tiff, TIFFTAG_IMAGELENGTH, &height) else {
                throw PictureError("TIFF declares no picture size")
            }
            try PictureDecoder.checkFullDecode(width: Int(width), height: Int(height), format: "TIFF", limits: limits)
            // The caller turns the picture upright from the orientation its metadata reader found;
            // telling libtiff the pixels are stored top-left keeps it from flipping them as well.
            _ = withVaList([Int32(ORIENTATION_TOPLEFT)]) { TIFFVSetField(tiff, UInt32(TIFFTAG_ORIENTATION), $0) }
            var raster = [UInt32](repeating: 0, count: Int(width) * Int(height))
            let read = raster.withUnsafeMutableBufferPointer { out in
                TIFFReadRGBAImageOriented(tiff, width, height, out.baseAddress, ORIENTATION_TOPLEFT, 1)
            }
            guard read != 0 else { throw PictureError("cannot decode the TIFF image (a raw sensor image or an unsupported encoding)") }
            var pixels = [UInt8](repeating: 0, count: raster.count * 3)
            pixels.withUnsafeMutableBufferPointer { out in
                for (i, abgr) in raster.enumerated() {
                    out[i * 3] = UInt8(abgr & 0xFF)
                    out[i * 3 + 1] = UInt8((abgr >> 8) & 0xFF)
                    out[i * 3 + 2] = UInt8((abgr >> 16) & 0xFF)
                }
            }
            return Picture(width: Int(width), height: Int(height), pixels: pixels)
        }
    }

    static func field(_ tiff: OpaquePointer, _ tag: Int32, _ value: inout UInt32) -> Bool {
        withUnsafeMutablePointer(to: &value) { pointer in
            withVaList([pointer]) { TIFFVGetField(tiff, UInt32(tag), $0) } == 1
        }
    }

    /// The bytes libtiff reads through its client callbacks; read-only.
    final class MemorySource {
        let base: UnsafeRawPointer
        let count: Int
        var offset = 0

        init(base: UnsafeRawPointer, count: Int) {
            self.base = base
            self.count = count
        }

        static func from(_ handle: thandle_t?) -> MemorySource {
            Unmanaged<MemorySource>.fromOpaque(handle!).takeUnretainedValue()
        }

        static let read: TIFFReadWriteProc = { handle, buffer, size in
            let source = from(handle)
            let n = max(0, min(Int(size), source.count - source.offset))
            if n > 0, let buffer { buffer.copyMemory(from: source.base + source.offset, byteCount: n) }
            source.offset += n
            return tmsize_t(n)
        }
        static let write: TIFFReadWriteProc = { _, _, _ in 0 }
        static let seek: TIFFSeekProc = { handle, offset, whence in
            let source = from(handle)
            let origin: Int
            switch whence {
            case SEEK_SET: origin = 0
            case SEEK_CUR: origin = source.offset
            case SEEK_END: origin = source.count
            default: return toff_t.max
            }
            // Offsets are unsigned in libtiff; a "negative" one arrives as a huge value and is refused.
            guard offset <= toff_t(Int.max - origin) else { return toff_t.max }
            let target = origin + Int(offset)
            guard target >= 0, target <= source.count else { return toff_t.max }
            source.offset = target
            return toff_t(target)
        }
        static let close: TIFFCloseProc = { _ in 0 }
        static let size: TIFFSizeProc = { handle in toff_t(from(handle).count) }
        static let map: TIFFMapFileProc = { handle, base, size in
            let source = from(handle)
            base?.pointee = UnsafeMutableRawPointer(mutating: source.base)
            size?.pointee = toff_t(source.count)
            return 1
        }
        static let unmap: TIFFUnmapFileProc = { _, _, _ in }
    }
}
