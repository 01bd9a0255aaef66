import Foundation
import Testing

/// The DPO's reports over the summer fair plus cases seeded for each report; each report must
/// find exactly those cases, in every output format.
@Suite(.serialized) struct ReportCommandTests {
    /// `YYYY-MM-DD` of today (UTC) moved by years and days.
    static func date(years: Int = 0, days: Int = 0) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let moved = calendar.date(byAdding: DateComponents(year: years, day: days), to: Date())!
        let c = calendar.dateComponents([.year, .month, .day], from: moved)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    func rows(_ fair: FairLedger, _ arguments: [String]) throws -> [[String: Any]] {
        let object = try fair.json(["report"] + arguments) as? [String: Any]
        return object?["rows"] as? [[String: Any]] ?? []
    }

    @Test func expiringFindsTheConsentsInTheWindowWithTheirAssetsAndPublications() throws {
        let fair = try FairLedger()
        let amira = try fair.person("Amira Khan")
        // Amira's consent is renewed as a version that expires in ten days; a photo of her goes out under it.
        let renewed = try fair.run(["consent", "record", "--person", amira, "--channels", "social,website",
                                    "--supersedes", try fair.activeConsent(of: amira), "--expires", Self.date(days: 10)])
        #expect(renewed.status == 0, "\(renewed.stderr)")
        let reference = renewed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try fair.export(["amira-stage.jpg"], channel: "facebook")
        // Someone else's consent expires in 45 days: outside the default 30-day window.
        let nadia = try fair.run(["person", "add", "--name", "Nadia Rahman"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let late = try fair.run(["consent", "record", "--person", nadia, "--channels", "website", "--expires", Self.date(days: 45)])
        #expect(late.status == 0, "\(late.stderr)")

        let within30 = try rows(fair, ["expiring"])
        #expect(within30.count == 1, "\(within30)")
        let row = try #require(within30.first)
        #expect(row["consent"] as? String == reference)
        #expect(row["person"] as? String == amira)
        #expect(row["name"] as? String == "Amira Khan")
        #expect(row["expires"] as? String == Self.date(days: 10))
        #expect(row["assets"] as? Int == 5, "amira-stage, its crop, bake-off, amira-and-leo, stage-clip")
        #expect(row["publications"] as? Int == 1)

        let within60 = try rows(fair, ["expiring", "--within", "60"])
        #expect(Set(within60.compactMap { $0["person"] as? String }) == [amira, nadia])

        // The seeded 2026 fair consents all expire on 2029-07-04 (Tom's was withdrawn, Amira's superseded).
        let fair2029 = try rows(fair, ["expiring", "--at", "2029-06-10"])
        #expect(Set(fair2029.compactMap { $0["name"] as? String }) == ["Leo Martins", "David Hart", "Sam Taylor"])

        let csv = try fair.run(["report", "expiring", "--within", "60", "--csv"])
        #expect(csv.status == 0)
        let lines = csv.stdout.split(separator: "\r\n")
        #expect(lines.first == "consent,person,name,expires,channels,assets,publications")
        #expect(lines.count == 3)
        let table = try fair.run(["report", "expiring"])
        #expect(table.stdout.contains(reference) && table.stdout.contains("Amira Khan"))
    }

    @Test func agesFindsChildrenWhoseGuardianConsentEndsSoon() throws {
        let fair = try FairLedger()
        func child(_ name: String, born: String) throws -> String {
            let id = try fair.run(["person", "add", "--name", name, "--born", born]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let consent = try fair.run(["consent", "record", "--person", id, "--channels", "website", "--guardian", "Pat Parent",
                                        "--relationship", "father", "--expires", Self.date(years: 2)])
            #expect(consent.status == 0, "\(name): \(consent.stderr)")
            return id
        }
        let mia = try child("Mia Novak", born: Self.date(years: -13, days: 10))     // 13 in ten days
        let noah = try child("Noah Berg", born: Self.date(years: -18, days: 20))   // 18 in twenty days
        _ = try child("Ava Lund", born: Self.date(years: -13, days: 200))          // 13, but not this quarter
        // A child whose own consent (not a guardian's) is recorded: nothing to replace.
        let ella = try fair.run(["person", "add", "--name", "Ella Stone", "--born", Self.date(years: -18, days: 5)])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try fair.run(["consent", "record", "--person", ella, "--channels", "website"]).status == 0)

        let found = try rows(fair, ["ages"])
        #expect(found.count == 2, "\(found)")
        #expect(found.first?["person"] as? String == mia)
        #expect(found.first?["age"] as? Int == 13)
        #expect(found.first?["on"] as? String == Self.date(days: 10))
        #expect(found.last?["person"] as? String == noah)
        #expect(found.last?["age"] as? Int == 18)
        #expect(found.last?["milestone"] as? String == "adulthood")
        #expect((found.last?["guardianConsents"] as? [String])?.count == 1)
        #expect(try rows(fair, ["ages", "--within", "365"]).count == 3)
    }

    @Test func blockedCountsEveryReasonOfTheFair() throws {
        let fair = try FairLedger()
        let report = try fair.json(["report", "blocked", "--channel", "facebook"]) as? [String: Any]
        let counts = report?["counts"] as? [String: Int]
        // The crowd and the crop of Amira's portrait (whose face nothing in it names) wait for a reviewer.
        #expect(counts == ["channel-not-covered": 2, "unidentified-person": 2, "consent-expired": 1, "service-user": 1,
                           "ambiguous-person": 1, "consent-withdrawn": 1, "unknown-person": 1])
        let files = Set((report?["rows"] as? [[String: Any]] ?? []).compactMap { $0["file"] as? String })
        #expect(files == ["amira-and-leo.jpg", "leo-face-painting.jpg", "crowd.jpg", "grace-choir.jpg", "joan-garden.jpg",
                          "sam-tombola.jpg", "tom-raffle.jpg", "visitor.jpg", "amira-stage-crop.jpg"])
        // Every configured channel: print is where Leo is covered and Amira is not.
        let all = try fair.json(["report", "blocked"]) as? [String: Any]
        let printRows = (all?["rows"] as? [[String: Any]] ?? []).filter { $0["channel"] as? String == "print" }
        #expect(printRows.contains { $0["file"] as? String == "amira-stage.jpg" })
        #expect(!printRows.contains { $0["file"] as? String == "leo-face-painting.jpg" })
        let table = try fair.run(["report", "blocked", "--channel", "facebook"])
        #expect(table.stdout.contains("service-user") && table.stdout.contains("9 of 14"))
    }

    @Test func retentionFindsWhatIsPastThePeriod() throws {
        let fair = try FairLedger()
        // Grace's consent expired on 2025-07-01: kept three years, until 2028-07-01.
        #expect(try rows(fair, ["retention", "--at", "2028-07-01"]).isEmpty)
        let past = try rows(fair, ["retention", "--at", "2028-07-02"])
        let grace = try fair.person("Grace Obi")
        #expect(past.count == 2)
        #expect(Set(past.compactMap { $0["kind"] as? String }) == ["consent", "person"])
        #expect(past.allSatisfy { $0["person"] as? String == grace && $0["keepUntil"] as? String == "2028-07-01" })
        // Tom withdrew today; in three years and a day his record is due too, and people who never consented.
        let later = try rows(fair, ["retention", "--at", Self.date(years: 3, days: 1)])
        let names = Set(later.filter { $0["kind"] as? String == "person" }.compactMap { $0["name"] as? String })
        #expect(names == ["Grace Obi", "Tom Reed", "Joan Price", "Sam Taylor"], "\(names)")

        let shorter = try FairLedger(config: #"{"retentionYears": 1}"#)
        #expect(try rows(shorter, ["retention", "--at", "2026-07-02"]).count == 2)
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        let fair = try FairLedger()
        for arguments in [
            ["report", "expiring", "--within", "-1"],
            ["report", "expiring", "--at", "2026-02-30"],
            ["report", "blocked", "--channel", "myspace"],
            ["report", "ages", "--json", "--csv"],
            ["report", "nonsense"],
        ] {
            let result = try fair.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stdout) \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }
}
