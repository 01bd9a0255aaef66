import Foundation
import Testing

/// `clearance verify` against a file edited with plain SQL: exit 1 and the first bad event or
/// table named; exit 0 before the edit.
@Suite(.serialized) struct LedgerTamperCLITests {
    /// Two people, three consents (one superseded), one withdrawal: 6 events.
    private func populatedLedger() throws -> LedgerCLIFixture {
        let fixture = try LedgerCLIFixture()
        let amira = try fixture.succeed(["person", "add", "--name", "Amira Haddad", "--email", "amira@example.org"])
        let leo = try fixture.succeed(["person", "add", "--name", "Leo Tanaka"])
        let first = try fixture.succeed(["consent", "record", "--person", amira, "--channels", "facebook,website"])
        let second = try fixture.succeed(["consent", "record", "--person", leo, "--channels", "website"])
        try fixture.succeed(["consent", "withdraw", second])
        try fixture.succeed(["consent", "record", "--person", amira, "--channels", "print", "--supersedes", first])
        #expect(try fixture.run(["verify"]).status == 0)
        return fixture
    }

    private func verifyAfter(_ sql: String) throws -> CLIRunner.Result {
        let fixture = try populatedLedger()
        try fixture.tamper(sql)
        return try fixture.run(["verify"])
    }

    /// Event 1 is `ledger.created`; the six events above are 2 to 7.
    @Test(arguments: [
        ("edited payload", "UPDATE events SET payload = CAST(replace(CAST(payload AS TEXT), 'facebook', 'instagram') AS BLOB) WHERE seq = 4", "event 4:"),
        ("edited kind", "UPDATE events SET kind = 'consent.recorded' WHERE seq = 6", "event 6:"),
        ("deleted event", "DELETE FROM events WHERE seq = 5", "event 5:"),
        ("inserted event", "INSERT INTO events SELECT 8, kind, person_id, consent_ref, asset, created_at + 1, payload, hash, randomblob(32), signature, mac FROM events WHERE seq = 7", "event 8:"),
        ("reordered events", "UPDATE events SET seq = -seq WHERE seq IN (3, 4); UPDATE events SET seq = 4 WHERE seq = -3; UPDATE events SET seq = 3 WHERE seq = -4", "event 3:"),
        ("forged signature", "UPDATE events SET signature = randomblob(64) WHERE seq = 5", "event 5:"),
        ("forged MAC", "UPDATE events SET mac = randomblob(32) WHERE seq = 5", "event 5:"),
        ("removed MAC", "UPDATE events SET mac = NULL WHERE seq = 5", "event 5:"),
        ("payload stored as text with a NUL and more after it", "UPDATE events SET payload = CAST(payload AS TEXT) || x'00' || 'x' WHERE seq = 4", "REFUSED"),
        ("kind with a NUL and more after it", "UPDATE events SET kind = kind || x'00' || 'x' WHERE seq = 4", "event 4:"),
        ("edited instance creation time", "UPDATE instance SET created_at = created_at + 1", "instance:"),
        ("edited derived consent", "UPDATE consents SET channels = 'facebook,instagram,website' WHERE version = 2", "consents row"),
        ("deleted derived consent", "DELETE FROM consents WHERE state = 'withdrawn'", "consents row"),
        ("revived withdrawn consent", "UPDATE consents SET state = 'active', withdrawn_at = NULL WHERE state = 'withdrawn'", "consents row"),
        ("consent text with a NUL and more after it", "UPDATE consents SET recorded_by = recorded_by || x'00' || 'x'", "consents row"),
        ("inserted derived person", "INSERT INTO people SELECT 'P-2222-2222', sealed, 0, 0, 0, added_seq, added_at, NULL, NULL FROM people LIMIT 1", "people row"),
        ("edited person flag", "UPDATE people SET service_user = 1", "people row"),
        ("swapped public key", "UPDATE instance SET public_key = randomblob(32)", "instance:"),
        ("a table added by hand", "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('x')", "notes:"),
        ("a trigger added by hand", "CREATE TRIGGER t AFTER INSERT ON events BEGIN SELECT 1; END", "t:"),
    ])
    func tamperingIsCaught(label: String, sql: String, named: String) throws {
        guard named != "REFUSED" else {
            // The column only takes a BLOB: the edit cannot even be stored.
            let fixture = try populatedLedger()
            #expect(throws: (any Error).self, "\(label)") { try fixture.tamper(sql) }
            #expect(try fixture.run(["verify"]).status == 0)
            return
        }
        let result = try verifyAfter(sql)
        #expect(result.status == 1, "\(label): exit \(result.status) \(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("TAMPERED: \(named)"), "\(label): \(result.stdout)")
    }

    @Test func jsonNamesTheFirstBadEvent() throws {
        let fixture = try populatedLedger()
        try fixture.tamper("UPDATE events SET created_at = created_at - 86400000 WHERE seq = 3")
        let result = try fixture.run(["verify", "--json"])
        #expect(result.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(report?["intact"] as? Bool == false)
        #expect(report?["badEvent"] as? Int == 3)
        let problems = report?["problems"] as? [[String: Any]]
        #expect(problems?.first?["event"] as? Int == 3)
    }
}
