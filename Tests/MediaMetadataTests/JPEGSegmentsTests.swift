import Foundation
import Testing
@testable import MediaMetadata

/// Temporary files for tests that write their own bytes; removed when the value goes away.
final class ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-media-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ bytes: [UInt8], name: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }
}

/// Builds small JPEG byte streams segment by segment.
enum SyntheticJPEG {
    static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let length = payload.count + 2
        return [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    static func frame(width: UInt16, height: UInt16) -> [UInt8] {
        segment(0xC0, [8, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), 1, 1, 0x11, 0])
    }

    static let scan: [UInt8] = segment(0xDA, [1, 1, 0, 0, 63, 0]) + [0x12, 0x34, 0xFF, 0xD9]

    static func jpeg(_ segments: [[UInt8]]) -> [UInt8] {
        [0xFF, 0xD8] + segments.flatMap { $0 } + scan
    }

    static func exif(_ tiff: [UInt8]) -> [UInt8] { segment(0xE1, Array("Exif\0\0".utf8) + tiff) }
    static func xmp(_ packet: String) -> [UInt8] { segment(0xE1, JPEGSegments.xmpSignature + Array(packet.utf8)) }
}

@Suite struct JPEGSegmentsTests {
    @Test func readsFrameSizeExifAndXMP() throws {
        let scratch = try ScratchDirectory()
        var tiff = SyntheticTIFF()
        tiff.ifd0 = [.ascii(0x010F, "FUJIFILM")]
        let bytes = SyntheticJPEG.jpeg([
            SyntheticJPEG.segment(0xE0, Array("JFIF\0\u{1}\u{1}\0\0\u{1}\0\u{1}\0\0".utf8)),
            SyntheticJPEG.exif(tiff.bytes()),
            SyntheticJPEG.xmp("<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"),
            SyntheticJPEG.frame(width: 640, height: 480),
        ])
        let path = try scratch.write(bytes, name: "a.jpg")
        let result = JPEGSegments.read(try RandomAccessFile(path: path))
        #expect(result.problem == nil)
        #expect(result.width == 640 && result.height == 480)
        #expect(result.xmpPackets.map { String(decoding: $0, as: UTF8.self) } == ["<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"])
        #expect(result.exif.flatMap { ExifReader.read($0) }?.make == "FUJIFILM")
    }

    @Test func reassemblesExtendedXMPByGUIDAndOffset() throws {
        let scratch = try ScratchDirectory()
        let guid = "0123456789ABCDEF0123456789ABCDEF"
        let full = Array("<x:xmpmeta xmlns:x='adobe:ns:meta/'>extended part</x:xmpmeta>".utf8)
        func chunk(_ range: Range<Int>, guid: String = guid) -> [UInt8] {
            let header = JPEGSegments.extendedXMPSignature + Array(guid.utf8)
            func be(_ value: Int) -> [UInt8] {
                [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
            }
            let numbers = be(full.count) + be(range.lowerBound)
            return SyntheticJPEG.segment(0xE1, header + numbers + Array(full[range]))
        }
        let split = 20
        let bytes = SyntheticJPEG.jpeg([
            chunk(split..<full.count), // out of order, before the main packet
            SyntheticJPEG.xmp("<x:xmpmeta xmlns:x='adobe:ns:meta/' HasExtendedXMP='\(guid)'/>"),
            chunk(0..<split),
            chunk(0..<5, guid: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"), // incomplete, other GUID: ignored
            SyntheticJPEG.frame(width: 8, height: 8),
        ])
        let result = JPEGSegments.read(try RandomAccessFile(path: try scratch.write(bytes, name: "x.jpg")))
        #expect(result.problem == nil)
        #expect(result.xmpPackets.count == 2)
        #expect(result.xmpPackets.last == full)
    }

    @Test(.enabled(if: InspectorCorpus.isPresent))
    func reassemblesExifToolExtendedXMPSample() throws {
        let file = try RandomAccessFile(path: InspectorCorpus.path("exiftool-t/t/images/ExtendedXMP.jpg"))
        let result = JPEGSegments.read(file)
        #expect(result.problem == nil)
        #expect(result.xmpPackets.count == 2)
        let extended = String(decoding: try #require(result.xmpPackets.last), as: UTF8.self)
        #expect(extended.contains("xmpmeta"))
    }

    @Test func segmentRunningPastEndIsAnError() throws {
        let scratch = try ScratchDirectory()
        let bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xF0] + Array("Exif\0\0MM".utf8)
        let facts = MediaInspector().inspect(path: try scratch.write(bytes, name: "long.jpg"))
        #expect(facts.error?.contains("past the end") == true)
        #expect(facts.sha256 != nil)
        #expect(facts.format == .jpeg)
    }

    @Test func zeroLengthSegmentIsAnError() throws {
        let scratch = try ScratchDirectory()
        let bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x00] + SyntheticJPEG.scan
        let facts = MediaInspector().inspect(path: try scratch.write(bytes, name: "zero.jpg"))
        #expect(facts.error != nil)
        #expect(facts.sha256 != nil)
    }

    /// A real camera JPEG cut at every byte of its header segments (and a few bytes into the
    /// scan header): every cut is reported, none crashes, the hash is always there.
    @Test(.enabled(if: InspectorCorpus.isPresent))
    func truncatedCameraJPEGAtManyCutPoints() throws {
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: InspectorCorpus.path("exif-samples/jpg/Canon_40D.jpg"))))
        let sos = try #require(original.firstIndex(of: [0xFF, 0xDA]))
        let scratch = try ScratchDirectory()
        let inspector = MediaInspector()
        var cut = 0
        // Header segments byte by byte at first, then across the compressed data to the last byte.
        while cut < original.count {
            let path = try scratch.write(Array(original[..<cut]), name: "cut-\(cut).jpg")
            let facts = inspector.inspect(path: path)
            #expect(facts.error != nil, "cut at \(cut) of \(original.count) (image data from \(sos))")
            #expect(facts.sha256?.count == 64, "cut at \(cut)")
            cut += cut < 64 ? 1 : (cut < sos ? 97 : 1_999)
        }
        let lastByteMissing = try scratch.write(Array(original.dropLast()), name: "no-eoi.jpg")
        #expect(inspector.inspect(path: lastByteMissing).error?.contains("truncated") == true)
        #expect(inspector.inspect(path: try scratch.write(original, name: "whole.jpg")).error == nil)
        // A trailer after the end of the image (as Motion Photos append a video) is not damage.
        let withTrailer = original + Array(repeating: 0x42, count: 70_000)
        #expect(inspector.inspect(path: try scratch.write(withTrailer, name: "trailer.jpg")).error == nil)
    }

    /// exif-samples calls these "invalid" (they broke exif-py); they are well-formed JPEGs with
    /// large XMP packets. Whatever the verdict, reading must end, with a hash and a frame size.
    @Test(.enabled(if: InspectorCorpus.isPresent))
    func exifSamplesInvalidFolder() throws {
        let folder = InspectorCorpus.path("exif-samples/jpg/invalid")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".jpg") }
        #expect(!names.isEmpty)
        for name in names {
            let facts = MediaInspector().inspect(path: folder + "/" + name)
            #expect(facts.sha256?.count == 64, "\(name)")
            #expect(facts.format == .jpeg, "\(name)")
            #expect(facts.error != nil || (facts.width ?? 0) > 0, "\(name)")
        }
    }
}
