import ClearanceApp
import ClearanceCore
import Foundation
import Ledger

/// A small register with every kind of row the gate relies on, made through the real write
/// paths (every event signed and chained): people with consents in the situations the gate
/// tells apart, two namesakes, a service user, assets whose metadata names people by name, by
/// alias, by id and by consent reference, unnamed faces, an edited copy of a picture, reviews
/// (a DPO's "shows service users", "no people", "this is that person"), publications, a
/// withdrawal that opened a takedown (closed since), and an erased person whose names were
/// forgotten. Unchecked Sendable: nothing changes once `init` returns.
final class IntegrityRegister: @unchecked Sendable {
    let directory: URL
    let path: String
    let ledger: Ledger
    let operations: LedgerOperations
    let assets: AssetOperations
    /// Asset hashes by a short name.
    private(set) var hashes: [String: String] = [:]
    private(set) var people: [String: PersonID] = [:]
    /// Fay, whose consent arrived from a tablet that had been offline.
    private(set) var offlinePerson: PersonID?

    static let channels = ["facebook", "website", "print"]

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("integrity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("clearance.db").path
        ledger = try Ledger.create(at: path)
        operations = LedgerOperations(ledger: ledger, configuration: .standard)
        assets = AssetOperations(operations)
        try populate()
        try ledger.checkpoint()
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    private func person(_ key: String, _ name: String, aliases: [String] = [], born: String? = nil,
                        roles: PersonRoles = PersonRoles(), consent channels: String? = nil) throws {
        let id = try operations.addPerson(PersonRequest(name: name, aliases: aliases, born: born, roles: roles))
        people[key] = id
        if let channels {
            var request = ConsentRequest(person: id.description, channels: channels)
            request.given = "2025-01-01"
            request.expires = "2099-01-01"
            request.recordedBy = "Officer Priya Shah"
            if let born, (CalendarDate(parsing: born)?.age(at: Timestamp.now.utcDate) ?? 99) < 13 {
                request.guardianName = "A Parent"
                request.guardianRelationship = "mother"
            }
            _ = try operations.recordConsent(request)
        }
    }

    private func hash(_ name: String) -> String {
        SHA256Hex.of(Data("integrity register asset \(name)".utf8))
    }

    private func record(_ name: String, document: String? = nil, original: String? = nil, regions: Int = 0) -> AssetRecord {
        AssetRecord(sha256: hash(name), kind: "image", format: "jpeg", readable: true, error: nil,
                    capturedAt: "2026-07-04T14:03:21+01:00", width: 4000, height: 3000, orientation: 1,
                    faceRegions: regions, releaseStatus: nil, documentID: document, originalDocumentID: original,
                    derivedFrom: original)
    }

    private func named(_ label: String, region: Bool = true) -> AssetMention {
        AssetMention(source: region ? "mwg-region" : "iptc-person-in-image", label: label, identifiers: [],
                     region: region ? [0.1, 0.2, 0.15, 0.2] : nil)
    }

    private func populate() throws {
        try person("alice", "Alice Ávila", aliases: ["Ali Avila"], consent: "social,website,print")
        try person("bob", "Bob Brown", consent: "social,website,print")
        try person("carol", "Carol Chen", consent: "website")
        try person("joan", "Joan Price", roles: PersonRoles(serviceUser: true), consent: "social,website,print")
        try person("sam1", "Sam Taylor", born: "1985-01-01", consent: "social,website,print")
        try person("sam2", "Sam Taylor", born: "2001-06-15")
        try person("eve", "Eve Evans", born: "2019-03-01", consent: "website,print")
        try person("dan", "Dan Dare", consent: "social,website,print")

        let unnamed = AssetMention(source: "mwg-region", label: nil, identifiers: [], region: [0.5, 0.5, 0.1, 0.1])
        let items: [(String, AssetRecord, [AssetMention])] = [
            ("alice", record("alice", document: "xmp.did:alice-original", regions: 1), [named("Alice Ávila")]),
            ("bob", record("bob", regions: 1), [named("Bob Brown"), named("Bob Brown", region: false)]),
            ("alias", record("alias", regions: 1), [named("ali avila")]),
            ("samTagged", record("samTagged", regions: 1), [named("Sam Taylor")]),
            ("samAmbiguous", record("samAmbiguous", regions: 1), [named("Sam Taylor")]),
            ("bobServiceUsers", record("bobServiceUsers", regions: 1), [named("Bob Brown")]),
            ("joan", record("joan", regions: 1), [named("Joan Price")]),
            ("empty", record("empty"), []),
            ("unreviewed", record("unreviewed"), []),
            ("crowd", record("crowd", regions: 2), [named("Bob Brown"), unnamed]),
            ("copy", record("copy", original: "xmp.did:alice-original", regions: 1), [named("Bob Brown")]),
            ("carol", record("carol", regions: 1), [named("Carol Chen")]),
            ("eve", record("eve", regions: 1), [named("Eve Evans")]),
            ("byID", record("byID"), [AssetMention(source: "iptc-person-details", label: "A. Avila",
                                                   identifiers: [people["alice"]!.description], region: nil)]),
            ("dan", record("dan", regions: 1), [named("Dan Dare")]),
            ("danAndBob", record("danAndBob", regions: 2), [named("Dan Dare"), named("Bob Brown")]),
            // Faces (issue 13): a group photo whose metadata names one face, the others decided
            // by a reviewer; the same with a face left undecided; one whose faces could not be
            // looked for.
            ("group", record("group", regions: 1), [named("Carol Chen")]),
            ("groupUndecided", record("groupUndecided", regions: 1), [named("Carol Chen")]),
            // Issue 14: one unnamed face decided to be Bob, the other someone not in the register.
            ("groupToFind", record("groupToFind", regions: 1), [named("Carol Chen")]),
            ("notLooked", record("notLooked", regions: 1), [named("Bob Brown")]),
        ]
        for (key, _, _) in items { hashes[key] = hash(key) }
        // Every asset was looked at by the face detector: one face under each region, one for a
        // name without a region, none in the pictures of nobody.
        func faces(_ key: String, _ mentions: [AssetMention]) -> FaceDetectionFacts {
            if key == "notLooked" { return FaceDetectionFacts(detector: "yunet-2023mar/1", faces: nil, failure: "cannot decode the JPEG: truncated") }
            var boxes = Set(mentions.compactMap { $0.region.map { [$0[0] + 0.01, $0[1] + 0.01, $0[2] - 0.02, $0[3] - 0.02] } })
            if mentions.contains(where: { $0.region == nil }) && boxes.isEmpty { boxes.insert([0.6, 0.1, 0.1, 0.12]) }
            if key.hasPrefix("group") { boxes.formUnion([[0.4, 0.3, 0.08, 0.1], [0.7, 0.3, 0.08, 0.1]]) }
            let found = boxes.sorted { $0.lexicographicallyPrecedes($1) }.enumerated().map { index, box in
                FoundFace(number: index + 1, box: FaceBox(box)!, score: 0.9 - Double(index) / 100)
            }
            return FaceDetectionFacts(detector: "yunet-2023mar/1", faces: found, failure: nil)
        }
        _ = try ledger.storeAssets(items.map {
            AssetIngestItem(record: $0.1, mentions: $0.2, path: "/photos/fair/\($0.0).jpg", faces: faces($0.0, $0.2))
        })
        // The group photo's two unnamed faces decided: one is Bob, one is not a face; then a
        // newer detector ran (boxes moved a little, renumbered), and a later decision
        // superseded the first for one face.
        let group = try ledger.asset(hashes["group"]!).unwrapped("the group photo")
        let first = try group.faceDetections.last.unwrapped("its detection")
        let unnamedFaces = (first.faces ?? []).filter { $0.box.x > 0.3 }.map(\.number)
        try ledger.review(hashes["group"]!, reviews: [], faces: [
            (face: unnamedFaces[0], detection: first.id, decision: .notIdentifiable),
            (face: unnamedFaces[0], detection: first.id, decision: .person(people["bob"]!)),
            (face: unnamedFaces[1], detection: first.id, decision: .notAFace),
        ], by: "Editor Ben Cole")
        let shifted = (first.faces ?? []).reversed().enumerated().map { index, face in
            FoundFace(number: index + 1, box: FaceBox(x: face.box.x + 0.005, y: face.box.y, w: face.box.w, h: face.box.h), score: face.score)
        }
        try ledger.recordFaceDetection(FaceDetectionFacts(detector: "yunet-2023mar/2", faces: shifted, failure: nil), of: hashes["group"]!)
        let undecided = try (ledger.asset(hashes["groupUndecided"]!)?.faceDetections.last).unwrapped("the other group photo's detection")
        try ledger.review(hashes["groupUndecided"]!, reviews: [], faces: [
            (face: (undecided.faces ?? []).first { $0.box.x > 0.3 }!.number, detection: undecided.id, decision: .notAFace),
        ], by: "Editor Ben Cole")

        let toFind = try (ledger.asset(hashes["groupToFind"]!)?.faceDetections.last).unwrapped("the people-to-find photo's detection")
        let toFindFaces = (toFind.faces ?? []).filter { $0.box.x > 0.3 }.map(\.number)
        try ledger.review(hashes["groupToFind"]!, reviews: [], faces: [
            (face: toFindFaces[0], detection: toFind.id, decision: .notRegistered),
            (face: toFindFaces[1], detection: toFind.id, decision: .person(people["bob"]!)),
        ], by: "Editor Ben Cole")

        _ = try assets.tag(hashes["samTagged"]!, people: [people["sam1"]!.description], notPeople: [], noPeople: false,
                           serviceUsers: false, by: "Editor Ben Cole")
        _ = try assets.tag(hashes["bobServiceUsers"]!, people: [], notPeople: [], noPeople: false, serviceUsers: true,
                           by: "DPO Sam Okafor")
        _ = try assets.tag(hashes["empty"]!, people: [], notPeople: [], noPeople: true, serviceUsers: false, by: "Editor Ben Cole")

        // Published while everyone in them had consented; Alice then withdrew, which opened a
        // takedown of her picture's post (done since); Dan was erased.
        for (key, channel) in [("alice", "facebook"), ("bob", "facebook"), ("carol", "website"), ("danAndBob", "print")] {
            let consents = try ledger.consents(of: people[key == "danAndBob" ? "dan" : key]!, includingPrivateDetails: false)
            try ledger.recordPublication(PublicationRecord(
                sha256: hashes[key]!, outputSHA256: SHA256Hex.of(Data("output \(key)".utf8)), channel: Channel(channel),
                path: "/exports/\(key).jpg", postURL: channel == "print" ? nil : "https://www.facebook.com/riverside/\(key)",
                consents: consents.map(\.reference), by: "Editor Ben Cole", at: .now))
        }
        let aliceConsent = try ledger.consents(of: people["alice"]!, includingPrivateDetails: false)[0].reference
        let withdrawal = try operations.withdraw(aliceConsent.description, receivedVia: "email", recordedBy: "DPO Sam Okafor", note: nil)
        for item in withdrawal.impact.takedowns {
            _ = try operations.closeTakedown("T-\(item.id)", note: "Post removed", by: "DPO Sam Okafor")
        }
        // Notices: Dan's receipt (emptied by his erasure below), Bob's receipt and renewal reminder
        // with their links, a DPO digest, and two runs of the notice pass's verify.
        let bobConsent = try ledger.consents(of: people["bob"]!, includingPrivateDetails: false)[0].reference
        let danConsent = try ledger.consents(of: people["dan"]!, includingPrivateDetails: false)[0].reference
        try ledger.write { tx in
            func content(_ to: String, _ subject: String) -> NoticeContent {
                NoticeContent(to: to, toName: nil, subject: subject, text: subject, html: "<p>\(subject)</p>")
            }
            try tx.queueNotice(key: "receipt:\(danConsent)", kind: .receipt, person: people["dan"], consent: danConsent,
                               content: content("dan@example.org", "Your consent"))
            try tx.queueNotice(key: "receipt:\(bobConsent)", kind: .receipt, person: people["bob"], consent: bobConsent,
                               content: content("bob@example.org", "Your consent"))
            try tx.queueNotice(key: "renewal:\(bobConsent)", kind: .renewal, person: people["bob"], consent: bobConsent,
                               content: content("bob@example.org", "Your consent ends soon"))
            try tx.queueNotice(key: "digest:2026-07-05", kind: .digest, person: nil, consent: nil,
                               content: content("dpo@example.org", "Consent digest"))
            try tx.addNoticeLink(secretSHA256: SHA256Hex.of(Data("withdraw bob".utf8)), purpose: .withdraw, consent: bobConsent,
                                 expiresAt: nil)
            try tx.addNoticeLink(secretSHA256: SHA256Hex.of(Data("renew bob".utf8)), purpose: .renew, consent: bobConsent,
                                 expiresAt: Timestamp(millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch + 30 * 86_400_000))
        }
        try ledger.recordVerification(VerificationRun(at: .now, intact: true, events: try ledger.eventCount(), problem: nil))
        try ledger.recordVerification(VerificationRun(at: .now, intact: false, events: 3, problem: "event 2: edited"))
        _ = try operations.erase(people["dan"]!.description)

        // Fay's consent was captured on a tablet with no signal, under one of two references the
        // officer's tablet held; the other stays reserved.
        let device = "6f1c2a7e-4d0b-4c3e-9a55-0c8f3b2d1e90"
        let held = try operations.reserveReferences(officer: "Officer Priya Shah", device: device, count: 2)
        var capture = OfflineCaptureRequest(id: "0b9e3f52-8a41-4c6d-b2e7-51d4a6c9f803", reference: held[0].reference.description,
                                            officer: "Officer Priya Shah", capturedAt: Timestamp.now.millisecondsSinceEpoch - 60_000)
        capture.event = "Riverside summer fair"
        capture.name = "Fay Field"
        capture.ageBand = "adult"
        capture.channels = ["website"]
        capture.signature = Data("a drawn signature".utf8)
        offlinePerson = try operations.recordOfflineCapture(capture, sentBy: "Officer Priya Shah").record.person
    }

    /// Every asset's verdict codes for every channel, as `check` gives them (an error counts
    /// as blocked, with the code `error`).
    static func verdicts(of ledger: Ledger, hashes: [String: String]) -> [String: Set<String>] {
        let assets = AssetOperations(LedgerOperations(ledger: ledger, configuration: .standard))
        let names = hashes.keys.sorted()
        var result: [String: Set<String>] = [:]
        func codes(_ verdict: Verdict) -> Set<String> { verdict.cleared ? [] : Set(verdict.reasons.map(\.code.rawValue)) }
        for channel in channels {
            // All at once, as a batch check does; one by one when the batch is refused.
            if let all = try? assets.check(storedAssets: names.map { hashes[$0]! }, channel: channel, at: nil) {
                for (name, result_) in zip(names, all) { result["\(name) \(channel)"] = codes(result_.verdict) }
                continue
            }
            for name in names {
                let verdict = try? assets.check(storedAssets: [hashes[name]!], channel: channel, at: nil)[0].verdict
                result["\(name) \(channel)"] = verdict.map(codes) ?? ["error"]
            }
        }
        return result
    }

    func verdicts() -> [String: Set<String>] { Self.verdicts(of: ledger, hashes: hashes) }
}

extension Optional {
    /// The value, or an error naming what was missing (the register cannot be built without it).
    func unwrapped(_ what: String) throws -> Wrapped {
        guard let self else { throw CocoaError(.coderValueNotFound, userInfo: [NSDebugDescriptionErrorKey: "\(what) is missing"]) }
        return self
    }
}
