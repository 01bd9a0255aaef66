import Foundation
import Testing
@testable import MediaMetadata

/// Clearance's own HEIF rewrite (HEIC kept as HEIC): what it keeps of a file's items, and the
/// free-form data it takes out of the HEVC picture data.
@Suite struct HEIFRemuxTests {
    /// A length-prefixed NAL unit of `type` (HEVC's two-byte header, then the payload).
    static func nal(_ type: UInt8, _ payload: [UInt8], lengthSize: Int = 4) -> [UInt8] {
        let body = [type << 1, 1] + payload
        return (0..<lengthSize).reversed().map { UInt8(truncatingIfNeeded: body.count >> (8 * $0)) } + body
    }

    @Test func seiMessagesAreTakenOutOfPictureData() throws {
        let slice = Self.nal(19, [0xAF, 0x01, 0x02]), trailing = Self.nal(1, [0x55])
        let userData = Self.nal(39, Array("Mia Jones, 51.5N 0.1W".utf8)), suffix = Self.nal(40, [0x05, 0x01, 0x99])
        let unspecified = Self.nal(62, Array("vendor".utf8))
        #expect(try HEIFRemux.withoutSEI(userData + slice + suffix + trailing + unspecified, lengthSize: 4) == slice + trailing)
        let short = Self.nal(19, [1, 2], lengthSize: 2) + Self.nal(39, [3], lengthSize: 2)
        #expect(try HEIFRemux.withoutSEI(short, lengthSize: 2) == Self.nal(19, [1, 2], lengthSize: 2))
        // A length that runs past the item is refused, never read past.
        #expect(throws: ScrubError.self) { try HEIFRemux.withoutSEI(Array(slice.dropLast()), lengthSize: 4) }
        #expect(throws: ScrubError.self) { try HEIFRemux.withoutSEI([0, 0], lengthSize: 4) }
    }

    @Test func decoderConfigurationKeepsParameterSetsOnly() throws {
        func array(_ type: UInt8, _ units: [[UInt8]]) -> [UInt8] {
            [0x80 | type] + HEIFRemux.be(UInt32(units.count), 2) + units.flatMap { HEIFRemux.be(UInt32($0.count), 2) + $0 }
        }
        var header = [UInt8](repeating: 0, count: 23)
        header[0] = 1
        header[21] = 0x0F // four-byte lengths
        let vps = array(32, [[0x40, 0x01, 0x0C]]), sps = array(33, [[0x42, 0x01, 0x01]]), pps = array(34, [[0x44, 0x01]])
        let sei = array(39, [Array("Mia Jones".utf8)])
        header[22] = 4
        let hvcC = HEIFRemux.box("hvcC", header + vps + sei + sps + pps)
        var expected = header
        expected[22] = 3
        #expect(try HEIFRemux.parameterSetsOnly(hvcC) == HEIFRemux.box("hvcC", expected + vps + sps + pps))
        #expect(try HEIFRemux.lengthSize(ofConfiguration: hvcC) == 4)
        #expect(throws: ScrubError.self) { try HEIFRemux.parameterSetsOnly(Array(hvcC.dropLast(2))) }
    }

    /// An iPhone picture kept as HEIF holds its grid and tiles and the stamp, nothing else: no
    /// Exif, no thumbnail, no HDR gain map, and the primary picture is the same item.
    @Test(.enabled(if: Fixtures.corpus != nil, "needs ../shared/corpus"))
    func keptIPhonePictureHoldsOnlyItsPicture() throws {
        let source = try #require(ScrubSupport.corpusFiles(extensions: ["heic"]).first { $0.hasSuffix("/iphone_13_pro_max.HEIC") })
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = "\(directory)/kept.heic"
        let report = try ScrubbedCopy.write(from: source, to: output, format: .heic, release: ScrubSupport.stamp,
                                            options: ExportOptions(keepHEIC: true))
        #expect(report.format == .heic)
        let before = try HEIFRemux.parse(QuickTimeFile(path: source)), after = try HEIFRemux.parse(QuickTimeFile(path: output))
        #expect(Set(before.items.values.map(\.type)).isSuperset(of: ["Exif", "mime", "hvc1", "grid"]))
        #expect(before.items.count > after.items.count)
        #expect(Set(after.items.values.map(\.type)) == ["grid", "hvc1", "mime"])
        #expect(after.primary == before.primary && after.items[after.primary]?.type == "grid")
        let tiles = try #require(after.derivedFrom[after.primary])
        #expect(tiles == before.derivedFrom[before.primary] && tiles.count > 1)
        #expect(after.items.values.filter { $0.type == "hvc1" }.count == tiles.count, "no thumbnail or auxiliary picture")
        #expect(after.properties.dropFirst().allSatisfy { HEIFRemux.keptProperties.contains($0.type) })
        // The HDR gain map and the thumbnail were there to be left out.
        #expect(before.items.values.filter { $0.type == "hvc1" }.count > tiles.count)
    }
}
