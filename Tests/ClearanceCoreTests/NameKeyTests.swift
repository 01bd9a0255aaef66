@testable import ClearanceCore
import Testing

/// ASCII names fold without Foundation (`NameKey.foldedASCII`): that path must give exactly
/// the key Foundation's fold gives, or a name index entry written one way would not be found
/// the other way.
@Suite struct NameKeyTests {
    static let ascii = (0..<128).map { String(UnicodeScalar(UInt8($0))) }

    @Test func everyASCIICharacterFoldsAsFoundationFoldsIt() {
        var differing: [String] = []
        for first in Self.ascii {
            for text in [first, "A\(first)b", " \(first) "] + Self.ascii.map({ first + $0 }) {
                if NameKey.foldedASCII(text) != NameKey.foldedUnicode(text) { differing.append(text.unicodeScalars.map { "\($0.value)" }.joined(separator: ",")) }
            }
        }
        #expect(differing.isEmpty, "scalars folded differently: \(differing.prefix(20))")
    }

    @Test func longerASCIINamesFoldAsFoundationFoldsThem() {
        // Letters, digits, punctuation and every kind of ASCII white space, mixed.
        let pieces = ["Ann", "O'Brien", "MARY-JANE", "de la", "  ", "\t", "\r\n", "\u{0B}", "\u{0C}", "x", "Z", "99", ".", "~^`"]
        var state: UInt64 = 2026
        for _ in 0..<3_000 {
            var text = ""
            for _ in 0..<Int(next(&state) % 8) { text += pieces[Int(next(&state) % UInt64(pieces.count))] }
            #expect(NameKey.foldedASCII(text) == NameKey.foldedUnicode(text), "\(text.debugDescription)")
        }
        #expect(NameKey("  Mary-Jane \t O'BRIEN\r\n")?.folded == "mary-jane o'brien")
    }

    @Test func otherTextTakesFoundationsFold() {
        for text in ["José", "Zoë", "Ａnn", "Ann\u{85}Lee", "Ann\u{A0}Lee", "Ǆ", "ß"] {
            #expect(NameKey.foldedASCII(text) == nil, "\(text.debugDescription)")
        }
        #expect(NameKey("Ann\u{A0}LEE") == NameKey("ann lee"))
        #expect(NameKey("ＡＮＮ") == NameKey("ann"))
    }

    private func next(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
