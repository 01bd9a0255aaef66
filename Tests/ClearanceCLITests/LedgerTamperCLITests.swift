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

    @Test(arguments: [
        ("edited payload", "UPDATE events SET payload = CAST(replace(CAST(payload AS TEXT), 'facebook', 'instagram') AS BLOB) WHERE seq = 3", "event 3:"),
        ("edited kind", "UPDATE events SET kind = 'consent.recorded' WHERE seq = 5", "event 5:"),
        ("deleted event", "DELETE FROM events WHERE seq = 4", "event 4:"),
        ("inserted event", "INSERT INTO events SELECT 7, kind, person_id, consent_ref, created_at + 1, payload, hash, randomblob(32), signature, mac FROM events WHERE seq = 6", "event 7:"),
        ("reordered events", "UPDATE events SET seq = -seq WHERE seq IN (2, 3); UPDATE events SET seq = 3 WHERE seq = -2; UPDATE events SET seq = 2 WHERE seq = -3", "event 2:"),
        ("forged signature", "UPDATE events SET signature = randomblob(64) WHERE seq = 4", "event 4:"),
        ("forged MAC", "UPDATE events SET mac = randomblob(32) WHERE seq = 4", "event 4:"),
        ("edited derived consent", "UPDATE consents SET channels = 'facebook,instagram,website' WHERE version = 2", "consents:"),
        ("deleted derived consent", "DELETE FROM consents WHERE state = 'withdrawn'", "consents:"),
        ("revived withdrawn consent", "UPDATE consents SET state = 'active', withdrawn_at = NULL WHERE state = 'withdrawn'", "consents:"),
        ("inserted derived person", "INSERT INTO people SELECT 'P-2222-2222', sealed, 0, 0, 0, added_seq, added_at, NULL, NULL FROM people LIMIT 1", "people:"),
        ("edited person flag", "UPDATE people SET service_user = 1", "people:"),
        ("swapped public key", "UPDATE instance SET public_key = randomblob(32)", "instance:"),
    ])
    func tamperingIsCaught(label: String, sql: String, named: String) throws {
        let result = try verifyAfter(sql)
        #expect(result.status == 1, "\(label): exit \(result.status) \(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("TAMPERED: \(named)"), "\(label): \(result.stdout)")
    }

    @Test func jsonNamesTheFirstBadEvent() throws {
        let fixture = try populatedLedger()
        try fixture.tamper("UPDATE events SET created_at = created_at - 86400000 WHERE seq = 2")
        let result = try fixture.run(["verify", "--json"])
        #expect(result.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(report?["intact"] as? Bool == false)
        #expect(report?["badEvent"] as? Int == 2)
    }
}
