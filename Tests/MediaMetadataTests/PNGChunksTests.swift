import Foundation
import Testing
@testable import MediaMetadata

/// Builds PNG byte streams chunk by chunk (CRCs are not checked by the reader, so zeros do).
enum SyntheticPNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static func chunk(_ type: String, _ data: [UInt8], declaredLength: UInt32? = nil) -> [UInt8] {
        let length = declaredLength ?? UInt32(data.count)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            + Array(type.utf8) + data + [0, 0, 0, 0]
    }

    static func header(width: UInt32, height: UInt32) -> [UInt8] {
        let be: (UInt32) -> [UInt8] = { [UInt8($0 >> 24), UInt8($0 >> 16 & 0xFF), UInt8($0 >> 8 & 0xFF), UInt8($0 & 0xFF)] }
        return chunk("IHDR", be(width) + be(height) + [8, 6, 0, 0, 0])
    }

    static func xmp(_ packet: String, compressed: Bool = false) -> [UInt8] {
        chunk("iTXt", Array("XML:com.adobe.xmp".utf8) + [0, compressed ? 1 : 0, 0, 0, 0] + Array(packet.utf8))
    }

    static let end = chunk("IEND", [])
}

@Suite struct PNGChunksTests {
    @Test func readsSizeExifAndXMP() throws {
        let scratch = try ScratchDirectory()
        var tiff = SyntheticTIFF(bigEndian: false)
        tiff.ifd0 = [.ascii(0x010F, "Google"), .ascii(0x0110, "Pixel 7")]
        tiff.exif = [.ascii(0x9003, "2023:04:01 10:00:00")]
        let bytes = SyntheticPNG.signature + SyntheticPNG.header(width: 1200, height: 800)
            + SyntheticPNG.chunk("eXIf", tiff.bytes())
            + SyntheticPNG.chunk("IDAT", [UInt8](repeating: 0, count: 300))
            + SyntheticPNG.xmp("<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")
            + SyntheticPNG.xmp("<compressed/>", compressed: true)
            + SyntheticPNG.end
        let facts = MediaInspector().inspect(path: try scratch.write(bytes, name: "a.png"))
        #expect(facts.error == nil)
        #expect(facts.format == .png)
        #expect(facts.width == 1200 && facts.height == 800)
        #expect(facts.make == "Google" && facts.model == "Pixel 7")
        #expect(facts.capturedAt == "2023-04-01T10:00:00")

        let container = PNGChunks.read(try RandomAccessFile(path: try scratch.write(bytes, name: "b.png")))
        #expect(container.xmpPackets.map { String(decoding: $0, as: UTF8.self) } == ["<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"])
    }

    @Test func hugeChunkLengthIsAnError() throws {
        let scratch = try ScratchDirectory()
        for declared: UInt32 in [0x7FFF_FFF0, 0xFFFF_FFFF, 5000] {
            let bytes = SyntheticPNG.signature + SyntheticPNG.header(width: 1, height: 1)
                + SyntheticPNG.chunk("iTXt", Array("XML:com.adobe.xmp".utf8), declaredLength: declared)
            let facts = MediaInspector().inspect(path: try scratch.write(bytes, name: "huge-\(declared).png"))
            #expect(facts.error?.contains("past the end") == true)
            #expect(facts.sha256 != nil)
            #expect(facts.width == 1)
        }
    }

    @Test func missingIHDRAndTruncationAreErrors() throws {
        let scratch = try ScratchDirectory()
        let noHeader = SyntheticPNG.signature + SyntheticPNG.chunk("IDAT", [1, 2, 3]) + SyntheticPNG.end
        #expect(MediaInspector().inspect(path: try scratch.write(noHeader, name: "nohdr.png")).error != nil)
        let whole = SyntheticPNG.signature + SyntheticPNG.header(width: 4, height: 4) + SyntheticPNG.end
        for cut in 8..<whole.count {
            let facts = MediaInspector().inspect(path: try scratch.write(Array(whole[..<cut]), name: "cut\(cut).png"))
            #expect(facts.error != nil, "cut at \(cut)")
            #expect(facts.sha256 != nil)
        }
        #expect(MediaInspector().inspect(path: try scratch.write(whole, name: "whole.png")).error == nil)
    }

    /// ExifTool's PNG sample: ExifTool reports 16x16.
    @Test(.enabled(if: InspectorCorpus.isPresent))
    func readsExifToolSample() {
        let facts = MediaInspector().inspect(path: InspectorCorpus.path("exiftool-t/t/images/PNG.png"))
        #expect(facts.error == nil)
        #expect(facts.width == 16 && facts.height == 16)
    }
}
