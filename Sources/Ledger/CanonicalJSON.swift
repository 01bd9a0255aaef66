import ClearanceCore
import Foundation

/// A JSON value in the plain form Clearance writes its own payloads in (`canonicalPayload`):
/// no white space, no escaped characters in strings, no key twice in an object.
///
/// Why: a check replays the events of every person and asset it relies on, and `JSONDecoder`'s
/// generic `Codable` path was a quarter of a check's CPU (`make bench`). Reading that form by
/// hand is several times quicker. Anything outside it (white space, an escape, a repeated key, a
/// number that is not plain) is not read here at all: the caller then decodes the bytes with
/// `JSONDecoder` exactly as before, so the answer for any payload is `JSONDecoder`'s, whether
/// it came this way or that (the tests hold the two to the same values).
enum CanonicalJSON: Equatable {
    /// Fields in the order written. A list, not a dictionary: payloads have a dozen fields at
    /// most, and hashing every key cost more than the rest of the reading.
    case object([Field])
    case array([CanonicalJSON])
    case string(String)
    /// The number as written, e.g. `-12` or `0.24000000000000002`.
    case number(String)
    case bool(Bool)
    case null

    struct Field: Equatable {
        var key: String
        var value: CanonicalJSON
    }

    /// Nil unless `bytes` are one value in the plain form, with nothing after it.
    init?(plain bytes: Data) {
        let parsed: CanonicalJSON? = bytes.withUnsafeBytes { buffer in
            var reader = Reader(bytes: buffer)
            guard let value = reader.value(depth: 0), reader.index == buffer.count else { return nil }
            return value
        }
        guard let parsed else { return nil }
        self = parsed
    }

    init?(plain text: String) {
        self.init(plain: Data(text.utf8))
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        /// Deeper and wider than any payload Clearance writes: a hostile row can neither exhaust
        /// the stack nor make the check for repeated keys slow.
        static let maximumDepth = 16
        static let maximumFields = 64

        mutating func value(depth: Int) -> CanonicalJSON? {
            guard index < bytes.count, depth <= Self.maximumDepth else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"): return object(depth: depth)
            case UInt8(ascii: "["): return array(depth: depth)
            case UInt8(ascii: "\""): return string().map(CanonicalJSON.string)
            case UInt8(ascii: "t"): return word("true", .bool(true))
            case UInt8(ascii: "f"): return word("false", .bool(false))
            case UInt8(ascii: "n"): return word("null", .null)
            default: return number()
            }
        }

        mutating func object(depth: Int) -> CanonicalJSON? {
            index += 1
            var fields: [Field] = []
            if take(UInt8(ascii: "}")) { return .object(fields) }
            repeat {
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = string(),
                      take(UInt8(ascii: ":")), let value = value(depth: depth + 1),
                      fields.count < Self.maximumFields, !fields.contains(where: { $0.key == key }) else { return nil }
                fields.append(Field(key: key, value: value))
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "}")) ? .object(fields) : nil
        }

        mutating func array(depth: Int) -> CanonicalJSON? {
            index += 1
            var elements: [CanonicalJSON] = []
            if take(UInt8(ascii: "]")) { return .array(elements) }
            repeat {
                guard let element = value(depth: depth + 1) else { return nil }
                elements.append(element)
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]")) ? .array(elements) : nil
        }

        /// A string with no escapes and no control characters, as valid UTF-8.
        mutating func string() -> String? {
            index += 1
            let start = index
            var ascii = true
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let utf8 = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    // ASCII is valid UTF-8 as it is; only the rest needs the (slower) validation.
                    return ascii ? String(decoding: utf8, as: UTF8.self) : String(validating: utf8, as: UTF8.self)
                }
                if byte >= 0x80 { ascii = false }
                // An escape or a raw control character: not the plain form (the latter is not JSON).
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
                index += 1
            }
            return nil
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, JSON's number grammar.
        mutating func number() -> CanonicalJSON? {
            let start = index
            _ = take(UInt8(ascii: "-"))
            if take(UInt8(ascii: "0")) {
                if digits() > 0 { return nil }
            } else if digits() == 0 {
                return nil
            }
            if take(UInt8(ascii: ".")), digits() == 0 { return nil }
            if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
                if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
                if digits() == 0 { return nil }
            }
            return .number(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        }

        mutating func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return index - start
        }

        mutating func word(_ text: StaticString, _ value: CanonicalJSON) -> CanonicalJSON? {
            let count = text.utf8CodeUnitCount
            guard bytes.count - index >= count else { return nil }
            for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] { return nil }
            index += count
            return value
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
    }

    // MARK: Values as `JSONDecoder` would give them, or nil where it would not (or might not)

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Only for digits with no fraction or exponent, in range.
    var int: Int? {
        guard case .number(let text) = self, !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }) else { return nil }
        return Int(text)
    }

    var int64: Int64? { int.map(Int64.init) }

    /// Correctly rounded, as `JSONDecoder`'s. Not for a number with an exponent, where the two
    /// might part over underflow and overflow; those go to `JSONDecoder`.
    var double: Double? {
        guard case .number(let text) = self, !text.utf8.contains(where: { $0 | 0x20 == UInt8(ascii: "e") }),
              let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// Base64, `JSONDecoder`'s default for `Data`; only in the form `JSONEncoder` writes it (padded,
    /// the bits after the last byte zero), so that no quirk of either decoder can tell the two apart.
    var data: Data? {
        guard let text = string, let data = Data(base64Encoded: text) else { return nil }
        let utf8 = text.utf8
        // Foundation's decoder has checked the alphabet and the padding; what is left is the last
        // symbol before the padding, whose unused bits must be zero.
        let padding = utf8.reversed().prefix(while: { $0 == UInt8(ascii: "=") }).count
        guard padding > 0 else { return data }
        guard let last = utf8.dropLast(padding).last, let symbol = Self.base64Value(last) else { return nil }
        return symbol & (padding == 1 ? 0b11 : 0b1111) == 0 ? data : nil
    }

    private static func base64Value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }

    func text<Value: TextCodable>(_: Value.Type) -> Value? {
        string.flatMap(Value.init(parsing:))
    }

    /// Every element read by `read`; nil if any is not.
    func array<Element>(_ read: (CanonicalJSON) -> Element?) -> [Element]? {
        guard case .array(let elements) = self else { return nil }
        var result: [Element] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard let value = read(element) else { return nil }
            result.append(value)
        }
        return result
    }
}

/// An object's fields, taken one by one so that a field nobody asked for is noticed: the hand
/// readers below then leave the payload to `JSONDecoder` rather than decide what it means.
struct CanonicalFields {
    private var fields: [CanonicalJSON.Field]

    init?(_ value: CanonicalJSON) {
        guard case .object(let fields) = value else { return nil }
        self.fields = fields
    }

    private mutating func take(_ key: String) -> CanonicalJSON? {
        guard let index = fields.firstIndex(where: { $0.key == key }) else { return nil }
        fields.swapAt(index, fields.count - 1)
        return fields.removeLast().value
    }

    /// A field that must be there and not null, read by `read`.
    mutating func required<Value>(_ key: String, _ read: (CanonicalJSON) -> Value?) -> Value? {
        guard let value = take(key), !value.isNull else { return nil }
        return read(value)
    }

    /// An optional field: `.some(nil)` when absent or null, nil when present and unreadable.
    mutating func optional<Value>(_ key: String, _ read: (CanonicalJSON) -> Value?) -> Value?? {
        guard let value = take(key), !value.isNull else { return .some(nil) }
        guard let read = read(value) else { return nil }
        return .some(read)
    }

    /// Whether every field has been taken.
    var isDone: Bool { fields.isEmpty }
}
