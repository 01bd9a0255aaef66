import Foundation
import GRDB
import Testing

/// `clearance export` over the summer-fair samples: real ledger, real files, ExifTool reading back.
@Suite(.serialized) struct ExportCommandTests {
    let dir: URL
    let out: URL
    let db: String
    let config: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-export-\(UUID().uuidString)")
        out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        db = dir.appendingPathComponent("fair.db").path
        config = CLIRunner.packageRoot.appendingPathComponent("samples/config.json").path
        try CLIRunner.loadSamples(into: db)
    }

    func photo(_ name: String) -> String { CLIRunner.packageRoot.appendingPathComponent("samples/photos/\(name)").path }

    func export(_ files: [String], channel: String = "facebook", to: String? = nil, extra: [String] = []) throws -> CLIRunner.Result {
        try CLIRunner.run(["export"] + files + ["--channel", channel, "--to", to ?? out.path, "--db", db, "--config", config, "--by", "editor"] + extra)
    }

    func publications() throws -> [Row] {
        try DatabaseQueue(path: db).read { try Row.fetchAll($0, sql: "SELECT * FROM publications ORDER BY id") }
    }

    func listing() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() }

    @Test func writesOnlyClearedAssetsScrubbedAndRecordsThem() throws {
        let result = try export([photo("amira-stage.jpg"), photo("tom-raffle.jpg"), photo("stage-clip.mp4"), photo("joan-garden.jpg")],
                                extra: ["--post-url", "https://www.facebook.com/riverside/posts/42"])
        #expect(result.status == 1, "some were blocked: exit 1 — \(result.stderr)")
        #expect(result.stdout.contains("consent-withdrawn") && result.stdout.contains("service-user"))
        #expect(try listing() == ["amira-stage.jpg", "stage-clip.mp4"], "no blocked asset, no temporary file")

        let rows = try publications()
        #expect(rows.count == 2)
        for row in rows {
            #expect(row["channel"] as String == "facebook")
            #expect(row["post_url"] as String? == "https://www.facebook.com/riverside/posts/42")
            #expect(row["by"] as String == "editor")
            let path: String = row["path"]
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(row["output_sha256"] as String == Self.sha256(bytes))
        }

        guard ExifToolReference.available else { return }
        let tags = try Self.exiftool(out.appendingPathComponent("amira-stage.jpg").path)
        for key in tags.keys {
            #expect(!key.contains("GPS") && !key.contains("Serial") && !key.contains("Region") && !key.contains("Person")
                    && !key.hasPrefix("MakerNotes") && !key.hasPrefix("IFD1") && !key.contains("DateTimeOriginal"), "\(key) survived export")
        }
        #expect(tags["XMP-plus:ModelReleaseStatus"] as? String == "MR-LMR")
        #expect(tags["IFD0:Orientation"] as? Int == 1)
        let consents = (try DatabaseQueue(path: db).read { try String.fetchOne($0, sql: "SELECT consents FROM publications LIMIT 1") }) ?? ""
        let releaseID = tags["XMP-plus:ModelReleaseID"].map { "\($0)" } ?? ""
        #expect(!releaseID.isEmpty && consents.contains(releaseID), "release id \(releaseID) vs recorded \(consents)")
        let video = try Self.exiftool(out.appendingPathComponent("stage-clip.mp4").path)
        #expect(!video.keys.contains { $0.contains("GPS") || $0.hasPrefix("Keys:") || $0.contains("PersonInImage") }, "\(video.keys.sorted())")
    }

    @Test func neverOverwritesAndChangesNothingOnBadInput() throws {
        let existing = out.appendingPathComponent("amira-stage.jpg")
        try Data("mine".utf8).write(to: existing)
        let clash = try export([photo("bake-off.jpg"), photo("amira-stage.jpg")])
        #expect(clash.status == 2)
        #expect(clash.stderr.contains("refusing to overwrite"))
        #expect(try String(contentsOf: existing, encoding: .utf8) == "mine")
        #expect(try listing() == ["amira-stage.jpg"], "nothing else was written")
        #expect(try publications().isEmpty, "nothing recorded")

        for (arguments, message) in [
            (try export([photo("bake-off.jpg")], to: dir.appendingPathComponent("missing").path), "does not exist"),
            (try export([photo("bake-off.jpg")], channel: "myspace"), "unknown channel"),
            (try export([photo("bake-off.jpg")], extra: ["--post-url", "javascript:alert(1)"]), "post URL must be an http"),
            (try export([photo("bake-off.jpg")], extra: ["--post-url", "https://x\"\u{301} onmouseover=alert(1)"]), "post URL must be an http"),
        ] {
            #expect(arguments.status == 2)
            #expect(arguments.stderr.contains(message), "\(arguments.stderr)")
            #expect(arguments.stderr.split(separator: "\n").count == 1)
        }
        #expect(try publications().isEmpty)
    }

    @Test func anAssetWhoseFileIsGoneCannotBeExported() throws {
        let copy = dir.appendingPathComponent("empty-hall-copy.jpg")
        try FileManager.default.copyItem(atPath: photo("empty-hall.jpg"), toPath: copy.path)
        var bytes = try Data(contentsOf: copy)
        bytes.append(0)
        try bytes.write(to: copy)
        #expect(try CLIRunner.run(["ingest", copy.path, "--db", db]).status == 0)
        #expect(try CLIRunner.run(["tag", copy.path, "--no-people", "--db", db]).status == 0)
        let hash = Self.sha256(bytes)
        try FileManager.default.removeItem(at: copy)
        let result = try export([hash])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no file with these bytes"), "\(result.stderr)")
        #expect(try listing().isEmpty)
    }

    static func sha256(_ data: Data) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try? process.run()
        input.fileHandleForWriting.write(data)
        try? input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix(64))
    }

    static func exiftool(_ path: String) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["exiftool", "-json", "-n", "-G1", "-a", path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ((try JSONSerialization.jsonObject(with: data) as? [[String: Any]])?.first ?? [:])
            .filter { !$0.key.hasPrefix("System:") && !$0.key.hasPrefix("File:") && !$0.key.hasPrefix("ExifTool:") && $0.key != "SourceFile" }
    }
}
