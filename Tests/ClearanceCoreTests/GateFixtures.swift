import ClearanceCore

/// Builders for gate tests: a world of people and consents made from short descriptions.
enum GateFixtures {
    static func day(_ text: String) -> CalendarDate { CalendarDate(parsing: text)! }

    static func id(_ n: Int) -> PersonID {
        PersonID(code: CheckedCode(values: [n % 29, (n / 29) % 29, 3, 4, 5, 6, 7])!)
    }

    static func ref(_ n: Int) -> ConsentReference {
        ConsentReference(code: CheckedCode(values: [n % 29, (n / 29) % 29, 9, 9, 9, 9, 9])!)
    }

    static func consent(_ n: Int, for person: PersonID, channels: [String] = ["facebook", "website"],
                        given: String = "2026-01-01", expires: String = "2028-12-31",
                        guardian: String? = nil, state: ConsentState = .active,
                        withdrawn: String? = nil) -> ConsentRecord {
        let terms = ConsentTerms(channels: channels.map(Channel.init), purposes: ["publicity"], event: "Summer fair",
                                 formVersion: "v1", method: .tablet, recordedBy: "officer",
                                 givenAt: day(given), expiresAt: day(expires),
                                 guardianRelationship: guardian, signatureSHA256: nil)
        let withdrawal = withdrawn.map {
            Withdrawal(at: Timestamp(millisecondsSinceEpoch: Int64(day($0).daysSinceEpoch) * 86_400_000 + 3_600_000),
                       receivedVia: "email", recordedBy: "dpo")
        }
        return ConsentRecord(reference: ref(n), person: person, terms: terms, details: nil,
                             state: withdrawal == nil ? state : .withdrawn, version: 1,
                             supersedes: nil, supersededBy: nil,
                             recordedAt: Timestamp(millisecondsSinceEpoch: 0), withdrawal: withdrawal, erasedAt: nil)
    }

    static func standing(_ person: PersonID, name: String = "Alex Example", roles: PersonRoles = PersonRoles(),
                         born: String? = nil, consents: [ConsentRecord], tampered: Set<ConsentReference> = [],
                         recordTampered: Bool = false) -> PersonStanding {
        PersonStanding(id: person, displayName: name, roles: roles, dateOfBirth: born.map(day),
                       consents: consents, tampered: tampered, recordTampered: recordTampered)
    }

    static func shows(_ people: PersonID...) -> AssetFacts {
        AssetFacts(appearances: people.map { Appearance(.person($0), label: nil, source: "mwg-region") })
    }

    /// A face box of 0.1 × 0.12 with its left edge at `x`.
    static func face(_ number: Int, _ x: Double, t: Double? = nil, decided: FaceDecision? = nil) -> FoundFace {
        FoundFace(number: number, box: region(x), score: 0.9, t: t,
                  decision: decided.map { FaceDecisionRecord(id: Int64(number), detection: 1, face: number, decision: $0, by: "editor",
                                                             at: Timestamp(millisecondsSinceEpoch: 0)) })
    }

    static func region(_ x: Double) -> FaceBox { FaceBox(x: x, y: 0.2, w: 0.1, h: 0.12) }

    /// A picture whose detector found `faces`, and whose metadata names each person with a
    /// region or (nil) without one; `reviewedPeople` were added by a whole-picture review.
    static func faces(_ faces: [FoundFace], named: [(PersonID, FaceBox?)], reviewedPeople: [PersonID] = []) -> AssetFacts {
        AssetFacts(reviewed: !reviewedPeople.isEmpty,
                   appearances: named.map { Appearance(.person($0.0), source: $0.1 == nil ? "iptc-person-in-image" : "mwg-region", region: $0.1) }
                       + reviewedPeople.map { Appearance(.person($0), source: Appearance.manualSource) },
                   faces: .found(faces))
    }
}
