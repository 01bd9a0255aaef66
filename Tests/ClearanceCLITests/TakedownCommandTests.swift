import Foundation
import Testing

/// The summer fair loaded into a fresh ledger by `samples/load.sh`, for the DPO's commands.
struct FairLedger {
    let dir: URL
    let db: String
    let config: String

    init(config configJSON: String? = nil) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-dpo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        db = dir.appendingPathComponent("fair.db").path
        let samplesConfig = CLIRunner.packageRoot.appendingPathComponent("samples/config.json").path
        if let configJSON {
            config = dir.appendingPathComponent("config.json").path
            try Data(configJSON.utf8).write(to: URL(fileURLWithPath: config))
        } else {
            config = samplesConfig
        }
        try CLIRunner.loadSamples(into: db)
    }

    func photo(_ name: String) -> String { CLIRunner.packageRoot.appendingPathComponent("samples/photos/\(name)").path }

    func run(_ arguments: [String]) throws -> CLIRunner.Result {
        try CLIRunner.run(arguments + ["--db", db, "--config", config])
    }

    func json(_ arguments: [String]) throws -> Any {
        let result = try run(arguments + ["--json"])
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// The id of the registered person called `name` (and born on `born`, when two share it).
    func person(_ name: String, born: String? = nil) throws -> String {
        let people = try json(["person", "list"]) as? [[String: Any]] ?? []
        let match = people.first { ($0["name"] as? String) == name && (born == nil || ($0["born"] as? String) == born) }
        return try #require(match?["id"] as? String, "no person \(name)")
    }

    /// The current consent reference of `person`.
    func activeConsent(of person: String) throws -> String {
        let consents = try json(["consent", "list", "--person", person]) as? [[String: Any]] ?? []
        return try #require(consents.last { ($0["state"] as? String) == "active" }?["reference"] as? String)
    }

    /// Exports through the real `clearance export`, into a new folder; returns the written files.
    func export(_ photos: [String], channel: String, postURL: String? = nil) throws -> [String] {
        let out = dir.appendingPathComponent("export-\(channel)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var arguments = ["export"] + photos.map(photo) + ["--channel", channel, "--to", out.path, "--by", "Editor Ben Cole"]
        if let postURL { arguments += ["--post-url", postURL] }
        let result = try run(arguments)
        #expect(result.status == 0, "export: \(result.stdout) \(result.stderr)")
        return try FileManager.default.contentsOfDirectory(atPath: out.path).sorted().map { out.appendingPathComponent($0).path }
    }

    static var today: String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: Date())
    }

    static func day(_ offset: Int) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: Date().addingTimeInterval(Double(offset) * 86_400))
    }
}

/// Withdrawal and erasure turn earlier exports into takedown items; the DPO closes them.
@Suite(.serialized) struct TakedownCommandTests {
    @Test func withdrawalNamesTheFacebookExportAsATakedown() throws {
        let fair = try FairLedger()
        let post = "https://facebook.com/riverside/posts/4711"
        let exported = try fair.export(["amira-stage.jpg"], channel: "facebook", postURL: post)
        #expect(exported.count == 1)
        // Exported to the website too, without a post address, and a photo she is not in.
        let website = try fair.export(["amira-stage.jpg", "empty-hall.jpg"], channel: "website")
        #expect(website.count == 2)

        let amira = try fair.person("Amira Khan")
        let reference = try fair.activeConsent(of: amira)
        let withdraw = try fair.run(["consent", "withdraw", reference, "--received-via", "email", "--by", "DPO Sam Okafor"])
        #expect(withdraw.status == 0, "\(withdraw.stderr)")
        #expect(withdraw.stdout.contains("received via email"))
        #expect(withdraw.stdout.contains(post) && withdraw.stdout.contains("facebook"), "\(withdraw.stdout)")
        // Her four photos and the clip (the crop through its original) are named as blocked.
        for name in ["amira-stage.jpg", "amira-stage-crop.jpg", "bake-off.jpg", "amira-and-leo.jpg", "stage-clip.mp4"] {
            #expect(withdraw.stdout.contains(name), "\(name) missing from \(withdraw.stdout)")
        }
        #expect(!withdraw.stdout.contains("empty-hall.jpg"))
        #expect(withdraw.stdout.contains("now blocked for every channel"))

        let items = try fair.json(["takedowns"]) as? [[String: Any]] ?? []
        #expect(items.count == 2, "facebook and website exports of amira-stage: \(items)")
        let facebook = try #require(items.first { ($0["publication"] as? [String: Any])?["channel"] as? String == "facebook" })
        let publication = facebook["publication"] as? [String: Any] ?? [:]
        #expect(publication["postURL"] as? String == post)
        #expect(publication["path"] as? String == exported[0])
        #expect(publication["exportedBy"] as? String == "Editor Ben Cole")
        #expect(facebook["status"] as? String == "open")
        #expect(facebook["kind"] as? String == "takedown")
        #expect(facebook["consent"] as? String == reference)
        #expect(facebook["person"] as? String == amira)
        #expect(facebook["dueOn"] as? String == FairLedger.day(30))
        let websiteItem = try #require(items.first { ($0["publication"] as? [String: Any])?["channel"] as? String == "website" })
        #expect((websiteItem["publication"] as? [String: Any])?["path"] as? String == website.first { $0.hasSuffix("amira-stage.jpg") })

        // The withdrawal itself is recorded with the way it arrived.
        let consent = (try fair.json(["consent", "list", "--person", amira]) as? [[String: Any]])?.last
        #expect((consent?["withdrawal"] as? [String: Any])?["receivedVia"] as? String == "email")

        // Closing one records who and when; the filters follow.
        let id = try #require(facebook["id"] as? String)
        let done = try fair.run(["takedown", "done", id, "--note", "Post removed from the council page", "--by", "DPO Sam Okafor"])
        #expect(done.status == 0, "\(done.stderr)")
        let closed = (try fair.json(["takedowns", "--done"]) as? [[String: Any]]) ?? []
        #expect(closed.count == 1)
        #expect(closed.first?["id"] as? String == id)
        #expect(closed.first?["doneBy"] as? String == "DPO Sam Okafor")
        #expect(closed.first?["note"] as? String == "Post removed from the council page")
        #expect((closed.first?["doneAt"] as? String)?.hasPrefix(FairLedger.today) == true)
        let open = (try fair.json(["takedowns", "--open"]) as? [[String: Any]]) ?? []
        #expect(open.map { $0["id"] as? String } == [websiteItem["id"] as? String])
        #expect(((try fair.json(["takedowns", "--overdue"]) as? [[String: Any]]) ?? []).isEmpty)
        // On day 31 the one still open is overdue; the one done is not.
        let late = (try fair.json(["takedowns", "--overdue", "--at", FairLedger.day(31)]) as? [[String: Any]]) ?? []
        #expect(late.map { $0["id"] as? String } == [websiteItem["id"] as? String])
        #expect(late.first?["status"] as? String == "overdue")
        #expect(((try fair.json(["takedowns", "--overdue", "--at", FairLedger.day(30)]) as? [[String: Any]]) ?? []).isEmpty)
        let again = try fair.run(["takedown", "done", id, "--note", "again"])
        #expect(again.status == 2 && again.stderr.contains("already done"))
        #expect(try fair.run(["verify"]).status == 0)
    }

    @Test func aWithdrawalThatBlocksNothingPublishedOpensNoTakedown() throws {
        let fair = try FairLedger()
        // Leo's photo went to the website under his mother's consent; Amira withdrawing does not touch Leo's own.
        _ = try fair.export(["leo-face-painting.jpg"], channel: "website")
        let amira = try fair.person("Amira Khan")
        let withdraw = try fair.run(["consent", "withdraw", try fair.activeConsent(of: amira), "--received-via", "letter"])
        #expect(withdraw.status == 0)
        #expect(withdraw.stdout.contains("no takedowns"))
        #expect(((try fair.json(["takedowns"]) as? [[String: Any]]) ?? []).isEmpty)
    }

    @Test func erasureListsPublicationsAndPrintCannotBeRecalled() throws {
        let fair = try FairLedger(config: """
            {"takedownDays": 7, "preElectionPeriods": [{"from": "2027-03-25", "to": "2027-05-06"}]}
            """)
        let printed = try fair.export(["cllr-hart-ribbon.jpg"], channel: "print")
        let posted = try fair.export(["cllr-hart-ribbon.jpg"], channel: "x", postURL: "https://x.com/riverside/status/1")
        let hart = try fair.person("David Hart")
        let erase = try fair.run(["erase", hart])
        #expect(erase.status == 0, "\(erase.stderr)")
        #expect(erase.stdout.contains("cllr-hart-ribbon.jpg"))
        #expect(erase.stdout.contains("cannot be recalled; do not reprint"), "\(erase.stdout)")

        let items = (try fair.json(["takedowns"]) as? [[String: Any]]) ?? []
        #expect(items.count == 2)
        let notice = try #require(items.first { $0["kind"] as? String == "do-not-reprint" })
        #expect((notice["publication"] as? [String: Any])?["path"] as? String == printed.first)
        #expect(notice["dueOn"] == nil || notice["dueOn"] is NSNull)
        let takedown = try #require(items.first { $0["kind"] as? String == "takedown" })
        #expect((takedown["publication"] as? [String: Any])?["path"] as? String == posted.first)
        #expect(takedown["cause"] as? String == "erasure")
        #expect(takedown["dueOn"] as? String == FairLedger.day(7))
        // Only the online one is open; a print notice cannot be "done".
        #expect(((try fair.json(["takedowns", "--open"]) as? [[String: Any]]) ?? []).count == 1)
        let recall = try fair.run(["takedown", "done", try #require(notice["id"] as? String), "--note", "pulped"])
        #expect(recall.status == 2 && recall.stderr.contains("cannot be recalled"))
        #expect(try fair.run(["verify"]).status == 0)
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        let fair = try FairLedger()
        for arguments in [
            ["takedown", "done", "T-99", "--note", "x"],
            ["takedown", "done", "T-zz", "--note", "x"],
            ["takedown", "done", "T-1"],
            ["takedowns", "--open", "--done"],
            ["takedowns", "--overdue", "--at", "2026-13-01"],
            ["takedown", "done", "T-1", "--note", "bad\u{7}bell"],
        ] {
            let result = try fair.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stdout) \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }
}
