/// The body of a printable identifier: seven symbols from an alphabet without look-alikes,
/// plus one check symbol, shown as `XXXX-XXXX`.
///
/// The alphabet is Crockford's base 32 without 0, 1 (confused with O, I, L) and V (confused with U
/// in handwriting), leaving 29 symbols. 29 is prime, so a weighted check symbol (weights 1…7,
/// modulo 29) catches every single wrong symbol and every swap of two neighbouring symbols.
public struct CheckedCode: Hashable, Sendable, Comparable {
    public static let alphabet: [Character] = Array("23456789ABCDEFGHJKMNPQRSTWXYZ")
    public static let payloadLength = 7

    /// The eight symbols, check symbol last, without separators.
    public let symbols: String

    /// Builds a code from seven symbol values (each 0..<29).
    public init?(values: [Int]) {
        guard values.count == CheckedCode.payloadLength,
              values.allSatisfy({ (0..<CheckedCode.alphabet.count).contains($0) }) else { return nil }
        let check = CheckedCode.checkValue(values)
        symbols = String((values + [check]).map { CheckedCode.alphabet[$0] })
    }

    /// A fresh random code.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> CheckedCode {
        let values = (0..<payloadLength).map { _ in Int.random(in: 0..<alphabet.count, using: &generator) }
        return CheckedCode(values: values)!
    }

    /// Accepts any case, spaces and hyphens anywhere; rejects wrong symbols and a bad check symbol.
    public init?(parsing text: String) {
        let cleaned = text.uppercased().filter { $0 != "-" && $0 != " " }
        guard cleaned.count == CheckedCode.payloadLength + 1 else { return nil }
        var values: [Int] = []
        for character in cleaned {
            guard let value = CheckedCode.alphabet.firstIndex(of: character) else { return nil }
            values.append(value)
        }
        guard CheckedCode.checkValue(Array(values.prefix(CheckedCode.payloadLength))) == values.last else { return nil }
        symbols = cleaned
    }

    static func checkValue(_ values: [Int]) -> Int {
        var sum = 0
        for (index, value) in values.enumerated() { sum += (index + 1) * value }
        return sum % alphabet.count
    }

    /// `XXXX-XXXX`.
    public var grouped: String {
        "\(symbols.prefix(4))-\(symbols.suffix(4))"
    }

    public static func < (a: CheckedCode, b: CheckedCode) -> Bool { a.symbols < b.symbols }
}

/// Strips an expected one-letter prefix such as `C` or `P` (optional when typed by hand): after
/// separators are removed, nine symbols mean a prefix and eight mean none.
func stripPrefix(_ prefix: Character, from text: String) -> String {
    let cleaned = text.uppercased().filter { $0 != "-" && !$0.isWhitespace }
    if cleaned.count == CheckedCode.payloadLength + 2, cleaned.first == prefix {
        return String(cleaned.dropFirst())
    }
    return cleaned
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}

/// The reference printed on a consent card, e.g. `C-7KX4-M9QD`. Each version of a consent has
/// its own reference.
public struct ConsentReference: Hashable, Sendable, Comparable, TextCodable {
    public let code: CheckedCode
    public init(code: CheckedCode) { self.code = code }

    /// Accepts `C-7KX4-M9QD`, `c7kx4m9qd`, `7KX4-M9QD`.
    public init?(parsing text: String) {
        guard let code = CheckedCode(parsing: stripPrefix("C", from: text)) else { return nil }
        self.code = code
    }

    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> ConsentReference {
        ConsentReference(code: .random(using: &generator))
    }

    public var description: String { "C-\(code.grouped)" }
    public static func < (a: ConsentReference, b: ConsentReference) -> Bool { a.code < b.code }

    public static let textDescription = "a consent reference"
}

/// Identifies a person everywhere, e.g. `P-3HQ8-TW2K`. Carries no personal data, so it can stay
/// in the ledger after erasure.
public struct PersonID: Hashable, Sendable, Comparable, TextCodable {
    public let code: CheckedCode
    public init(code: CheckedCode) { self.code = code }

    public init?(parsing text: String) {
        guard let code = CheckedCode(parsing: stripPrefix("P", from: text)) else { return nil }
        self.code = code
    }

    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> PersonID {
        PersonID(code: .random(using: &generator))
    }

    public var description: String { "P-\(code.grouped)" }
    public static func < (a: PersonID, b: PersonID) -> Bool { a.code < b.code }

    public static let textDescription = "a person id"
}
