import Foundation
import Testing

/// `clearance erase` reaches Clearance's own copies of uploaded files (`DB.uploads/`, named
/// `<sha256>.<format>` as the web service keeps them): read back byte for byte and with ExifTool.
@Suite(.serialized) struct UploadErasureTests {
    static let exiftool = "/usr/bin/exiftool"
    static let erin = "Erin Erase"
    static let kept = "Kept Person"
    /// Where Erin and the other person stand in amira-and-leo.jpg (its MP regions).
    static let erinRegion = [0.2265625, 0.2604167, 0.171875, 0.3125]
    static let keptRegion = [0.6171875, 0.375, 0.140625, 0.25]

    struct Store {
        let fixture: LedgerCLIFixture
        let uploads: URL
        let outside: URL
        var solo = "", group = "", clip = "", unplaced = ""
        var erin = "", kept = ""

        /// Copies `sample` to `outside/name`, rewrites who it names with ExifTool, keeps a copy in
        /// the upload store under its SHA-256 as the server does, and ingests both.
        mutating func add(_ sample: String, as name: String, _ tags: [String]) throws -> String {
            let source = outside.appendingPathComponent(name).path
            try FileManager.default.copyItem(atPath: CLIRunner.packageRoot.appendingPathComponent("samples/photos/\(sample)").path,
                                             toPath: source)
            try UploadErasureTests.tool(UploadErasureTests.exiftool, ["-q", "-overwrite_original", "-XMP-MP:RegionInfoMP=",
                                                                      "-XMP-iptcExt:PersonInImage="] + tags + [source])
            let facts = try #require(try JSONSerialization.jsonObject(with: Data(CLIRunner.run(["inspect", "--no-faces", source, "--json"]).stdout.utf8))
                as? [[String: Any]]).first
            let sha = try #require(facts?["sha256"] as? String), format = try #require(facts?["format"] as? String)
            let kept = uploads.appendingPathComponent("\(sha).\(format)").path
            try FileManager.default.copyItem(atPath: source, toPath: kept)
            try fixture.succeed(["ingest", kept, source])
            return sha
        }
    }

    static func tool(_ path: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw LedgerCLIFixture.FixtureError("\(path) \(arguments) failed") }
    }

    static func exiftoolText(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exiftool)
        process.arguments = ["-a", "-G1", "-u", path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// A ledger with Erin alone in one photo, with someone else in another, and in a video with
    /// someone else; each kept in the upload store and also ingested from an outside folder.
    static func store() throws -> Store? {
        guard FileManager.default.isExecutableFile(atPath: exiftool) else { return nil }
        let fixture = try LedgerCLIFixture()
        let uploads = URL(fileURLWithPath: fixture.databasePath + ".uploads")
        let outside = fixture.directory.appendingPathComponent("event-photos")
        for folder in [uploads, outside] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        var store = Store(fixture: fixture, uploads: uploads, outside: outside)
        store.erin = try fixture.succeed(["person", "add", "--name", erin])
        store.kept = try fixture.succeed(["person", "add", "--name", kept])
        for person in [store.erin, store.kept] {
            try fixture.succeed(["consent", "record", "--person", person, "--channels", "website", "--given", "2026-07-04"])
        }
        func rectangle(_ r: [Double]) -> String { r.map { String($0) }.joined(separator: "|, ") }
        store.solo = try store.add("empty-hall.jpg", as: "erin-alone.jpg", [
            "-XMP-MP:RegionInfoMP={Regions=[{PersonDisplayName=\(erin),Rectangle=\(rectangle([0.3, 0.2, 0.2, 0.3]))}]}",
            "-XMP-iptcExt:PersonInImage=\(erin)"])
        store.group = try store.add("amira-and-leo.jpg", as: "erin-and-kept.jpg", [
            "-XMP-MP:RegionInfoMP={Regions=[{PersonDisplayName=\(erin),Rectangle=\(rectangle(erinRegion))},{PersonDisplayName=\(kept),Rectangle=\(rectangle(keptRegion))}]}",
            "-XMP-iptcExt:PersonInImage=\(erin)", "-XMP-iptcExt:PersonInImage+=\(kept)"])
        // Named, but only the other person has a marked region: Erin cannot be found to black out.
        store.unplaced = try store.add("leo-face-painting.jpg", as: "erin-named.jpg", [
            "-XMP-MP:RegionInfoMP={Regions=[{PersonDisplayName=\(kept),Rectangle=\(rectangle(keptRegion))}]}",
            "-XMP-iptcExt:PersonInImage=\(erin)"])
        store.clip = try store.add("stage-clip.mp4", as: "erin-and-kept.mp4", [
            "-XMP-iptcExt:PersonInImage=\(erin)", "-XMP-iptcExt:PersonInImage+=\(kept)"])
        return store
    }

    /// Every byte of every file in the upload store, hidden ones included.
    static func storeBytes(_ uploads: URL) throws -> [(String, Data)] {
        try FileManager.default.contentsOfDirectory(atPath: uploads.path).map {
            ($0, try Data(contentsOf: uploads.appendingPathComponent($0)))
        }
    }

    @Test func erasureDeletesOrRedactsTheUploadedCopiesAndListsTheRest() throws {
        guard let store = try Self.store() else { return }
        let fixture = store.fixture
        let outsideBefore = try FileManager.default.contentsOfDirectory(atPath: store.outside.path).sorted().map {
            try Data(contentsOf: store.outside.appendingPathComponent($0))
        }
        let groupOriginal = try SubjectAccessTests.decode(store.uploads.appendingPathComponent("\(store.group).jpeg").path)
        // Before: the name is in the store's files, in their bytes and as ExifTool reads them.
        #expect(try Self.storeBytes(store.uploads).contains { $0.1.range(of: Data(Self.erin.utf8)) != nil })

        let result = try fixture.run(["erase", store.erin, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])

        // The store now holds only the redacted copy of the group photo.
        let names = try FileManager.default.contentsOfDirectory(atPath: store.uploads.path).sorted()
        #expect(names == ["\(store.group).redacted.jpg"], "\(names)")
        for (name, bytes) in try Self.storeBytes(store.uploads) {
            for secret in [Self.erin, Self.erin.lowercased(), "Erin", Self.kept] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(name) holds \(secret)")
            }
            let read = try Self.exiftoolText(store.uploads.appendingPathComponent(name).path)
            #expect(!read.contains("Erin") && !read.contains("Person") && !read.contains("Region"), "\(read)")
        }
        let copy = try SubjectAccessTests.decode(store.uploads.appendingPathComponent("\(store.group).redacted.jpg").path)
        #expect(copy.width == groupOriginal.width && copy.height == groupOriginal.height)
        let (ex, ey) = SubjectAccessTests.centre(Self.erinRegion), (kx, ky) = SubjectAccessTests.centre(Self.keptRegion)
        #expect(copy.isBlack(ex, ey) && copy.isBlack(Self.erinRegion[0] + 0.005, Self.erinRegion[1] + 0.005))
        #expect(!copy.isBlack(kx, ky))
        #expect(copy.difference(from: groupOriginal, except: Self.erinRegion) < 4, "the rest of the picture changed")

        // What the output says: each upload with what was done and why.
        let uploads = try #require(output["uploads"] as? [[String: Any]])
        func entry(_ sha: String) -> [String: Any]? { uploads.first { $0["asset"] as? String == sha } }
        #expect(uploads.count == 4)
        #expect(entry(store.unplaced)?["action"] as? String == "deleted")
        #expect((entry(store.unplaced)?["reason"] as? String)?.contains("no marked region") == true)
        #expect(entry(store.solo)?["action"] as? String == "deleted")
        #expect((entry(store.solo)?["reason"] as? String)?.contains("only") == true)
        #expect(entry(store.clip)?["action"] as? String == "deleted")
        #expect((entry(store.clip)?["reason"] as? String)?.contains("cannot be blacked out") == true)
        #expect(entry(store.group)?["action"] as? String == "replaced")
        #expect(entry(store.group)?["regionsBlackedOut"] as? Int == 1)
        #expect((entry(store.group)?["replacement"] as? String)?.hasSuffix("\(store.group).redacted.jpg") == true)
        #expect((output["uploadFailures"] as? [String])?.isEmpty == true)

        // The outside folder is listed, every file of it, and left exactly as it was.
        let outside = try #require(output["outsideStore"] as? [[String: Any]])
        #expect(Set(outside.compactMap { $0["path"] as? String }.map { ($0 as NSString).lastPathComponent })
                == ["erin-alone.jpg", "erin-and-kept.jpg", "erin-and-kept.mp4", "erin-named.jpg"])
        #expect(outside.allSatisfy { $0["present"] as? Bool == true })
        let outsideAfter = try FileManager.default.contentsOfDirectory(atPath: store.outside.path).sorted().map {
            try Data(contentsOf: store.outside.appendingPathComponent($0))
        }
        #expect(outsideAfter == outsideBefore)
        #expect(try fixture.run(["verify"]).status == 0)
    }

    @Test func aLaterErasureReachesTheRedactedCopy() throws {
        guard let store = try Self.store() else { return }
        let fixture = store.fixture
        let first = try fixture.run(["erase", store.erin])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("replaced") && first.stdout.contains("outside Clearance's store"), "\(first.stdout)")
        let copyPath = store.uploads.appendingPathComponent("\(store.group).redacted.jpg").path
        let before = try Data(contentsOf: URL(fileURLWithPath: copyPath))

        let second = try fixture.run(["erase", store.kept])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("replaced \(copyPath)"), "\(second.stdout)")
        let after = try Data(contentsOf: URL(fileURLWithPath: copyPath))
        #expect(after != before)
        let copy = try SubjectAccessTests.decode(copyPath)
        let (ex, ey) = SubjectAccessTests.centre(Self.erinRegion), (kx, ky) = SubjectAccessTests.centre(Self.keptRegion)
        #expect(copy.isBlack(ex, ey) && copy.isBlack(kx, ky))
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.uploads.path) == ["\(store.group).redacted.jpg"])
    }

    @Test func aMissingUploadsFolderIsBadInputAndErasesNothing() throws {
        guard let store = try Self.store() else { return }
        let fixture = store.fixture
        let events = try fixture.eventCount()
        let result = try fixture.run(["erase", store.erin, "--uploads", fixture.directory.appendingPathComponent("nowhere").path])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("not a folder"), "\(result.stderr)")
        #expect(try fixture.eventCount() == events)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.uploads.path).count == 4)
        #expect(try fixture.succeed(["person", "show", Self.erin]).contains(store.erin))
    }
}
