import Testing
import ClearanceCore

@Suite struct ChannelTests {
    @Test func ordersByName() {
        #expect([Channel("x"), Channel("facebook")].sorted() == [Channel("facebook"), Channel("x")])
    }
}
