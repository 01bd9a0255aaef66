#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where box bytes come from: the file itself (read by seeking) or a part of it already loaded.
/// Offsets are always absolute file offsets, so boxes found in a loaded part still say where
/// they sit in the file (an export step copies by those offsets).
public protocol QuickTimeByteSource {
    /// Length of the whole file, even when only a part of it is at hand.
    var fileLength: Int64 { get }
    /// Exactly `count` bytes at `offset`, or nil when any of them is not available.
    func bytes(at offset: Int64, count: Int) -> [UInt8]?
}

/// A file opened for reading with `pread`: videos are large, so nothing is loaded up front.
public final class QuickTimeFile: QuickTimeByteSource {
    public let fileLength: Int64
    private let descriptor: Int32

    public init(path: String) throws(MediaReadError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .cannotOpen(path) }
        var info = stat()
        // Only regular files: a directory or a FIFO would fail or block on read.
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw .cannotOpen(path)
        }
        descriptor = fd
        fileLength = Int64(info.st_size)
    }

    deinit { close(descriptor) }

    public func bytes(at offset: Int64, count: Int) -> [UInt8]? {
        guard count >= 0, offset >= 0, offset <= fileLength, Int64(count) <= fileLength - offset else { return nil }
        if count == 0 { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        let complete = buffer.withUnsafeMutableBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return false }
            while done < count {
                let n = pread(descriptor, base + done, count - done, off_t(offset + Int64(done)))
                if n > 0 {
                    done += n
                } else if n < 0, errno == EINTR {
                    continue
                } else {
                    return false // end of file (the file shrank) or an I/O error
                }
            }
            return true
        }
        return complete ? buffer : nil
    }
}

/// A span of the file held in memory, e.g. the `moov` box payload.
public struct QuickTimeLoadedBytes: QuickTimeByteSource, Sendable {
    public let fileLength: Int64
    /// File offset of `storage[0]`.
    public let baseOffset: Int64
    public let storage: [UInt8]

    public init(baseOffset: Int64, storage: [UInt8], fileLength: Int64) {
        self.baseOffset = baseOffset
        self.storage = storage
        self.fileLength = fileLength
    }

    /// The file offset just past the loaded bytes.
    public var endOffset: Int64 { baseOffset + Int64(storage.count) }

    public func bytes(at offset: Int64, count: Int) -> [UInt8]? {
        guard count >= 0, offset >= baseOffset, offset <= endOffset, Int64(count) <= endOffset - offset else {
            return nil
        }
        let start = Int(offset - baseOffset)
        return Array(storage[start..<start + count])
    }
}
