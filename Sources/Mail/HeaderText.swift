import Foundation

/// Header values: plain printable ASCII as it is, anything else as RFC 2047 encoded-words
/// (UTF-8, base64), split only between whole Unicode scalars so no word holds half a character.
enum HeaderText {
    /// Encoded-words may be at most 75 characters: `=?UTF-8?B?` + text + `?=` leaves 63, so 45
    /// bytes of UTF-8 (60 base64 characters) per word.
    static let bytesPerWord = 45

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
            || scalar == "\u{2028}" || scalar == "\u{2029}"
    }

    /// An unstructured value (Subject): printable ASCII is kept; otherwise encoded-words.
    static func unstructured(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.isASCII && !isControl($0) }), !text.contains("=?") {
            return text
        }
        return encodedWords(text)
    }

    /// A display name: atoms as they are, other ASCII quoted, anything else encoded-words.
    static func phrase(_ text: String) -> String {
        let atomOrSpace: (Unicode.Scalar) -> Bool = { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || " !#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar))
        }
        if text.unicodeScalars.allSatisfy(atomOrSpace), !text.contains("=?") { return text }
        if text.unicodeScalars.allSatisfy({ $0.isASCII && !isControl($0) }), !text.contains("=?") {
            return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return encodedWords(text)
    }

    /// Encoded-words separated by CRLF + space (folding white space, dropped by decoders
    /// between adjacent encoded-words).
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > bytesPerWord {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    private static func word(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }
}
