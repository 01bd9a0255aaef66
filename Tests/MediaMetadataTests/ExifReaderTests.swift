import Foundation
import Testing
@testable import MediaMetadata

/// A hand-written TIFF/EXIF encoder for tests, independent of the code under test.
/// Directories are laid out in order (IFD0, Exif, GPS) and pointers filled in.
struct SyntheticTIFF {
    struct Field {
        var tag: UInt16
        var type: UInt16
        var count: UInt32
        var value: [UInt8]

        static func ascii(_ tag: UInt16, _ text: String) -> Field {
            let bytes = Array(text.utf8) + [0]
            return Field(tag: tag, type: 2, count: UInt32(bytes.count), value: bytes)
        }
    }

    var bigEndian = true
    var ifd0: [Field] = []
    var exif: [Field] = []
    var gps: [Field] = []

    func u16(_ v: UInt16) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
    func u32(_ v: UInt32) -> [UInt8] {
        let b = [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
        return bigEndian ? b : b.reversed()
    }
    func short(_ tag: UInt16, _ value: UInt16) -> Field { Field(tag: tag, type: 3, count: 1, value: u16(value)) }
    func rationals(_ tag: UInt16, _ values: [(UInt32, UInt32)]) -> Field {
        Field(tag: tag, type: 5, count: UInt32(values.count), value: values.flatMap { u32($0.0) + u32($0.1) })
    }

    /// TIFF bytes starting with the byte-order mark.
    func bytes() -> [UInt8] {
        var directories: [[Field]] = [ifd0]
        if !exif.isEmpty { directories.append(exif) }
        if !gps.isEmpty { directories.append(gps) }
        func size(_ fields: [Field], extra: Int) -> Int {
            2 + 12 * (fields.count + extra) + 4 + fields.reduce(0) { $0 + ($1.value.count > 4 ? $1.value.count : 0) }
        }
        let extra0 = (exif.isEmpty ? 0 : 1) + (gps.isEmpty ? 0 : 1)
        var offsets = [8]
        offsets.append(8 + size(ifd0, extra: extra0))
        if !exif.isEmpty { offsets.append(offsets[1] + size(exif, extra: 0)) }
        var first = ifd0
        var next = 1
        if !exif.isEmpty { first.append(Field(tag: 0x8769, type: 4, count: 1, value: u32(UInt32(offsets[next])))); next += 1 }
        if !gps.isEmpty { first.append(Field(tag: 0x8825, type: 4, count: 1, value: u32(UInt32(offsets[next])))) }
        directories[0] = first

        var out: [UInt8] = bigEndian ? [0x4D, 0x4D] : [0x49, 0x49]
        out += u16(42) + u32(8)
        for fields in directories {
            let start = out.count
            var data: [UInt8] = []
            var dataOffset = start + 2 + 12 * fields.count + 4
            out += u16(UInt16(fields.count))
            for field in fields {
                out += u16(field.tag) + u16(field.type) + u32(field.count)
                if field.value.count > 4 {
                    out += u32(UInt32(dataOffset))
                    data += field.value
                    dataOffset += field.value.count
                } else {
                    out += field.value + [UInt8](repeating: 0, count: 4 - field.value.count)
                }
            }
            out += u32(0) + data
        }
        return out
    }
}

/// Where the shared corpus lives, relative to this file; tests skip when it is absent.
enum InspectorCorpus {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/corpus")

    static var isPresent: Bool { FileManager.default.fileExists(atPath: root.path) }

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

@Suite struct ExifReaderTests {
    private func read(_ tiff: SyntheticTIFF) -> ExifFacts? {
        TIFFStructure(source: TIFFBuffer(data: tiff.bytes())).flatMap { ExifReader.read($0) }
    }

    @Test(arguments: [true, false])
    func readsCameraTimeAndOffset(bigEndian: Bool) throws {
        var tiff = SyntheticTIFF(bigEndian: bigEndian)
        tiff.ifd0 = [.ascii(0x010F, "Canon\0\0  "), .ascii(0x0110, "  EOS 5D  "), tiff.short(0x0112, 6)]
        tiff.exif = [.ascii(0x9003, "2008:05:30 15:56:01"), .ascii(0x9011, "+02:00"), .ascii(0xA431, "0123456789")]
        let facts = try #require(read(tiff))
        #expect(facts.make == "Canon")
        #expect(facts.model == "EOS 5D")
        #expect(facts.orientation == 6)
        #expect(facts.serial == "0123456789")
        #expect(facts.capturedAt == "2008-05-30T15:56:01+02:00")
    }

    @Test func fallsBackToDigitizedTimeAndSkipsInvalidDates() throws {
        var tiff = SyntheticTIFF()
        tiff.exif = [.ascii(0x9003, "0000:00:00 00:00:00"), .ascii(0x9004, "2019:01:02 03:04:05"), .ascii(0x9012, "-05:00")]
        #expect(try #require(read(tiff)).capturedAt == "2019-01-02T03:04:05-05:00")
        tiff.exif = [.ascii(0x9003, "2019:01:02 03:04:05")]
        #expect(try #require(read(tiff)).capturedAt == "2019-01-02T03:04:05")
        tiff.exif = [.ascii(0x9003, "    :  :     :  :  ")]
        #expect(try #require(read(tiff)).capturedAt == nil)
    }

    @Test func signsGPSBySouthWestAndBelowSeaLevel() throws {
        var tiff = SyntheticTIFF()
        tiff.gps = [
            .ascii(0x0001, "S"), tiff.rationals(0x0002, [(33, 1), (51, 1), (3540, 100)]),
            .ascii(0x0003, "W"), tiff.rationals(0x0004, [(70, 1), (30, 1), (0, 1)]),
            SyntheticTIFF.Field(tag: 0x0005, type: 1, count: 1, value: [1]), tiff.rationals(0x0006, [(4205, 10)]),
        ]
        let facts = try #require(read(tiff))
        let gps = try #require(facts.gps)
        #expect(abs(gps.latitude - -(33 + 51.0 / 60 + 35.4 / 3600)) < 1e-9)
        #expect(abs(gps.longitude - -70.5) < 1e-9)
        #expect(gps.altitude == -420.5)
    }

    @Test func gpsWithZeroDenominatorIsAbsent() throws {
        var tiff = SyntheticTIFF()
        tiff.gps = [
            .ascii(0x0001, "N"), tiff.rationals(0x0002, [(0, 0), (0, 0), (0, 0)]),
            .ascii(0x0003, "E"), tiff.rationals(0x0004, [(1, 1), (0, 1), (0, 1)]),
        ]
        #expect(try #require(read(tiff)).gps == nil)
    }

    /// The rebuilt block handed to libexif never contains a MakerNote, wherever the file put one.
    @Test func rebuiltBlockDropsMakerNotes() throws {
        var tiff = SyntheticTIFF()
        let note = SyntheticTIFF.Field(tag: 0x927C, type: 7, count: 12, value: Array("Nikon\0\u{2}\u{10}\0\0MM".utf8))
        tiff.ifd0 = [.ascii(0x010F, "NIKON"), note]
        tiff.exif = [.ascii(0x9003, "2010:01:01 00:00:00"), note]
        let source = try #require(TIFFStructure(source: TIFFBuffer(data: tiff.bytes())))
        let block = try #require(ExifBlock.sanitized(source))
        let rebuilt = try #require(TIFFStructure(source: TIFFBuffer(data: Array(block.dropFirst(6)))))
        var tags: [UInt16] = []
        let ifd0 = try #require(rebuilt.directory(at: rebuilt.firstDirectory))
        tags += ifd0.entries.map(\.tag)
        for pointer in ifd0.entries where pointer.tag == 0x8769 {
            let offset = try #require(rebuilt.integer(of: pointer))
            tags += try #require(rebuilt.directory(at: offset)).entries.map(\.tag)
        }
        #expect(tags.contains(0x9003))
        #expect(!tags.contains(0x927C))
        #expect(ExifReader.read(block: block)?.make == "NIKON")
    }

    /// Directory loops, self-pointers and absurd entry counts end the walk, not the process.
    @Test func hostileDirectoriesTerminate() {
        let t = SyntheticTIFF()
        // IFD0 at 8 holds: Exif pointer → 8 (itself), GPS pointer → 8, next IFD → 8.
        var bytes: [UInt8] = [0x4D, 0x4D] + t.u16(42) + t.u32(8)
        bytes += t.u16(3)
        bytes += t.u16(0x8769) + t.u16(4) + t.u32(1) + t.u32(8)
        bytes += t.u16(0x8825) + t.u16(4) + t.u32(1) + t.u32(8)
        bytes += t.u16(0x010F) + t.u16(2) + t.u32(0xFFFF_FFFF) + t.u32(0xFFFF_FFF0)
        bytes += t.u32(8)
        let facts = TIFFStructure(source: TIFFBuffer(data: bytes)).flatMap { ExifReader.read($0) }
        #expect(facts?.make == nil)
        // A directory claiming 65535 entries in a 20-byte buffer.
        let huge: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0, 0xFF, 0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        #expect(TIFFStructure(source: TIFFBuffer(data: huge))?.directory(at: 8) == nil)
        #expect(ExifReader.read(block: ExifBlock.exifHeader + huge)?.make == nil)
    }

    @Test func dateParsing() {
        #expect(ExifDate.iso8601("2008:05:30 15:56:01") == "2008-05-30T15:56:01")
        #expect(ExifDate.iso8601("2008-05-30 15:56:01") == "2008-05-30T15:56:01")
        #expect(ExifDate.iso8601("2008:13:30 15:56:01") == nil)
        #expect(ExifDate.iso8601("2008:05:30") == nil)
        #expect(ExifDate.offset("+02:00") == "+02:00")
        #expect(ExifDate.offset("   :  ") == nil)
        #expect(ExifDate.offset("+2:00") == nil)
    }

    /// Real camera files whose Exif IFD carries a maker note (Canon, Nikon, Olympus). Expected
    /// values are what ExifTool reports for them.
    @Test(.enabled(if: InspectorCorpus.isPresent), arguments: [
        ("exif-samples/jpg/Canon_DIGITAL_IXUS_400.jpg", "Canon", "Canon DIGITAL IXUS 400", "2004-08-27T13:52:55"),
        ("exif-samples/jpg/Nikon_COOLPIX_P1.jpg", "NIKON", "COOLPIX P1", "2008-03-07T09:55:46"),
        ("exif-samples/jpg/corrupted.jpg", "OLYMPUS IMAGING CORP.", "u1020,S1020", "2015-09-08T11:02:17"),
    ])
    func readsCameraFilesWithMakerNotes(file: String, make: String, model: String, date: String) throws {
        let tiff = try #require(JPEGSegments.read(try RandomAccessFile(path: InspectorCorpus.path(file))).exif)
        let ifd0 = try #require(tiff.directory(at: tiff.firstDirectory))
        let exifPointer = try #require(ifd0.entries.first { $0.tag == 0x8769 })
        let exifOffset = try #require(tiff.integer(of: exifPointer))
        let exifIFD = try #require(tiff.directory(at: exifOffset))
        #expect(exifIFD.entries.contains { $0.tag == 0x927C }, "the sample must carry a maker note")
        let facts = try #require(ExifReader.read(tiff))
        #expect(facts.make == make)
        #expect(facts.model == model)
        #expect(facts.capturedAt == date)
    }

    /// iPhone HEIC: Apple maker note, OffsetTimeOriginal, orientation 6 (ExifTool's values).
    @Test(.enabled(if: InspectorCorpus.isPresent))
    func readsIPhoneHEICWithOffset() throws {
        let facts = MediaInspector().inspect(path: InspectorCorpus.path("exif-samples/heic/mobile/iphone_13_pro_max.HEIC"))
        #expect(facts.error == nil)
        #expect(facts.make == "Apple")
        #expect(facts.model == "iPhone 13 Pro Max")
        #expect(facts.capturedAt == "2022-02-16T12:55:41+01:00")
        #expect(facts.orientation == 6)
        #expect(facts.width == 4032 && facts.height == 3024)
    }
}
