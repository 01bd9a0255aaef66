import ClearanceCore
import Crypto
import Foundation

/// Lower-case hex SHA-256, as recorded for signature images.
public enum SHA256Hex {
    public static func of(_ data: Data) -> String {
        Hex.lowercase(SHA256.hash(data: data))
    }
}
