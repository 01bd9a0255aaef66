import ClearanceCore
import Foundation
import GRDB
import Testing
@testable import Ledger

/// Migration 0006 and the offline-capture tables, on real SQLite files.
@Suite("Offline capture: migration 0006, reservations and capture ids in the ledger")
struct OfflineCaptureStoreTests {
    static func consentRows(_ path: String) throws -> [Row] {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM consents ORDER BY reference") }
    }

    /// Puts a ledger file back to how version 0004 left it: no offline tables, and the consents
    /// table with its original CHECK on method.
    static func downgradeTo0004(_ ledger: TemporaryLedger) throws {
        try ledger.tamper("""
            DROP TABLE offline_captures;
            DROP TABLE reserved_references;
            ALTER TABLE consents RENAME TO consents_0006;
            CREATE TABLE consents (
                reference TEXT PRIMARY KEY, person_id TEXT NOT NULL REFERENCES people(id),
                version INTEGER NOT NULL CHECK (version >= 1), supersedes TEXT REFERENCES consents(reference),
                superseded_by TEXT, state TEXT NOT NULL CHECK (state IN ('active', 'withdrawn', 'superseded', 'erased')),
                channels TEXT NOT NULL, purposes TEXT NOT NULL, event TEXT, form_version TEXT NOT NULL,
                method TEXT NOT NULL CHECK (method IN ('tablet', 'paper', 'qr', 'verbal')),
                recorded_by TEXT NOT NULL, given_at TEXT NOT NULL, expires_at TEXT NOT NULL, guardian_relationship TEXT,
                signature_sha256 TEXT, sealed BLOB, recorded_seq INTEGER NOT NULL REFERENCES events(seq),
                recorded_at INTEGER NOT NULL, withdrawn_at INTEGER, withdrawal_via TEXT, withdrawn_by TEXT,
                withdrawal_note BLOB, withdrawn_seq INTEGER REFERENCES events(seq), erased_at INTEGER
            ) WITHOUT ROWID;
            INSERT INTO consents SELECT * FROM consents_0006;
            DROP TABLE consents_0006;
            CREATE INDEX consents_by_person ON consents(person_id);
            DELETE FROM grdb_migrations WHERE identifier = '0006_offline_capture';
            """)
    }

    @Test("a ledger written before 0006 keeps every consent row and still verifies; tablet-offline is then allowed, nonsense still not")
    func migrationKeepsConsents() throws {
        let temporary = try TemporaryLedger()
        let populated = try temporary.populate()
        let before = try Self.consentRows(temporary.path)
        #expect(before.count == 3)
        try Self.downgradeTo0004(temporary)
        let old = try DatabaseQueue(path: temporary.path)
        #expect(throws: DatabaseError.self) {
            try old.write { db in try db.execute(sql: "UPDATE consents SET method = 'tablet-offline'") }
        }

        let reopened = try Ledger.open(at: temporary.path, forWriting: true)
        #expect(try Self.consentRows(temporary.path) == before)
        #expect(try reopened.verify().isIntact)
        let now = Timestamp.now
        let held = try reopened.reserveReferences(officer: "olu", device: "d1", count: 1, lifetime: .seconds(86_400), maximumHeld: 10, at: now)
        let recorded = try reopened.write { tx in
            var terms = TemporaryLedger.terms()
            terms.method = .tabletOffline
            terms.recordedBy = "olu"
            return try tx.recordOfflineCapture(id: "capture-1", reference: held[0].reference, officer: "olu", capturedAt: now,
                                               person: PersonalData(name: "Nia Offline"), terms: terms,
                                               details: ConsentPrivateDetails(), clockSkew: .seconds(300), at: now).reference
        }
        #expect(try reopened.consent(recorded)?.terms.method == .tabletOffline)
        // Only an offline capture records one: it needs its capture id and reservation.
        #expect(throws: LedgerError.self) {
            try reopened.write { tx in
                var terms = TemporaryLedger.terms()
                terms.method = .tabletOffline
                return try tx.recordConsent(person: populated.alice, terms: terms, details: ConsentPrivateDetails())
            }
        }
        #expect(try reopened.verify().isIntact)
        #expect(throws: DatabaseError.self) {
            try temporary.tamper("UPDATE consents SET method = 'carrier-pigeon' WHERE reference = ?", arguments: [recorded.description])
        }
        // The foreign keys the rebuilt table points along are whole.
        let queue = try DatabaseQueue(path: temporary.path)
        #expect(try queue.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }.isEmpty)
    }

    @Test("a capture is recorded with its person, consent and id in one transaction, under the reference reserved for its officer",
          arguments: TestStore.available)
    func recordOfflineCapture(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        let ledger = temporary.ledger
        let now = Timestamp(millisecondsSinceEpoch: 1_780_000_000_000)
        let held = try ledger.reserveReferences(officer: "olu", device: "d1", count: 2, lifetime: .seconds(86_400), maximumHeld: 10, at: now)
        var terms = TemporaryLedger.terms()
        terms.method = .tabletOffline
        terms.recordedBy = "olu"
        let capturedAt = Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 3_600_000)
        let record = try ledger.write { tx in
            try tx.recordOfflineCapture(id: "capture-1", reference: held[0].reference, officer: "olu", capturedAt: capturedAt,
                                        person: PersonalData(name: "Nia Offline"), terms: terms, details: ConsentPrivateDetails(),
                                        clockSkew: .seconds(300), at: Timestamp(millisecondsSinceEpoch: capturedAt.millisecondsSinceEpoch + 60_000))
        }
        #expect(try ledger.offlineCapture(id: "capture-1") == record)
        #expect(try ledger.consent(held[0].reference)?.person == record.person)
        #expect(try ledger.verify().isIntact)

        // A refusal inside the transaction leaves nothing behind: no person, no consent, no capture.
        let people = try ledger.allPeople().count
        for (reference, officer, at) in [(held[0].reference, "olu", capturedAt), (held[1].reference, "ada", capturedAt),
                                         (held[1].reference, "olu", Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 2 * 86_400_000))] {
            #expect(throws: ReservationRefusal.self) {
                try ledger.write { tx in
                    try tx.recordOfflineCapture(id: "capture-2", reference: reference, officer: officer, capturedAt: at,
                                                person: PersonalData(name: "Refused Person"), terms: terms,
                                                details: ConsentPrivateDetails(), clockSkew: .seconds(300), at: at)
                }
            }
        }
        #expect(try ledger.allPeople().count == people)
        #expect(try ledger.offlineCapture(id: "capture-2") == nil)
        #expect(throws: (any Error).self) {
            // The ledger refuses a second capture row for one consent even without the API's checks.
            try temporary.tamper("INSERT INTO offline_captures VALUES ('capture-3', ?, ?, 'olu', 0, 0, x'00')",
                                 arguments: [held[0].reference.description, record.person.description])
        }
    }

    @Test("reserving draws references that no consent and no other tablet has; an ordinary consent's draw treats them as taken",
          arguments: TestStore.available)
    func reservationsAreFresh(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        let populated = try temporary.populate()
        let now = Timestamp.now
        var seen = Set(populated.references)
        for device in ["a", "b", "c"] {
            let held = try temporary.ledger.reserveReferences(officer: "olu", device: device, count: 50, lifetime: .seconds(3600),
                                                              maximumHeld: 1000, at: now)
            #expect(held.count == 50)
            for reservation in held {
                #expect(!seen.contains(reservation.reference))
                seen.insert(reservation.reference)
            }
        }
        // What an ordinary consent's draw checks: reserved references count as taken.
        let reserved = Array(seen.subtracting(populated.references))
        let (held, recorded) = try temporary.ledger.write { tx in
            (try reserved.map { try tx.isReserved($0) }, try populated.references.map { try tx.isReserved($0) })
        }
        #expect(reserved.count == 150 && held.allSatisfy { $0 })
        #expect(recorded == [false, false, false])
    }
}
