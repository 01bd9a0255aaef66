import ClearanceCore
import Testing

@Suite struct ChannelCatalogTests {
    @Test func socialExpandsToTheNetworks() throws {
        let channels = try ChannelCatalog.standard.expand(list: "Social, website")
        #expect(channels.contains(Channel("facebook")) && channels.contains(Channel("website")))
        #expect(!channels.contains(Channel("print")))
        #expect(channels == channels.sorted())
        #expect(Set(channels).count == channels.count)
    }

    @Test func unknownOrEmptyChannelsAreErrors() {
        #expect(throws: ChannelCatalog.Problem.unknownChannel("myspace")) {
            try ChannelCatalog.standard.expand(list: "website,myspace")
        }
        #expect(throws: ChannelCatalog.Problem.empty) { try ChannelCatalog.standard.expand(list: " , ") }
    }

    @Test func groupsMustNameConfiguredChannels() {
        #expect(ChannelCatalog(channels: [Channel("website")], groups: ["social": [Channel("facebook")]]) == nil)
        #expect(ChannelCatalog(channels: [Channel("website"), Channel("website")], groups: [:]) == nil)
        #expect(ChannelCatalog(channels: [Channel("social")], groups: ["social": [Channel("social")]]) == nil)
    }

    @Test func namesFoldCaseAccentsAndSpaces() {
        #expect(NameKey("  José   GARCÍA ") == NameKey("jose garcia"))
        #expect(NameKey("Zoë Ångström") == NameKey("zoe angstrom"))
        #expect(NameKey("Ann") != NameKey("Anne"))
        #expect(NameKey("   ") == nil)
    }

    @Test func policyDecidesChildhoodAndPreElection() throws {
        func day(_ text: String) throws -> CalendarDate { try #require(CalendarDate(parsing: text)) }
        let window = try #require(DateWindow(from: try day("2026-03-23"), to: try day("2026-05-07")))
        let policy = Policy(preElectionPeriods: [window])
        let born = try day("2013-04-01")
        #expect(policy.isChild(bornOn: born, on: try day("2026-03-31")))
        #expect(!policy.isChild(bornOn: born, on: try day("2026-04-01")))
        #expect(!policy.isChild(bornOn: nil, on: try day("2026-04-01")))
        #expect(policy.isPreElection(try day("2026-04-01")))
        #expect(policy.defaultExpiry(givenAt: born).description == "2016-04-01")
    }
}
