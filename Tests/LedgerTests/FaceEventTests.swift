import ClearanceCore
import Foundation
import GRDB
@testable import Ledger
import Testing

/// `asset.faces-detected` and `face.decided` (issue 13): stored as signed events, their rows
/// derived by the projection rules, refused when they break them, and confirmed on read.
@Suite struct FaceEventTests {
    let sha = SHA256Hex.of(Data("a group photo".utf8))

    private func ingested(faces: FaceDetectionFacts?, on store: TestStore = .sqlite) throws -> (TemporaryLedger, PersonID) {
        let temporary = try TemporaryLedger(on: store)
        let person = try temporary.ledger.write { tx in try tx.addPerson(PersonalData(name: "Ada Lovelace"), roles: PersonRoles()) }
        let record = AssetRecord(sha256: sha, kind: "image", format: "jpeg", readable: true, error: nil, capturedAt: nil,
                                 width: 4000, height: 3000, orientation: 1, faceRegions: 0, releaseStatus: nil,
                                 documentID: nil, originalDocumentID: nil, derivedFrom: nil)
        _ = try temporary.ledger.storeAssets([AssetIngestItem(record: record, mentions: [], path: "/photos/group.jpg", faces: faces)])
        return (temporary, person)
    }

    static let two = FaceDetectionFacts(detector: "yunet-2023mar/1", faces: [
        FoundFace(number: 1, box: FaceBox(x: 0.1, y: 0.2, w: 0.1, h: 0.12), score: 0.93),
        FoundFace(number: 2, box: FaceBox(x: 0.6, y: 0.25, w: 0.08, h: 0.1), score: 0.85),
    ], failure: nil)

    @Test(arguments: TestStore.available)
    func ingestStoresTheDetectionAndDecisionsAreKeptWithWhoAndWhen(store: TestStore) throws {
        let (temporary, ada) = try ingested(faces: Self.two, on: store)
        let ledger = temporary.ledger
        let stored = try #require(try ledger.asset(sha))
        #expect(stored.isConfirmed, "\(stored.problems)")
        let detection = try #require(stored.faceDetections.first)
        #expect(detection.detector == "yunet-2023mar/1" && detection.faces?.map(\.number) == [1, 2])
        #expect(detection.faces?[1].box == FaceBox(x: 0.6, y: 0.25, w: 0.08, h: 0.1) && detection.faces?[1].score == 0.85)

        let early = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
        try ledger.review(sha, reviews: [], faces: [(face: 1, detection: detection.id, decision: .notIdentifiable)], by: "Editor A", at: early)
        try ledger.review(sha, reviews: [], faces: [(face: 1, detection: detection.id, decision: .person(ada))], by: "Editor B",
                          at: Timestamp(millisecondsSinceEpoch: early.millisecondsSinceEpoch + 1000))
        let after = try #require(try ledger.asset(sha))
        #expect(after.faceDecisions.count == 2, "never overwritten")
        guard case .found(let faces) = after.faces else { Issue.record("faces were looked for"); return }
        #expect(faces[0].decision?.decision == .person(ada) && faces[0].decision?.by == "Editor B", "the later one supersedes")
        #expect(faces[1].decision == nil)
        #expect(try ledger.verify().isIntact)
        let kinds = try temporary.rows("SELECT kind FROM events WHERE asset IS NOT NULL ORDER BY seq").map { $0["kind"] as String }
        #expect(kinds == ["asset.ingested", "asset.faces-detected", "face.decided", "face.decided"])
    }

    /// A read builds each detection's faces from its event, where it once decoded the row's JSON
    /// it had just encoded from the event: the same faces, to the last bit of every number.
    @Test func facesReadFromTheEventAreTheFacesTheRowHolds() throws {
        let awkward = [
            LedgerEvent.FacePayload(x: 0.1 + 0.2, y: 1e-7, w: 1.0 / 3.0, h: .leastNonzeroMagnitude, score: 0.9999999999999999, t: 12.345),
            LedgerEvent.FacePayload(x: 0, y: -0.0, w: 1, h: 0.1, score: 0.5, t: nil),
        ]
        let event = LedgerEvent.FacesDetected(asset: sha, detector: "yunet-2023mar/1", faces: awkward, failure: nil)
        let row = try FaceDetectionRow(event, seq: 7, at: 1_800_000_000_000)
        #expect(row.record(faces: awkward) == row.record)
        #expect(row.record.faces?.map(\.box.y.sign) == [.plus, .minus])

        let facts = FaceDetectionFacts(detector: "yunet-2023mar/1", faces: awkward.enumerated().map { index, face in
            FoundFace(number: index + 1, box: FaceBox(x: face.x, y: face.y, w: face.w, h: face.h), score: face.score, t: face.t)
        }, failure: nil)
        let (temporary, _) = try ingested(faces: facts)
        let read = try #require(try temporary.ledger.asset(sha))
        #expect(read.isConfirmed, "\(read.problems)")
        #expect(read.faceDetections.first?.faces == facts.faces)
    }

    @Test(arguments: TestStore.available)
    func notInTheRegisterIsAFourthDecisionSupersededOnceThePersonIsRegistered(store: TestStore) throws {
        // Issue 14: someone identifiable whom nobody has registered; found and registered later,
        // the same face is decided as them. Both events are kept, signed, with who and when.
        let (temporary, _) = try ingested(faces: Self.two, on: store)
        let ledger = temporary.ledger
        let detection = try #require(try ledger.asset(sha)?.faceDetections.first).id
        let early = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
        try ledger.review(sha, reviews: [], faces: [(face: 1, detection: detection, decision: .notAFace)], by: "Editor A", at: early)
        #expect(try ledger.assetsEverDecidedNotRegistered().isEmpty, "only a not-registered decision puts an asset there")
        try ledger.review(sha, reviews: [], faces: [(face: 2, detection: detection, decision: .notRegistered)], by: "Editor A", at: early)
        #expect(try ledger.assetsEverDecidedNotRegistered() == [sha])
        let listed = try #require(try ledger.asset(sha))
        guard case .found(let before) = listed.faces else { Issue.record("faces were looked for"); return }
        #expect(before[1].decision?.decision == .notRegistered && before[1].decision?.by == "Editor A" && before[1].decision?.at == early)
        #expect(listed.isConfirmed, "\(listed.problems)")
        let stored = try temporary.rows("SELECT decision, person_id FROM face_decisions ORDER BY id DESC LIMIT 1").first
        #expect(stored?["decision"] as String? == "not-registered" && (stored?["person_id"] as String?) == nil)

        let found = try ledger.write { tx in try tx.addPerson(PersonalData(name: "Grace Found"), roles: PersonRoles()) }
        try ledger.review(sha, reviews: [], faces: [(face: 2, detection: detection, decision: .person(found))], by: "Editor B",
                          at: Timestamp(millisecondsSinceEpoch: early.millisecondsSinceEpoch + 1000))
        let after = try #require(try ledger.asset(sha))
        #expect(after.faceDecisions.map(\.decision) == [.notAFace, .notRegistered, .person(found)], "never overwritten")
        #expect(try ledger.assetsEverDecidedNotRegistered() == [sha], "ever: the list itself reads which decision holds")
        guard case .found(let faces) = after.faces else { Issue.record("faces were looked for"); return }
        #expect(faces[1].decision?.decision == .person(found) && faces[1].decision?.by == "Editor B")
        #expect(try ledger.verify().isIntact)
        // A not-registered decision names nobody: one with a person is refused.
        #expect(FaceDecision(action: "not-registered", person: found) == nil)
        #expect(FaceDecision(action: "not-registered", person: nil) == .notRegistered)
    }

    @Test func aLedgerFromBeforeTheFourthDecisionKeepsItsRowsWhenMigrated() throws {
        // The file as the previous version left it: `face_decisions` with the three-way CHECK
        // and migration 0009 not applied. Opening it rebuilds the table with every row as it was.
        let (temporary, ada) = try ingested(faces: Self.two)
        let detection = try #require(try temporary.ledger.asset(sha)?.faceDetections.first).id
        try temporary.ledger.review(sha, reviews: [], faces: [(face: 1, detection: detection, decision: .person(ada)),
                                                             (face: 2, detection: detection, decision: .notAFace)], by: "Editor")
        try temporary.tamper("""
            CREATE TABLE old_decisions (
                id INTEGER PRIMARY KEY REFERENCES events(seq), sha256 TEXT NOT NULL REFERENCES assets(sha256),
                detection_id INTEGER NOT NULL REFERENCES face_detections(id), face INTEGER NOT NULL CHECK (face >= 1),
                decision TEXT NOT NULL CHECK (decision IN ('person', 'not-identifiable', 'not-a-face')),
                person_id TEXT REFERENCES people(id), by TEXT NOT NULL, at INTEGER NOT NULL,
                CHECK ((decision = 'person') = (person_id IS NOT NULL)));
            INSERT INTO old_decisions SELECT * FROM face_decisions;
            DROP TABLE face_decisions;
            ALTER TABLE old_decisions RENAME TO face_decisions;
            CREATE INDEX face_decisions_by_asset ON face_decisions(sha256);
            CREATE INDEX face_decisions_by_person ON face_decisions(person_id) WHERE person_id IS NOT NULL;
            DELETE FROM grdb_migrations WHERE identifier = '0009_face_not_registered';
            """)
        let reopened = try Ledger.open(at: temporary.path, forWriting: true)
        let migrated = try DatabaseQueue(path: temporary.path).read { db in
            (try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier").last,
             try Row.fetchAll(db, sql: "SELECT id, decision, person_id FROM face_decisions ORDER BY id").map { $0["decision"] as String })
        }
        #expect(migrated.0 == "0009_face_not_registered")
        #expect(migrated.1 == ["person", "not-a-face"])
        try reopened.review(sha, reviews: [], faces: [(face: 2, detection: detection, decision: .notRegistered)], by: "Editor")
        #expect(try reopened.verify().isIntact)
    }

    @Test(arguments: TestStore.available)
    func aNewerDetectorAddsAnEventAndOverlappingFacesKeepTheirDecisions(store: TestStore) throws {
        let (temporary, ada) = try ingested(faces: Self.two, on: store)
        let ledger = temporary.ledger
        let first = try #require(try ledger.asset(sha)?.faceDetections.first)
        try ledger.review(sha, reviews: [], faces: [(face: 2, detection: first.id, decision: .person(ada))], by: "Editor")
        // The newer detector numbers Ada's face first, finds a third, and misses the other.
        try ledger.recordFaceDetection(FaceDetectionFacts(detector: "yunet-2023mar/2", faces: [
            FoundFace(number: 1, box: FaceBox(x: 0.605, y: 0.25, w: 0.08, h: 0.1), score: 0.9),
            FoundFace(number: 2, box: FaceBox(x: 0.3, y: 0.3, w: 0.05, h: 0.06), score: 0.82),
        ], failure: nil), of: sha)
        let stored = try #require(try ledger.asset(sha))
        #expect(stored.faceDetections.map(\.detector) == ["yunet-2023mar/1", "yunet-2023mar/2"], "added, not replaced")
        guard case .found(let faces) = stored.faces else { Issue.record("faces were looked for"); return }
        #expect(faces.map(\.number) == [1, 2])
        #expect(faces[0].decision?.decision == .person(ada), "the decision about the same face carries over")
        #expect(faces[1].decision == nil)
        #expect(try ledger.verify().isIntact)
    }

    @Test(arguments: TestStore.available)
    func aDetectionThatCouldNotLookIsStoredAsSuch(store: TestStore) throws {
        let (temporary, _) = try ingested(faces: FaceDetectionFacts(detector: "yunet-2023mar/1", faces: nil, failure: "cannot decode the JPEG: truncated"), on: store)
        let stored = try #require(try temporary.ledger.asset(sha))
        #expect(stored.faces == .notLookedFor(reason: "cannot decode the JPEG: truncated"))
        #expect(try temporary.ledger.verify().isIntact)
    }

    @Test(arguments: TestStore.available)
    func decisionsThatBreakTheRulesAreRefusedAndWriteNothing(store: TestStore) throws {
        let (temporary, ada) = try ingested(faces: Self.two, on: store)
        let ledger = temporary.ledger
        let detection = try #require(try ledger.asset(sha)?.faceDetections.first).id
        let before = try ledger.eventCount()
        #expect(throws: LedgerError.self) { try ledger.review(sha, reviews: [], faces: [(face: 3, detection: detection, decision: .notAFace)], by: "E") }
        #expect(throws: LedgerError.self) { try ledger.review(sha, reviews: [], faces: [(face: 0, detection: detection, decision: .notAFace)], by: "E") }
        #expect(throws: LedgerError.self) { try ledger.review(sha, reviews: [], faces: [(face: 1, detection: detection + 5, decision: .notAFace)], by: "E") }
        var generator = SystemRandomNumberGenerator()
        let stranger = PersonID.random(using: &generator)
        #expect(throws: LedgerError.self) { try ledger.review(sha, reviews: [], faces: [(face: 1, detection: detection, decision: .person(stranger))], by: "E") }
        // All or none: a good decision beside a bad one is not kept either.
        #expect(throws: LedgerError.self) {
            try ledger.review(sha, reviews: [], faces: [(face: 1, detection: detection, decision: .person(ada)),
                                                        (face: 9, detection: detection, decision: .notAFace)], by: "E")
        }
        let other = SHA256Hex.of(Data("never ingested".utf8))
        #expect(throws: LedgerError.self) { try ledger.recordFaceDetection(Self.two, of: other) }
        #expect(throws: LedgerError.self) {
            try ledger.recordFaceDetection(FaceDetectionFacts(detector: "d/1", faces: [FoundFace(number: 1, box: FaceBox(x: 0, y: 0, w: 0, h: 0.1), score: 0.9)], failure: nil), of: sha)
        }
        #expect(try ledger.eventCount() == before)
    }

    @Test(arguments: TestStore.available)
    func editedFaceRowsAreNoticedByTheCheckAndByVerify(store: TestStore) throws {
        let (temporary, ada) = try ingested(faces: Self.two, on: store)
        let ledger = temporary.ledger
        let detection = try #require(try ledger.asset(sha)?.faceDetections.first).id
        try ledger.review(sha, reviews: [], faces: [(face: 1, detection: detection, decision: .person(ada))], by: "Editor")
        // A face removed from the detection, as someone hiding a stranger would.
        try temporary.tamper("UPDATE face_detections SET faces = '[]'")
        let stored = try #require(try ledger.asset(sha))
        #expect(stored.problems.contains { $0.hasPrefix("face_detections: row \(detection) differs") }, "\(stored.problems)")
        guard case .found(let faces) = stored.faces else { Issue.record("the signed detection still counts"); return }
        #expect(faces.count == 2, "the faces come from the signed event, not the row")
        #expect(try ledger.verify().problems.contains { $0.table == "face_detections" })

        try temporary.tamper("DELETE FROM face_decisions")
        #expect(try ledger.asset(sha)?.problems.contains { $0.contains("face_decisions: row") && $0.contains("missing") } == true)
        #expect(try ledger.verify().problems.contains { $0.table == "face_decisions" })
    }
}
