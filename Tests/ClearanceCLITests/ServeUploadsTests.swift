import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `serve --uploads DIR`: a photo posted to the real server on loopback is kept in DIR, and a
/// later `clearance erase`, told nothing about DIR, still reaches it there.
@Suite(.serialized) struct ServeUploadsTests {
    /// `clearance serve` as a child process, on a free port.
    final class Server {
        let process = Process()
        let output = LockedText()
        var port = 0

        init(_ arguments: [String], database: String) throws {
            process.executableURL = CLIRunner.binary
            process.arguments = ["serve", "--port", "0", "--no-notify"] + arguments
            process.environment = ProcessInfo.processInfo.environment.merging(["CLEARANCE_DB": database]) { $1 }
            let out = Pipe()
            process.standardOutput = out
            process.standardError = out
            out.fileHandleForReading.readabilityHandler = { [output] in output.append($0.availableData) }
            try process.run()
            // The server prints its address once it listens; the wait ends early if it exits.
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline, process.isRunning, output.text.range(of: "serving on http://localhost:") == nil {
                Thread.sleep(forTimeInterval: 0.05)
            }
            guard let line = output.text.split(separator: "\n").first(where: { $0.contains("serving on http://localhost:") }),
                  let port = Int(line.split(separator: ":").last ?? "") else {
                stop()
                throw LedgerCLIFixture.FixtureError("serve did not start: \(output.text)")
            }
            self.port = port
        }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }

        deinit { stop() }
    }

    final class LockedText: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ more: Data) { lock.lock(); data.append(more); lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
    }

    /// POSTs a file to `/api/v1/assets` as an API client does; answers the asset's hash.
    static func upload(_ path: String, port: Int, token: String) async throws -> String {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v1/assets")!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("image/jpeg", forHTTPHeaderField: "Content-Type")
        request.httpBody = try Data(contentsOf: URL(fileURLWithPath: path))
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 || status == 201,
              let body = try JSONSerialization.jsonObject(with: data) as? [String: Any], let asset = body["asset"] as? String else {
            throw LedgerCLIFixture.FixtureError("upload answered \(status): \(String(decoding: data, as: UTF8.self))")
        }
        return asset
    }

    /// A sample photo with the people's regions written by ExifTool, outside any store.
    static func photo(_ sample: String, _ fixture: LedgerCLIFixture, as name: String, regions: [(String, [Double])]) throws -> String {
        let path = fixture.directory.appendingPathComponent(name).path
        try FileManager.default.copyItem(atPath: CLIRunner.packageRoot.appendingPathComponent("samples/photos/\(sample)").path, toPath: path)
        let list = regions.map { "{PersonDisplayName=\($0.0),Rectangle=\($0.1.map { String($0) }.joined(separator: "|, "))}" }
        try UploadErasureTests.tool(UploadErasureTests.exiftool, ["-q", "-overwrite_original", "-XMP-MP:RegionInfoMP=", "-XMP-iptcExt:PersonInImage=",
                                                                  "-XMP-MP:RegionInfoMP={Regions=[\(list.joined(separator: ","))]}",
                                                                  path])
        return path
    }

    @Test func uploadsLandInTheGivenFolderAndEraseReachesThemThere() async throws {
        guard FileManager.default.isExecutableFile(atPath: UploadErasureTests.exiftool) else { return }
        let fixture = try LedgerCLIFixture()
        let erin = try fixture.succeed(["person", "add", "--name", UploadErasureTests.erin])
        let kept = try fixture.succeed(["person", "add", "--name", UploadErasureTests.kept])
        for person in [erin, kept] {
            try fixture.succeed(["consent", "record", "--person", person, "--channels", "website", "--given", "2026-07-04"])
        }
        try fixture.succeed(["user", "add", "--name", "dpo-one", "--role", "dpo"])
        let token = try fixture.succeed(["user", "token", "dpo-one"])
        let solo = try Self.photo("empty-hall.jpg", fixture, as: "erin-alone.jpg",
                                  regions: [(UploadErasureTests.erin, [0.3, 0.2, 0.2, 0.3])])
        let group = try Self.photo("amira-and-leo.jpg", fixture, as: "erin-and-kept.jpg",
                                   regions: [(UploadErasureTests.erin, UploadErasureTests.erinRegion),
                                             (UploadErasureTests.kept, UploadErasureTests.keptRegion)])
        let shared = fixture.directory.appendingPathComponent("shared-uploads")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)

        let server = try Server(["--uploads", shared.path], database: fixture.databasePath)
        let soloSHA = try await Self.upload(solo, port: server.port, token: token)
        let groupSHA = try await Self.upload(group, port: server.port, token: token)
        server.stop()

        // The copies are in the given folder, named by their hash, and not in the default one.
        let names = try FileManager.default.contentsOfDirectory(atPath: shared.path).sorted()
        #expect(names == ["\(soloSHA).jpeg", "\(groupSHA).jpeg"].sorted(), "\(names)")
        let defaultFolder = fixture.databasePath + ".uploads"
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: defaultFolder)) ?? []).isEmpty)
        // The folder is listed beside the ledger, so erase needs no option to find it.
        let listed = try String(contentsOfFile: fixture.databasePath + ".upload-folders", encoding: .utf8)
        #expect(listed == shared.standardizedFileURL.path + "\n", "\(listed)")

        let result = try fixture.run(["erase", erin, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let uploads = try #require(output["uploads"] as? [[String: Any]])
        #expect(Set(uploads.compactMap { $0["action"] as? String }) == ["deleted", "replaced"], "\(uploads)")
        // Only the group photo is left, as a copy with Erin blacked out and no names in its bytes.
        let after = try FileManager.default.contentsOfDirectory(atPath: shared.path).sorted()
        #expect(after == ["\(groupSHA).redacted.jpg"], "\(after)")
        for name in after {
            let bytes = try Data(contentsOf: shared.appendingPathComponent(name))
            for secret in [UploadErasureTests.erin, "Erin", UploadErasureTests.kept] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(name) holds \(secret)")
            }
        }
        let copy = try SubjectAccessTests.decode(shared.appendingPathComponent("\(groupSHA).redacted.jpg").path)
        let (ex, ey) = SubjectAccessTests.centre(UploadErasureTests.erinRegion)
        let (kx, ky) = SubjectAccessTests.centre(UploadErasureTests.keptRegion)
        #expect(copy.isBlack(ex, ey) && !copy.isBlack(kx, ky))
    }

    @Test func anUploadsFolderThatIsNotThereIsRefusedAndNothingIsWritten() throws {
        let fixture = try LedgerCLIFixture()
        let before = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path).sorted()
        let bytes = try fixture.rawBytes()
        let missing = fixture.directory.appendingPathComponent("no-such-folder").path
        let file = try fixture.write("not-a-folder.txt", "x")
        let filesBefore = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path).sorted()
        for (folder, saying) in [(missing, "does not exist"), (file, "is not a folder")] {
            let result = try fixture.run(["serve", "--port", "0", "--uploads", folder])
            #expect(result.status == 2, "\(result.stdout) \(result.stderr)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains(saying), "\(result.stderr)")
        }
        // No accounts file, no upload folder, no record of one; the ledger untouched.
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path).sorted() == filesBefore)
        #expect(filesBefore == (before + ["not-a-folder.txt"]).sorted())
        #expect(try fixture.rawBytes() == bytes)
    }
}
