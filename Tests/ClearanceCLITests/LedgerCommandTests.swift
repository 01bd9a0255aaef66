import Foundation
import Testing

@Suite(.serialized) struct LedgerCommandTests {
    @Test func initCreatesAPrivateKeyAndRefusesToOverwrite() throws {
        let fixture = try LedgerCLIFixture()
        let keyPath = fixture.databasePath + ".key"
        let mode = try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        let key = try Data(contentsOf: URL(fileURLWithPath: keyPath))
        let again = try fixture.run(["init"])
        #expect(again.status == 2)
        #expect(again.stderr.contains("refusing to overwrite"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: keyPath)) == key)

        // A key file alone also blocks init.
        try FileManager.default.removeItem(atPath: fixture.databasePath)
        #expect(try fixture.run(["init"]).status == 2)
    }

    @Test func peopleAreFoundByNameWhateverTheCaseAndAccents() throws {
        let fixture = try LedgerCLIFixture()
        let first = try fixture.succeed(["person", "add", "--name", "Siobhán Ó Briain", "--alias", "Shiv", "--staff"])
        let second = try fixture.succeed(["person", "add", "--name", "SIOBHAN O BRIAIN", "--elected-member"])
        #expect(first != second)
        let people = try #require(try fixture.json(["person", "show", "siobhan o briain"]) as? [[String: Any]])
        #expect(Set(people.compactMap { $0["id"] as? String }) == [first, second])
        let byAlias = try #require(try fixture.json(["person", "show", "shiv"]) as? [[String: Any]])
        #expect(byAlias.first?["name"] as? String == "Siobhán Ó Briain")
        #expect(byAlias.first?["roles"] as? [String] == ["staff"])

        // A shared name cannot pick a person for a consent.
        let ambiguous = try fixture.run(["consent", "record", "--person", "Siobhan O Briain", "--channels", "website"])
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stderr.contains(first) && ambiguous.stderr.contains(second))
    }

    @Test func consentsAreRecordedVersionedWithdrawnAndListed() throws {
        let fixture = try LedgerCLIFixture()
        let person = try fixture.succeed(["person", "add", "--name", "Amira Haddad"])
        let first = try fixture.succeed(["consent", "record", "--person", person, "--channels", "social,website",
                                         "--event", "Summer fair", "--form-version", "v2", "--method", "tablet",
                                         "--by", "Officer Jones", "--given", "2025-06-01"])
        #expect(isConsentReference(first))
        let consent = try #require(try fixture.json(["consent", "list", "--person", person]) as? [[String: Any]]).first
        #expect(consent?["expiresAt"] as? String == "2028-06-01")
        #expect((consent?["channels"] as? [String])?.contains("instagram") == true)
        #expect((consent?["channels"] as? [String])?.contains("print") == false)

        let second = try fixture.succeed(["consent", "record", "--person", "amira haddad", "--channels", "print",
                                          "--supersedes", first, "--given", "2025-07-01"])
        let history = try #require(try fixture.json(["consent", "list", "--person", person]) as? [[String: Any]])
        #expect(history.map { $0["state"] as? String } == ["superseded", "active"])
        #expect(history.last?["version"] as? Int == 2)
        #expect(history.last?["supersedes"] as? String == first)

        // Only the current version can be withdrawn; then it stays, marked withdrawn.
        #expect(try fixture.run(["consent", "withdraw", first]).status == 2)
        try fixture.succeed(["consent", "withdraw", second.lowercased(), "--received-via", "email", "--by", "DPO"])
        let withdrawn = try #require(try fixture.json(["consent", "list"]) as? [[String: Any]]).last
        #expect(withdrawn?["state"] as? String == "withdrawn")
        let withdrawal = withdrawn?["withdrawal"] as? [String: Any]
        #expect(withdrawal?["receivedVia"] as? String == "email")
        #expect(withdrawal?["recordedBy"] as? String == "DPO")
        let twice = try fixture.run(["consent", "withdraw", second])
        #expect(twice.status == 2)
        #expect(twice.stderr.contains("already withdrawn"))

        let shown = try fixture.succeed(["person", "show", person])
        #expect(shown.contains(first) && shown.contains(second) && shown.contains("withdrawn"))
        let verify = try fixture.run(["verify"])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("intact: 5 events, 1 people (0 erased), 2 consents"))
    }

    @Test func receiptSaysWhatWasAgreedAndHowToWithdraw() throws {
        let fixture = try LedgerCLIFixture()
        fixture.configurationPath = try fixture.write("config.json", """
            {"withdrawalContact": "dpo@council.example <Data Protection>", "defaultExpiryYears": 2}
            """)
        let person = try fixture.succeed(["person", "add", "--name", "Leo <b>Tanaka</b> & Co", "--born", "2016-02-29"])
        let reference = try fixture.succeed(["consent", "record", "--person", person, "--channels", "website,print",
                                             "--guardian", "Yuki Tanaka", "--relationship", "mother",
                                             "--given", "2025-03-01", "--event", "Face painting"])
        let receiptPath = fixture.directory.appendingPathComponent("receipt.html").path
        try fixture.succeed(["consent", "receipt", reference, "--to", receiptPath])
        let html = try String(contentsOfFile: receiptPath, encoding: .utf8)
        #expect(html.contains(reference))
        #expect(html.contains("Leo &lt;b&gt;Tanaka&lt;/b&gt; &amp; Co"))
        #expect(!html.contains("<b>Tanaka"))
        #expect(html.contains("dpo@council.example &lt;Data Protection&gt;"))
        #expect(html.contains("website, print") || html.contains("print, website"))
        #expect(html.contains("2027-03-01"))
        #expect(html.contains("Yuki Tanaka (mother)"))
        #expect(html.contains("How to withdraw"))
        #expect(try fixture.run(["consent", "receipt", "C-2222-2222"]).status == 2)
    }

    @Test func configurationChangesChannelsAndAgeOfConsent() throws {
        let fixture = try LedgerCLIFixture()
        fixture.configurationPath = try fixture.write("config.json", """
            {"channels": ["website", "mastodon", "bluesky"], "social": ["mastodon", "bluesky"], "ageOfConsent": 16}
            """)
        let teen = try fixture.succeed(["person", "add", "--name", "Sam Teen", "--born", "2010-01-01"])
        let refused = try fixture.run(["consent", "record", "--person", teen, "--channels", "social", "--given", "2025-01-01"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("under the age of consent (16)"))
        let reference = try fixture.succeed(["consent", "record", "--person", teen, "--channels", "social",
                                             "--given", "2025-01-01", "--guardian", "Pat Teen", "--relationship", "father"])
        let consent = try #require(try fixture.json(["consent", "list"]) as? [[String: Any]]).first
        #expect(consent?["reference"] as? String == reference)
        #expect(consent?["channels"] as? [String] == ["bluesky", "mastodon"])
        #expect(try fixture.run(["consent", "record", "--person", teen, "--channels", "facebook"]).status == 2)

        fixture.configurationPath = try fixture.write("bad.json", #"{"ageOfConsent": "thirteen"}"#)
        let bad = try fixture.run(["person", "list"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("bad.json"))
    }
}
