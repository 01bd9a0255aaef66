import ClearanceApp
import CTurboJPEG
import Foundation
import Testing

/// Subject access packs from the real binary over the summer fair: the pictures are read back
/// pixel by pixel with libturbojpeg to see whose face is blacked out.
@Suite(.serialized) struct SubjectAccessTests {
    struct Picture {
        var pixels: [UInt8]
        var width: Int
        var height: Int

        /// The RGB pixel at fractions (u, v) of the width and height.
        func at(_ u: Double, _ v: Double) -> (Int, Int, Int) {
            let x = min(width - 1, Int(u * Double(width))), y = min(height - 1, Int(v * Double(height)))
            let i = (y * width + x) * 3
            return (Int(pixels[i]), Int(pixels[i + 1]), Int(pixels[i + 2]))
        }

        /// Mean difference per channel from `other` over a 24×24 grid of points, leaving out
        /// points inside `except` (widened by a tenth of its size each side).
        func difference(from other: Picture, except r: [Double]) -> Double {
            var total = 0, count = 0
            for i in 0..<24 {
                for j in 0..<24 {
                    let u = (Double(i) + 0.5) / 24, v = (Double(j) + 0.5) / 24
                    if u > r[0] - r[2] * 0.1, u < r[0] + r[2] * 1.1, v > r[1] - r[3] * 0.1, v < r[1] + r[3] * 1.1 { continue }
                    let (a, b, c) = at(u, v), (x, y, z) = other.at(u, v)
                    total += abs(a - x) + abs(b - y) + abs(c - z)
                    count += 3
                }
            }
            return Double(total) / Double(max(count, 1))
        }

        func isBlack(_ u: Double, _ v: Double) -> Bool {
            let (r, g, b) = at(u, v)
            return r < 16 && g < 16 && b < 16
        }
    }

    /// Decodes a JPEG as stored (no orientation applied), independently of the code under test.
    static func decode(_ path: String) throws -> Picture {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let handle = try #require(tjInitDecompress())
        defer { tjDestroy(handle) }
        return try data.withUnsafeBytes { raw in
            let base = try #require(raw.bindMemory(to: UInt8.self).baseAddress)
            var width: Int32 = 0, height: Int32 = 0, sub: Int32 = 0, space: Int32 = 0
            #expect(tjDecompressHeader3(handle, base, UInt(raw.count), &width, &height, &sub, &space) == 0)
            var pixels = [UInt8](repeating: 0, count: Int(width * height * 3))
            let status = pixels.withUnsafeMutableBufferPointer {
                tjDecompress2(handle, base, UInt(raw.count), $0.baseAddress, width, 0, height, Int32(TJPF_RGB.rawValue), 0)
            }
            #expect(status == 0)
            return Picture(pixels: pixels, width: Int(width), height: Int(height))
        }
    }

    /// Width and height from a JPEG's header.
    static func dimensions(_ jpeg: Data) -> (Int, Int)? {
        guard let handle = tjInitDecompress() else { return nil }
        defer { tjDestroy(handle) }
        return jpeg.withUnsafeBytes { raw -> (Int, Int)? in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress else { return nil }
            var width: Int32 = 0, height: Int32 = 0, sub: Int32 = 0, space: Int32 = 0
            guard tjDecompressHeader3(handle, base, UInt(raw.count), &width, &height, &sub, &space) == 0 else { return nil }
            return (Int(width), Int(height))
        }
    }

    /// The displayed regions `clearance inspect` finds in a file, by name.
    static func regions(_ path: String) throws -> [String: [Double]] {
        let result = try CLIRunner.run(["inspect", path, "--json"])
        let people = ((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])?.first?["people"]
            as? [[String: Any]]) ?? []
        var found: [String: [Double]] = [:]
        for person in people {
            guard let name = person["name"] as? String, let r = person["region"] as? [String: Double] else { continue }
            found[name] = [r["x"] ?? 0, r["y"] ?? 0, r["w"] ?? 0, r["h"] ?? 0]
        }
        return found
    }

    static func centre(_ r: [Double]) -> (Double, Double) { (r[0] + r[2] / 2, r[1] + r[3] / 2) }

    func sar(_ fair: FairLedger, _ person: String, _ name: String = "pack") throws -> (URL, [String: Any]) {
        let out = fair.dir.appendingPathComponent(name)
        let result = try fair.run(["sar", person, "--to", out.path])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        let data = try Data(contentsOf: out.appendingPathComponent("data.json"))
        return (out, try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]))
    }

    func asset(_ pack: [String: Any], named file: String) throws -> [String: Any] {
        let sha = try CLIRunner.run(["inspect", file, "--json"]).stdout
        let hash = ((try JSONSerialization.jsonObject(with: Data(sha.utf8)) as? [[String: Any]])?.first?["sha256"] as? String) ?? ""
        return try #require((pack["assets"] as? [[String: Any]])?.first { $0["asset"] as? String == hash }, "\(file) not in pack")
    }

    @Test func eachOfTwoPeopleSeesThemselvesAndNotTheOther() throws {
        let fair = try FairLedger()
        let photo = fair.photo("amira-and-leo.jpg")
        let regions = try Self.regions(photo)
        let amiraRegion = try #require(regions["Amira Khan"]), leoRegion = try #require(regions["Leo Martins"])
        let original = try Self.decode(photo)

        for (requester, own, other) in [("Amira Khan", amiraRegion, leoRegion), ("Leo Martins", leoRegion, amiraRegion)] {
            let (folder, pack) = try sar(fair, try fair.person(requester), requester.replacingOccurrences(of: " ", with: "-"))
            let entry = try asset(pack, named: photo)
            #expect(entry["redacted"] as? Bool == true)
            #expect(entry["regionsBlackedOut"] as? Int == 1)
            let copy = try Self.decode(folder.appendingPathComponent(try #require(entry["file"] as? String)).path)
            #expect(copy.width == original.width && copy.height == original.height)
            let (ox, oy) = Self.centre(other)
            #expect(copy.isBlack(ox, oy), "\(requester): the other person's face is visible")
            #expect(copy.isBlack(other[0] + 0.01, other[1] + 0.01) && copy.isBlack(other[0] + other[2] - 0.01, other[1] + other[3] - 0.01))
            #expect(!original.isBlack(ox, oy))
            let (sx, sy) = Self.centre(own)
            #expect(!copy.isBlack(sx, sy), "\(requester): their own face is blacked out")
            let (r, g, b) = copy.at(sx, sy), (r0, g0, b0) = original.at(sx, sy)
            #expect(abs(r - r0) < 12 && abs(g - g0) < 12 && abs(b - b0) < 12, "own face changed: \((r, g, b)) vs \((r0, g0, b0))")
            // Everywhere but the other person's box, the picture as taken.
            #expect(copy.difference(from: original, except: other) < 4)
        }
    }

    @Test func aRotatedPhotoIsRedactedWhereItsFacesAreShown() throws {
        let fair = try FairLedger()
        guard FileManager.default.isExecutableFile(atPath: "/usr/local/bin/convert") || FileManager.default.isExecutableFile(atPath: "/usr/bin/convert"),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/exiftool") else { return }
        // The fair photo stored turned a quarter left, with EXIF orientation 6 to show it upright,
        // and its Microsoft regions rewritten for the stored pixels (display (x, y, w, h) is stored (y, 1-x-w, h, w)).
        let source = fair.photo("amira-and-leo.jpg")
        let shown = try Self.regions(source)
        let rotated = fair.dir.appendingPathComponent("amira-and-leo-rotated.jpg").path
        func stored(_ r: [Double]) -> String { [r[1], 1 - r[0] - r[2], r[3], r[2]].map { String($0) }.joined(separator: "|, ") }
        let amira = try #require(shown["Amira Khan"]), leo = try #require(shown["Leo Martins"])
        for (tool, arguments) in [
            ("convert", [source, "-rotate", "-90", rotated]),
            ("exiftool", ["-q", "-overwrite_original", "-XMP-MP:RegionInfoMP=", rotated]),
            ("exiftool", ["-q", "-overwrite_original", "-Orientation#=6",
                          "-XMP-MP:RegionInfoMP={Regions=[{PersonDisplayName=Amira Khan,Rectangle=\(stored(amira))},{PersonDisplayName=Leo Martins,Rectangle=\(stored(leo))}]}",
                          rotated]),
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [tool] + arguments
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(tool) failed")
        }
        let read = try Self.regions(rotated)
        for (name, region) in shown { #expect(zip(read[name] ?? [], region).allSatisfy { abs($0 - $1) < 0.001 }, "\(name): \(read[name] ?? [])") }
        #expect(try fair.run(["ingest", rotated]).status == 0)

        let (folder, pack) = try sar(fair, try fair.person("Amira Khan"))
        let entry = try asset(pack, named: rotated)
        let copy = try Self.decode(folder.appendingPathComponent(try #require(entry["file"] as? String)).path)
        let original = try Self.decode(source)
        // Upright, as displayed: the same picture as the unrotated original, Leo hidden.
        #expect(copy.width == original.width && copy.height == original.height)
        let (lx, ly) = Self.centre(leo), (ax, ay) = Self.centre(amira)
        #expect(copy.isBlack(lx, ly))
        #expect(!copy.isBlack(ax, ay))
        let (r, g, b) = copy.at(ax, ay), (r0, g0, b0) = original.at(ax, ay)
        #expect(abs(r - r0) < 12 && abs(g - g0) < 12 && abs(b - b0) < 12)
        #expect(copy.difference(from: original, except: leo) < 4, "not upright as displayed")
    }

    @Test func thePackHoldsTheirDataConsentsAndPublicationsAndNothingOfOthers() throws {
        let fair = try FairLedger()
        // A scanned signature (any image; the fair's empty hall stands in for one).
        let signature = URL(fileURLWithPath: fair.photo("empty-hall.jpg"))
        let amira = try fair.person("Amira Khan")
        let v2 = try fair.run(["consent", "record", "--person", amira, "--channels", "social,website", "--supersedes",
                               try fair.activeConsent(of: amira), "--signature", signature.path, "--by", "Officer Priya Shah"])
        #expect(v2.status == 0, "\(v2.stderr)")
        let post = "https://facebook.com/riverside/posts/99?a=1&b=%3C2%3E"
        _ = try fair.export(["amira-stage.jpg"], channel: "facebook", postURL: post)

        let (folder, pack) = try sar(fair, "amira khan")
        let person = pack["person"] as? [String: Any]
        #expect(person?["name"] as? String == "Amira Khan")
        #expect(person?["email"] as? String == "amira@example.org")
        #expect(person?["born"] as? String == "1990-04-12")
        let consents = pack["consents"] as? [[String: Any]] ?? []
        #expect(consents.map { $0["version"] as? Int } == [1, 2])
        #expect(consents.allSatisfy { $0["verifies"] as? Bool == true })
        for consent in consents {
            let receipt = try String(contentsOf: folder.appendingPathComponent(try #require(consent["receiptFile"] as? String)), encoding: .utf8)
            #expect(receipt.contains(consent["reference"] as? String ?? "?"))
        }
        #expect(consents.last?["signatureMatchesRecord"] as? Bool == true)
        let copied = try Data(contentsOf: folder.appendingPathComponent(try #require(consents.last?["signatureFile"] as? String)))
        #expect(copied == (try Data(contentsOf: signature)))

        let assets = pack["assets"] as? [[String: Any]] ?? []
        #expect(assets.count == 5, "amira-stage, its crop, bake-off, amira-and-leo, stage-clip")
        let stage = try asset(pack, named: fair.photo("amira-stage.jpg"))
        let publications = stage["publications"] as? [[String: Any]] ?? []
        #expect(publications.count == 1)
        #expect(publications.first?["postURL"] as? String == post)
        #expect(publications.first?["channel"] as? String == "facebook")
        #expect(publications.first?["by"] as? String == "Editor Ben Cole")
        // The crop only inherits her from its original: shown as taken, with a note, not a guess.
        let crop = try asset(pack, named: fair.photo("amira-stage-crop.jpg"))
        #expect(crop["redacted"] as? Bool == false)
        #expect((crop["note"] as? String)?.contains("not a redaction guess") == true)
        // The video cannot be redacted; nobody else is in it, so it is copied scrubbed.
        let clip = try asset(pack, named: fair.photo("stage-clip.mp4"))
        #expect((clip["note"] as? String)?.contains("not available for MP4") == true)

        let html = try String(contentsOf: folder.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.contains("Amira Khan") && html.contains("What we hold about you"))
        #expect(html.contains("<a href=\"https://facebook.com/riverside/posts/99?a=1&amp;b=%3C2%3E\" rel=\"noreferrer\">"),
                "post URL must be a link, escaped")
        #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;; style-src &#39;sha256-"))
        // Nothing about anyone else: not Leo's name, nor any metadata in the copies.
        let everything = try FileManager.default.subpathsOfDirectory(atPath: folder.path).compactMap {
            try? Data(contentsOf: folder.appendingPathComponent($0))
        }
        for bytes in everything {
            #expect(bytes.range(of: Data("Leo Martins".utf8)) == nil)
            #expect(bytes.range(of: Data("Rosa Martins".utf8)) == nil)
        }
        for file in assets.compactMap({ $0["file"] as? String }) where file.hasSuffix(".jpg") {
            let bytes = try Data(contentsOf: folder.appendingPathComponent(file))
            #expect(bytes.range(of: Data("Exif".utf8)) == nil, "\(file) carries EXIF")
            #expect(bytes.range(of: Data("ns.adobe.com/xap".utf8)) == nil, "\(file) carries XMP")
        }
    }

    @Test func namesAreEscapedInThePage() throws {
        let fair = try FairLedger()
        let id = try fair.run(["person", "add", "--name", "Zoë <script>alert(1)</script> & Co"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let (folder, pack) = try sar(fair, id)
        #expect((pack["assets"] as? [Any])?.isEmpty == true)
        let html = try String(contentsOf: folder.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(!html.contains("<script>"))
        #expect(html.contains("Zoë &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"))
        #expect(html.contains("no record of you agreeing"))
    }

    @Test func damagedOrHostileJPEGsAreRefusedNotCrashedOn() throws {
        let good = try Data(contentsOf: URL(fileURLWithPath: CLIRunner.packageRoot.appendingPathComponent("samples/photos/amira-and-leo.jpg").path))
        #expect(throws: RedactionError.self) { try JPEGRedaction.redact(Data(), orientation: 1, blackOut: []) }
        #expect(throws: RedactionError.self) { try JPEGRedaction.redact(Data("not a jpeg at all".utf8), orientation: 1, blackOut: []) }
        #expect(throws: RedactionError.self) { try JPEGRedaction.redact(good.prefix(200), orientation: 1, blackOut: []) }
        // A frame header claiming 65535×65535 pixels is refused before anything is allocated.
        var huge = good
        if let sof = huge.firstRange(of: Data([0xFF, 0xC0])) {
            huge.replaceSubrange((sof.lowerBound + 5)..<(sof.lowerBound + 9), with: [0xFF, 0xFF, 0xFF, 0xFF])
        }
        #expect(throws: RedactionError.self) { try JPEGRedaction.redact(huge, orientation: 1, blackOut: []) }
        // Seeded damage in the scan: either refused or decoded, never a crash.
        var generator = SeededBytes(seed: 7)
        for _ in 0..<40 {
            var damaged = good
            for _ in 0..<8 { damaged[Int(generator.next() % UInt64(damaged.count))] = UInt8(truncatingIfNeeded: generator.next()) }
            _ = try? JPEGRedaction.redact(damaged, orientation: Int(generator.next() % 10), blackOut: [[0.1, 0.1, 0.2, 0.2]])
        }
        // Regions out of range, negative or not numbers are clipped or ignored.
        let odd = try JPEGRedaction.redact(good, orientation: 9, blackOut: [[-5, 0, 100, 0.5], [.nan, 0, 1, 1], [0.5, 0.5, -1, -1], [0.2]])
        let picture = try Self.decode(try writeTemporary(odd))
        // The top half is black; the girl's white shirt at the bottom right is not.
        #expect(picture.isBlack(0.5, 0.2) && !picture.isBlack(0.85, 0.9))
    }

    func writeTemporary(_ data: Data) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-redacted-\(UUID().uuidString).jpg")
        try data.write(to: url)
        return url.path
    }

    /// A small deterministic generator (splitmix64), so damage is the same on every run.
    struct SeededBytes {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func badInputWritesNothingAndExitsTwo() throws {
        let fair = try FairLedger()
        let full = fair.dir.appendingPathComponent("full")
        try FileManager.default.createDirectory(at: full, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: full.appendingPathComponent("notes.txt"))
        let file = fair.dir.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let grace = try fair.person("Grace Obi")
        #expect(try fair.run(["erase", grace]).status == 0)
        let before = try FileManager.default.contentsOfDirectory(atPath: fair.dir.path).sorted()
        for arguments in [
            ["sar", "Nobody Registered", "--to", fair.dir.appendingPathComponent("a").path],
            ["sar", "P-2222-2222", "--to", fair.dir.appendingPathComponent("b").path],
            ["sar", grace, "--to", fair.dir.appendingPathComponent("c").path],
            ["sar", "Amira Khan", "--to", full.path],
            ["sar", "Amira Khan", "--to", file.path],
            ["sar", "Sam Taylor", "--to", fair.dir.appendingPathComponent("d").path],
            ["sar", "Amira Khan", "--to", "/nonexistent-parent/pack"],
        ] {
            let result = try fair.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stdout) \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: fair.dir.path).sorted() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: full.path) == ["notes.txt"])
        // An existing empty folder is fine.
        let empty = fair.dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(try fair.run(["sar", "Amira Khan", "--to", empty.path]).status == 0)
        #expect(FileManager.default.fileExists(atPath: empty.appendingPathComponent("index.html").path))
    }
}
