@testable import ClearanceApp
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /assets/{sha256}/thumbnail`: small JPEGs made by the server from real sample photos,
/// with none of the original's metadata, kept in a bounded cache beside the ledger.
@Suite("Thumbnails")
struct ThumbnailRouteTests {
    static var hasExifTool: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/exiftool") }

    /// What ExifTool reads in a file: every tag it finds, by group.
    static func exifTool(_ data: Data) throws -> [String: Any] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-thumb-\(UUID().uuidString).jpg")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/exiftool")
        process.arguments = ["-json", "-G0", "-a", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try #require((try JSONSerialization.jsonObject(with: output) as? [[String: Any]])?.first)
    }

    @Test("an editor gets a small JPEG with no EXIF, XMP or GPS; the original has them", .enabled(if: hasExifTool))
    func metadataFree() async throws {
        let fixture = try ServiceFixture()
        let sha = try fixture.sha(of: "amira-stage.jpg")
        let original = try Self.exifTool(try Data(contentsOf: ServiceFixture.samplePhotos.appendingPathComponent("amira-stage.jpg")))
        #expect(original.keys.contains { $0.hasPrefix("EXIF:GPS") } && original.keys.contains { $0.hasPrefix("XMP:") })
        try await fixture.application().test(.router) { client in
            for role in [Role.editor, .dpo] {
                let response = try await client.execute(uri: "/assets/\(sha)/thumbnail?size=320", method: .get, headers: fixture.headers(role))
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/jpeg")
                let tags = try Self.exifTool(Data(buffer: response.body))
                let groups = Set(tags.keys.compactMap { $0.split(separator: ":").first.map(String.init) })
                #expect(groups.isDisjoint(with: ["EXIF", "XMP", "IPTC", "MakerNotes", "ICC_Profile"]), "\(groups.sorted())")
                let size = try #require(tags["Composite:ImageSize"] as? String).split(separator: "x").compactMap { Int($0) }
                #expect(size.max() == 320, "\(size)")
            }
            let large = try await client.execute(uri: "/assets/\(sha)/thumbnail?size=1024", method: .get, headers: fixture.headers(.editor))
            #expect(large.status == .ok && large.body.readableBytes > 0)
            // Officers capture consent; they are not shown the pictures.
            let officer = try await client.execute(uri: "/assets/\(sha)/thumbnail", method: .get, headers: fixture.headers(.officer))
            #expect(officer.status == .forbidden)
            // Without an account, a browser is sent to sign in.
            let anonymous = try await client.execute(uri: "/assets/\(sha)/thumbnail", method: .get)
            #expect(anonymous.status == .found && anonymous.headers[.location] == "/login")
        }
    }

    @Test("a cached thumbnail is served without the original: it is not decoded again")
    func cacheHit() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let copy = fixture.directory.appendingPathComponent("copy.jpg")
        try FileManager.default.copyItem(at: ServiceFixture.samplePhotos.appendingPathComponent("crowd.jpg"), to: copy)
        _ = try fixture.service.assets.ingest([copy.path])
        let sha = try #require(try fixture.service.ledger.ledger.asset(atPath: copy.path)).record.sha256
        try await fixture.application().test(.router) { client in
            let first = try await client.execute(uri: "/assets/\(sha)/thumbnail", method: .get, headers: fixture.headers(.editor))
            #expect(first.status == .ok)
            #expect(FileManager.default.fileExists(atPath: fixture.databasePath + ".thumbnails/\(sha)-320.jpg"))
            // With the original gone, only the cache can answer; the other size cannot be made.
            try FileManager.default.removeItem(at: copy)
            let again = try await client.execute(uri: "/assets/\(sha)/thumbnail", method: .get, headers: fixture.headers(.editor))
            #expect(again.status == .ok)
            #expect(Data(buffer: again.body) == Data(buffer: first.body))
            let other = try await client.execute(uri: "/assets/\(sha)/thumbnail?size=1024", method: .get, headers: fixture.headers(.editor))
            #expect(other.status == .notFound)
            #expect(other.text.contains("no longer where it was ingested from"))
        }
    }

    @Test("a file changed since it was ingested is not shown as the asset")
    func changedFile() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let copy = fixture.directory.appendingPathComponent("changed.jpg")
        try FileManager.default.copyItem(at: ServiceFixture.samplePhotos.appendingPathComponent("crowd.jpg"), to: copy)
        _ = try fixture.service.assets.ingest([copy.path])
        let sha = try #require(try fixture.service.ledger.ledger.asset(atPath: copy.path)).record.sha256
        try FileManager.default.removeItem(at: copy)
        try FileManager.default.copyItem(at: ServiceFixture.samplePhotos.appendingPathComponent("visitor.jpg"), to: copy)
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/assets/\(sha)/thumbnail", method: .get, headers: fixture.headers(.editor))
            #expect(response.status == .notFound)
        }
    }

    @Test("bad sizes, hashes, videos and hostile pictures get a clear one-line error and nothing is cached")
    func badInput() async throws {
        let fixture = try ServiceFixture()
        let photo = try fixture.sha(of: "visitor.jpg"), video = try fixture.sha(of: "stage-clip.mp4")
        // A real photo whose frame header is changed to declare 60000×60000 pixels: its
        // metadata reads, its pixels are refused.
        let hostile = fixture.directory.appendingPathComponent("huge.jpg")
        var bytes = [UInt8](try Data(contentsOf: ServiceFixture.samplePhotos.appendingPathComponent("visitor.jpg")))
        let frame = try #require((0..<bytes.count - 1).first { bytes[$0] == 0xFF && [0xC0, 0xC2].contains(bytes[$0 + 1]) })
        bytes.replaceSubrange(frame + 5..<frame + 9, with: [0xEA, 0x60, 0xEA, 0x60])
        try Data(bytes).write(to: hostile)
        _ = try fixture.service.assets.ingest([hostile.path])
        let hostileSHA = try #require(try fixture.service.ledger.ledger.asset(atPath: hostile.path)).record.sha256
        try await fixture.application().test(.router) { client in
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("/assets/\(photo)/thumbnail?size=99999", .badRequest, "size: one of 320, 1024"),
                ("/assets/\(photo)/thumbnail?size=-1", .badRequest, "size"),
                ("/assets/not-a-hash/thumbnail", .badRequest, "SHA-256"),
                ("/assets/\(String(repeating: "0", count: 64))/thumbnail", .notFound, "unknown asset"),
                ("/assets/\(video)/thumbnail", .unsupportedMediaType, "only pictures"),
            ]
            for (uri, status, message) in cases {
                let response = try await client.execute(uri: uri, method: .get, headers: fixture.headers(.editor))
                #expect(response.status == status, "\(uri)")
                #expect(response.text.contains(message) && !response.text.contains("\n"), "\(uri): \(response.text)")
            }
            let refused = try await client.execute(uri: "/assets/\(hostileSHA)/thumbnail", method: .get, headers: fixture.headers(.editor))
            #expect(refused.status == .unprocessableContent, "\(refused.status)")
            #expect(refused.text.contains("cannot make a thumbnail: JPEG of 60000×60000 pixels"), "\(refused.text)")
        }
        let cached = try FileManager.default.contentsOfDirectory(atPath: fixture.databasePath + ".thumbnails")
        #expect(cached.isEmpty, "\(cached)")
    }

    @Test("the cache stays under its size, removing the least recently used first")
    func bounded() async throws {
        let fixture = try ServiceFixture()
        let names = ["amira-stage.jpg", "leo-face-painting.jpg", "joan-garden.jpg", "tom-raffle.jpg", "grace-choir.jpg",
                     "crowd.jpg", "visitor.jpg", "sam-tombola.jpg"]
        let hashes = try names.map { try fixture.sha(of: $0) }
        // Room for about three of these thumbnails.
        let sizes = try hashes.map { try fixture.service.thumbnails.jpeg(of: $0, size: 1024).count }
        let capacity = sizes.max()! * 3
        #expect(sizes.reduce(0, +) > capacity)
        let folder = fixture.directory.appendingPathComponent("small-cache")
        let cache = try Thumbnails(fixture.service.ledger, directory: folder, capacityBytes: capacity)
        for sha in hashes { _ = try cache.jpeg(of: sha, size: 1024) }
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.fileSizeKey])
        let total = try files.reduce(0) { $0 + (try $1.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0) }
        #expect(total <= capacity, "\(total) bytes in a cache of \(capacity)")
        #expect(files.count < hashes.count)
        #expect(files.contains { $0.lastPathComponent == "\(hashes.last!)-1024.jpg" }, "the newest is kept")
        #expect(!files.contains { $0.lastPathComponent == "\(hashes.first!)-1024.jpg" }, "the oldest went first")
    }
}
