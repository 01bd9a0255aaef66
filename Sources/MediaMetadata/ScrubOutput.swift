#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file an export writes. Created exclusively (an existing file is never replaced) and
/// removed again when writing fails, so a failed export leaves nothing behind.
final class ScrubOutput {
    private let descriptor: Int32
    let path: String
    /// Bytes written so far: the offset the next write lands at.
    private(set) var written: Int64 = 0

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Creates `path`, runs `body` on it, and syncs it; on any error the partial file is removed.
    static func create(_ path: String, _ body: (ScrubOutput) throws -> Void) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw errno == EEXIST ? ScrubError.destinationExists(path) : ScrubError.cannotCreate(path)
        }
        let output = ScrubOutput(descriptor: fd, path: path)
        var failure: (any Error)?
        do {
            try body(output)
            if fsync(fd) != 0 { failure = ScrubError.writeFailed(path) }
        } catch {
            failure = error
        }
        // Closed exactly once, whatever happened; a failed close means the data may be lost.
        if close(fd) != 0, failure == nil { failure = ScrubError.writeFailed(path) }
        if let failure {
            unlink(path)
            throw failure
        }
    }

    func write(_ bytes: [UInt8]) throws {
        var done = 0
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            while done < raw.count {
                let n = posixWrite(descriptor, base + done, raw.count - done)
                if n > 0 {
                    done += n
                } else if n < 0, errno == EINTR {
                    continue
                } else {
                    throw ScrubError.writeFailed(path)
                }
            }
        }
        written += Int64(bytes.count)
    }

    /// Copies `count` bytes starting at `offset` of a source, in chunks so large media data
    /// never sits in memory whole.
    func copy(count: Int64, at offset: Int64, chunk: Int = 1 << 20, from read: (Int64, Int) -> [UInt8]?) throws {
        var position = offset
        let end = offset + count
        while position < end {
            let wanted = Int(min(Int64(chunk), end - position))
            guard let bytes = read(position, wanted), bytes.count == wanted else {
                throw MediaReadError.malformed("file ends while copying its data at offset \(position) (truncated)")
            }
            try write(bytes)
            position += Int64(wanted)
        }
    }
}

/// `write(2)`, named apart from `ScrubOutput.write`.
private func posixWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, buffer, count)
    #else
    Darwin.write(descriptor, buffer, count)
    #endif
}
