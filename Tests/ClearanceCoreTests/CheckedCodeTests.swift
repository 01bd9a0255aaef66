@testable import ClearanceCore
import Testing

@Suite struct CheckedCodeTests {
    @Test func referencesUseOnlyUnambiguousSymbolsAndReadBack() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let reference = ConsentReference.random(using: &generator)
            let text = reference.description
            #expect(text.count == 11 && text.hasPrefix("C-"))
            #expect(!text.dropFirst(2).contains { "01OILUV".contains($0) })
            #expect(ConsentReference(parsing: text) == reference)
            #expect(ConsentReference(parsing: text.lowercased()) == reference)
            #expect(ConsentReference(parsing: String(text.dropFirst(2))) == reference)
            #expect(ConsentReference(parsing: text.replacingOccurrences(of: "-", with: " ")) == reference)
            #expect(PersonID(parsing: text) == nil)
        }
    }

    @Test func everySingleWrongSymbolAndNeighbourSwapIsCaught() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = CheckedCode.alphabet
        for _ in 0..<200 {
            let code = CheckedCode.random(using: &generator)
            let symbols = Array(code.symbols)
            for position in symbols.indices {
                for replacement in alphabet where replacement != symbols[position] {
                    var typo = symbols
                    typo[position] = replacement
                    #expect(CheckedCode(parsing: String(typo)) == nil)
                }
            }
            for position in 0..<(symbols.count - 1) where symbols[position] != symbols[position + 1] {
                var swapped = symbols
                swapped.swapAt(position, position + 1)
                #expect(CheckedCode(parsing: String(swapped)) == nil)
            }
        }
    }

    @Test(arguments: ["", "C-", "C-7KX4-M9Q", "C-7KX4-M9QDX", "C-0KX4-M9QD", "C-IKX4-M9QD", "C-7KX4-M9Q!"])
    func malformedReferencesAreRejected(_ text: String) {
        #expect(ConsentReference(parsing: text) == nil)
    }

    @Test func personIDsCarryTheirOwnPrefix() {
        var generator = SystemRandomNumberGenerator()
        let id = PersonID.random(using: &generator)
        #expect(id.description.hasPrefix("P-"))
        #expect(PersonID(parsing: id.description) == id)
    }

    // Ids and references that are all ASCII are parsed on their bytes (`parsedASCII`): that
    // path must say exactly what the general one says, or a stored id would read as another
    // person's, or as none.

    @Test func everyASCIICharacterParsesAsTheGeneralPathParsesIt() {
        let ascii = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        var differing: [String] = []
        for prefix: Character in ["P", "C"] {
            let code = CheckedCode(values: [1, 12, 5, 28, 0, 17, 9])!
            let valid = prefix == "P" ? PersonID(code: code).description : ConsentReference(code: code).description
            #expect(Self.general(valid, prefix) != nil)
            for first in ascii {
                var texts = [first, valid + first, first + valid, String(valid.dropLast()) + first,
                             String(valid.prefix(6)) + first + String(valid.dropFirst(6)), first + String(valid.dropFirst(2))]
                texts += ascii.map { first + $0 }
                texts += ascii.map { String(valid.dropLast(2)) + first + $0 }
                for text in texts where CheckedCode.parsedASCII(text, prefix: prefix) != Self.general(text, prefix).map(CheckedCode.ASCIIParse.parsed) ?? .invalid {
                    differing.append("\(prefix) " + text.unicodeScalars.map { "\($0.value)" }.joined(separator: ","))
                }
            }
        }
        #expect(differing.isEmpty, "parsed differently: \(differing.prefix(20))")
    }

    @Test func mixedASCIIIdsParseAsTheGeneralPathParsesThem() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["-", " ", "\t", "\r\n", "\u{0B}", "--", "p", "P", "c", "C", "0", "O", "x"]
        for _ in 0..<2_000 {
            let id = PersonID.random(using: &generator).description
            var text = ""
            for character in id {
                if Int.random(in: 0..<4, using: &generator) == 0 { text += pieces.randomElement(using: &generator)! }
                text += Bool.random(using: &generator) ? character.lowercased() : String(character)
            }
            for prefix: Character in ["P", "C"] {
                #expect(CheckedCode.parsedASCII(text, prefix: prefix) == Self.general(text, prefix).map(CheckedCode.ASCIIParse.parsed) ?? .invalid,
                        "\(text.debugDescription)")
            }
        }
    }

    @Test func otherTextTakesTheGeneralPath() {
        // A no-break space, a space with a combining mark, full-width letters: white space and
        // case beyond ASCII.
        let id = PersonID(code: CheckedCode(values: [1, 12, 5, 28, 0, 17, 9])!).description
        let spaced = id.replacingOccurrences(of: "-", with: " ")
        for text in [spaced.replacingOccurrences(of: " ", with: "\u{A0}"), spaced.replacingOccurrences(of: " ", with: " \u{301}"),
                     "Ｐ" + id.dropFirst(), id + "\u{85}", "Ｐ" + id.dropFirst() + "Z"] {
            #expect(CheckedCode.parsedASCII(text, prefix: "P") == .notASCII)
            #expect(PersonID(parsing: text).map(\.code) == Self.general(text, "P"), "\(text.debugDescription)")
        }
        #expect(PersonID(parsing: id.replacingOccurrences(of: "-", with: "\u{A0}"))?.description == id)
        #expect(PersonID(parsing: "Ｐ" + id.dropFirst() + "Z") == nil)
    }

    private static func general(_ text: String, _ prefix: Character) -> CheckedCode? {
        CheckedCode(parsing: stripPrefix(prefix, from: text))
    }
}
