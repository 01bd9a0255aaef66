import Foundation
import Testing
@testable import MediaMetadata

/// The reader on the real videos of the shared corpus, against ExifTool, and on those videos
/// cut short at many points.
@Suite(.enabled(if: QuickTimeCorpus.root != nil, "needs ../shared/corpus"))
struct QuickTimeCorpusTests {
    @Test(.enabled(if: QuickTimeCorpus.exifToolAvailable, "needs exiftool"))
    func agreesWithExifTool() throws {
        let videos = QuickTimeCorpus.videos()
        #expect(!videos.isEmpty, "no MP4/MOV/M4V files in the corpus: nothing was compared")
        var compared: [String: Int] = [:]
        for path in videos {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let reference = try QuickTimeCorpus.exifTool(path)
            let facts: QuickTimeFacts
            do {
                facts = try QuickTimeReader.read(fileAt: path)
            } catch {
                Issue.record("\(name): \(error)")
                continue
            }

            // Capture time: Apple keys, then the camera's own dated tag, then the movie header (UTC).
            let keyDate = reference.string("Keys:CreationDate").map(QuickTimeCorpus.isoFromExifTool)
            let userDate = reference.string("UserData:DateTimeOriginal").map(QuickTimeCorpus.isoFromExifTool)
            let headerDate = reference.string("QuickTime:CreateDate").flatMap {
                $0.hasPrefix("0000") ? nil : QuickTimeCorpus.isoFromExifTool($0) + "Z"
            }
            if let expected = keyDate ?? userDate ?? headerDate {
                compared["capturedAt", default: 0] += 1
                #expect(facts.capturedAt == expected, "\(name) capturedAt")
            }

            if let latitude = reference.double("Composite:GPSLatitude"),
                let longitude = reference.double("Composite:GPSLongitude")
            {
                compared["gps", default: 0] += 1
                let gps = try #require(facts.gps, "\(name): ExifTool has GPS, reader has none")
                #expect(abs(gps.latitude - latitude) <= 1e-5, "\(name) latitude")
                #expect(abs(gps.longitude - longitude) <= 1e-5, "\(name) longitude")
                if let altitude = reference.double("Composite:GPSAltitude") {
                    let signed = reference.double("Composite:GPSAltitudeRef") == 1 ? -altitude : altitude
                    #expect(gps.altitude.map { abs($0 - signed) <= 0.01 } == true, "\(name) altitude")
                }
            } else {
                #expect(facts.gps == nil, "\(name): reader found GPS that ExifTool does not report")
            }

            let make = reference.string("Keys:Make") ?? reference.string("UserData:Make")
            let model = reference.string("Keys:Model") ?? reference.string("UserData:Model")
            #expect(facts.make == make, "\(name) make")
            #expect(facts.model == model, "\(name) model")
            if make != nil { compared["make", default: 0] += 1 }
            if model != nil { compared["model", default: 0] += 1 }

            if let track = reference.firstVideoTrack() {
                compared["size", default: 0] += 1
                #expect(facts.width == reference.int("\(track):ImageWidth"), "\(name) width")
                #expect(facts.height == reference.int("\(track):ImageHeight"), "\(name) height")
            }

            // Every XMP packet ExifTool reads, we return raw (the XMP reader parses it).
            if reference.hasGroup(prefix: "XMP-") {
                compared["xmp", default: 0] += 1
                #expect(!facts.xmpPackets.isEmpty, "\(name): ExifTool reads XMP, reader returned none")
                for packet in facts.xmpPackets {
                    #expect(String(decoding: packet, as: UTF8.self).contains("x:xmpmeta"), "\(name): not an XMP packet")
                }
            } else {
                #expect(facts.xmpPackets.isEmpty, "\(name): XMP returned that ExifTool does not see")
            }
        }
        print("QuickTime vs ExifTool on \(videos.count) corpus videos, fields compared: \(compared.sorted { $0.key < $1.key })")
        for field in ["capturedAt", "gps", "make", "model", "size", "xmp"] {
            #expect(compared[field, default: 0] > 0, "the corpus gave no \(field) to compare")
        }
    }

    /// Every prefix of a real file either reads (with the damage reported) or fails with a
    /// `MediaReadError`; once the whole `moov` is present the facts are those of the full file.
    @Test(arguments: ["with-gps.mp4", "uuid540.mp4", "with-gps.mov", "QuickTime.mov"])
    func truncatedCopiesFailCleanly(name: String) throws {
        let original = try #require(QuickTimeCorpus.videos().first { $0.hasSuffix("/" + name) }, "\(name) not in corpus")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: original)))
        let full = try QuickTimeReader.read(fileAt: original)

        let whole = QuickTimeLoadedBytes(baseOffset: 0, storage: bytes, fileLength: Int64(bytes.count))
        let top = QuickTimeBoxWalker.boxes(in: 0..<whole.fileLength, of: whole, topLevel: true)
        #expect(top.damage == nil)
        let moov = try #require(top.boxes.first { $0.type == "moov" })
        let boundaries = Set(top.boxes.map(\.end))

        // Even steps through the file, plus every byte around the moov box's edges.
        var cuts = Set(stride(from: 0, to: bytes.count, by: max(1, bytes.count / 150)).map { $0 })
        for edge in [moov.offset, moov.payloadOffset, moov.end] {
            for delta in -20...20 { cuts.insert(Int(edge) + delta) }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-qt-cut-\(UUID().uuidString)-\(name)")
        defer { try? FileManager.default.removeItem(at: path) }

        var partial = 0
        var refused = 0
        for cut in cuts.sorted() where cut >= 0 && cut < bytes.count {
            try Data(bytes[0..<cut]).write(to: path)
            let reading: QuickTimeReading
            do {
                reading = try QuickTimeReader.readPartially(fileAt: path.path)
            } catch {
                refused += 1
                #expect(Int64(cut) < moov.end, "\(name) cut at \(cut): the whole moov is there, yet: \(error)")
                continue
            }
            partial += 1
            if !boundaries.contains(Int64(cut)) {
                #expect(reading.damage != nil, "\(name) cut at \(cut) of \(bytes.count) reads as whole")
                #expect(throws: MediaReadError.self) { try QuickTimeReader.read(fileAt: path.path) }
            }
            if Int64(cut) >= moov.end {
                #expect(reading.facts.capturedAt == full.capturedAt && reading.facts.gps == full.gps, "\(name) cut at \(cut)")
                #expect(reading.facts.width == full.width && reading.facts.make == full.make, "\(name) cut at \(cut)")
            }
        }
        #expect(partial > 0 && refused > 0)
    }

    /// A real file with metadata everywhere (keys, ilst, udta, XMP_) with 4 bytes overwritten
    /// at thousands of places by sizes that break box rules: never a crash, never nonsense.
    @Test func corruptedCopiesNeverCrash() throws {
        let original = try #require(QuickTimeCorpus.videos().first { $0.hasSuffix("/QuickTime.mov") }, "QuickTime.mov not in corpus")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: original)))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-qt-fuzz-\(UUID().uuidString).mov")
        defer { try? FileManager.default.removeItem(at: path) }

        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 // fixed seed: failures reproduce
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let nasty: [UInt32] = [0, 1, 2, 7, 8, 9, 16, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x0400_0001, UInt32(bytes.count)]
        var read = 0
        var refused = 0
        for _ in 0..<3000 {
            var copy = bytes
            let offset = Int(next() % UInt64(bytes.count - 4))
            let value = next() % 2 == 0 ? nasty[Int(next() % UInt64(nasty.count))] : UInt32(truncatingIfNeeded: next())
            for (i, shift) in [24, 16, 8, 0].enumerated() { copy[offset + i] = UInt8(truncatingIfNeeded: value >> UInt32(shift)) }
            try Data(copy).write(to: path)
            do {
                let facts = try QuickTimeReader.readPartially(fileAt: path.path).facts
                read += 1
                #expect((facts.width ?? 1) > 0 && (facts.height ?? 1) > 0)
                if let gps = facts.gps { #expect(abs(gps.latitude) <= 90 && abs(gps.longitude) <= 180) }
                #expect(facts.xmpPackets.allSatisfy { $0.count < bytes.count })
            } catch {
                refused += 1
            }
        }
        #expect(read > 0 && refused > 0, "read \(read), refused \(refused)")
    }
}

/// Finding the corpus and asking ExifTool about its files.
enum QuickTimeCorpus {
    static let root: URL? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("../shared/corpus").standardizedFileURL
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue ? url : nil
    }()

    static var exifToolAvailable: Bool {
        ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/exiftool") } ?? false
    }

    static func videos() -> [String] {
        guard let root, let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var found: [String] = []
        while let url = walker.nextObject() as? URL {
            if ["mp4", "mov", "m4v"].contains(url.pathExtension.lowercased()) { found.append(url.path) }
        }
        return found.sorted()
    }

    struct Reference {
        let fields: [String: Any]
        func string(_ key: String) -> String? {
            guard let value = fields[key] else { return nil }
            let text = "\(value)".trimmingCharacters(in: .whitespaces)
            return text.isEmpty ? nil : text
        }
        func double(_ key: String) -> Double? { (fields[key] as? NSNumber)?.doubleValue }
        func int(_ key: String) -> Int? { (fields[key] as? NSNumber)?.intValue }
        func hasGroup(prefix: String) -> Bool { fields.keys.contains { $0.hasPrefix(prefix) } }

        /// ExifTool numbers tracks `Track1`…; a video track has handler `vide` (QuickTime files
        /// may show the data handler `alis` there instead) or a video compressor.
        func firstVideoTrack() -> String? {
            (1...64).map { "Track\($0)" }.first { track in
                (string("\(track):HandlerType") == "vide" || fields["\(track):CompressorID"] != nil)
                    && (int("\(track):ImageWidth") ?? 0) > 0
            }
        }
    }

    static func exifTool(_ path: String) throws -> Reference {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["exiftool", "-json", "-n", "-G1", path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let array = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        return Reference(fields: array.first ?? [:])
    }

    /// `2019:07:24 11:25:40+03:00` → `2019-07-24T11:25:40+03:00`.
    static func isoFromExifTool(_ value: String) -> String {
        var text = Array(value)
        for index in [4, 7] where index < text.count && text[index] == ":" { text[index] = "-" }
        if text.count > 10, text[10] == " " { text[10] = "T" }
        return String(text)
    }
}
