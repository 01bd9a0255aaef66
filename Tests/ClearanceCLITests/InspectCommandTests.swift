import Foundation
import Testing

/// `clearance inspect` as a user runs it: exit codes, per-file errors, the JSON contract.
@Suite struct InspectCommandTests {
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-inspect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// A minimal but complete baseline JPEG (1×1, grey), so the test needs no fixture file.
    static let tinyJPEG: [UInt8] = [
        0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x43, 0x00] + Array(repeating: 1, count: 64) + [
        0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00,
        0xFF, 0xC4, 0x00, 0x14, 0x00, 0x01] + Array(repeating: 0, count: 15) + [0x00,
        0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x00, 0xFF, 0xD9]

    @Test func badFilesAreReportedBesideGoodOnesAndExitTwo() throws {
        let good = try write("good.jpg", Self.tinyJPEG)
        let empty = try write("empty.jpg", [])
        let text = try write("notes.jpg", Array("this is not a photo\n".utf8))
        let truncated = try write("cut.jpg", Array(Self.tinyJPEG.prefix(9)))

        let result = try CLIRunner.run(["inspect", "--json", good, empty, text, truncated])
        #expect(result.status == 2, "a bad file makes the exit code 2")
        let array = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(array.map { $0["path"] as? String } == [good, empty, text, truncated], "every file reported, in order")
        #expect(array[0]["error"] is NSNull)
        #expect(array[0]["format"] as? String == "jpeg")
        #expect((array[1]["error"] as? String)?.contains("empty") == true)
        #expect((array[2]["error"] as? String)?.hasPrefix("unsupported format") == true)
        for object in array { #expect(object["sha256"] is String) }
    }

    @Test func goodFilesExitZeroWithEveryContractKey() throws {
        let good = try write("good.jpg", Self.tinyJPEG)
        let result = try CLIRunner.run(["inspect", "--json", good])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])?.first)
        for key in ["path", "sha256", "kind", "capturedAt", "gps", "make", "model", "serial", "width", "height",
                    "orientation", "people", "faceRegions", "modelRelease", "error", "warnings", "detectedFaces", "faceDetector"] {
            #expect(object.keys.contains(key), "inspect --json lacks \(key)")
        }
        #expect(object["kind"] as? String == "image")
        #expect(object["warnings"] as? [String] == [])
    }

    /// A photo whose XMP packet is broken is still read (exit 0), and says what was skipped, so
    /// nobody wonders where the people in its metadata went.
    @Test func brokenXMPIsAWarningNotAnError() throws {
        let xmp = Array("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF><broken".utf8)
        let segment: [UInt8] = [0xFF, 0xE1, UInt8((xmp.count + 2) >> 8), UInt8((xmp.count + 2) & 0xFF)] + xmp
        let photo = try write("broken-xmp.jpg", Array(Self.tinyJPEG.prefix(2)) + segment + Array(Self.tinyJPEG.dropFirst(2)))
        let json = try CLIRunner.run(["inspect", "--json", photo])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let object = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])?.first)
        #expect(object["error"] is NSNull)
        #expect(object["warnings"] as? [String] == ["the embedded XMP packet is not valid XMP and was skipped"])
        let text = try CLIRunner.run(["inspect", photo])
        #expect(text.stdout.contains("  warning: the embedded XMP packet is not valid XMP and was skipped"), "\(text.stdout)")
    }

    @Test func missingPathAndUnknownOptionAreUsageErrors() throws {
        let missing = try CLIRunner.run(["inspect", dir.appendingPathComponent("nope.jpg").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no such file"))
        #expect(missing.stdout.isEmpty)

        let unknown = try CLIRunner.run(["inspect", "--frobnicate"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.split(separator: "\n").count == 1, "one-line reason: \(unknown.stderr)")
    }

    /// A sidecar named on its own is refused with the file to name instead (both the digiKam
    /// `photo.jpg.xmp` and the Lightroom `photo.xmp` spelling), never read as a broken picture.
    @Test func aSidecarNamedAloneSaysWhichFileToName() throws {
        let photo = try write("stage.JPG", Self.tinyJPEG)
        let packet = Array("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>".utf8)
        for (sidecar, media) in [(try write("stage.xmp", packet), photo),
                                 (try write("hall.jpg.xmp", packet), try write("hall.jpg", Self.tinyJPEG)),
                                 (try write("lost.xmp", packet), nil)] {
            let result = try CLIRunner.run(["inspect", sidecar])
            #expect(result.status == 2)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
            #expect(result.stderr.contains("\(sidecar) is an XMP sidecar"), "\(result.stderr)")
            if let media {
                #expect(result.stderr.contains("name \(media) instead"), "\(result.stderr)")
            } else {
                #expect(result.stderr.contains("none was found beside it"), "\(result.stderr)")
            }
        }
        // In a folder the sidecar is still read with its photo, and not reported on its own.
        let folder = try CLIRunner.run(["inspect", "--no-faces", "--json", dir.path])
        let paths = ((try? JSONSerialization.jsonObject(with: Data(folder.stdout.utf8))) as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        #expect(paths.count == 2 && paths.allSatisfy { !$0.lowercased().hasSuffix(".xmp") }, "\(paths)")
    }

    @Test func humanOutputNamesEachFile() throws {
        let good = try write("good.jpg", Self.tinyJPEG)
        let result = try CLIRunner.run(["inspect", good])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix(good))
        #expect(result.stdout.contains("jpeg"))
    }
}
