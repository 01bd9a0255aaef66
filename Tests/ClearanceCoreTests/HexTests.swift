import ClearanceCore
import Testing

@Suite struct HexTests {
    @Test func lowercasePairsPerByte() {
        #expect(Hex.lowercase([0x00, 0x0f, 0xa0, 0xff, 0x5c]) == "000fa0ff5c")
        #expect(Hex.lowercase([UInt8]()) == "")
    }
}
