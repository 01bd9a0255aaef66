#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file read by offset with `pread`, so metadata readers fetch only the bytes they need
/// instead of loading whole images. One instance belongs to one inspection (not shared).
final class RandomAccessFile {
    private let descriptor: Int32
    /// Size when opened; reads never go past it.
    let size: Int

    init(path: String) throws(MediaReadError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            close(fd)
            throw .cannotOpen(path)
        }
        descriptor = fd
        size = Int(status.st_size)
    }

    deinit { close(descriptor) }

    /// Up to `count` bytes at `offset`; fewer at end of file, empty past it.
    func read(at offset: Int, count: Int) -> [UInt8] {
        guard offset >= 0, count > 0, offset < size else { return [] }
        let wanted = min(count, size - offset)
        var done = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: wanted) { buffer, initialized in
            guard let base = buffer.baseAddress else {
                initialized = 0
                return
            }
            while done < wanted {
                let got = pread(descriptor, base + done, wanted - done, off_t(offset + done))
                if got <= 0 { break }
                done += got
            }
            initialized = done
        }
        return bytes
    }

}

/// Bytes read by offset: a file on disk, or bytes already in memory (a JPEG just encoded), so
/// the export scrubbers treat both alike.
protocol RandomAccessBytes {
    /// Size when opened; reads never go past it.
    var size: Int { get }
    /// Up to `count` bytes at `offset`; fewer at the end, empty past it.
    func read(at offset: Int, count: Int) -> [UInt8]
}

extension RandomAccessBytes {
    /// Exactly `count` bytes at `offset`, or nil when the bytes are shorter.
    func readExactly(at offset: Int, count: Int) -> [UInt8]? {
        guard count >= 0 else { return nil }
        if count == 0 { return [] }
        let bytes = read(at: offset, count: count)
        return bytes.count == count ? bytes : nil
    }
}

extension RandomAccessFile: RandomAccessBytes {}

/// Bytes in memory, read like a file.
struct MemoryBytes: RandomAccessBytes {
    let bytes: [UInt8]

    var size: Int { bytes.count }

    func read(at offset: Int, count: Int) -> [UInt8] {
        guard offset >= 0, count > 0, offset < bytes.count else { return [] }
        return Array(bytes[offset..<min(bytes.count, offset + min(count, bytes.count - offset))])
    }
}

/// Byte order of a TIFF structure (EXIF inside any container, or a TIFF file itself).
enum ByteOrder: Sendable {
    case little, big

    /// From the first two bytes of a TIFF header ("II" or "MM").
    init?(tiffMark bytes: some Collection<UInt8>) {
        var iterator = bytes.makeIterator()
        guard let a = iterator.next(), let b = iterator.next(), a == b else { return nil }
        switch a {
        case 0x49: self = .little
        case 0x4D: self = .big
        default: return nil
        }
    }
}

/// Bounds-checked integer reads from byte arrays; nil instead of a trap when out of range.
extension Array where Element == UInt8 {
    func uint16(at offset: Int, _ order: ByteOrder) -> UInt16? {
        guard offset >= 0, offset <= count - 2 else { return nil }
        let a = UInt16(self[offset]), b = UInt16(self[offset + 1])
        return order == .big ? a << 8 | b : b << 8 | a
    }

    func uint32(at offset: Int, _ order: ByteOrder) -> UInt32? {
        guard offset >= 0, offset <= count - 4 else { return nil }
        var value: UInt32 = 0
        for i in 0..<4 {
            let byte = UInt32(self[offset + (order == .big ? i : 3 - i)])
            value = value << 8 | byte
        }
        return value
    }

    /// Whether these bytes hold `prefix` at `offset`.
    func hasBytes(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
        guard offset >= 0, offset <= count - prefix.count else { return false }
        for i in 0..<prefix.count where self[offset + i] != prefix[i] { return false }
        return true
    }

    /// First index of `needle` at or after `start`, or nil.
    func firstIndex(of needle: [UInt8], from start: Int = 0) -> Int? {
        guard !needle.isEmpty, count >= needle.count else { return nil }
        var i = Swift.max(0, start)
        while i <= count - needle.count {
            if self[i] == needle[0], hasBytes(needle, at: i) { return i }
            i += 1
        }
        return nil
    }
}
