import ClearanceCore
import Foundation
import Ledger

/// Builds the register `clearance-bench gate` checks against, through the real write APIs:
/// people and consents by `LedgerTransaction` (sealed, signed, chained), assets by
/// `Ledger.storeAssets` (each bound by a signed `asset.ingested` event), reviews by
/// `Ledger.addReviews` (signed too), detected faces with each asset as ingest stores them (a
/// signed `asset.faces-detected` event) and per-face decisions by `Ledger.review` (signed
/// `face.decided` events). Seeded, so every build is alike.
struct GateBenchLedger {
    /// Bump when what is generated changes, so a cached ledger is not reused.
    static let version = "v6"

    let people: Int
    let assets: Int
    /// The day the bench checks as of; consents are dated around it.
    let date: CalendarDate

    /// When the register was typed in and when withdrawals arrived: fixed, and before `date`,
    /// so the check sees withdrawals as made (a check dated earlier sees the consent as it was).
    static let recordedAt = Timestamp(millisecondsSinceEpoch: 1_768_435_200_000)  // 2026-01-15
    static let withdrawnAt = Timestamp(millisecondsSinceEpoch: 1_772_323_200_000)  // 2026-03-01

    private struct Registered {
        var id: PersonID
        var name: String
        var alias: String?
    }

    func build(at path: String) throws {
        let ledger = try Ledger.create(at: path)
        var random = SplitMix64(seed: 20_000)
        let registered = try addPeople(to: ledger, random: &random)
        try addAssets(to: ledger, people: registered, random: &random)
        try ledger.checkpoint()
    }

    // MARK: People and consents

    private func addPeople(to ledger: Ledger, random: inout SplitMix64) throws -> [Registered] {
        var registered: [Registered] = []
        var usedNames = Set<String>()
        let chunk = 500
        while registered.count < people {
            try ledger.write { tx in
                for _ in 0..<min(chunk, people - registered.count) {
                    var name = Self.name(&random)
                    // About one in a hundred shares a name with someone already registered (a namesake).
                    if !random.chance(0.01) || registered.isEmpty {
                        while usedNames.contains(name) { name = Self.name(&random) }
                    } else {
                        name = registered[Int(random.next() % UInt64(registered.count))].name
                    }
                    usedNames.insert(name)
                    let first = String(name.prefix { $0 != " " })
                    let surname = String(name.split(separator: " ").last ?? "")
                    let alias = random.chance(0.2) ? "\(first.prefix(3)) \(surname)" : nil
                    let born = Self.dateOfBirth(&random)
                    let roles = PersonRoles(serviceUser: random.chance(0.015), electedMember: random.chance(0.005),
                                            staff: random.chance(0.1))
                    let data = PersonalData(name: name, aliases: alias.map { [$0] } ?? [], dateOfBirth: born,
                                            email: "\(first.lowercased()).\(registered.count)@example.org")
                    let id = try tx.addPerson(data, roles: roles, at: Self.recordedAt)
                    try recordConsents(of: id, born: born, tx: &tx, random: &random)
                    registered.append(Registered(id: id, name: name, alias: alias))
                }
            }
            progress("people", registered.count, people)
        }
        return registered
    }

    /// One of the situations the gate tells apart, with the frequencies a council might see.
    private func recordConsents(of person: PersonID, born: CalendarDate?, tx: inout LedgerTransaction,
                                random: inout SplitMix64) throws {
        let age = born.map { $0.age(at: date) }
        // Most children's consents come from a parent, some were wrongly taken from the child;
        // some teenagers still rely on what a parent signed for them as children.
        let guardian: String? = switch age {
        case .some(..<13): random.chance(0.85) ? "parent" : nil
        case .some(..<18): random.chance(0.3) ? "parent" : nil
        default: nil
        }
        let social = ["facebook", "instagram", "x"].map(Channel.init)
        let web = [Channel("website")]
        func terms(_ channels: [Channel], given: CalendarDate, years: Int = 3) -> ConsentTerms {
            ConsentTerms(channels: channels.sorted(), purposes: ["publicity"], event: "Summer fair", formVersion: "1",
                         method: random.chance(0.7) ? .tablet : .paper, recordedBy: "officer",
                         givenAt: given, expiresAt: given.adding(years: years), guardianRelationship: guardian,
                         signatureSHA256: nil)
        }
        let recent = CalendarDate(year: 2024 + Int(random.next() % 2), month: 1 + Int(random.next() % 12), day: 1 + Int(random.next() % 28))!
        let old = CalendarDate(year: 2020, month: 1 + Int(random.next() % 12), day: 1 + Int(random.next() % 28))!
        let roll = Double(random.next() >> 11) / Double(1 << 53)
        switch roll {
        case ..<0.55:  // active, covering social and the website
            _ = try tx.recordConsent(person: person, terms: terms(social + web, given: recent), details: ConsentPrivateDetails(), at: Self.recordedAt)
        case ..<0.63:  // website and print only
            _ = try tx.recordConsent(person: person, terms: terms(web + [Channel("print")], given: recent), details: ConsentPrivateDetails(), at: Self.recordedAt)
        case ..<0.71:  // expired
            _ = try tx.recordConsent(person: person, terms: terms(social + web, given: old), details: ConsentPrivateDetails(), at: Self.recordedAt)
        case ..<0.77:  // withdrawn
            let reference = try tx.recordConsent(person: person, terms: terms(social + web, given: recent), details: ConsentPrivateDetails(), at: Self.recordedAt)
            try tx.withdraw(reference, receivedVia: "email", recordedBy: "officer", at: Self.withdrawnAt)
        case ..<0.82:  // replaced by a later version
            let first = try tx.recordConsent(person: person, terms: terms(web, given: old), details: ConsentPrivateDetails(), at: Self.recordedAt)
            _ = try tx.recordConsent(person: person, terms: terms(social + web, given: recent), details: ConsentPrivateDetails(),
                                     supersedes: first, at: Self.recordedAt)
        case ..<0.85:  // an expired consent beside a current one
            _ = try tx.recordConsent(person: person, terms: terms(web, given: old), details: ConsentPrivateDetails(), at: Self.recordedAt)
            _ = try tx.recordConsent(person: person, terms: terms(social + web, given: recent), details: ConsentPrivateDetails(), at: Self.recordedAt)
        default:       // registered (staff, a contact) but never asked
            break
        }
    }

    // MARK: Assets

    private func addAssets(to ledger: Ledger, people registered: [Registered], random: inout SplitMix64) throws {
        let chunk = 1000
        var stored = 0
        var documentIDs: [String] = []
        var unreviewed: [String] = []
        // Pictures with a face nothing names: a reviewer decides some of them face by face.
        var undecided: [(sha: String, faces: Int)] = []
        while stored < assets {
            var items: [AssetIngestItem] = []
            for _ in 0..<min(chunk, assets - stored) {
                let n = stored + items.count
                let sha = (0..<4).map { _ in String(format: "%016llx", random.next()) }.joined()
                let readable = !random.chance(0.005)
                let mentions = readable ? Self.mentions(people: registered, random: &random) : []
                let documentID = random.chance(0.05) ? "xmp.did:bench-\(n)" : nil
                // A few are edited copies of an earlier picture, which lend them their people.
                let original = !documentIDs.isEmpty && random.chance(0.02) ? documentIDs[Int(random.next() % UInt64(documentIDs.count))] : nil
                if let documentID { documentIDs.append(documentID) }
                if readable && mentions.isEmpty && unreviewed.count < 300 { unreviewed.append(sha) }
                let record = AssetRecord(sha256: sha, kind: "image", format: "jpeg", readable: readable,
                                         error: readable ? nil : "truncated JPEG", capturedAt: "2025-07-12T14:03:21+01:00",
                                         width: 6000, height: 4000, orientation: 1,
                                         faceRegions: mentions.filter { $0.region != nil }.count, releaseStatus: nil,
                                         documentID: documentID, originalDocumentID: original, derivedFrom: original)
                let faces = readable ? Self.detectedFaces(mentions: mentions, random: &random) : nil
                if let faces, faces.extra > 0, undecided.count < 2_000 { undecided.append((sha, faces.found.count)) }
                let detection = FaceDetectionFacts(detector: "yunet-2023mar/1", faces: readable ? faces?.found : nil,
                                                   failure: readable ? nil : "the picture could not be decoded")
                items.append(AssetIngestItem(record: record, mentions: mentions, path: "/photos/2025/event-\(n / 250)/IMG_\(n % 10_000).jpg",
                                             faces: detection))
            }
            _ = try ledger.storeAssets(items, at: Self.recordedAt)
            stored += items.count
            progress("assets", stored, assets)
        }
        // Some pictures that name no one were looked at: nobody is in them (a venue, a cake).
        for (index, sha) in unreviewed.enumerated() where index % 2 == 0 {
            try ledger.addReviews([AssetReview(action: .noPeople, person: nil, by: "officer", at: Self.recordedAt)], to: sha)
        }
        // Half of the pictures with an unnamed face had the faces nothing names decided: the
        // extra faces come last, and are passers-by or posters.
        for (index, picture) in undecided.enumerated() where index % 2 == 0 {
            guard let detection = try ledger.asset(picture.sha)?.faceDetections.first?.id else { continue }
            let decided = (0..<picture.faces).suffix(1).map { face in
                (face: face + 1, detection: detection, decision: index % 4 == 0 ? FaceDecision.notIdentifiable : .notAFace)
            }
            try ledger.review(picture.sha, reviews: [], faces: decided, by: "editor", at: Self.recordedAt)
        }
    }

    /// What the detector found in one photo: a face under each region of its metadata, and in
    /// about one photo in eight one or two faces nothing names (a passer-by, a poster), last.
    private static func detectedFaces(mentions: [AssetMention], random: inout SplitMix64) -> (found: [FoundFace], extra: Int) {
        var boxes = mentions.compactMap(\.region).compactMap(FaceBox.init)
        // The same region named twice (MWG and IPTC details) is one face.
        boxes = boxes.reduce(into: []) { kept, box in if !kept.contains(box) { kept.append(box) } }
        let extra = random.chance(0.125) ? 1 + Int(random.next() % 2) : 0
        for _ in 0..<extra {
            boxes.append(FaceBox(x: 0.02 + Double(random.next() % 8) / 100, y: 0.8, w: 0.05, h: 0.08))
        }
        let found = boxes.enumerated().map { index, box in
            FoundFace(number: index + 1, box: FaceBox(x: box.x + 0.01, y: box.y + 0.01, w: box.w * 0.8, h: box.h * 0.8),
                      score: 0.6 + Double(random.next() % 40) / 100)
        }
        return (found, extra)
    }

    /// What one photo's metadata says about people: mostly registered names (some by alias or
    /// by id, often twice through MWG regions and IPTC fields), some strangers, some unnamed faces.
    private static func mentions(people registered: [Registered], random: inout SplitMix64) -> [AssetMention] {
        let count: Int
        switch random.next() % 100 {
        case ..<8: count = 0
        case ..<95: count = 1 + Int(random.next() % 4)
        default: count = 5 + Int(random.next() % 8)  // a group shot
        }
        var result: [AssetMention] = []
        for _ in 0..<count {
            let region = [0.1, 0.2, 0.08, 0.12].map { $0 + Double(random.next() % 50) / 100 }
            let roll = random.next() % 100
            if roll < 10 {
                result.append(AssetMention(source: "mwg-region", label: nil, identifiers: [], region: region))
                continue
            }
            if roll < 18 {
                result.append(AssetMention(source: "mwg-region", label: "Visitor \(random.next() % 100_000)",
                                           identifiers: [], region: region))
                continue
            }
            // Some people are photographed far more often than others.
            let u = Double(random.next() >> 11) / Double(1 << 53)
            let person = registered[min(registered.count - 1, Int(Double(registered.count) * u * u))]
            let label = random.chance(0.15) ? (person.alias ?? person.name) : person.name
            if random.chance(0.1) {
                result.append(AssetMention(source: "iptc-person-details", label: label,
                                           identifiers: [person.id.description], region: nil))
            } else {
                result.append(AssetMention(source: "mwg-region", label: label, identifiers: [], region: region))
            }
            if random.chance(0.3) {
                result.append(AssetMention(source: "iptc-person-in-image", label: label, identifiers: [], region: nil))
            }
        }
        return result
    }

    // MARK: Names and dates

    private static let firstNames = [
        "Amelia", "Olivia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia", "Grace", "Freya",
        "Evie", "Emily", "Poppy", "Zoë", "Siobhán", "Aoife", "Niamh", "Priya", "Aisha", "Fatima", "Maryam", "Chloé",
        "Noah", "Oliver", "George", "Arthur", "Muhammad", "Leo", "Harry", "Oscar", "Archie", "Henry", "Theodore",
        "Freddie", "Jack", "Charlie", "Thomas", "Alfie", "Rhys", "Dafydd", "Seán", "Ciarán", "Łukasz", "José",
        "Mateusz", "Arjun", "Rohan", "Kwame", "Tomasz", "Björn", "Ahmed", "Yusuf", "Eilidh", "Callum", "Hamish",
    ]
    private static let surnames = [
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson", "Wright",
        "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Thomas", "Clarke", "Jackson", "Wood",
        "Harris", "Edwards", "Turner", "Martin", "Cooper", "Hill", "Ward", "Hughes", "Moore", "Clark", "King",
        "Harrison", "Lewis", "Baker", "Lee", "Allen", "Morris", "Khan", "Scott", "Watson", "Davis", "Parker", "James",
        "Bennett", "Young", "Phillips", "Richardson", "Mitchell", "Bailey", "Carter", "Cook", "Singh", "Shaw", "Bell",
        "Collins", "Morgan", "Kelly", "Begum", "Miller", "Cox", "Hussain", "Marshall", "Simpson", "Price", "Anderson",
        "Adams", "Wilkinson", "Ali", "Ahmed", "Foster", "Ellis", "Murphy", "Chapman", "Mason", "Gray", "Richards",
        "Webb", "Griffiths", "Hunt", "Palmer", "Campbell", "Holmes", "Mills", "Rogers", "Barnes", "Knight", "Matthews",
        "Barker", "Powell", "Stevens", "Kaur", "Fisher", "Butler", "Dixon", "Russell", "Harvey", "Pearson", "Graham",
        "O'Brien", "Nowak", "Kowalski", "Ó Súilleabháin", "Müller", "García", "Okafor", "Mensah", "Nguyen", "Chen",
    ]

    private static func name(_ random: inout SplitMix64) -> String {
        let first = firstNames[Int(random.next() % UInt64(firstNames.count))]
        let last = surnames[Int(random.next() % UInt64(surnames.count))]
        // A middle initial keeps most full names distinct in a register of tens of thousands.
        let initial = Character(UnicodeScalar(UInt8(65 + random.next() % 26)))
        return "\(first) \(initial). \(last)"
    }

    /// Children, teenagers, adults, and people whose date of birth was not asked.
    private static func dateOfBirth(_ random: inout SplitMix64) -> CalendarDate? {
        let month = 1 + Int(random.next() % 12), day = 1 + Int(random.next() % 28)
        switch random.next() % 100 {
        case ..<15: return CalendarDate(year: 2014 + Int(random.next() % 8), month: month, day: day)
        case ..<20: return CalendarDate(year: 2008 + Int(random.next() % 5), month: month, day: day)
        case ..<90: return CalendarDate(year: 1945 + Int(random.next() % 60), month: month, day: day)
        default: return nil
        }
    }

    private func progress(_ what: String, _ done: Int, _ total: Int) {
        if done == total || done % (total >= 50_000 ? 10_000 : 2_000) == 0 {
            FileHandle.standardError.write(Data("gate: building \(what) \(done)/\(total)\n".utf8))
        }
    }
}
