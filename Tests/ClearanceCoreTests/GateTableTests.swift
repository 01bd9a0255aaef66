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
        Case(name: "unnamed region over an undecided detected face", code: .unidentifiedPerson, present: true,
             asset: AssetFacts(appearances: [Appearance(.unidentified, source: "mwg-region", region: F.region(0.3))],
                               faces: .found([F.face(1, 0.3)])), people: []),
        Case(name: "unnamed region over a detected face decided not identifiable", code: .unidentifiedPerson, present: false,
             asset: AssetFacts(appearances: [Appearance(.unidentified, source: "mwg-region", region: F.region(0.3))],
                               faces: .found([F.face(1, 0.3, decided: .notIdentifiable)])), people: []),
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

        // Issue 13: the faces in the pixels are counted.
        Case(name: "two faces found, one named by a region", code: .unidentifiedPerson, present: true,
             asset: F.faces([F.face(1, 0.1), F.face(2, 0.6)], named: [(p, F.region(0.1))]), people: [adult]),
        Case(name: "two faces found, one named by a region, the other decided not identifiable", code: .unidentifiedPerson, present: false,
             asset: F.faces([F.face(1, 0.1), F.face(2, 0.6, decided: .notIdentifiable)], named: [(p, F.region(0.1))]), people: [adult]),
        Case(name: "a region drawn round head and shoulders contains the face", code: .unidentifiedPerson, present: false,
             asset: F.faces([F.face(1, 0.1)], named: [(p, FaceBox(x: 0.05, y: 0.1, w: 0.3, h: 0.6))]), people: [adult]),
        Case(name: "the only region is elsewhere in the picture", code: .unidentifiedPerson, present: true,
             asset: F.faces([F.face(1, 0.1)], named: [(p, F.region(0.6))]), people: [adult]),
        Case(name: "two faces, one name without a region", code: .unidentifiedPerson, present: true,
             asset: F.faces([F.face(1, 0.1), F.face(2, 0.6)], named: [(p, nil)]), people: [adult]),
        Case(name: "one face, one name without a region", code: .unidentifiedPerson, present: false,
             asset: F.faces([F.face(1, 0.1)], named: [(p, nil)]), people: [adult]),
        Case(name: "Lightroom's region and PersonInImage name the same person: two faces", code: .unidentifiedPerson, present: true,
             asset: F.faces([F.face(1, 0.1), F.face(2, 0.6)], named: [(p, F.region(0.1)), (p, nil)]), people: [adult]),
        Case(name: "two faces decided as not a face (posters)", code: .unidentifiedPerson, present: false,
             asset: F.faces([F.face(1, 0.1, decided: .notAFace), F.face(2, 0.6, decided: .notAFace)], named: [(p, nil)]), people: [adult]),
        Case(name: "a whole-picture review names who is shown but no face", code: .unidentifiedPerson, present: true,
             asset: F.faces([F.face(1, 0.1), F.face(2, 0.6)], named: [(p, nil)], reviewedPeople: [q]),
             people: [adult, F.standing(q, consents: [F.consent(2, for: q)])]),
        Case(name: "video: three faces in the busiest frame, two people named", code: .unidentifiedPerson, present: true,
             asset: F.faces([F.face(1, 0.1, t: 0), F.face(2, 0.1, t: 1), F.face(3, 0.4, t: 1), F.face(4, 0.7, t: 1)],
                            named: [(p, nil), (q, nil)]),
             people: [adult, F.standing(q, consents: [F.consent(2, for: q)])]),
        Case(name: "video: two faces in each of two frames, two people named", code: .unidentifiedPerson, present: false,
             asset: F.faces([F.face(1, 0.1, t: 0), F.face(2, 0.5, t: 0), F.face(3, 0.1, t: 1), F.face(4, 0.5, t: 1)],
                            named: [(p, nil), (q, nil)]),
             people: [adult, F.standing(q, consents: [F.consent(2, for: q)])]),
        Case(name: "faces could not be looked for, though the metadata names someone", code: .notReviewed, present: true,
             asset: AssetFacts(appearances: [Appearance(.person(p), source: "mwg-region", region: F.region(0.1))],
                               faces: .notLookedFor(reason: "cannot decode the JPEG: truncated")), people: [adult]),
        Case(name: "faces could not be looked for, and a person reviewed the picture", code: .notReviewed, present: false,
             asset: AssetFacts(reviewed: true, appearances: [Appearance(.person(p), source: "manual")],
                               faces: .notLookedFor(reason: "cannot decode the JPEG: truncated")), people: [adult]),
        Case(name: "no names in the file, every face decided", code: .notReviewed, present: false,
             asset: F.faces([F.face(1, 0.1, decided: .person(p))], named: []), people: [adult]),
        Case(name: "a face decided to be someone who withdrew", code: .consentWithdrawn, present: true,
             asset: F.faces([F.face(1, 0.1, decided: .person(p))], named: []),
             people: [F.standing(p, consents: [F.consent(1, for: p, withdrawn: "2026-05-01")])]),
        Case(name: "a face decided to be someone not in the facts (erased)", code: .unknownPerson, present: true,
             asset: F.faces([F.face(1, 0.1, decided: .person(q))], named: []), people: [adult]),

        // Issue 14: "not in the register" keeps the face blocked, whatever the metadata says.
        Case(name: "a face decided not in the register", code: .unidentifiedPerson, present: true,
             asset: F.faces([F.face(1, 0.1, decided: .notRegistered)], named: []), people: [adult]),
        Case(name: "the same face later decided to be the registered person", code: .unidentifiedPerson, present: false,
             asset: F.faces([F.face(1, 0.1, decided: .person(p))], named: []), people: [adult]),
        Case(name: "a face decided not in the register under a named region", code: .unidentifiedPerson, present: true,
             asset: F.faces([F.face(1, 0.1, decided: .notRegistered)], named: [(p, F.region(0.1))]), people: [adult]),
        Case(name: "a face decided not in the register, a name without a region", code: .unidentifiedPerson, present: true,
             asset: F.faces([F.face(1, 0.1, decided: .notRegistered)], named: [(p, nil)]), people: [adult]),
        Case(name: "a face decided not in the register is not 'not reviewed'", code: .notReviewed, present: false,
             asset: F.faces([F.face(1, 0.1, decided: .notRegistered)], named: []), people: []),
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

    @Test func aFaceNotInTheRegisterSaysItIsOnThePeopleToFindList() {
        // Face 2 is named by a region and its person may be published; face 1 is someone nobody
        // registered: the verdict says so once, and a name without a region does not cover it.
        let (p, adult) = (GateTableTests.p, GateTableTests.adult)
        let asset = F.faces([F.face(1, 0.1, decided: .notRegistered), F.face(2, 0.6)], named: [(p, F.region(0.6)), (p, nil)])
        let verdict = Gate(policy: Policy()).verdict(for: asset, people: [p: adult], channel: Channel("facebook"), at: F.day("2026-06-01"))
        #expect(!verdict.cleared)
        let unidentified = verdict.reasons.filter { $0.code == .unidentifiedPerson }
        #expect(unidentified.count == 1, "\(unidentified.map(\.message))")
        #expect(unidentified.first?.message.contains("people-to-find list") == true)
        let two = F.faces([F.face(1, 0.1, decided: .notRegistered), F.face(2, 0.6, decided: .notRegistered)], named: [])
        let both = Gate(policy: Policy()).verdict(for: two, people: [:], channel: Channel("facebook"), at: F.day("2026-06-01"))
        #expect(both.reasons.map(\.code) == [.unidentifiedPerson])
        #expect(both.reasons.first?.message.hasPrefix("2 faces are people") == true)
    }

    @Test func aFaceUnderAnUnnamedRegionIsReportedOnceAsAFaceToDecide() {
        // Faces 1 and 2 lie under unnamed regions (as an iPhone or a crowd photo's metadata marks
        // them); face 3 lies under none; the third region lies over no detected face.
        let regions = [Appearance(.unidentified, source: "mwg-region", region: F.region(0.1)),
                       Appearance(.unidentified, source: "mwg-region", region: F.region(0.4)),
                       Appearance(.unidentified, source: "mwg-region", region: F.region(0.85))]
        let gate = Gate(policy: Policy())
        func messages(_ faces: [FoundFace], _ appearances: [Appearance] = regions) -> [String] {
            gate.verdict(for: AssetFacts(appearances: appearances, faces: .found(faces)), people: [:], channel: Channel("x"),
                         at: F.day("2026-01-01")).reasons.filter { $0.code == .unidentifiedPerson }.map(\.message)
        }
        let open = messages([F.face(1, 0.1), F.face(2, 0.4), F.face(3, 0.7)])
        #expect(open.count == 2, "\(open)")
        #expect(open.contains { $0.hasPrefix("3 faces found in the picture are not named") }, "the two under regions and face 3: \(open)")
        #expect(open.contains { $0.hasPrefix("An unnamed face is not linked") }, "only the region over no face: \(open)")

        // Each face decided settles the region over it; the region over no face still blocks.
        let decided = [F.face(1, 0.1, decided: .notIdentifiable), F.face(2, 0.4, decided: .notAFace), F.face(3, 0.7, decided: .notIdentifiable)]
        #expect(messages(decided) == ["An unnamed face is not linked to anyone in the register."])
        // Without it, the picture clears: nothing is left that nobody decided.
        let verdict = gate.verdict(for: AssetFacts(appearances: Array(regions.prefix(2)), faces: .found(decided)), people: [:],
                                   channel: Channel("x"), at: F.day("2026-01-01"))
        #expect(verdict.cleared, "\(verdict.reasons)")
        // A region over a face in any frame of a video is that face.
        let video = [F.face(1, 0.1, t: 0, decided: .notIdentifiable), F.face(2, 0.4, t: 2, decided: .notIdentifiable)]
        #expect(messages(video, Array(regions.prefix(2))).isEmpty)
        // Faces not looked for: every unnamed region blocks, as before.
        let notLooked = gate.verdict(for: AssetFacts(appearances: regions, faces: .notLookedFor(reason: "no decoder")), people: [:],
                                     channel: Channel("x"), at: F.day("2026-01-01"))
        #expect(notLooked.reasons.contains { $0.message.hasPrefix("3 unnamed faces") })
    }
}

/// How decisions survive a newer detection, and which decision holds for a face.
@Suite struct FaceReviewTests {
    typealias F = GateFixtures

    static func decision(_ id: Int64, detection: Int64, face: Int, _ decision: FaceDecision, at: Int64) -> FaceDecisionRecord {
        FaceDecisionRecord(id: id, detection: detection, face: face, decision: decision, by: "editor",
                           at: Timestamp(millisecondsSinceEpoch: at))
    }

    @Test func theLatestDecisionHoldsAndCarriesOverToTheSameFaceOfANewerDetection() {
        let old = FaceDetectionRecord(id: 10, detector: "d/1", faces: [F.face(1, 0.1), F.face(2, 0.6)], failure: nil,
                                      at: Timestamp(millisecondsSinceEpoch: 0))
        let new = FaceDetectionRecord(id: 20, detector: "d/2", faces: [F.face(1, 0.605), F.face(2, 0.3), F.face(3, 0.11)], failure: nil,
                                      at: Timestamp(millisecondsSinceEpoch: 5))
        let decisions = [Self.decision(11, detection: 10, face: 2, .notIdentifiable, at: 1),
                         Self.decision(12, detection: 10, face: 2, .person(F.id(1)), at: 2),
                         Self.decision(13, detection: 10, face: 1, .notAFace, at: 3),
                         Self.decision(21, detection: 20, face: 3, .notIdentifiable, at: 6)]
        guard case .found(let faces) = FaceReview.current(detections: [new, old], decisions: decisions) else {
            Issue.record("the newest detection looked")
            return
        }
        #expect(faces.map(\.number) == [1, 2, 3])
        #expect(faces[0].decision?.id == 12, "the latest decision about the overlapping face of the older detection")
        #expect(faces[1].decision == nil, "a face the older detection did not have")
        #expect(faces[2].decision?.id == 21, "a decision about this detection's own face wins")
    }

    @Test func noDetectionOrOneThatCouldNotLookIsNotLookedFor() {
        #expect(FaceReview.current(detections: [], decisions: []) == .notLookedFor(reason: "no face detection has been run on it"))
        let failed = FaceDetectionRecord(id: 3, detector: "d/1", faces: nil, failure: "cannot decode the PNG", at: Timestamp(millisecondsSinceEpoch: 0))
        #expect(FaceReview.current(detections: [failed], decisions: []) == .notLookedFor(reason: "cannot decode the PNG"))
    }

    @Test func theVerdictSaysHowManyFacesAreLeft() {
        let asset = F.faces([F.face(1, 0.1), F.face(2, 0.4), F.face(3, 0.7)], named: [(GateTableTests.p, F.region(0.1))])
        let verdict = Gate(policy: Policy()).verdict(for: asset, people: [GateTableTests.p: GateTableTests.adult],
                                                     channel: Channel("facebook"), at: F.day("2026-06-01"))
        #expect(verdict.reasons.map(\.code) == [.unidentifiedPerson])
        #expect(verdict.reasons[0].message.hasPrefix("2 faces found in the picture are not named in its metadata"))
    }
}
