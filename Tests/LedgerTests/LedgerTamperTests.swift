import ClearanceCore
import Foundation
import Testing
@testable import Ledger

/// Each kind of tampering, done with plain SQL on the store (a SQLite file, a PostgreSQL
/// database), must make `verify` fail and name where.
@Suite struct LedgerTamperTests {
    private func tampered(on store: TestStore, _ sql: String, postgresql: String? = nil) throws -> LedgerVerification.Problem? {
        try tampered(on: store) { try $0.tamper(sql, postgresql: postgresql) }
    }

    private func tampered(on store: TestStore, _ edit: (TemporaryLedger) throws -> Void) throws -> LedgerVerification.Problem? {
        let temporary = try TemporaryLedger(on: store)
        _ = try temporary.populate()
        #expect(try temporary.ledger.verify().problem == nil)
        try edit(temporary)
        return try temporary.reopen().verify().problem
    }

    @Test(arguments: TestStore.available)
    func editedPayload(store: TestStore) throws {
        let problem = try tampered(on: store, "UPDATE events SET payload = CAST(replace(CAST(payload AS TEXT), 'facebook', 'tiktok') AS BLOB) WHERE seq = 4",
                                   postgresql: "UPDATE events SET payload = convert_to(replace(convert_from(payload, 'UTF8'), 'facebook', 'tiktok'), 'UTF8') WHERE seq = 4")
        #expect(problem?.event == 4)
    }

    @Test(arguments: TestStore.available)
    func editedTimestamp(store: TestStore) throws {
        let problem = try tampered(on: store, "UPDATE events SET created_at = created_at + 1 WHERE seq = 5")
        #expect(problem?.event == 5)
    }

    @Test(arguments: TestStore.available)
    func deletedEvent(store: TestStore) throws {
        let problem = try tampered(on: store, "DELETE FROM events WHERE seq = 3")
        #expect(problem?.event == 3)
    }

    @Test(arguments: TestStore.available)
    func deletedLastEventIsCaughtByTheDerivedTables(store: TestStore) throws {
        let problem = try tampered(on: store, "DELETE FROM events WHERE seq = 7")
        #expect(problem?.table == "consents")
    }

    @Test(arguments: TestStore.available)
    func insertedEvent(store: TestStore) throws {
        let problem = try tampered(on: store, """
            INSERT INTO events (seq, kind, person_id, consent_ref, created_at, payload, prev_hash, hash, signature)
            SELECT 8, kind, person_id, consent_ref, created_at, payload, hash, randomblob(32), signature FROM events WHERE seq = 7
            """)
        #expect(problem?.event == 8)
    }

    @Test(arguments: TestStore.available)
    func reorderedEvents(store: TestStore) throws {
        let problem = try tampered(on: store, """
            UPDATE events SET seq = CASE seq WHEN 4 THEN -5 WHEN 5 THEN -4 END WHERE seq IN (4, 5);
            UPDATE events SET seq = -seq WHERE seq < 0;
            """)
        #expect(problem?.event == 4)
    }

    @Test(arguments: TestStore.available)
    func forgedSignature(store: TestStore) throws {
        let problem = try tampered(on: store, "UPDATE events SET signature = randomblob(64) WHERE seq = 6")
        #expect(problem?.event == 6)
    }

    @Test(arguments: TestStore.available)
    func editedDerivedConsent(store: TestStore) throws {
        let problem = try tampered(on: store, "UPDATE consents SET state = 'active' WHERE state = 'withdrawn'")
        #expect(problem?.table == "consents")
    }

    @Test(arguments: TestStore.available)
    func deletedDerivedConsent(store: TestStore) throws {
        let problem = try tampered(on: store, "DELETE FROM consents WHERE state = 'withdrawn'")
        #expect(problem?.table == "consents")
    }

    @Test(arguments: TestStore.available)
    func insertedDerivedConsent(store: TestStore) throws {
        let problem = try tampered(on: store, """
            INSERT INTO consents SELECT 'C-2345-6789', person_id, version, NULL, NULL, 'active', channels, purposes, event,
              form_version, method, recorded_by, given_at, expires_at, guardian_relationship, signature_sha256, sealed,
              recorded_seq, recorded_at, NULL, NULL, NULL, NULL, NULL, NULL FROM consents LIMIT 1
            """)
        #expect(problem?.table == "consents")
    }

    @Test(arguments: TestStore.available)
    func editedPersonFlag(store: TestStore) throws {
        let problem = try tampered(on: store, "UPDATE people SET service_user = 1")
        #expect(problem?.table == "people")
    }

    @Test(arguments: TestStore.available)
    func deletedPersonKey(store: TestStore) throws {
        let problem = try tampered(on: store) { temporary in
            if let folder = temporary.ledger.personKeysFolder {
                // A PostgreSQL ledger's keys are files beside its key (see `PersonKeys`).
                let first = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).sorted().first)
                try FileManager.default.removeItem(atPath: folder + "/" + first)
            } else {
                try temporary.tamper("DELETE FROM person_keys WHERE person_id IN (SELECT person_id FROM person_keys LIMIT 1)")
            }
        }
        #expect(problem?.table == "person_keys")
    }

    @Test(arguments: TestStore.available)
    func insertedNameIndexEntry(store: TestStore) throws {
        let problem = try tampered(on: store, "INSERT INTO name_index SELECT randomblob(32), json_array(id), randomblob(32) FROM people LIMIT 1",
                                   postgresql: "INSERT INTO name_index SELECT decode(repeat('5a', 32), 'hex'), json_build_array(id)::text, decode(repeat('5a', 32), 'hex') FROM people LIMIT 1")
        #expect(problem?.table == "name_index")
    }
}
