import Foundation
import Testing

/// Every kind of bad input: exit 2, one line on stderr, and nothing written.
@Suite(.serialized) struct LedgerBadInputTests {
    @Test func badInputIsRefusedAndWritesNothing() throws {
        let fixture = try LedgerCLIFixture()
        let adult = try fixture.succeed(["person", "add", "--name", "Grace Adeyemi", "--born", "1970-04-02"])
        let child = try fixture.succeed(["person", "add", "--name", "Tom Child", "--born", "2019-08-15"])
        let reference = try fixture.succeed(["consent", "record", "--person", adult, "--channels", "website"])
        try fixture.succeed(["consent", "withdraw", reference])
        let signature = try fixture.write("signature.png", "not really a png")
        let before = try fixture.eventCount()
        let bytesBefore = try fixture.rawBytes()

        let cases: [(String, [String])] = [
            ("impossible date", ["consent", "record", "--person", adult, "--channels", "website", "--given", "2025-02-29"]),
            ("malformed date", ["consent", "record", "--person", adult, "--channels", "website", "--given", "1/2/2025"]),
            ("malformed expiry", ["consent", "record", "--person", adult, "--channels", "website", "--expires", "2030-13-01"]),
            ("expiry before given", ["consent", "record", "--person", adult, "--channels", "website",
                                     "--given", "2025-05-01", "--expires", "2025-04-30"]),
            ("unknown channel", ["consent", "record", "--person", adult, "--channels", "website,myspace"]),
            ("empty channels", ["consent", "record", "--person", adult, "--channels", ","]),
            ("unknown person id", ["consent", "record", "--person", "P-2345-678A", "--channels", "website"]),
            ("unknown person name", ["consent", "record", "--person", "Nobody Known", "--channels", "website"]),
            ("child without guardian", ["consent", "record", "--person", child, "--channels", "website", "--given", "2025-01-01"]),
            ("guardian without relationship", ["consent", "record", "--person", child, "--channels", "website",
                                               "--guardian", "Ann Child"]),
            ("verbal without witness", ["consent", "record", "--person", adult, "--channels", "website", "--method", "verbal"]),
            ("unknown method", ["consent", "record", "--person", adult, "--channels", "website", "--method", "telepathy"]),
            // One Character carrying 2,000 combining marks is 2,001 scalars: over the 1,000 allowed.
            ("overlong event in one Character", ["consent", "record", "--person", adult, "--channels", "website",
                                                 "--event", "e" + String(repeating: "\u{301}", count: 2000)]),
            ("missing signature file", ["consent", "record", "--person", adult, "--channels", "website",
                                        "--signature", signature + ".missing"]),
            ("supersede unknown", ["consent", "record", "--person", adult, "--channels", "website", "--supersedes", "C-ZZZZ-ZZZZ"]),
            ("supersede withdrawn", ["consent", "record", "--person", adult, "--channels", "website", "--supersedes", reference]),
            ("missing channels", ["consent", "record", "--person", adult]),
            ("malformed reference", ["consent", "withdraw", "C-OOOO-1111"]),
            ("unknown reference", ["consent", "withdraw", "C-2222-2222"]),
            ("withdraw twice", ["consent", "withdraw", reference]),
            ("person without name", ["person", "add", "--name", "   "]),
            ("born in the future", ["person", "add", "--name", "Future Kid", "--born", "2999-01-01"]),
            ("bad birth date", ["person", "add", "--name", "Bad Date", "--born", "1990-02-30"]),
            ("bad email", ["person", "add", "--name", "Bad Mail", "--email", "not-an-address"]),
            ("erase unknown", ["erase", "P-2345-678A"]),
        ]
        for (label, arguments) in cases {
            let result = try fixture.run(arguments)
            #expect(result.status == 2, "\(label): exit \(result.status)")
            let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
            #expect(lines.count == 1, "\(label): stderr was \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(label): printed \(result.stdout)")
            #expect(!result.crashed, "\(label) crashed")
        }
        #expect(try fixture.eventCount() == before)
        #expect(try fixture.rawBytes() == bytesBefore)
        #expect(try fixture.run(["verify"]).status == 0)
    }

    @Test func commandsNeedAnInitialisedLedger() throws {
        let fixture = try LedgerCLIFixture(initialise: false)
        let result = try fixture.run(["person", "list"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("clearance init"))
        #expect(!FileManager.default.fileExists(atPath: fixture.databasePath))
    }
}
