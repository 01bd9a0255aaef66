import ClearanceCore
import Foundation
import GRDB
import Testing
@testable import Ledger

/// Each kind of tampering, done with plain SQL on the file, must make `verify` fail and name
/// where.
@Suite struct LedgerTamperTests {
    private func tampered(_ sql: String, arguments: StatementArguments = []) throws -> LedgerVerification.Problem? {
        let temporary = try TemporaryLedger()
        _ = try temporary.populate()
        #expect(try temporary.ledger.verify().problem == nil)
        try temporary.tamper(sql, arguments: arguments)
        let reopened = try Ledger.open(at: temporary.path, forWriting: false)
        return try reopened.verify().problem
    }

    @Test func editedPayload() throws {
        let problem = try tampered("UPDATE events SET payload = CAST(replace(CAST(payload AS TEXT), 'facebook', 'tiktok') AS BLOB) WHERE seq = 4")
        #expect(problem?.event == 4)
    }

    @Test func editedTimestamp() throws {
        let problem = try tampered("UPDATE events SET created_at = created_at + 1 WHERE seq = 5")
        #expect(problem?.event == 5)
    }

    @Test func deletedEvent() throws {
        let problem = try tampered("DELETE FROM events WHERE seq = 3")
        #expect(problem?.event == 3)
    }

    @Test func deletedLastEventIsCaughtByTheDerivedTables() throws {
        let problem = try tampered("DELETE FROM events WHERE seq = 7")
        #expect(problem?.table == "consents")
    }

    @Test func insertedEvent() throws {
        let problem = try tampered("""
            INSERT INTO events (seq, kind, person_id, consent_ref, created_at, payload, prev_hash, hash, signature)
            SELECT 8, kind, person_id, consent_ref, created_at, payload, hash, randomblob(32), signature FROM events WHERE seq = 7
            """)
        #expect(problem?.event == 8)
    }

    @Test func reorderedEvents() throws {
        let problem = try tampered("""
            UPDATE events SET seq = CASE seq WHEN 4 THEN -5 WHEN 5 THEN -4 END WHERE seq IN (4, 5);
            UPDATE events SET seq = -seq WHERE seq < 0;
            """)
        #expect(problem?.event == 4)
    }

    @Test func forgedSignature() throws {
        let problem = try tampered("UPDATE events SET signature = randomblob(64) WHERE seq = 6")
        #expect(problem?.event == 6)
    }

    @Test func editedDerivedConsent() throws {
        let problem = try tampered("UPDATE consents SET state = 'active' WHERE state = 'withdrawn'")
        #expect(problem?.table == "consents")
    }

    @Test func deletedDerivedConsent() throws {
        let problem = try tampered("DELETE FROM consents WHERE state = 'withdrawn'")
        #expect(problem?.table == "consents")
    }

    @Test func insertedDerivedConsent() throws {
        let problem = try tampered("""
            INSERT INTO consents SELECT 'C-2345-6789', person_id, version, NULL, NULL, 'active', channels, purposes, event,
              form_version, method, recorded_by, given_at, expires_at, guardian_relationship, signature_sha256, sealed,
              recorded_seq, recorded_at, NULL, NULL, NULL, NULL, NULL, NULL FROM consents LIMIT 1
            """)
        #expect(problem?.table == "consents")
    }

    @Test func editedPersonFlag() throws {
        let problem = try tampered("UPDATE people SET service_user = 1")
        #expect(problem?.table == "people")
    }

    @Test func deletedPersonKey() throws {
        let problem = try tampered("DELETE FROM person_keys WHERE person_id IN (SELECT person_id FROM person_keys LIMIT 1)")
        #expect(problem?.table == "person_keys")
    }

    @Test func insertedNameIndexEntry() throws {
        let problem = try tampered("INSERT INTO name_index SELECT randomblob(32), json_array(id), randomblob(32) FROM people LIMIT 1")
        #expect(problem?.table == "name_index")
    }
}
