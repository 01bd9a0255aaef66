import ClearanceCore
import Testing

/// Every reason code, once where it applies and once in a near-identical case where it does not.
@Suite struct GateTableTests {
    typealias F = GateFixtures

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let code: ReasonCode
        /// Whether `code` must be among the reasons (true) or absent (false).
        let present: Bool
        let asset: AssetFacts
        let people: [PersonStanding]
        var channel = "facebook"
        var at = "2026-06-01"
        var policy = Policy()
        var testDescription: String { "\(present ? "+" : "-")\(code.rawValue): \(name)" }
    }

    static let p = F.id(1), q = F.id(2)
    static let adult = F.standing(p, consents: [F.consent(1, for: p)])
    static let election = Policy(preElectionPeriods: [DateWindow(from: F.day("2026-05-01"), to: F.day("2026-06-30"))!])

    static let cases: [Case] = [
        Case(name: "file could not be parsed", code: .unreadableMedia, present: true,
             asset: AssetFacts(readable: false, reviewed: true), people: []),
        Case(name: "readable and reviewed", code: .unreadableMedia, present: false,
             asset: AssetFacts(readable: true, reviewed: true), people: []),

        Case(name: "no people metadata, no review", code: .notReviewed, present: true,
             asset: AssetFacts(), people: []),
        Case(name: "reviewed as showing nobody", code: .notReviewed, present: false,
             asset: AssetFacts(reviewed: true), people: []),

        Case(name: "unnamed face region", code: .unidentifiedPerson, present: true,
             asset: AssetFacts(appearances: [Appearance(.unidentified, source: "mwg-region")]), people: []),
        Case(name: "named face region linked", code: .unidentifiedPerson, present: false,
             asset: F.shows(p), people: [adult]),

        Case(name: "name matches two people", code: .ambiguousPerson, present: true,
             asset: AssetFacts(appearances: [Appearance(.ambiguous(candidates: [p, q]), label: "Sam Lee", source: "iptc-person-in-image")]),
             people: [adult]),
        Case(name: "name matches one person", code: .ambiguousPerson, present: false,
             asset: F.shows(p), people: [adult]),

        Case(name: "name not in the register", code: .unknownPerson, present: true,
             asset: AssetFacts(appearances: [Appearance(.unknown, label: "Pat Nobody", source: "iptc-person-in-image")]), people: []),
        Case(name: "linked id missing from the facts (erased)", code: .unknownPerson, present: true,
             asset: F.shows(q), people: [adult]),
        Case(name: "linked and registered", code: .unknownPerson, present: false,
             asset: F.shows(p), people: [adult]),

        Case(name: "service user with full consent", code: .serviceUser, present: true,
             asset: F.shows(p), people: [F.standing(p, roles: PersonRoles(serviceUser: true), consents: [F.consent(1, for: p)])]),
        Case(name: "asset tagged as showing service users", code: .serviceUser, present: true,
             asset: AssetFacts(reviewed: true, showsServiceUsers: true), people: []),
        Case(name: "staff member, not a service user", code: .serviceUser, present: false,
             asset: F.shows(p), people: [F.standing(p, roles: PersonRoles(staff: true), consents: [F.consent(1, for: p)])]),

        Case(name: "registered, never consented", code: .noConsent, present: true,
             asset: F.shows(p), people: [F.standing(p, consents: [])]),
        Case(name: "consent given only after the check date", code: .noConsent, present: true,
             asset: F.shows(p), people: [F.standing(p, consents: [F.consent(1, for: p, given: "2026-07-01")])]),
        Case(name: "consent on record", code: .noConsent, present: false,
             asset: F.shows(p), people: [adult]),

        Case(name: "withdrawn before the check", code: .consentWithdrawn, present: true,
             asset: F.shows(p), people: [F.standing(p, consents: [F.consent(1, for: p, withdrawn: "2026-05-01")])]),
        Case(name: "withdrawn after the check date", code: .consentWithdrawn, present: false,
             asset: F.shows(p), people: [F.standing(p, consents: [F.consent(1, for: p, withdrawn: "2026-07-01")])]),

        Case(name: "expired before the check", code: .consentExpired, present: true,
             asset: F.shows(p), people: [F.standing(p, consents: [F.consent(1, for: p, expires: "2026-05-31")])]),
        Case(name: "expires on the check day", code: .consentExpired, present: false,
             asset: F.shows(p), people: [F.standing(p, consents: [F.consent(1, for: p, expires: "2026-06-01")])]),

        Case(name: "website only, checked for facebook", code: .channelNotCovered, present: true,
             asset: F.shows(p), people: [F.standing(p, consents: [F.consent(1, for: p, channels: ["website"])])]),
        Case(name: "facebook covered", code: .channelNotCovered, present: false,
             asset: F.shows(p), people: [adult]),

        Case(name: "child of 9, consented alone", code: .guardianConsentRequired, present: true,
             asset: F.shows(p), people: [F.standing(p, born: "2017-03-01", consents: [F.consent(1, for: p)])]),
        Case(name: "child of 9, guardian consented", code: .guardianConsentRequired, present: false,
             asset: F.shows(p), people: [F.standing(p, born: "2017-03-01", consents: [F.consent(1, for: p, guardian: "parent")])]),
        Case(name: "age of consent raised to 16 by policy", code: .guardianConsentRequired, present: true,
             asset: F.shows(p), people: [F.standing(p, born: "2012-01-01", consents: [F.consent(1, for: p)])],
             policy: Policy(ageOfConsent: 16)),

        Case(name: "guardian consent, child now 13", code: .reconsentRequired, present: true,
             asset: F.shows(p), people: [F.standing(p, born: "2013-05-31", consents: [F.consent(1, for: p, guardian: "parent")])]),
        Case(name: "guardian consent, child 12 until tomorrow", code: .reconsentRequired, present: false,
             asset: F.shows(p), people: [F.standing(p, born: "2013-06-02", consents: [F.consent(1, for: p, guardian: "parent")])]),

        Case(name: "elected member, council channel, in the period", code: .preElectionPeriod, present: true,
             asset: F.shows(p), people: [F.standing(p, roles: PersonRoles(electedMember: true), consents: [F.consent(1, for: p)])],
             policy: election),
        Case(name: "elected member, outside the period", code: .preElectionPeriod, present: false,
             asset: F.shows(p), people: [F.standing(p, roles: PersonRoles(electedMember: true), consents: [F.consent(1, for: p)])],
             at: "2026-07-01", policy: election),
        Case(name: "elected member, channel not a council channel", code: .preElectionPeriod, present: false,
             asset: F.shows(p), people: [F.standing(p, roles: PersonRoles(electedMember: true), consents: [F.consent(1, for: p)])],
             policy: Policy(preElectionPeriods: election.preElectionPeriods, councilChannels: [Channel("website")])),

        Case(name: "consent event fails verification", code: .recordTampered, present: true,
             asset: F.shows(p), people: [F.standing(p, consents: [F.consent(1, for: p)], tampered: [F.ref(1)])]),
        Case(name: "another record tampered", code: .recordTampered, present: false,
             asset: F.shows(p), people: [F.standing(p, consents: [F.consent(1, for: p)], tampered: [F.ref(7)])]),
        // Issue 12: every fact the gate relies on is confirmed against the signed ledger.
        Case(name: "the person's records differ from their events, valid consent or not", code: .recordTampered, present: true,
             asset: F.shows(p), people: [F.standing(p, consents: [F.consent(1, for: p)], recordTampered: true)]),
        Case(name: "a service user whose records were edited", code: .recordTampered, present: true,
             asset: F.shows(p), people: [F.standing(p, roles: PersonRoles(serviceUser: true), consents: [], recordTampered: true)]),
        Case(name: "the person's records match their events", code: .recordTampered, present: false,
             asset: F.shows(p), people: [F.standing(p, consents: [F.consent(1, for: p)], recordTampered: false)]),
        Case(name: "the asset's stored facts differ from its signed events", code: .recordTampered, present: true,
             asset: AssetFacts(reviewed: true, recordProblems: ["reviews: row 12 is missing (deleted)"]), people: []),
        Case(name: "a reviewed asset whose facts are confirmed", code: .recordTampered, present: false,
             asset: AssetFacts(reviewed: true, recordProblems: []), people: []),
        Case(name: "a name whose index entry fails its MAC", code: .recordTampered, present: true,
             asset: AssetFacts(appearances: [Appearance(.unconfirmed(reason: "its name index entry fails its MAC"), label: "Alice",
                                                        source: "mwg-region")]), people: []),
        Case(name: "a name whose index entry is confirmed and links", code: .recordTampered, present: false,
             asset: AssetFacts(appearances: [Appearance(.person(p), label: "Alice", source: "mwg-region")]), people: [adult]),
    ]

    @Test(arguments: cases)
    func reasonCode(_ c: Case) throws {
        let gate = Gate(policy: c.policy)
        let verdict = gate.verdict(for: c.asset, people: Dictionary(uniqueKeysWithValues: c.people.map { ($0.id, $0) }),
                                   channel: Channel(c.channel), at: F.day(c.at))
        let codes = verdict.reasons.map(\.code)
        #expect(codes.contains(c.code) == c.present, "reasons: \(codes.map(\.rawValue))")
        #expect(verdict.cleared == codes.isEmpty)
        for reason in verdict.reasons { #expect(!reason.message.isEmpty) }
    }

    @Test func everyCodeIsBothTriggeredAndShownAbsent() {
        for code in ReasonCode.allCases {
            #expect(Self.cases.contains { $0.code == code && $0.present }, "\(code.rawValue) never triggered")
            #expect(Self.cases.contains { $0.code == code && !$0.present }, "\(code.rawValue) never shown absent")
        }
    }

    @Test func adultWithCoveringConsentIsCleared() {
        let verdict = Gate(policy: Policy()).verdict(for: F.shows(Self.p), people: [Self.p: Self.adult],
                                                     channel: Channel("facebook"), at: F.day("2026-06-01"))
        #expect(verdict.cleared)
    }

    @Test func everyReasonIsListedNotJustTheFirst() {
        // A child's own, expired, website-only consent, in a photo with an unnamed face.
        let child = F.standing(Self.p, born: "2018-01-01", consents: [F.consent(1, for: Self.p, channels: ["website"], expires: "2026-01-01")])
        var asset = F.shows(Self.p)
        asset.appearances.append(Appearance(.unidentified, source: "mwg-region"))
        let verdict = Gate(policy: Policy()).verdict(for: asset, people: [Self.p: child],
                                                     channel: Channel("instagram"), at: F.day("2026-06-01"))
        #expect(Set(verdict.reasons.map(\.code)) == [.unidentifiedPerson, .consentExpired, .channelNotCovered, .guardianConsentRequired])
        #expect(verdict.reasons.first { $0.code == .consentExpired }?.consent == F.ref(1))
        #expect(verdict.reasons.first { $0.code == .consentExpired }?.person == Self.p)
    }

    @Test func oneValidConsentIsEnoughAndSupersededVersionsAreIgnored() {
        var old = F.consent(1, for: Self.p, channels: ["website"])
        old.state = .superseded
        let withdrawnOther = F.consent(2, for: Self.p, withdrawn: "2026-02-01")
        let current = F.consent(3, for: Self.p, channels: ["instagram"])
        let person = F.standing(Self.p, consents: [old, withdrawnOther, current])
        let gate = Gate(policy: Policy())
        #expect(gate.verdict(for: F.shows(Self.p), people: [Self.p: person], channel: Channel("instagram"), at: F.day("2026-06-01")).cleared)
        // For website, the only version covering it was superseded: blocked, by the others' reasons.
        let website = gate.verdict(for: F.shows(Self.p), people: [Self.p: person], channel: Channel("website"), at: F.day("2026-06-01"))
        #expect(Set(website.reasons.map(\.code)) == [.consentWithdrawn, .channelNotCovered])
        #expect(!website.reasons.contains { $0.consent == F.ref(1) })
    }
}

/// What the gate does with a fact it could not confirm: it says so, and it never clears.
@Suite struct GateIntegrityTests {
    typealias F = GateFixtures

    @Test func anUnconfirmedAssetIsBlockedWhateverElseHolds() {
        // Everyone shown consented, and the review says who: only the record problem blocks.
        var asset = F.shows(GateTableTests.p)
        asset.reviewed = true
        asset.recordProblems = ["mentions: mention 0 differs from its signed commitment (edited)"]
        let verdict = Gate(policy: Policy()).verdict(for: asset, people: [GateTableTests.p: GateTableTests.adult],
                                                     channel: Channel("facebook"), at: F.day("2026-06-01"))
        #expect(!verdict.cleared)
        #expect(verdict.reasons.map(\.code) == [.recordTampered])
        #expect(verdict.reasons[0].message.contains("mention 0"))
    }

    @Test func aTamperedServiceUserIsStillNamedAsOne() {
        let person = F.standing(GateTableTests.p, roles: PersonRoles(serviceUser: true), consents: [], recordTampered: true)
        let verdict = Gate(policy: Policy()).verdict(for: F.shows(GateTableTests.p), people: [GateTableTests.p: person],
                                                     channel: Channel("facebook"), at: F.day("2026-06-01"))
        #expect(Set(verdict.reasons.map(\.code)) == [.serviceUser, .recordTampered])
        #expect(verdict.reasons.allSatisfy { $0.person == GateTableTests.p })
    }

    @Test func anUnconfirmedNameSaysWhy() {
        let asset = AssetFacts(appearances: [Appearance(.unconfirmed(reason: "its name index entry fails its MAC (edited)"),
                                                        label: "Sam Taylor", source: "iptc-person-in-image")])
        let verdict = Gate(policy: Policy()).verdict(for: asset, people: [:], channel: Channel("x"), at: F.day("2026-01-01"))
        #expect(verdict.reasons.map(\.code) == [.recordTampered])
        #expect(verdict.reasons[0].message.contains("“Sam Taylor”"))
        #expect(verdict.reasons[0].message.contains("fails its MAC"))
    }
}

@Suite struct GateMessageTests {
    typealias F = GateFixtures

    @Test func distinctUnknownNamesAreEachReportedAndRepeatsOnce() {
        let asset = AssetFacts(appearances: [
            Appearance(.unknown, label: "Pat One", source: "mwg-region"),
            Appearance(.unknown, label: "Pat One", source: "iptc-person-in-image"),
            Appearance(.unknown, label: "Sam Two", source: "iptc-person-in-image"),
            Appearance(.unidentified, source: "mwg-region"),
            Appearance(.unidentified, source: "mwg-region"),
        ])
        let verdict = Gate(policy: Policy()).verdict(for: asset, people: [:], channel: Channel("x"), at: F.day("2026-01-01"))
        #expect(verdict.reasons.filter { $0.code == .unknownPerson }.count == 2)
        let unnamed = verdict.reasons.filter { $0.code == .unidentifiedPerson }
        #expect(unnamed.count == 1)
        #expect(unnamed.first?.message.hasPrefix("2 unnamed faces") == true)
        #expect(verdict.reasons.map(\.code) == verdict.reasons.map(\.code).sorted(), "ordered as the reason table")
    }
}
