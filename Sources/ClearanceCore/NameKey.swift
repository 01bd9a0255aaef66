import Foundation

/// A name folded for lookup: case, accents and spacing do not matter, so "José  García" and
/// "jose garcia" meet. Two people may fold to the same key; lookups return all of them.
public struct NameKey: Hashable, Sendable, CustomStringConvertible {
    public let folded: String

    /// Nil for a name that folds to nothing (only spaces or punctuation-free emptiness).
    public init?(_ name: String) {
        let folded = Self.foldedASCII(name) ?? Self.foldedUnicode(name)
        guard !folded.isEmpty else { return nil }
        self.folded = folded
    }

    public var description: String { folded }

    /// The general fold, for any text.
    static func foldedUnicode(_ name: String) -> String {
        name
            .folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .lowercased()
            .split(whereSeparator: { $0.isWhitespace })
            .joined(separator: " ")
    }

    /// The same fold for text that is all ASCII, as most names are, without Foundation's, which
    /// goes through `NSString` and was a twentieth of a PostgreSQL check's CPU. In ASCII only
    /// A-Z fold (to a-z) and only tab to carriage return and space are white space; a test holds
    /// it to `foldedUnicode` for every ASCII character, alone and in pairs. Nil for other text.
    static func foldedASCII(_ name: String) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count)
        var spaceBefore = false
        for byte in name.utf8 {
            switch byte {
            case 0x80...: return nil
            case 0x09...0x0D, 0x20: spaceBefore = !bytes.isEmpty
            default:
                if spaceBefore {
                    bytes.append(0x20)
                    spaceBefore = false
                }
                bytes.append((0x41...0x5A).contains(byte) ? byte + 0x20 : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
