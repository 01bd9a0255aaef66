import Foundation
import Testing
@testable import MediaMetadata

/// Scrubbed PNG exports. The test picture is made here by ImageMagick and given EXIF (GPS,
/// serial, orientation), XMP people and text chunks by ExifTool, as a camera app or editor would.
@Suite(.enabled(if: ScrubSupport.isInstalled("exiftool") && ScrubSupport.isInstalled("convert"), "needs exiftool and ImageMagick"))
struct ScrubPNGTests {
    /// Chunk types and data of a PNG, by a walk separate from the code under test.
    static func chunks(_ bytes: [UInt8]) -> [(type: String, data: [UInt8])] {
        var found: [(String, [UInt8])] = []
        var i = 8
        while i + 12 <= bytes.count {
            let length = Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard i + 12 + length <= bytes.count else { break }
            found.append((String(decoding: bytes[i + 4..<i + 8], as: UTF8.self), Array(bytes[i + 8..<i + 8 + length])))
            i += 12 + length
        }
        return found
    }

    static func makePicture(in directory: String) throws -> String {
        let path = "\(directory)/made.png"
        #expect(try ScrubSupport.run(["convert", "-size", "40x30", "gradient:red-blue", path]).status == 0)
        let tagged = try ScrubSupport.run([
            "exiftool", "-q", "-overwrite_original", "-n", "-EXIF:Orientation=6", "-EXIF:GPSLatitude=51.5", "-EXIF:GPSLatitudeRef=N",
            "-EXIF:SerialNumber=12345", "-EXIF:Make=Canon", "-XMP-iptcExt:PersonInImage=Mia Example", "-XMP-dc:Creator=Pat",
            "-PNG:Comment=private note", "-PNG:Author=Pat", path,
        ])
        #expect(tagged.status == 0)
        return path
    }

    @Test func exportedPNGsCarryOnlyTheStampAndTheSamePixels() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sources = [try Self.makePicture(in: directory)] + ScrubSupport.corpusFiles(extensions: ["png"])
        var pairs: [(source: String, output: String)] = []
        for (index, source) in sources.enumerated() {
            let output = "\(directory)/out-\(index).png"
            try ScrubbedCopy.write(from: source, to: output, format: .png, release: ScrubSupport.stamp)
            pairs.append((source, output))
        }
        let before = try ScrubSupport.exifTool(pairs.map(\.source))
        let after = try ScrubSupport.exifTool(pairs.map(\.output), validate: true)
        var hadSomething = 0
        for (source, output) in pairs {
            let original = try #require(before[source])
            let copy = try #require(after[output])
            if original.keys.contains(where: { ScrubJPEGTests.leak($0) != nil }) { hadSomething += 1 }
            let leaks = copy.keys.filter { ScrubJPEGTests.leak($0) != nil }
            #expect(leaks.isEmpty, "\(source): export still has \(leaks)")
            #expect(copy["ExifTool:Validate"] as? String == "0 0 0", "\(source): \(copy["ExifTool:Validate"] ?? "")")
            #expect(copy["XMP:XMP-plus:ModelReleaseStatus"] as? String == ScrubSupport.stamp.status)
            #expect(copy["XMP:XMP-plus:ModelReleaseID"] as? [String] == ScrubSupport.stamp.consentReferences)
            #expect("\(copy["EXIF:IFD0:Orientation"] ?? "none")" == "\(original["EXIF:IFD0:Orientation"] ?? "none")", "\(source)")

            let a = Self.chunks(try ScrubSupport.bytes(source)), b = Self.chunks(try ScrubSupport.bytes(output))
            let allowed = ScrubPNG.kept.union(["eXIf", "iTXt"])
            #expect(b.allSatisfy { allowed.contains($0.type) }, "\(source): \(b.map(\.type))")
            #expect(b.filter { $0.type == "iTXt" }.count == 1)
            #expect(b.filter { $0.type == "IDAT" }.flatMap(\.data) == a.filter { $0.type == "IDAT" }.flatMap(\.data), "\(source): image data changed")
            let signatures = try ScrubSupport.run(["identify", "-format", "%#\n", source, output])
            let lines = String(decoding: signatures.output, as: UTF8.self).split(separator: "\n")
            #expect(lines.count == 2 && lines[0] == lines[1], "\(source): decodes to other pixels")
        }
        #expect(hadSomething > 0)
    }

    @Test func truncatedPNGLeavesNoFile() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let whole = try ScrubSupport.bytes(try Self.makePicture(in: directory))
        for cut in [5, 20, whole.count / 2, whole.count - 3] {
            let source = "\(directory)/cut-\(cut).png", output = "\(directory)/out-\(cut).png"
            try Data(whole.prefix(cut)).write(to: URL(fileURLWithPath: source))
            #expect(throws: MediaReadError.self, "cut at \(cut)") {
                try ScrubbedCopy.write(from: source, to: output, format: .png, release: ScrubSupport.stamp)
            }
            #expect(!FileManager.default.fileExists(atPath: output))
        }
    }

    @Test func checksumMatchesThePNGStandard() {
        // The CRC of an IEND chunk is fixed by the standard: AE 42 60 82.
        #expect(CRC32.checksum(Array("IEND".utf8)) == 0xAE42_6082)
    }
}
