import Foundation
import GRDB
import Testing

/// The summer-fair samples loaded into a real ledger, then checked as an editor would.
@Suite(.serialized) struct CheckCommandTests {
    let dir: URL
    let db: String
    let config: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        db = dir.appendingPathComponent("fair.db").path
        config = CLIRunner.packageRoot.appendingPathComponent("samples/config.json").path
        try CLIRunner.loadSamples(into: db)
    }

    func photo(_ name: String) -> String { CLIRunner.packageRoot.appendingPathComponent("samples/photos/\(name)").path }

    func check(_ args: [String], channel: String = "facebook", at: String? = nil) throws -> (CLIRunner.Result, [[String: Any]]) {
        var arguments = ["check"] + args + ["--channel", channel, "--json", "--db", db, "--config", config]
        if let at { arguments += ["--at", at] }
        let result = try CLIRunner.run(arguments)
        let array = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [[String: Any]] ?? []
        return (result, array)
    }

    func codes(_ object: [String: Any]) -> Set<String> {
        Set((object["reasons"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String })
    }

    @Test func everySituationGetsItsReason() throws {
        let expected: [String: Set<String>] = [
            "amira-stage.jpg": [], "bake-off.jpg": [], "cllr-hart-ribbon.jpg": [],
            // The crop inherits Amira from its original, but its own face (a real photo's) is named
            // by nothing in the crop: a reviewer decides it.
            "amira-stage-crop.jpg": ["unidentified-person"],
            "empty-hall.jpg": [], "stage-clip.mp4": [],
            "amira-and-leo.jpg": ["channel-not-covered"], "leo-face-painting.jpg": ["channel-not-covered"],
            "crowd.jpg": ["unidentified-person"], "grace-choir.jpg": ["consent-expired"],
            "joan-garden.jpg": ["service-user"], "sam-tombola.jpg": ["ambiguous-person"],
            "tom-raffle.jpg": ["consent-withdrawn"], "visitor.jpg": ["unknown-person"],
        ]
        let (result, array) = try check(expected.keys.sorted().map(photo))
        #expect(result.status == 1, "some are blocked: exit 1")
        #expect(array.count == expected.count)
        for object in array {
            let name = ((object["path"] as? String) ?? "").split(separator: "/").last.map(String.init) ?? ""
            #expect(codes(object) == expected[name], "\(name): \(codes(object))")
            #expect((object["cleared"] as? Bool) == expected[name]?.isEmpty)
            #expect((object["asset"] as? String)?.count == 64)
            #expect(object["channel"] as? String == "facebook")
        }
    }

    /// `check photo.xmp` names the photo to check, rather than calling the sidecar unreadable media.
    @Test func aSidecarIsNotCheckedAsAPicture() throws {
        let copy = dir.appendingPathComponent("amira-stage.jpg").path
        try FileManager.default.copyItem(atPath: photo("amira-stage.jpg"), toPath: copy)
        let sidecar = dir.appendingPathComponent("amira-stage.xmp").path
        try Data("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>".utf8).write(to: URL(fileURLWithPath: sidecar))
        let (result, array) = try check([sidecar])
        #expect(result.status == 2)
        #expect(array.isEmpty)
        #expect(result.stderr.contains("is an XMP sidecar") && result.stderr.contains("name \(copy) instead"), "\(result.stderr)")
    }

    @Test func allClearedExitsZeroAndNamesTheConsentsReliedOn() throws {
        let (result, array) = try check([photo("amira-stage.jpg"), photo("leo-face-painting.jpg")], channel: "website")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(array.allSatisfy { ($0["consents"] as? [String])?.isEmpty == false })
    }

    @Test func datesChangeTheAnswer() throws {
        // Before Tom withdrew (today), his consent stood; in the pre-election period the councillor is blocked.
        let (_, before) = try check([photo("tom-raffle.jpg")], at: "2026-07-05")
        #expect(codes(before[0]).isEmpty)
        let (_, election) = try check([photo("cllr-hart-ribbon.jpg")], at: "2027-04-01")
        #expect(codes(election[0]) == ["pre-election-period"])
        // Before the fair, nobody had consented to anything.
        let (_, early) = try check([photo("amira-stage.jpg")], at: "2026-01-01")
        #expect(codes(early[0]) == ["no-consent"])
    }

    @Test func taggingResolvesAmbiguityAndMarksServiceUsers() throws {
        let list = try CLIRunner.run(["person", "list", "--json", "--db", db])
        let people = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]) ?? []
        let match = people.first { ($0["name"] as? String) == "Sam Taylor" && ($0["born"] as? String) == "1985-01-01" }
        let sam = match?["id"] as? String ?? ""
        #expect(!sam.isEmpty, "person list --json: \(list.stdout.prefix(300))")
        let tag = try CLIRunner.run(["tag", photo("sam-tombola.jpg"), "--person", sam, "--by", "editor", "--db", db])
        #expect(tag.status == 0, "\(tag.stderr)")
        #expect(codes(try check([photo("sam-tombola.jpg")]).1[0]).isEmpty)

        #expect(try CLIRunner.run(["tag", photo("amira-stage.jpg"), "--service-users", "--db", db]).status == 0)
        #expect(codes(try check([photo("amira-stage.jpg")]).1[0]) == ["service-user"])
    }

    @Test func ingestIsIdempotentAndAMovedFileIsTheSameAsset() throws {
        let again = try CLIRunner.run(["ingest", CLIRunner.packageRoot.appendingPathComponent("samples/photos").path, "--db", db])
        #expect(again.status == 0)
        #expect(again.stdout.contains("0 new, 14 already known"), "\(again.stdout)")
        let moved = dir.appendingPathComponent("renamed.jpg")
        try FileManager.default.copyItem(atPath: photo("grace-choir.jpg"), toPath: moved.path)
        let (_, byCopy) = try check([moved.path])
        #expect(codes(byCopy[0]) == ["consent-expired"])
        let hash = byCopy.first?["asset"] as? String ?? ""
        let (_, byHash) = try check([hash])
        #expect(codes(byHash[0]) == ["consent-expired"])
    }

    @Test func aFileNeverIngestedIsReadOnTheFlyAndNotStored() throws {
        let fresh = dir.appendingPathComponent("fresh.jpg")
        try FileManager.default.copyItem(atPath: photo("visitor.jpg"), toPath: fresh.path)
        // Same bytes as an ingested sample would be "known"; change the bytes with a trailing comment-free byte.
        var bytes = try Data(contentsOf: fresh)
        bytes.append(contentsOf: [0x00])
        try bytes.write(to: fresh)
        let (result, array) = try check([fresh.path])
        #expect(result.status == 1)
        #expect(codes(array[0]) == ["unknown-person"])
        let hash = array.first?["asset"] as? String ?? ""
        let byHash = try CLIRunner.run(["check", hash, "--channel", "facebook", "--db", db])
        #expect(byHash.status == 2)
        #expect(byHash.stderr.contains("not ingested"))
    }

    @Test func erasureBlanksNamesFromFileMetadataAndBlocksTheirPhotos() throws {
        let list = try CLIRunner.run(["person", "list", "--json", "--db", db])
        let people = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]) ?? []
        let amira = people.first { ($0["name"] as? String) == "Amira Khan" }?["id"] as? String ?? ""
        #expect(!amira.isEmpty)
        #expect(codes(try check([photo("amira-stage.jpg")]).1[0]).isEmpty)
        let erase = try CLIRunner.run(["erase", amira, "--db", db])
        #expect(erase.status == 0, "\(erase.stderr)")
        #expect(codes(try check([photo("amira-stage.jpg")]).1[0]) == ["unknown-person"])
        for file in [db, db + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(bytes.range(of: Data("Amira Khan".utf8)) == nil, "\(file) still holds the name")
        }
        #expect(try CLIRunner.run(["verify", "--db", db]).status == 0)
    }

    @Test func unreadableMediaIsStoredAndBlockedWhileOtherFilesAreSkipped() throws {
        let folder = dir.appendingPathComponent("card")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let broken = folder.appendingPathComponent("broken.jpg")
        try Data(try Data(contentsOf: URL(fileURLWithPath: photo("visitor.jpg"))).prefix(3000)).write(to: broken)
        try Data("shot list\n".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let ingest = try CLIRunner.run(["ingest", folder.path, "--db", db])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.stdout.contains("1 new, 0 already known, 1 unreadable, 1 skipped"), "\(ingest.stdout)")
        let (_, array) = try check([broken.path])
        #expect(codes(array[0]).contains("unreadable-media"))
    }

    @Test func rowsEditedStraightInSQLAreRecordTampered() throws {
        let list = try CLIRunner.run(["person", "list", "--json", "--db", db])
        let people = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]) ?? []
        func id(_ name: String) -> String { people.first { ($0["name"] as? String) == name }?["id"] as? String ?? "" }
        let queue = try DatabaseQueue(path: db)
        // Someone widens Leo's guardian consent to Facebook without a new, signed event.
        try queue.write { try $0.execute(sql: "UPDATE consents SET channels = 'facebook,print,website' WHERE person_id = ?",
                                         arguments: [id("Leo Martins")]) }
        // And clears the councillor's elected-member flag to dodge the pre-election rule.
        try queue.write { try $0.execute(sql: "UPDATE people SET elected_member = 0 WHERE id = ?", arguments: [id("David Hart")]) }
        let (leoResult, leo) = try check([photo("leo-face-painting.jpg")])
        #expect(leoResult.status == 1)
        #expect(codes(leo[0]).contains("record-tampered"), "\(codes(leo[0]))")
        let (_, hart) = try check([photo("cllr-hart-ribbon.jpg")], at: "2027-04-01")
        #expect(codes(hart[0]).contains("record-tampered"), "\(codes(hart[0]))")
        // Untouched people are unaffected.
        #expect(codes(try check([photo("amira-stage.jpg")]).1[0]).isEmpty)
        #expect(try CLIRunner.run(["verify", "--db", db]).status == 1)
    }

    @Test func badInputIsAOneLineErrorAndExitTwo() throws {
        for arguments in [
            ["check", photo("amira-stage.jpg"), "--channel", "myspace", "--db", db],
            ["check", photo("amira-stage.jpg"), "--channel", "facebook", "--at", "2026-02-30", "--db", db],
            ["check", String(repeating: "ab", count: 32), "--channel", "facebook", "--db", db],
            ["check", "/no/such/file.jpg", "--channel", "facebook", "--db", db],
            ["tag", photo("amira-stage.jpg"), "--person", "P-2222-2222", "--db", db],
            ["tag", photo("amira-stage.jpg"), "--db", db],
        ] {
            let result = try CLIRunner.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stdout) \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }
}
