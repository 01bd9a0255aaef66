import ClearanceCore
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
}
