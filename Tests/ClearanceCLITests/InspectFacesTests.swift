import Foundation
import Testing

/// `clearance inspect` looking for faces in the pixels: the `detectedFaces` JSON key, the text
/// line, `--no-faces`, and what a picture that cannot be decoded says.
@Suite struct InspectFacesTests {
    static let fixtures = CLIRunner.packageRoot.appendingPathComponent("Tests/FaceDetectionTests/Fixtures")
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-inspect-faces-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    static func objects(_ result: CLIRunner.Result) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], "\(result.stderr)")
    }

    @Test func jsonListsTheFacesOfPhotosAndVideos() throws {
        let result = try CLIRunner.run(["inspect", "--json", Self.fixture("group.jpg"), Self.fixture("daisy.jpg"),
                                        Self.fixture("group-clip.mp4")])
        #expect(result.status == 0, "\(result.stderr)")
        let objects = try Self.objects(result)
        try #require(objects.count == 3)

        let group = try #require(objects[0]["detectedFaces"] as? [[String: Any]])
        #expect((3...4).contains(group.count), "\(group)")
        for face in group {
            #expect(Set(face.keys) == ["x", "y", "w", "h", "score"], "a still picture's face has no time: \(face)")
            for key in ["x", "y", "w", "h", "score"] {
                let value = try #require(face[key] as? Double)
                #expect(value > 0 && value <= 1, "\(key) = \(value)")
            }
        }
        #expect(objects[0]["faceDetector"] as? String == "yunet-2023mar/1")

        #expect((objects[1]["detectedFaces"] as? [Any])?.isEmpty == true, "a daisy: looked for, none found")
        #expect(objects[1]["faceDetector"] as? String == "yunet-2023mar/1")

        let clip = try #require(objects[2]["detectedFaces"] as? [[String: Any]])
        #expect(!clip.isEmpty)
        #expect(clip.allSatisfy { ($0["t"] as? Double).map { $0 >= 1.5 } == true }, "faces of a video carry their time: \(clip)")
        for object in objects { #expect(object["warnings"] as? [String] == [], "\(object)") }
    }

    @Test func noFacesSkipsDetection() throws {
        let result = try CLIRunner.run(["inspect", "--json", "--no-faces", Self.fixture("group.jpg"), Self.fixture("group-clip.mp4")])
        #expect(result.status == 0, "\(result.stderr)")
        for object in try Self.objects(result) {
            #expect(object.keys.contains("detectedFaces") && object["detectedFaces"] is NSNull, "\(object)")
            #expect(object["faceDetector"] is NSNull)
            #expect(object["warnings"] as? [String] == [], "skipping on request is not a warning")
        }
        let text = try CLIRunner.run(["inspect", "--no-faces", Self.fixture("group.jpg")])
        #expect(!text.stdout.contains("faces:"), "\(text.stdout)")
    }

    @Test func textOutputCountsTheFaces() throws {
        let result = try CLIRunner.run(["inspect", Self.fixture("group.jpg"), Self.fixture("daisy.jpg"), Self.fixture("group-clip.mp4")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("  faces: 3 found\n") || result.stdout.contains("  faces: 4 found\n"), "\(result.stdout)")
        #expect(result.stdout.contains("  faces: none found\n"), "\(result.stdout)")
        #expect(result.stdout.contains(" found in 5 frames (at most "), "\(result.stdout)")
    }

    /// A PNG whose header and chunks are sound but whose pixel data is not: the metadata is read
    /// (exit 0) and `detectedFaces` is null, with a warning saying why faces were not looked for.
    @Test func picturesThatCannotBeDecodedSayWhyFacesWereNotLookedFor() throws {
        let path = dir.appendingPathComponent("broken-pixels.png")
        try Self.pngWithDamagedPixels().write(to: path)
        let result = try CLIRunner.run(["inspect", "--json", path.path])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try Self.objects(result).first)
        #expect(object["error"] is NSNull)
        #expect(object["detectedFaces"] is NSNull)
        #expect(object["faceDetector"] is NSNull)
        let warnings = object["warnings"] as? [String] ?? []
        #expect(warnings.count == 1 && warnings[0].hasPrefix("faces were not looked for: cannot decode the PNG"), "\(warnings)")
        let text = try CLIRunner.run(["inspect", path.path])
        #expect(text.stdout.contains("  warning: faces were not looked for: cannot decode the PNG"), "\(text.stdout)")
        #expect(!text.stdout.contains("  faces:"), "\(text.stdout)")
    }

    /// A file that is not media has an error and no faces key value: nothing to look at, and no
    /// second message about it.
    @Test func unreadableFilesHaveNoFacesAndNoExtraWarning() throws {
        let path = dir.appendingPathComponent("notes.jpg")
        try Data("not a picture\n".utf8).write(to: path)
        let result = try CLIRunner.run(["inspect", "--json", path.path])
        #expect(result.status == 2)
        let object = try #require(try Self.objects(result).first)
        #expect(object["detectedFaces"] is NSNull)
        #expect(object["warnings"] as? [String] == [])
    }

    @Test func helpExplainsFaceDetection() throws {
        let help = try CLIRunner.run(["inspect", "--help"])
        #expect(help.stdout.contains("--no-faces"))
        #expect(help.stdout.contains("YuNet"))
    }

    /// 4×4 RGB PNG: valid signature, IHDR and IEND; an IDAT whose bytes are not zlib data.
    static func pngWithDamagedPixels() -> Data {
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + body
            let length = UInt32(body.count), crc = crc32(typed)
            return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + typed
                + [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        }
        let header: [UInt8] = [0, 0, 0, 4, 0, 0, 0, 4, 8, 2, 0, 0, 0]
        return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header)
            + chunk("IDAT", Array("these bytes are not deflate data".utf8)) + chunk("IEND", []))
    }

    /// CRC-32 as PNG chunks use it (polynomial 0xEDB88320), bit by bit: a few bytes only.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
