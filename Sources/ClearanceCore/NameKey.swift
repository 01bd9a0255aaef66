import Foundation

/// A name folded for lookup: case, accents and spacing do not matter, so "José  García" and
/// "jose garcia" meet. Two people may fold to the same key; lookups return all of them.
public struct NameKey: Hashable, Sendable, CustomStringConvertible {
    public let folded: String

    /// Nil for a name that folds to nothing (only spaces or punctuation-free emptiness).
    public init?(_ name: String) {
        let folded = name
            .folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .lowercased()
            .split(whereSeparator: { $0.isWhitespace })
            .joined(separator: " ")
        guard !folded.isEmpty else { return nil }
        self.folded = folded
    }

    public var description: String { folded }
}
