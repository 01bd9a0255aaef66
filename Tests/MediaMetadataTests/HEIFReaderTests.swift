import Foundation
import Testing
@testable import MediaMetadata

@Suite struct HEIFReaderTests {
    @Test func exifItemOffsetPrefix() {
        let tiff: [UInt8] = [0x4D, 0x4D, 0, 42, 0, 0, 0, 8]
        #expect(HEIFReader.exifTIFF([0, 0, 0, 0] + tiff) == tiff)
        #expect(HEIFReader.exifTIFF([0, 0, 0, 6] + Array("Exif\0\0".utf8) + tiff) == tiff)
        #expect(HEIFReader.exifTIFF([0, 0, 0, 0] + Array("Exif\0\0".utf8) + tiff) == tiff)
        #expect(HEIFReader.exifTIFF([0xFF, 0xFF, 0xFF, 0xF0] + tiff) == nil)
        #expect(HEIFReader.exifTIFF([0, 0]) == nil)
    }

    /// Samsung HEIC with OffsetTimeOriginal; values are ExifTool's.
    @Test(.enabled(if: InspectorCorpus.isPresent))
    func readsSamsungHEIC() {
        let facts = MediaInspector().inspect(path: InspectorCorpus.path("metadata-extractor-images/heic/Issue 437 (dotnet).heic"))
        #expect(facts.error == nil)
        #expect(facts.format == .heic)
        #expect(facts.make == "samsung" && facts.model == "Galaxy S24 FE")
        #expect(facts.capturedAt == "2025-05-09T11:38:44+02:00")
        #expect(facts.width == 4000 && facts.height == 1848)
        #expect(facts.orientation == 6)
    }

    /// Exif item stored after the image data, at the end of the file.
    @Test(.enabled(if: InspectorCorpus.isPresent))
    func readsExifAtEndOfFile() throws {
        let facts = MediaInspector().inspect(path: InspectorCorpus.path("metadata-extractor-images/heic/exif-at-eof.heic"))
        #expect(facts.error == nil)
        #expect(facts.model == "iPhone 11 Pro")
        #expect(facts.capturedAt == "2020-05-04T18:39:11-04:00")
        #expect(abs(try #require(facts.gps).latitude - 47.2071240555639) < 1e-5)
    }

    /// Fuzzed files that crashed other readers: an error each, a hash each, no crash.
    @Test(.enabled(if: InspectorCorpus.isPresent))
    func brokenHEIFFiles() throws {
        let folder = InspectorCorpus.path("metadata-extractor-images/heic")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains("Exception") }
        #expect(!names.isEmpty)
        for name in names {
            let facts = MediaInspector().inspect(path: folder + "/" + name)
            #expect(facts.error != nil, "\(name)")
            #expect(facts.sha256?.count == 64, "\(name)")
        }
    }

    @Test func truncatedHEIFHeaderIsAnError() throws {
        let scratch = try ScratchDirectory()
        let bytes: [UInt8] = [0, 0, 0, 24] + Array("ftypheic".utf8) + [0, 0, 0, 0] + Array("mif1heic".utf8) + [0, 0, 0x10, 0] + Array("meta".utf8)
        let facts = MediaInspector().inspect(path: try scratch.write(bytes, name: "cut.heic"))
        #expect(facts.format == .heic)
        #expect(facts.error != nil)
        #expect(facts.sha256 != nil)
    }
}
