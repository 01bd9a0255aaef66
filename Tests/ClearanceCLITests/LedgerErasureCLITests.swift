import Foundation
import GRDB
import Testing

/// `clearance erase`: no personal data left in the file or its WAL, while the chain still
/// verifies and the ledger still shows the consents existed and when they were erased.
@Suite(.serialized) struct LedgerErasureCLITests {
    @Test func erasedPersonalDataCannotBeFoundInTheFile() throws {
        let fixture = try LedgerCLIFixture()
        // Distinctive values, so a chance match in ciphertext is out of the question.
        let secrets = ["Philippa Quenby-Marchetti", "Pippa the Fundraiser", "philippa.quenby@example.org",
                       "+44 7700 900461", "2011-09-23", "Rosalind Quenby-Marchetti", "Wilhelmina Witnesson",
                       "moved to Aberystwyth"]
        var signature = Data("SIGNATURE-STROKES-".utf8)
        signature.append(Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }))
        let signaturePath = fixture.directory.appendingPathComponent("signature.png").path
        try signature.write(to: URL(fileURLWithPath: signaturePath))

        let person = try fixture.succeed(["person", "add", "--name", secrets[0], "--alias", secrets[1],
                                          "--email", secrets[2], "--phone", secrets[3], "--born", secrets[4]])
        let other = try fixture.succeed(["person", "add", "--name", "Kept Person"])
        let first = try fixture.succeed(["consent", "record", "--person", person, "--channels", "website",
                                         "--guardian", secrets[5], "--relationship", "mother",
                                         "--signature", signaturePath, "--given", "2024-05-01"])
        let second = try fixture.succeed(["consent", "record", "--person", person, "--channels", "print",
                                          "--guardian", secrets[5], "--relationship", "mother",
                                          "--method", "verbal", "--witness", secrets[6], "--given", "2024-06-01"])
        try fixture.succeed(["consent", "withdraw", second, "--note", secrets[7]])
        try fixture.succeed(["consent", "record", "--person", other, "--channels", "website"])

        // Before erasure the data is there (readable through Clearance) and the key is in the file.
        let shown = try fixture.succeed(["person", "show", secrets[1]])
        #expect(shown.contains(secrets[0]) && shown.contains(secrets[2]))
        let key = try personKey(fixture, person)
        #expect(try fixture.rawBytes().range(of: key) != nil)

        let erased = try fixture.run(["erase", person])
        #expect(erased.status == 0, "\(erased.stderr)")

        let raw = try fixture.rawBytes()
        for secret in secrets {
            #expect(raw.range(of: Data(secret.utf8)) == nil, "found \(secret)")
            #expect(raw.range(of: Data(secret.lowercased().utf8)) == nil, "found \(secret) folded")
        }
        #expect(raw.range(of: signature.prefix(64)) == nil)
        #expect(raw.range(of: key) == nil, "the erased key is still in the file")
        #expect(try personKeyOrNil(fixture, person) == nil)

        // The chain still verifies; the consents are still there, marked erased, with when.
        let verify = try fixture.run(["verify"])
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(verify.stdout.contains("1 erased"))
        let consents = try #require(try fixture.json(["consent", "list", "--person", person]) as? [[String: Any]])
        #expect(consents.compactMap { $0["reference"] as? String } == [first, second])
        #expect(consents.allSatisfy { $0["state"] as? String == "erased" && $0["erasedAt"] is String })
        #expect(consents.last?["withdrawal"] is [String: Any])
        #expect(consents.allSatisfy { ($0["guardian"] as? [String: Any])?["name"] == nil })
        let people = try #require(try fixture.json(["person", "show", person]) as? [[String: Any]])
        #expect(people.first?["name"] == nil && people.first?["erasedAt"] is String)

        // Name lookups no longer find them; the other person is untouched.
        #expect(try fixture.run(["person", "show", secrets[0]]).status == 2)
        #expect(try fixture.succeed(["person", "show", "kept person"]).contains(other))
        #expect(try fixture.run(["erase", person]).status == 2)
        #expect(try fixture.run(["consent", "record", "--person", person, "--channels", "website"]).status == 2)
    }

    private func personKeyOrNil(_ fixture: LedgerCLIFixture, _ person: String) throws -> Data? {
        let queue = try DatabaseQueue(path: fixture.databasePath)
        return try queue.read { db in
            try Data.fetchOne(db, sql: "SELECT key FROM person_keys WHERE person_id = ?", arguments: [person])
        }
    }

    private func personKey(_ fixture: LedgerCLIFixture, _ person: String) throws -> Data {
        guard let key = try personKeyOrNil(fixture, person) else { throw LedgerCLIFixture.FixtureError("no key") }
        return key
    }
}
