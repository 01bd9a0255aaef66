import Foundation
import Testing
@testable import MediaMetadata

@Suite struct XMPRegionNormalizerTests {
    let stored = RegionNormalizer.StoredRect(x: 0.1, y: 0.2, w: 0.3, h: 0.1)

    /// Each orientation, checked against the TIFF definition of where row 0 and column 0 go.
    @Test(arguments: [
        (1, NormalizedRegion(x: 0.1, y: 0.2, w: 0.3, h: 0.1)),
        (2, NormalizedRegion(x: 0.6, y: 0.2, w: 0.3, h: 0.1)),  // column 0 on the right
        (3, NormalizedRegion(x: 0.6, y: 0.7, w: 0.3, h: 0.1)),  // row 0 at the bottom, column 0 right
        (4, NormalizedRegion(x: 0.1, y: 0.7, w: 0.3, h: 0.1)),  // row 0 at the bottom
        (5, NormalizedRegion(x: 0.2, y: 0.1, w: 0.1, h: 0.3)),  // row 0 on the left, column 0 at the top
        (6, NormalizedRegion(x: 0.7, y: 0.1, w: 0.1, h: 0.3)),  // row 0 on the right, column 0 at the top
        (7, NormalizedRegion(x: 0.7, y: 0.6, w: 0.1, h: 0.3)),  // row 0 on the right, column 0 at the bottom
        (8, NormalizedRegion(x: 0.2, y: 0.6, w: 0.1, h: 0.3)),  // row 0 on the left, column 0 at the bottom
    ])
    func orientations(orientation: Int, expected: NormalizedRegion) throws {
        let got = try #require(RegionNormalizer.displayed(stored, orientation: orientation))
        for (a, b) in [(got.x, expected.x), (got.y, expected.y), (got.w, expected.w), (got.h, expected.h)] {
            #expect(abs(a - b) < 1e-9, "orientation \(orientation): \(got)")
        }
    }

    @Test func unknownOrientationLeavesRegionAsStored() {
        for orientation in [nil, 0, 9, -1] {
            #expect(RegionNormalizer.displayed(stored, orientation: orientation) == NormalizedRegion(x: 0.1, y: 0.2, w: 0.3, h: 0.1))
        }
    }

    @Test func centreToCorner() {
        #expect(RegionNormalizer.fromCenter(x: 0.5, y: 0.5, w: 0.2, h: 0.4) == .init(x: 0.4, y: 0.3, w: 0.2, h: 0.4))
    }

    @Test func clampsToImageAndRejectsNonsense() throws {
        let spill = try #require(RegionNormalizer.displayed(.init(x: -0.1, y: 0.9, w: 0.3, h: 0.3), orientation: 1))
        #expect(spill.x == 0 && abs(spill.w - 0.2) < 1e-9)
        #expect(spill.y == 0.9 && abs(spill.h - 0.1) < 1e-9)
        #expect(RegionNormalizer.displayed(.init(x: .nan, y: 0, w: 0.1, h: 0.1), orientation: 1) == nil)
        #expect(RegionNormalizer.displayed(.init(x: 0, y: 0, w: .infinity, h: 0.1), orientation: 1) == nil)
        #expect(RegionNormalizer.displayed(.init(x: 0, y: 0, w: -0.1, h: 0.1), orientation: 1) == nil)
    }

    @Test func boundingBoxOfPolygon() {
        let box = RegionNormalizer.boundingBox([(0.6, 0.1), (0.9, 0.2), (0.7, 0.4), (.nan, 5)])
        #expect(box.map { abs($0.x - 0.6) + abs($0.y - 0.1) + abs($0.w - 0.3) + abs($0.h - 0.3) < 1e-9 } == true)
        #expect(RegionNormalizer.boundingBox([]) == nil)
    }
}

@Suite struct XMPValuesTests {
    @Test func plusCodes() {
        #expect(XMPValues.plusCode("MR-NON") == "MR-NON")
        #expect(XMPValues.plusCode("http://ns.useplus.org/ldf/vocab/MR-LPR") == "MR-LPR")
        #expect(XMPValues.plusCode("http://ns.useplus.org/ldf/vocab/") == "http://ns.useplus.org/ldf/vocab/")
    }

    @Test func coordinates() throws {
        #expect(try #require(XMPValues.coordinate("51,30.5N")) == 51 + 30.5 / 60)
        #expect(try #require(XMPValues.coordinate("0,7.5W")) == -0.125)
        #expect(abs(try #require(XMPValues.coordinate("33,51,24.48S")) - -33.8568) < 1e-9)
        #expect(XMPValues.coordinate("north") == nil)
        #expect(XMPValues.coordinate("") == nil)
        #expect(XMPValues.coordinate("1,2,3,4N") == nil)
        #expect(XMPValues.gps(latitude: "95,0N", longitude: "1,0E", altitude: nil, altitudeRef: nil) == nil)
        #expect(XMPValues.gps(latitude: "10,0N", longitude: "1,0E", altitude: "25/2", altitudeRef: "1")
                == GPSPosition(latitude: 10, longitude: 1, altitude: -12.5))
        #expect(XMPValues.rational("1/0") == nil)
    }

    @Test func dates() {
        #expect(XMPValues.isoDate("2024-06-01T10:20:30+01:00") == "2024-06-01T10:20:30+01:00")
        #expect(XMPValues.isoDate("2024-06-01") == "2024-06-01")
        #expect(XMPValues.isoDate("2024:06:01 10:20:30") == "2024-06-01T10:20:30")
        #expect(XMPValues.isoDate("yesterday") == nil)
        #expect(XMPValues.isoDate("0000:00:00 00:00:00") == nil)
    }

    @Test func decimalCommaAccepted() {
        #expect(XMPNumber.parse("0,25") == 0.25)
        #expect(XMPNumber.parse(" 0.5 ") == 0.5)
        #expect(XMPNumber.parse("1,000,5") == nil)
        #expect(XMPNumber.parse("nan") == nil)
    }
}

@Suite struct XMPReaderRobustnessTests {
    static let packet = Array("""
        <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
        <rdf:Description rdf:about="" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
          xmlns:MicrosoftPhoto="http://ns.microsoft.com/photo/1.2/"
          xmlns:MPRI="http://ns.microsoft.com/photo/1.2/t/RegionInfo#"
          xmlns:MPReg="http://ns.microsoft.com/photo/1.2/t/Region#">
          <Iptc4xmpExt:PersonInImage>Plain String Person</Iptc4xmpExt:PersonInImage>
          <MicrosoftPhoto:RegionInfo rdf:parseType="Resource"><MPRI:Regions><rdf:Bag>
            <rdf:li rdf:parseType="Resource"><MPReg:PersonDisplayName>Other Prefix</MPReg:PersonDisplayName>
              <MPReg:Rectangle>0.1, 0.1, 0.2</MPReg:Rectangle></rdf:li>
          </rdf:Bag></MPRI:Regions></MicrosoftPhoto:RegionInfo>
        </rdf:Description></rdf:RDF></x:xmpmeta>
        """.utf8)
    let image = ImageGeometry(width: 100, height: 100, orientation: 1)

    @Test func writerQuirksAreRead() throws {
        let facts = try XMPReader.read(packets: [Self.packet], sidecarPath: nil, image: image)
        // A plain string where a bag belongs; another prefix for the Microsoft namespace;
        // a rectangle with three numbers (kept as a face, without a region).
        #expect(facts.people == [
            PersonShown(name: "Other Prefix", source: .microsoftRegion),
            PersonShown(name: "Plain String Person", source: .iptcPersonInImage),
        ])
        #expect(facts.faceRegions == 1)
    }

    @Test func garbageAndTruncatedPacketsAreSkipped() throws {
        var packets: [[UInt8]] = [[], [0], Array("not xml at all".utf8), Array(repeating: 0xFF, count: 4096)]
        for cut in stride(from: 1, to: Self.packet.count, by: 37) { packets.append(Array(Self.packet.prefix(cut))) }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var mutated = Self.packet
            for _ in 0..<8 { mutated[Int.random(in: 0..<mutated.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            packets.append(mutated)
        }
        let facts = try XMPReader.read(packets: packets, sidecarPath: nil, image: image)
        #expect(facts.faceRegions <= 1)
        #expect(facts.people.count <= 2)
    }

    @Test func oversizedPacketIsRefused() throws {
        var big = Self.packet
        big += Array(repeating: 0x20, count: XMPDocument.maxPacketBytes)
        let facts = try XMPReader.read(packets: [big], sidecarPath: nil, image: image)
        var expected = XMPFacts()
        expected.skipped = ["the embedded XMP packet is larger than 16 MiB and was skipped"]
        #expect(facts == expected)
    }

    @Test func brokenSidecarThrowsOnlyWhenNothingElseIsUsable() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-xmp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let sidecar = dir.appendingPathComponent("photo.xmp").path
        try Data("<x:xmpmeta><broken".utf8).write(to: URL(fileURLWithPath: sidecar))
        #expect(throws: MediaReadError.self) {
            try XMPReader.read(packets: [], sidecarPath: sidecar, image: image)
        }
        let facts = try XMPReader.read(packets: [Self.packet], sidecarPath: sidecar, image: image)
        #expect(facts.people.count == 2)
        #expect(facts.skipped == ["sidecar \(sidecar) is not valid XMP; the embedded XMP was used"])
        // A broken packet beside a good one: the good one is read, the broken one named.
        let mixed = try XMPReader.read(packets: [Self.packet, Array("<x:xmpmeta><broken".utf8)], sidecarPath: nil, image: image)
        #expect(mixed.people.count == 2)
        #expect(mixed.skipped == ["embedded XMP packet 2 of 2 is not valid XMP and was skipped"])
        #expect(throws: MediaReadError.self) {
            try XMPReader.read(packets: [], sidecarPath: dir.appendingPathComponent("absent.xmp").path, image: image)
        }
    }

    @Test func sidecarLookupOrderAndCase() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-sidecar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let photo = dir.appendingPathComponent("IMG_0001.JPG").path
        #expect(XMPReader.sidecarPath(for: photo) == nil)
        #expect(FileManager.default.createFile(atPath: dir.appendingPathComponent("IMG_0001.XMP").path, contents: Data()))
        #expect(XMPReader.sidecarPath(for: photo) == dir.appendingPathComponent("IMG_0001.XMP").path)
        #expect(FileManager.default.createFile(atPath: photo + ".xmp", contents: Data()))
        #expect(XMPReader.sidecarPath(for: photo) == photo + ".xmp", "photo.jpg.xmp names one file only, so it wins")
        #expect(XMPReader.sidecarPath(for: dir.appendingPathComponent("IMG_0001.XMP").path) == nil)
        // A directory is not a sidecar.
        let other = dir.appendingPathComponent("b.jpg").path
        try FileManager.default.createDirectory(atPath: other + ".xmp", withIntermediateDirectories: false)
        #expect(XMPReader.sidecarPath(for: other) == nil)
    }

    /// Exempi's toolkit keeps global tables; reading from many threads at once must give every
    /// thread the same answer.
    @Test func concurrentReadsAgree() async throws {
        let picture = try FixturePicture.load(Fixtures.path("mwg-digikam.jpg"))
        let expected = try picture.read()
        let packets = picture.packets, geometry = picture.geometry
        let results = try await withThrowingTaskGroup(of: XMPFacts.self) { group in
            for _ in 0..<64 {
                group.addTask { try XMPReader.read(packets: packets, sidecarPath: nil, image: geometry) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 64)
        #expect(results.allSatisfy { $0 == expected })
        // Plain threads too, outside the cooperative pool.
        let box = ResultsBox()
        DispatchQueue.concurrentPerform(iterations: 32) { _ in
            box.append(try? XMPReader.read(packets: packets, sidecarPath: nil, image: geometry))
        }
        #expect(box.values.count == 32 && box.values.allSatisfy { $0 == expected })
    }
}

private final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [XMPFacts?] = []
    func append(_ value: XMPFacts?) { lock.lock(); stored.append(value); lock.unlock() }
    var values: [XMPFacts?] { lock.lock(); defer { lock.unlock() }; return stored }
}
