import Foundation
import Testing
@testable import MediaMetadata

/// Scrubbed JPEG exports, checked by re-reading them with ExifTool and ImageMagick.
@Suite struct ScrubJPEGTests {
    /// Tags that must never reach an export, by family-0 group, family-1 group or tag name.
    static let forbiddenGroups0: Set<String> = ["MakerNotes", "IPTC", "Photoshop", "JFXX", "FlashPix", "MPF"]
    static let forbiddenGroups1: Set<String> = ["IFD1", "XMP-mwg-rs", "XMP-MP", "XMP-MicrosoftPhoto", "XMP-Iptc4xmpExt", "GPS"]

    /// Why `key` (`Group0:Group1:Tag`) must not be in an export, or nil when it may be.
    static func leak(_ key: String) -> String? {
        guard let (group0, group1, tag) = ScrubSupport.groups(key) else { return nil }
        if forbiddenGroups0.contains(group0) || forbiddenGroups1.contains(group1) { return "group" }
        if group0 == "XMP", !["ModelReleaseStatus", "ModelReleaseID"].contains(tag) { return "XMP other than the stamp" }
        if tag.hasPrefix("GPS") || tag.contains("SerialNumber") || tag.hasPrefix("MakerNote") { return "tag" }
        if ["ThumbnailImage", "ThumbnailOffset", "ThumbnailLength", "PreviewImage", "Comment", "UserComment",
            "ImageDescription", "Artist", "OwnerName", "CameraOwnerName", "Copyright", "Make", "Model"].contains(tag) { return "tag" }
        if tag.hasPrefix("PersonInImage") || tag.hasPrefix("Region") { return "person" }
        return nil
    }

    /// Offset of the first SOS marker, by a deliberately separate, simple walk.
    static func startOfScan(_ bytes: [UInt8]) -> Int? {
        var i = 2
        while i + 4 <= bytes.count {
            guard bytes[i] == 0xFF else { i += 1; continue }
            let marker = bytes[i + 1]
            if marker == 0xFF { i += 1; continue }
            if marker == 0xDA { return i }
            if marker == 0x01 || (0xD0...0xD8).contains(marker) { i += 2; continue }
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            i += 2 + length
        }
        return nil
    }

    static func sources() -> [String] {
        let fixtures = ((try? FileManager.default.contentsOfDirectory(atPath: Fixtures.directory)) ?? [])
            .filter { $0.hasSuffix(".jpg") }.sorted().map { Fixtures.path($0) }
        let inspector = MediaInspector()
        let corpus = ScrubSupport.corpusFiles(extensions: ["jpg", "jpeg"]).filter {
            let facts = inspector.inspect(path: $0)
            return facts.error == nil && facts.format == .jpeg
        }
        return fixtures + corpus
    }

    @Test(.enabled(if: ScrubSupport.isInstalled("exiftool"), "needs exiftool"))
    func exportedJPEGsCarryNothingPersonal() throws {
        let sources = Self.sources()
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var exported: [(source: String, output: String)] = []
        var refused: [String: String] = [:], failed: [String: String] = [:]
        for (index, source) in sources.enumerated() {
            let output = "\(directory)/\(index).jpg"
            do {
                try ScrubbedCopy.write(from: source, to: output, format: .jpeg, release: ScrubSupport.stamp)
                exported.append((source, output))
            } catch ScrubError.cannotScrubSafely(let why) {
                refused[source] = why
                #expect(!FileManager.default.fileExists(atPath: output))
            } catch {
                failed[source] = "\(error)"
            }
        }
        // Export may refuse a file only when its image data is damaged: ImageMagick, asked to
        // treat warnings as errors, must fail on the source too.
        for source in Array(failed.keys) + Array(refused.keys) where ScrubSupport.isInstalled("convert") {
            let decode = try ScrubSupport.run(["convert", "-regard-warnings", source, "null:"])
            #expect(decode.status != 0, "\(source) decodes cleanly but export failed: \(failed[source] ?? refused[source] ?? "")")
        }
        print("JPEG export: \(exported.count) written, \(refused.count) refused, \(failed.count) failed (damaged image data) of \(sources.count)")
        #expect(exported.count >= sources.count * 9 / 10, "too many refused: \(refused)")

        let before = try ScrubSupport.exifTool(exported.map(\.source))
        let after = try ScrubSupport.exifTool(exported.map(\.output), validate: true)
        var leaksBefore = 0, orientations = 0
        for (source, output) in exported {
            let original = try #require(before[source], "ExifTool did not read \(source)")
            let copy = try #require(after[output], "ExifTool did not read the export of \(source)")
            if original.keys.contains(where: { Self.leak($0) != nil }) { leaksBefore += 1 }
            #expect(copy["ExifTool:Validate"] as? String == "0 0 0", "\(source): ExifTool -validate says \(copy["ExifTool:Validate"] ?? "nothing")")
            let leaks = copy.keys.filter { Self.leak($0) != nil }
            #expect(leaks.isEmpty, "\(source): export still has \(leaks)")
            #expect(copy["XMP:XMP-plus:ModelReleaseStatus"] as? String == ScrubSupport.stamp.status, "\(source)")
            let ids = copy["XMP:XMP-plus:ModelReleaseID"]
            let idList = (ids as? [String]) ?? (ids as? String).map { [$0] } ?? []
            #expect(idList == ScrubSupport.stamp.consentReferences, "\(source): \(String(describing: ids))")
            let sourceOrientation = (original["EXIF:IFD0:Orientation"] as? NSNumber)?.intValue
            let keptOrientation = (sourceOrientation.map { (1...8).contains($0) } ?? false) ? sourceOrientation : nil
            #expect((copy["EXIF:IFD0:Orientation"] as? NSNumber)?.intValue == keptOrientation, "\(source)")
            if keptOrientation != nil { orientations += 1 }

            // Pixels are not re-encoded: the scans up to EOI are the same bytes.
            let a = try ScrubSupport.bytes(source), b = try ScrubSupport.bytes(output)
            let sosA = try #require(Self.startOfScan(a))
            let sosB = try #require(Self.startOfScan(b))
            let scanLength = b.count - sosB
            #expect(b.suffix(2) == [0xFF, 0xD9])
            #expect(sosA + scanLength <= a.count && a[sosA..<sosA + scanLength] == b[sosB...], "\(source): scan bytes differ")
        }
        print("JPEG export: \(leaksBefore) sources had fields that must go; \(orientations) orientations kept")
        #expect(leaksBefore > 0, "no source had anything to remove: nothing was tested")
        #expect(orientations > 0)
    }

    /// Every export decodes to exactly the pixels of its source (ImageMagick's pixel signature,
    /// a SHA-256 of the decoded pixels, with the ICC profile applied the same way to both).
    @Test(.enabled(if: ScrubSupport.isInstalled("identify"), "needs ImageMagick"))
    func exportedJPEGsDecodeToTheSamePixels() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var pairs: [(source: String, output: String)] = []
        for (index, source) in Self.sources().enumerated() {
            let output = "\(directory)/\(index).jpg"
            if (try? ScrubbedCopy.write(from: source, to: output, format: .jpeg, release: ScrubSupport.stamp)) != nil {
                pairs.append((source, output))
            }
        }
        /// Pixel signatures, or nil when ImageMagick meets any damage (warnings count as errors:
        /// a damaged scan may decode differently from one run to the next).
        func signatures(_ files: [String]) throws -> [String]? {
            let run = try ScrubSupport.run(["identify", "-regard-warnings", "-format", "%#\n"] + files)
            let lines = String(decoding: run.output, as: UTF8.self).split(separator: "\n").map(String.init)
            return run.status == 0 && lines.count == files.count ? lines : nil
        }
        var compared = 0
        for start in stride(from: 0, to: pairs.count, by: 25) {
            let batch = Array(pairs[start..<min(start + 25, pairs.count)])
            if let before = try signatures(batch.map(\.source)) {
                #expect(try signatures(batch.map(\.output)) == before, "\(batch.map(\.source)): exports decode to other pixels")
                compared += batch.count
                continue
            }
            for pair in batch {
                guard let before = try signatures([pair.source]) else { continue }
                #expect(try signatures([pair.output]) == before, "\(pair.source): export decodes to other pixels")
                compared += 1
            }
        }
        print("JPEG export: \(compared) of \(pairs.count) exports decode to the same pixels as their sources")
        #expect(compared > 0)
    }

    /// Clearance's own inspector, the reader `ingest` uses, finds the stamp and nothing else.
    @Test func inspectorSeesOnlyTheStampInExports() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let inspector = MediaInspector()
        var withPeople = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: Fixtures.directory).sorted() where name.hasSuffix(".jpg") {
            let source = Fixtures.path(name), output = "\(directory)/\(name)"
            try ScrubbedCopy.write(from: source, to: output, format: .jpeg, release: ScrubSupport.stamp)
            let before = inspector.inspect(path: source), after = inspector.inspect(path: output)
            if !before.people.isEmpty || before.faceRegions > 0 { withPeople += 1 }
            #expect(after.error == nil, "\(name): \(after.error ?? "")")
            #expect(after.gps == nil && after.serial == nil && after.make == nil && after.model == nil, "\(name)")
            #expect(after.people.isEmpty && after.faceRegions == 0, "\(name): \(after.people)")
            #expect(after.capturedAt == nil, "\(name)")
            #expect(after.width == before.width && after.height == before.height, "\(name)")
            #expect(after.orientation == before.orientation, "\(name)")
            #expect(after.modelRelease?.status == ScrubSupport.stamp.status, "\(name)")
            #expect(after.modelRelease?.ids == ScrubSupport.stamp.consentReferences, "\(name)")
        }
        #expect(withPeople > 0)
    }

    @Test func truncatedJPEGLeavesNoFile() throws {
        let whole = try ScrubSupport.bytes(Fixtures.path("rotated-6.jpg"))
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sos = try #require(Self.startOfScan(whole))
        for cut in [3, 20, sos - 1, sos + 3, sos + (whole.count - sos) / 2, whole.count - 1] {
            let source = "\(directory)/cut-\(cut).jpg", output = "\(directory)/out-\(cut).jpg"
            try Data(whole.prefix(cut)).write(to: URL(fileURLWithPath: source))
            #expect(throws: MediaReadError.self, "cut at \(cut)") {
                try ScrubbedCopy.write(from: source, to: output, format: .jpeg, release: ScrubSupport.stamp)
            }
            #expect(!FileManager.default.fileExists(atPath: output), "cut at \(cut) left a partial export")
        }
    }

    @Test func existingDestinationIsRefusedAndUntouched() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = "\(directory)/taken.jpg"
        let original = Data("someone else's file".utf8)
        try original.write(to: URL(fileURLWithPath: output))
        #expect(throws: ScrubError.destinationExists(output)) {
            try ScrubbedCopy.write(from: Fixtures.path("rotated-6.jpg"), to: output, format: .jpeg, release: ScrubSupport.stamp)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == original)
    }

    /// HEIC and TIFF are converted, so a file that only looks like one is refused, leaving nothing.
    @Test func brokenPicturesToConvertAreRefused() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let heic = Array("\0\0\0\u{18}ftypheic\0\0\0\0mif1heic".utf8) + [UInt8](repeating: 0x41, count: 64)
        let tiff: [UInt8] = [0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00] + [UInt8](repeating: 0xFF, count: 40)
        for (format, bytes) in [(ContainerFormat.heic, heic), (.tiff, tiff)] {
            let source = "\(directory)/broken.\(format.rawValue)", output = "\(directory)/out-\(format.rawValue).jpg"
            try Data(bytes).write(to: URL(fileURLWithPath: source))
            #expect(throws: (any Error).self) {
                try ScrubbedCopy.write(from: source, to: output, format: format, release: ScrubSupport.stamp)
            }
            #expect(!FileManager.default.fileExists(atPath: output))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["broken.heic", "broken.tiff"])
    }

    @Test func releasePacketEscapesMarkup() throws {
        let packet = String(decoding: ScrubXMP.packet(ReleaseStamp(status: "MR-NON", consentReferences: ["a<b>&\"c\"\u{1}"])), as: UTF8.self)
        #expect(packet.contains("<rdf:li>a&lt;b&gt;&amp;&quot;c&quot;</rdf:li>"))
        #expect(packet.contains("http://ns.useplus.org/ldf/vocab/MR-NON"))
        let facts = try XMPReader.read(packets: [ScrubXMP.packet(ScrubSupport.stamp)], sidecarPath: nil, image: ImageGeometry(width: nil, height: nil, orientation: nil))
        #expect(facts.modelRelease?.ids == ScrubSupport.stamp.consentReferences)
    }
}
