import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The instance's Ed25519 signing key, kept in a file beside the database (mode 0600).
/// Immutable after creation; `@unchecked` only because swift-crypto's key type is not marked
/// Sendable.
public final class InstanceKey: @unchecked Sendable {
    let privateKey: Curve25519.Signing.PrivateKey
    let macKey: EventMACKey
    let rowMACKey: RowMACKey

    init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
        macKey = EventMACKey(privateKey: privateKey)
        rowMACKey = RowMACKey(privateKey: privateKey)
    }
    static let header = "clearance-ed25519-private-key-v1"

    public var publicKey: Data { privateKey.publicKey.rawRepresentation }

    static func generate() -> InstanceKey {
        InstanceKey(privateKey: Curve25519.Signing.PrivateKey())
    }

    /// The conventional key path for a database: `clearance.db` → `clearance.db.key`.
    public static func defaultPath(forDatabase path: String) -> String { path + ".key" }

    /// Creates the file with mode 0600; fails if it already exists (never overwrites).
    func write(to path: String) throws(LedgerError) {
        let text = "\(InstanceKey.header)\n\(privateKey.rawRepresentation.base64EncodedString())\n"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST { throw .alreadyExists(path) }
            // A folder that is not there, or not ours to write in: the path given is at fault.
            if [ENOENT, ENOTDIR, EACCES, EROFS].contains(errno) {
                throw .invalid("cannot create key file \(path): \(String(cString: strerror(errno)))")
            }
            throw .io("cannot create key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw .io("cannot write key file \(path)")
        }
    }

    static func read(from path: String) throws(LedgerError) -> InstanceKey {
        guard let data = FileManager.default.contents(atPath: path), data.count < 4096 else {
            throw .missingKey(path)
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard lines.count == 2, lines[0] == header,
              let raw = Data(base64Encoded: String(lines[1])),
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw .badKey(path)
        }
        return InstanceKey(privateKey: key)
    }

    func sign(_ hash: Data) throws -> Data {
        try privateKey.signature(for: hash)
    }

    static func isValid(signature: Data, hash: Data, publicKey: Data) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: hash)
    }
}
