import ClearanceApp
import ClearanceCore
import Testing

@Suite("What officers and editors are told")
struct StaffViewTests {
    @Test func theAgeRulesAreToldWithoutTheAge() throws {
        // A fixed id without the digits looked for below: the messages name the person by id, and
        // a random one contains a 9 about one time in four.
        let person = PersonID(code: try #require(CheckedCode(values: [8, 8, 8, 8, 8, 8, 8])))
        let reasons = [
            Reason(.guardianConsentRequired, person: person, message: "Leo Martins is 9, under 13: a parent or guardian must consent."),
            Reason(.reconsentRequired, person: person, message: "Leo Martins is now 14: consent was given by a guardian."),
            Reason(.channelNotCovered, person: person, message: "Leo Martins's consent covers website, not facebook."),
        ]
        let told = StaffView.reasons(reasons, ageOfConsent: 13)
        #expect(told.map(\.code) == reasons.map(\.code))
        #expect(told.map(\.person) == reasons.map(\.person))
        for reason in told.prefix(2) {
            #expect(!reason.message.contains("9") && !reason.message.contains("14"), "\(reason.message)")
            #expect(reason.message.contains("age of consent (13)"))
        }
        #expect(told[2] == reasons[2], "other reasons are told as the gate put them")
    }
}
