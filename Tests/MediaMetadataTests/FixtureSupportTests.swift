import Foundation
import Testing
@testable import MediaMetadata

/// What the XMP tests need from a picture, found by a deliberately small JPEG walk so these
/// tests do not depend on the container readers they will later be checked against.
struct FixturePicture {
    var packets: [[UInt8]] = []
    var geometry = ImageGeometry(width: nil, height: nil, orientation: nil)

    /// Reads the XMP packets (APP1 `http://ns.adobe.com/xap/1.0/`), the frame size (SOFn) and
    /// the EXIF orientation of a JPEG; `.xmp` files are taken whole as one packet.
    static func load(_ path: String) throws -> FixturePicture {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var picture = FixturePicture()
        if path.lowercased().hasSuffix(".xmp") {
            picture.packets = [bytes]
            return picture
        }
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return picture }
        let xmpHeader = Array("http://ns.adobe.com/xap/1.0/\u{0}".utf8)
        let exifHeader = Array("Exif\u{0}\u{0}".utf8)
        var i = 2
        while i + 4 <= bytes.count {
            guard bytes[i] == 0xFF else { break }
            let marker = bytes[i + 1]
            if marker == 0xFF { i += 1; continue }
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }
            if marker == 0xDA || marker == 0xD9 { break }
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard length >= 2, i + 2 + length <= bytes.count else { break }
            let payload = Array(bytes[(i + 4)..<(i + 2 + length)])
            if marker == 0xE1, payload.starts(with: xmpHeader) {
                picture.packets.append(Array(payload.dropFirst(xmpHeader.count)))
            } else if marker == 0xE1, payload.starts(with: exifHeader) {
                picture.geometry.orientation = orientation(tiff: Array(payload.dropFirst(exifHeader.count)))
            } else if [0xC0, 0xC1, 0xC2].contains(marker), payload.count >= 5 {
                picture.geometry.height = Int(payload[1]) << 8 | Int(payload[2])
                picture.geometry.width = Int(payload[3]) << 8 | Int(payload[4])
            }
            i += 2 + length
        }
        return picture
    }

    /// Tag 0x0112 of IFD0, bounds-checked.
    private static func orientation(tiff: [UInt8]) -> Int? {
        guard tiff.count >= 8 else { return nil }
        let little = tiff[0] == 0x49
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            return little ? Int(tiff[at]) | Int(tiff[at + 1]) << 8 : Int(tiff[at]) << 8 | Int(tiff[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let a = u16(at), let b = u16(at + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard let ifd = u32(4), let count = u16(ifd) else { return nil }
        for entry in 0..<min(count, 512) {
            let at = ifd + 2 + entry * 12
            if u16(at) == 0x0112 { return u16(at + 8) }
        }
        return nil
    }

    func read(sidecar: String? = nil) throws -> XMPFacts {
        try XMPReader.read(packets: packets, sidecarPath: sidecar, image: geometry)
    }
}

enum Fixtures {
    static var directory: String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path
    }

    static func path(_ name: String) -> String { "\(directory)/\(name)" }

    static func facts(_ name: String) throws -> XMPFacts {
        let path = path(name)
        return try FixturePicture.load(path).read(sidecar: XMPReader.sidecarPath(for: path))
    }

    /// `../shared/corpus` from the package root, or nil when this checkout has none.
    static var corpus: String? {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let corpus = url.deletingLastPathComponent().appendingPathComponent("shared/corpus").path
        return FileManager.default.fileExists(atPath: corpus) ? corpus : nil
    }
}

/// Runs ExifTool, the reference reader users trust, when it is installed.
enum ExifTool {
    static var path: String? {
        ["/usr/bin/exiftool", "/usr/local/bin/exiftool"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `exiftool -json -n -struct` over `files`, one dictionary per file.
    static func json(_ files: [String], tags: [String] = []) throws -> [[String: Any]] {
        guard let path else { return [] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-json", "-n", "-struct", "-q", "-q", "-m"] + tags + ["--"] + files
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard !data.isEmpty else { return [] }
        return (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
    }

    /// People and face regions as ExifTool shows them, reduced the way XMPReader reduces them.
    struct People: Equatable {
        var names: [String] = []
        /// Names of each face region (empty for an unnamed face).
        var regions: [[String]] = []
        var faceRegions: Int { regions.count }
    }

    static let peopleTags = ["-RegionInfo", "-RegionInfoMP", "-PersonInImage", "-PersonInImageWDetails", "-ImageRegion"]

    static func people(in record: [String: Any]) -> People {
        var people = People()
        func list(_ value: Any?) -> [Any] { (value as? [Any]) ?? (value.map { [$0] } ?? []) }
        func text(_ value: Any?) -> String? {
            if let s = value as? String { return s.isEmpty ? nil : s }
            if let n = value as? NSNumber { return n.stringValue }
            return nil
        }
        if let info = record["RegionInfo"] as? [String: Any] {
            for case let region as [String: Any] in list(info["RegionList"]) where (text(region["Type"]) ?? "").lowercased() == "face" {
                let name = text(region["Name"])
                people.regions.append(name.map { [$0] } ?? [])
                if let name { people.names.append(name) }
            }
        }
        if let info = record["RegionInfoMP"] as? [String: Any] {
            for case let region as [String: Any] in list(info["Regions"]) {
                var name = text(region["PersonDisplayName"])
                if name?.lowercased() == "ffffffffffffffff" { name = nil }
                people.regions.append(name.map { [$0] } ?? [])
                if let name { people.names.append(name) }
            }
        }
        people.names += list(record["PersonInImage"]).compactMap(text)
        for case let details as [String: Any] in list(record["PersonInImageWDetails"]) {
            if let name = text(details["PersonName"]) { people.names.append(name) }
        }
        for case let region as [String: Any] in list(record["ImageRegion"]) {
            var names = list(region["PersonInImage"]).compactMap(text)
            for case let details as [String: Any] in list(region["PersonInImageWDetails"]) {
                if let name = text(details["PersonName"]) { names.append(name) }
            }
            let human = list(region["RCtype"]).contains { entity in
                list((entity as? [String: Any])?["Identifier"]).compactMap(text)
                    .contains { $0.lowercased().contains("imageregiontype/human") }
            }
            guard human || !names.isEmpty else { continue }
            if names.isEmpty, let name = text(region["Name"]) { names.append(name) }
            people.regions.append(names.sorted())
            people.names += names
        }
        people.names.sort()
        return people
    }
}

/// The reductions of our own facts matching `ExifTool.people`.
extension XMPFacts {
    var sortedNames: [String] { people.compactMap(\.name).sorted() }
}

@Suite struct FixtureSupportTests {
    @Test func walksFixtureJPEG() throws {
        let picture = try FixturePicture.load(Fixtures.path("rotated-6.jpg"))
        #expect(picture.packets.count == 1)
        #expect(picture.geometry.width == 64)
        #expect(picture.geometry.height == 48)
        #expect(picture.geometry.orientation == 6)
    }

    @Test func walkerStopsOnTruncatedSegments() throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("mwg-lightroom.jpg")))
        for cut in stride(from: 0, to: min(original.count, 600), by: 7) {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-cut-\(UUID().uuidString).jpg")
            try original.prefix(cut).write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            // Whatever the walk finds in a cut file, reading it must not crash or throw.
            let picture = try FixturePicture.load(url.path)
            #expect(picture.packets.count <= 1)
            let facts = try picture.read()
            #expect(facts.faceRegions <= 2)
        }
    }
}
