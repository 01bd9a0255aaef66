import ClearanceCore
import Testing

/// Properties over many random worlds (seeded, so failures reproduce).
@Suite struct GatePropertyTests {
    typealias F = GateFixtures

    /// SplitMix64: small, seedable, good enough to spread test cases.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let channels = ["facebook", "website", "instagram", "print"]
    static let days = ["2025-01-01", "2026-03-15", "2026-06-01", "2027-01-01", "2029-06-01"]

    static func randomPerson(_ n: Int, using g: inout SeededGenerator) -> PersonStanding {
        let id = F.id(n)
        let roles = PersonRoles(serviceUser: Int.random(in: 0..<8, using: &g) == 0,
                                electedMember: Bool.random(using: &g), staff: Bool.random(using: &g))
        let born = [nil, "1980-02-02", "2015-06-01", "2013-01-01"].randomElement(using: &g)!
        let consents = (0..<Int.random(in: 0...2, using: &g)).map { k in
            F.consent(n * 10 + k, for: id,
                      channels: Array(channels.shuffled(using: &g).prefix(Int.random(in: 0...3, using: &g))),
                      given: days.randomElement(using: &g)!, expires: days.randomElement(using: &g)!,
                      guardian: Bool.random(using: &g) ? "parent" : nil,
                      withdrawn: Int.random(in: 0..<4, using: &g) == 0 ? days.randomElement(using: &g)! : nil)
        }
        let tampered: Set<ConsentReference> = consents.isEmpty || Int.random(in: 0..<10, using: &g) > 0 ? [] : [consents[0].reference]
        return F.standing(id, roles: roles, born: born, consents: consents, tampered: tampered)
    }

    static func randomAppearance(_ people: [PersonStanding], using g: inout SeededGenerator) -> Appearance {
        switch Int.random(in: 0..<10, using: &g) {
        case 0: Appearance(.unidentified, source: "mwg-region")
        case 1: Appearance(.unknown, label: "Someone", source: "iptc-person-in-image")
        case 2: Appearance(.ambiguous(candidates: [F.id(1), F.id(2)]), label: "Sam", source: "iptc-person-in-image")
        default: Appearance(.person(people.randomElement(using: &g)!.id), source: "mwg-region")
        }
    }

    @Test func aVerdictWithAnyReasonIsNeverCleared() {
        var g = SeededGenerator(state: 2026)
        for _ in 0..<2_000 {
            let people = (1...4).map { Self.randomPerson($0, using: &g) }
            let asset = AssetFacts(readable: Int.random(in: 0..<20, using: &g) > 0, reviewed: Bool.random(using: &g),
                                   showsServiceUsers: Int.random(in: 0..<15, using: &g) == 0,
                                   appearances: (0..<Int.random(in: 0...3, using: &g)).map { _ in Self.randomAppearance(people, using: &g) })
            let verdict = Gate(policy: Policy()).verdict(for: asset, people: Dictionary(uniqueKeysWithValues: people.map { ($0.id, $0) }),
                                                         channel: Channel(Self.channels.randomElement(using: &g)!),
                                                         at: F.day(Self.days.randomElement(using: &g)!))
            #expect(verdict.cleared == verdict.reasons.isEmpty)
            if !asset.readable { #expect(!verdict.cleared) }
        }
    }

    @Test func addingAPersonNeverTurnsBlockedIntoCleared() {
        var g = SeededGenerator(state: 13)
        var blockedSeen = 0
        for _ in 0..<2_000 {
            let people = (1...5).map { Self.randomPerson($0, using: &g) }
            let byID = Dictionary(uniqueKeysWithValues: people.map { ($0.id, $0) })
            let channel = Channel(Self.channels.randomElement(using: &g)!)
            let day = F.day(Self.days.randomElement(using: &g)!)
            let gate = Gate(policy: Policy())
            var asset = AssetFacts(reviewed: Bool.random(using: &g),
                                   appearances: (0..<Int.random(in: 0...2, using: &g)).map { _ in Self.randomAppearance(people, using: &g) })
            let before = gate.verdict(for: asset, people: byID, channel: channel, at: day)
            asset.appearances.append(Self.randomAppearance(people, using: &g))
            let after = gate.verdict(for: asset, people: byID, channel: channel, at: day)
            // Knowing who is shown answers `not-reviewed` (that is what it asks for); nothing else
            // a new person brings can lift a reason that was already there.
            struct Key: Hashable { let code: ReasonCode; let person: PersonID?; let consent: ConsentReference? }
            let keys = { (v: Verdict) in Set(v.reasons.filter { $0.code != .notReviewed }.map { Key(code: $0.code, person: $0.person, consent: $0.consent) }) }
            #expect(keys(before).isSubset(of: keys(after)), "adding a person removed a reason")
            if !keys(before).isEmpty {
                blockedSeen += 1
                #expect(!after.cleared, "adding a person cleared a blocked asset: \(before.reasons.map(\.code))")
            }
        }
        #expect(blockedSeen > 100, "the generator must produce blocked assets for this property to mean anything")
    }
}
