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

    /// Symbols already checked by the caller.
    private init(checkedSymbols: String) {
        symbols = checkedSymbols
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

extension CheckedCode {
    /// What `CheckedCode(parsing: stripPrefix(prefix, from: text))` gives. Every id and
    /// reference a ledger stores is ASCII, and a check parses one for each row and event it
    /// confirms: there the bytes are read directly, where the general path (uppercasing,
    /// `Character` white space, a search of the alphabet by `Character`) was about a twelfth of
    /// a check's CPU. Other text takes the general path.
    init?(parsing text: String, prefix: Character) {
        switch Self.parsedASCII(text, prefix: prefix) {
        case .parsed(let code): self = code
        case .invalid: return nil
        case .notASCII:
            guard let code = CheckedCode(parsing: stripPrefix(prefix, from: text)) else { return nil }
            self = code
        }
    }

    enum ASCIIParse: Equatable {
        case parsed(CheckedCode)
        case invalid
        case notASCII
    }

    /// The general path's answer for all-ASCII text, where only a-z change case and only tab to
    /// carriage return and space are white space (a test holds the two paths equal for every
    /// ASCII character, alone and in pairs); `.notASCII` for any other text.
    static func parsedASCII(_ text: String, prefix: Character) -> ASCIIParse {
        guard let prefixByte = prefix.asciiValue, text.utf8.allSatisfy({ $0 < 0x80 }) else { return .notASCII }
        var cleaned: [UInt8] = []
        cleaned.reserveCapacity(payloadLength + 2)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "-"), 0x09...0x0D, 0x20: continue
            case UInt8(ascii: "a")...UInt8(ascii: "z"): cleaned.append(byte - 0x20)
            default: cleaned.append(byte)
            }
            // Longer than a prefix and a code: no need to read on.
            if cleaned.count > payloadLength + 2 { return .invalid }
        }
        if cleaned.count == payloadLength + 2, cleaned.first == prefixByte { cleaned.removeFirst() }
        guard cleaned.count == payloadLength + 1 else { return .invalid }
        var values: [Int] = []
        values.reserveCapacity(payloadLength + 1)
        for byte in cleaned {
            let value = symbolValues[Int(byte)]
            guard value >= 0 else { return .invalid }
            values.append(value)
        }
        guard checkValue(Array(values.prefix(payloadLength))) == values.last else { return .invalid }
        return .parsed(CheckedCode(checkedSymbols: String(decoding: cleaned, as: UTF8.self)))
    }

    /// Each ASCII byte's place in `alphabet`, or -1.
    private static let symbolValues: [Int] = (0..<128).map { byte in
        alphabet.firstIndex(of: Character(UnicodeScalar(UInt8(byte)))) ?? -1
    }
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
        guard let code = CheckedCode(parsing: text, prefix: "C") else { return nil }
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
        guard let code = CheckedCode(parsing: text, prefix: "P") else { return nil }
        self.code = code
    }

    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> PersonID {
        PersonID(code: .random(using: &generator))
    }

    public var description: String { "P-\(code.grouped)" }
    public static func < (a: PersonID, b: PersonID) -> Bool { a.code < b.code }

    public static let textDescription = "a person id"
}
