import Foundation
import Pictures
import Testing

/// Thumbnails of real camera JPEGs: small, upright, and carrying nothing of the original file
/// but its pixels (ExifTool, the reference reader, finds no EXIF, XMP, IPTC or GPS in them).
struct ThumbnailTests {
    static let corpus = PictureDecoderTests.corpus
    static var hasCorpus: Bool { FileManager.default.fileExists(atPath: corpus.path) }
    static var hasExifTool: Bool { Tool.find("exiftool") != nil }

    /// ExifTool's groups for the file: which kinds of metadata it found.
    static func metadataGroups(of jpeg: Data) throws -> Set<String> {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-thumb-\(UUID().uuidString).jpg")
        try jpeg.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let output = try Tool.run("exiftool", ["-json", "-G0", "-a", url.path])
        let object = try #require((try JSONSerialization.jsonObject(with: output) as? [[String: Any]])?.first)
        return Set(object.keys.compactMap { $0.split(separator: ":").first.map(String.init) })
    }

    @Test(.enabled(if: hasCorpus && hasExifTool), arguments: [
        "exif-samples/jpg/gps/DSCN0010.jpg", "metadata-extractor-images/jpg/Issue 258 (dotnet).jpg",
        "metadata-extractor-images/jpg/Nikon E900 (2).jpg",
    ])
    func aCameraJPEGBecomesASmallFileWithNoMetadata(path: String) throws {
        let original = try Data(contentsOf: Self.corpus.appendingPathComponent(path))
        // The originals do carry metadata: the test would pass for nothing otherwise.
        let before = try Self.metadataGroups(of: original)
        #expect(before.contains("EXIF") || before.contains("XMP") || before.contains("IPTC"), "\(path): \(before.sorted())")

        let thumbnail = try PictureDecoder.thumbnailJPEG(original, orientation: 1, longSide: 320)
        let groups = try Self.metadataGroups(of: thumbnail)
        #expect(groups.isDisjoint(with: ["EXIF", "XMP", "IPTC", "ICC_Profile", "MakerNotes", "Photoshop", "APP12", "APP14", "Comment"]),
                "\(path): thumbnail still has \(groups.sorted())")
        let picture = try PictureDecoder.decode(thumbnail, orientation: nil)
        #expect(max(picture.width, picture.height) == 320)
        #expect(thumbnail.count < original.count)
    }

    @Test(.enabled(if: hasCorpus)) func theThumbnailIsUpright() throws {
        // Stored 450×600 with orientation 6: shown 600×450.
        let data = try Data(contentsOf: Self.corpus.appendingPathComponent("exif-samples/jpg/orientation/landscape_6.jpg"))
        let picture = try PictureDecoder.decode(try PictureDecoder.thumbnailJPEG(data, orientation: 6, longSide: 160), orientation: nil)
        #expect(picture.width == 160 && picture.height == 120)
    }

    @Test func aSmallPictureIsNotEnlarged() throws {
        let small = try Picture(width: 40, height: 30, pixels: [UInt8](repeating: 200, count: 40 * 30 * 3)).jpegData()
        let picture = try PictureDecoder.decode(try PictureDecoder.thumbnailJPEG(small, orientation: nil, longSide: 320), orientation: nil)
        #expect(picture.width == 40 && picture.height == 30)
    }

    @Test func hostileFilesAreRefusedWithAReason() throws {
        // A real JPEG whose frame header is changed to declare 60000×60000 pixels.
        var huge = [UInt8](try Picture(width: 16, height: 16, pixels: [UInt8](repeating: 90, count: 16 * 16 * 3)).jpegData())
        let frame = try #require((0..<huge.count - 1).first { huge[$0] == 0xFF && huge[$0 + 1] == 0xC0 })
        huge.replaceSubrange(frame + 5..<frame + 9, with: [0xEA, 0x60, 0xEA, 0x60])
        for (bytes, expected) in [(huge, "larger than Clearance decodes"), (Array("not a picture".utf8), "not a JPEG"),
                                  ([0xFF, 0xD8, 0xFF], "JPEG")] {
            do {
                _ = try PictureDecoder.thumbnailJPEG(Data(bytes), orientation: nil, longSide: 320)
                Issue.record("made a thumbnail of a hostile file")
            } catch let error as PictureError {
                #expect(error.description.contains(expected), "\(error)")
                #expect(!error.description.contains("\n"))
            }
        }
    }
}
