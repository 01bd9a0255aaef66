import Foundation
import Testing

/// Differential test: what `clearance inspect --json` reads from every file of the shared corpus,
/// against what ExifTool (the reader users trust) reports for the same file.
///
/// Field definitions (ExifTool -G1 -n groups), so both sides mean the same thing:
/// - capture time: ExifIFD:DateTimeOriginal (+ OffsetTimeOriginal), else ExifIFD:CreateDate;
///   for videos Keys:CreationDate, else UserData:DateTimeOriginal, else QuickTime:CreateDate (UTC). All-zero dates are "not reported".
/// - GPS: Composite:GPSLatitude/GPSLongitude (signed), within 1e-5 degrees.
/// - make/model: IFD0, else Keys / UserData (videos), else XMP-tiff.
/// - serial: ExifIFD:SerialNumber (EXIF BodySerialNumber), else XMP-aux / XMP-exifEX SerialNumber.
///   Maker-note serials are out of scope on purpose: Clearance does not parse maker notes.
/// - person names: IPTC PersonInImage, PersonInImageWDetails names, ImageRegion person names,
///   MWG region names of Face regions, Microsoft region display names (as a set).
/// - face regions: MWG regions of type Face + Microsoft people regions + IPTC image regions
///   naming a person or typed human.
@Suite(.serialized, .enabled(if: CLIRunner.corpus != nil && ExifToolReference.available,
                             "needs ../shared/corpus and exiftool"))
struct InspectCorpusTests {
    static let supportedTypes: Set<String> = ["JPEG", "HEIC", "HEIF", "TIFF", "PNG", "MP4", "MOV", "M4V"]

    @Test func agreesWithExifToolOnTheCorpus() throws {
        let corpus = try #require(CLIRunner.corpus)
        let reference = try ExifToolReference.read(corpus)
        let ours = try InspectOutput.read(corpus)

        var tallies: [String: (agree: Int, total: Int)] = [:]
        var disagreements: [String] = []
        func tally(_ field: String, _ path: String, agree: Bool, ours: Any?, theirs: Any?) {
            tallies[field, default: (0, 0)].total += 1
            if agree { tallies[field]!.agree += 1 } else {
                disagreements.append("\(field) \(path): clearance=\(ours.map { "\($0)" } ?? "nil") exiftool=\(theirs.map { "\($0)" } ?? "nil")")
            }
        }

        for (path, ref) in reference where Self.supportedTypes.contains(ref.fileType) {
            guard let mine = ours[path] else {
                Issue.record("inspect did not report \(path)")
                continue
            }
            let sidecarRef = mine.sidecar.flatMap { reference[$0] }
            if let when = ref.capturedAt {
                tally("capture time", path, agree: mine.capturedAt.map { ExifToolReference.sameTime($0, when) } ?? false,
                      ours: mine.capturedAt, theirs: when)
            }
            if let gps = ref.gps {
                let agree = mine.gps.map { abs($0.0 - gps.0) <= 1e-5 && abs($0.1 - gps.1) <= 1e-5 } ?? false
                tally("gps", path, agree: agree, ours: mine.gps, theirs: gps)
            }
            if let make = ref.make { tally("make", path, agree: mine.make == make, ours: mine.make, theirs: make) }
            if let model = ref.model { tally("model", path, agree: mine.model == model, ours: mine.model, theirs: model) }
            if let serial = ref.serial { tally("serial", path, agree: mine.serial == serial, ours: mine.serial, theirs: serial) }
            let names = ref.personNames.union(sidecarRef?.personNames ?? [])
            if !names.isEmpty {
                tally("person names", path, agree: mine.personNames == names, ours: mine.personNames.sorted(), theirs: names.sorted())
            }
            let faces = ref.faceRegions + (sidecarRef?.faceRegions ?? 0)
            if faces > 0 {
                tally("face regions", path, agree: mine.faceRegions == faces, ours: mine.faceRegions, theirs: faces)
            }
        }

        // Files in formats Clearance does not read must say so, clearly. Some formats are a
        // supported container under another name and are read as such: TIFF-structured raw
        // files (DNG, NEF, CR2…), stereo JPEG (JPS), 3GPP phone video (MP4 boxes).
        let sameContainer: [String: String] = ["JPS": "jpeg", "3GP": "mp4", "3G2": "mp4"]
        var unsupportedChecked = 0
        for (path, ref) in reference where !Self.supportedTypes.contains(ref.fileType) && ref.fileType != "XMP" {
            guard let mine = ours[path] else { continue }
            if mine.format == "tiff" || (mine.format != nil && sameContainer[ref.fileType] == mine.format) { continue }
            unsupportedChecked += 1
            #expect(mine.error?.hasPrefix("unsupported format") == true || mine.error?.hasPrefix("malformed") == true,
                    "\(path) (\(ref.fileType)): expected an unsupported-format error, got \(mine.error ?? "no error")")
        }

        print("inspect vs ExifTool on \(reference.count) corpus files (\(unsupportedChecked) in other formats):")
        for (field, t) in tallies.sorted(by: { $0.key < $1.key }) {
            let padded = field.padding(toLength: 14, withPad: " ", startingAt: 0)
            print(String(format: "  \(padded) %4d / %4d agree (%.1f%%)", t.agree, t.total, 100 * Double(t.agree) / Double(max(t.total, 1))))
        }
        for line in disagreements.prefix(60) { print("  disagree: \(line)") }

        for field in ["capture time", "gps", "make", "model", "serial", "person names", "face regions"] {
            let t = tallies[field] ?? (0, 0)
            #expect(t.total > 0, "ExifTool reported no \(field) in the corpus: the comparison tested nothing")
            #expect(Double(t.agree) >= 0.99 * Double(t.total), "\(field): \(t.agree)/\(t.total) agree, below 99%")
        }
    }

    /// Metadata and faces: every picture and video of the corpus, damaged and hostile ones
    /// included, goes through the face detector as well.
    @Test func readsEveryCorpusFileWithoutCrashOrHang() throws {
        let corpus = try #require(CLIRunner.corpus)
        let result = try CLIRunner.run(["inspect", "--json", corpus.path], timeout: 900)
        #expect(!result.timedOut, "inspect over the corpus did not finish within 900 s")
        #expect(!result.crashed, "inspect crashed: \(result.stderr.suffix(500))")
        // The corpus holds unreadable files, so the run must end with 2 and still report all.
        #expect(result.status == 2)
        let array = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        let expected = try Self.mediaFileCount(corpus)
        #expect(array.count == expected)
        #expect(array.allSatisfy { $0["sha256"] is String }, "every file is hashed, readable or not")
        // A known format was looked at for faces, or says why not; anything else has no faces.
        for object in array {
            let warnings = object["warnings"] as? [String] ?? []
            if object["format"] is String {
                #expect(object["detectedFaces"] is [Any] || warnings.contains { $0.hasPrefix("faces were not looked for: ") },
                        "\(object["path"] ?? "?"): \(object["detectedFaces"] ?? "missing") \(warnings)")
            } else {
                #expect(object["detectedFaces"] is NSNull)
            }
        }
        let lookedAt = array.filter { $0["detectedFaces"] is [Any] }.count
        #expect(lookedAt > array.count / 2, "faces looked for in \(lookedAt) of \(array.count) files")
    }

    /// Files `inspect` is expected to report for a directory: everything but sidecars and dotfiles.
    static func mediaFileCount(_ root: URL) throws -> Int {
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        var count = 0
        while let url = walker?.nextObject() as? URL {
            let name = url.lastPathComponent
            guard (try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                  !name.hasPrefix("."), !name.lowercased().hasSuffix(".xmp") else { continue }
            count += 1
        }
        return count
    }
}

/// The fields of one `inspect --json` object that the differential test compares.
struct InspectOutput {
    var format: String?
    var capturedAt: String?
    var gps: (Double, Double)?
    var make, model, serial: String?
    var personNames: Set<String>
    var faceRegions: Int
    var sidecar: String?
    var error: String?

    /// Runs the real binary over the corpus and indexes its answer by path.
    static func read(_ corpus: URL) throws -> [String: InspectOutput] {
        // Metadata only: faces are compared with counts by eye elsewhere (FaceDetectionTests).
        let result = try CLIRunner.run(["inspect", "--json", "--no-faces", corpus.path], timeout: 180)
        let array = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        var byPath: [String: InspectOutput] = [:]
        for object in array {
            guard let path = object["path"] as? String else { continue }
            let gps = object["gps"] as? [String: Any]
            let people = object["people"] as? [[String: Any]] ?? []
            byPath[URL(fileURLWithPath: path).standardizedFileURL.path] = InspectOutput(
                format: object["format"] as? String,
                capturedAt: object["capturedAt"] as? String,
                gps: gps.flatMap { g in (g["latitude"] as? Double).flatMap { lat in (g["longitude"] as? Double).map { (lat, $0) } } },
                make: object["make"] as? String, model: object["model"] as? String, serial: object["serial"] as? String,
                personNames: Set(people.compactMap { $0["name"] as? String }),
                faceRegions: object["faceRegions"] as? Int ?? 0,
                sidecar: (object["sidecar"] as? String).map { URL(fileURLWithPath: $0).standardizedFileURL.path },
                error: object["error"] as? String)
        }
        return byPath
    }
}

/// What ExifTool reports for the same fields, read once for the whole corpus.
struct ExifToolReference {
    var fileType: String
    var capturedAt: String?
    var gps: (Double, Double)?
    var make, model, serial: String?
    var personNames: Set<String>
    var faceRegions: Int

    static var available: Bool {
        ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/exiftool") } ?? false
    }

    static func read(_ corpus: URL) throws -> [String: ExifToolReference] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["exiftool", "-json", "-n", "-G1", "-q", "-q", "-r", "-ext", "*", corpus.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let array = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        var byPath: [String: ExifToolReference] = [:]
        for r in array {
            guard let source = r["SourceFile"] as? String else { continue }
            byPath[URL(fileURLWithPath: source).standardizedFileURL.path] = ExifToolReference(r)
        }
        return byPath
    }

    init(_ r: [String: Any]) {
        func string(_ key: String) -> String? {
            guard let value = r[key] else { return nil }
            let text = "\(value)".trimmingCharacters(in: .whitespaces)
            return text.isEmpty ? nil : text
        }
        func strings(_ key: String) -> [String] {
            if let list = r[key] as? [Any] { return list.map { "\($0)" } }
            return string(key).map { [$0] } ?? []
        }
        fileType = string("File:FileType") ?? "?"
        let isVideo = ["MP4", "MOV", "M4V"].contains(fileType)
        func realDate(_ key: String) -> String? {
            guard let d = string(key), !d.hasPrefix("0000"), d.first?.isNumber == true else { return nil }
            return d
        }
        if isVideo {
            // As Clearance: the camera's own dated boxes carry the local offset; mvhd is UTC.
            capturedAt = realDate("Keys:CreationDate") ?? realDate("UserData:DateTimeOriginal") ?? realDate("QuickTime:CreateDate")
        } else if let original = realDate("ExifIFD:DateTimeOriginal") {
            capturedAt = original + (string("ExifIFD:OffsetTimeOriginal") ?? "")
        } else {
            capturedAt = realDate("ExifIFD:CreateDate")
        }
        if let lat = r["Composite:GPSLatitude"] as? Double, let lon = r["Composite:GPSLongitude"] as? Double {
            gps = (lat, lon)
        }
        make = string("IFD0:Make") ?? string("Keys:Make") ?? string("UserData:Make") ?? string("XMP-tiff:Make")
        model = string("IFD0:Model") ?? string("Keys:Model") ?? string("UserData:Model") ?? string("XMP-tiff:Model")
        serial = string("ExifIFD:SerialNumber") ?? string("XMP-aux:SerialNumber") ?? string("XMP-exifEX:SerialNumber")

        let mwgTypes = strings("XMP-mwg-rs:RegionType")
        let mwgNames = strings("XMP-mwg-rs:RegionName")
        var names = Set(strings("XMP-iptcExt:PersonInImage"))
        names.formUnion(strings("XMP-iptcExt:PersonInImageName"))
        names.formUnion(strings("XMP-iptcExt:ImageRegionPersonInImage"))
        names.formUnion(strings("XMP-MP:RegionPersonDisplayName"))
        // ExifTool flattens region lists; names line up with types when every region has a name.
        if mwgNames.count == mwgTypes.count {
            for (name, type) in zip(mwgNames, mwgTypes) where type == "Face" { names.insert(name) }
        } else {
            names.formUnion(mwgNames)
        }
        personNames = names
        let iptcRegions = strings("XMP-iptcExt:ImageRegionBoundaryShape").count
        let iptcHuman = !strings("XMP-iptcExt:ImageRegionPersonInImage").isEmpty
            || strings("XMP-iptcExt:ImageRegionCtypeIdentifier").contains { $0.hasSuffix("imageregiontype/human") }
        faceRegions = mwgTypes.filter { $0 == "Face" }.count
            + strings("XMP-MP:RegionRectangle").count
            + (iptcHuman ? iptcRegions : 0)
    }

    /// Same moment as written: ExifTool prints `2008:05:30 15:56:01+02:00`, Clearance ISO 8601.
    /// Sub-seconds are ignored; offsets are compared when both sides have one.
    static func sameTime(_ ours: String, _ theirs: String) -> Bool {
        func parts(_ s: String) -> (wall: String, offset: String?) {
            var t = s.replacingOccurrences(of: "T", with: " ")
            if t.count >= 10 { t = String(t.prefix(10)).replacingOccurrences(of: "-", with: ":") + t.dropFirst(10) }
            let wall = String(t.prefix(19))
            var rest = String(t.dropFirst(19))
            if rest.hasPrefix(".") { rest = String(rest.drop { $0 == "." || $0.isNumber }) }
            return (wall, rest.isEmpty || rest == "Z" ? nil : rest)
        }
        let a = parts(ours), b = parts(theirs)
        guard a.wall == b.wall else { return false }
        if let x = a.offset, let y = b.offset { return x == y }
        return true
    }
}
