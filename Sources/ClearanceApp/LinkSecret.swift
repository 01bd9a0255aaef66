import ClearanceCore
import Crypto
import Foundation

/// Secrets in the links that notices carry (withdrawal, renewal): 256 random bits as URL-safe
/// base64; only their SHA-256 is stored, in the ledger beside the notice.
public enum LinkSecret {
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public static func sha256(_ secret: String) -> String {
        Hex.lowercase(SHA256.hash(data: Data(secret.utf8)))
    }

    /// A shape check before any lookup, so junk never reaches the database.
    public static func looksValid(_ text: String) -> Bool {
        (20...128).contains(text.utf8.count) && text.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }
    }
}
