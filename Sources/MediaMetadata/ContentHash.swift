import Crypto
import Foundation

/// SHA-256 of a file's bytes, read in fixed-size chunks so memory stays flat for large videos.
public enum ContentHash {
    public static let chunkSize = 1 << 20

    public static func sha256(ofFileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw MediaReadError.cannotOpen(path)
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: chunkSize), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        // Hex by table, not String(format:) per byte: every file is hashed.
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: hasher.finalize().flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
    }
}
