import Foundation
import Testing
@testable import MediaMetadata

/// What XMPReader says, in the shape `ExifTool.people` reduces ExifTool's output to: every
/// name, and the face regions per schema before one face written in several schemas is
/// merged (ExifTool does not merge them).
struct ComparablePeople: Equatable, CustomStringConvertible {
    var names: [String]
    var faceRegions: Int

    init(names: [String], faceRegions: Int) {
        self.names = names.sorted()
        self.faceRegions = faceRegions
    }

    init(_ people: ExifTool.People) { self.init(names: people.names, faceRegions: people.faceRegions) }

    /// Reads `files` (a picture's packets and its sidecar) the way XMPReader does.
    static func ours(_ picture: FixturePicture, sidecar: String?) throws -> ComparablePeople {
        let facts = try picture.read(sidecar: sidecar)
        guard let ns = XMPNamespaces.shared else { return ComparablePeople(names: [], faceRegions: -1) }
        var packets: [[UInt8]] = []
        if let sidecar { packets.append([UInt8](try Data(contentsOf: URL(fileURLWithPath: sidecar)))) }
        packets += picture.packets
        var marks: [XMPRegionMark] = []
        for packet in packets {
            guard let doc = XMPDocument(packet: packet) else { continue }
            marks = XMPPacketReading.union(marks, XMPPacketReading(doc, ns, image: picture.geometry).regions)
        }
        return ComparablePeople(names: facts.sortedNames, faceRegions: marks.count)
    }

    var description: String { "\(faceRegions) regions, names \(names)" }
}

@Suite(.enabled(if: ExifTool.path != nil, "exiftool is not installed"))
struct FixtureExifToolTests {
    static let fixtures = [
        "mwg-lightroom.jpg", "mwg-digikam.jpg", "mwg-iphone-unnamed.jpg", "iptc-person-in-image.jpg",
        "iptc-person-details.jpg", "iptc-image-region.jpg", "mp-regions.jpg", "sidecar-digikam.jpg",
        "sidecar-lightroom.jpg", "plus-release-code.jpg", "plus-release-uri.jpg", "edited-copy.jpg",
        "rotated-6.jpg", "rotated-8.jpg", "xmp-camera-only.jpg", "broken-xmp.jpg",
    ]

    @Test(arguments: fixtures)
    func peopleAgreeWithExifTool(name: String) throws {
        let path = Fixtures.path(name)
        let sidecar = XMPReader.sidecarPath(for: path)
        let records = try ExifTool.json([path] + (sidecar.map { [$0] } ?? []), tags: ExifTool.peopleTags)
        try #require(!records.isEmpty)
        // File and sidecar as one, the way XMPReader unions them.
        var names: [String] = [], regions: [[String]] = []
        for record in records {
            let people = ExifTool.people(in: record)
            names = XMPPacketReading.union(names, people.names)
            // A region is known by its names here (ExifTool gives no identity of its own).
            regions = XMPPacketReading.union(regions, people.regions)
        }
        let theirs = ComparablePeople(names: names, faceRegions: regions.count)
        let ours = try ComparablePeople.ours(try FixturePicture.load(path), sidecar: sidecar)
        #expect(ours == theirs, "\(name): ours \(ours), ExifTool \(theirs)")
    }

    /// MWG areas as ExifTool prints them (centre, size), turned into corners by hand, must
    /// match ours to 1e-6 on unrotated pictures.
    @Test(arguments: ["mwg-lightroom.jpg", "mwg-iphone-unnamed.jpg", "mwg-digikam.jpg"])
    func mwgAreasAgreeWithExifTool(name: String) throws {
        let path = Fixtures.path(name)
        let record = try #require(try ExifTool.json([path], tags: ["-RegionInfo"]).first)
        let info = try #require(record["RegionInfo"] as? [String: Any])
        let list = try #require(info["RegionList"] as? [[String: Any]])
        let expected = list.filter { ($0["Type"] as? String) == "Face" }.compactMap { region -> NormalizedRegion? in
            guard let area = region["Area"] as? [String: Any],
                  let x = (area["X"] as? NSNumber)?.doubleValue, let y = (area["Y"] as? NSNumber)?.doubleValue,
                  let w = (area["W"] as? NSNumber)?.doubleValue, let h = (area["H"] as? NSNumber)?.doubleValue
            else { return nil }
            return NormalizedRegion(x: x - w / 2, y: y - h / 2, w: w, h: h)
        }
        let ours = try Fixtures.facts(name).people.filter { $0.source == .mwgRegion }.compactMap(\.region)
        #expect(ours.count == expected.count)
        for (a, b) in zip(ours, expected) {
            #expect(abs(a.x - b.x) < 1e-6 && abs(a.y - b.y) < 1e-6 && abs(a.w - b.w) < 1e-6 && abs(a.h - b.h) < 1e-6,
                    "\(a) vs ExifTool \(b)")
        }
    }

    @Test func releaseAndIdentityAgreeWithExifTool() throws {
        let files = ["plus-release-code.jpg", "plus-release-uri.jpg", "edited-copy.jpg"].map(Fixtures.path)
        let records = try ExifTool.json(files, tags: [
            "-ModelReleaseStatus", "-ModelReleaseID", "-MinorModelAgeDisclosure",
            "-DocumentID", "-OriginalDocumentID", "-DerivedFrom",
        ])
        #expect(records.count == files.count)
        for (file, record) in zip(files, records) {
            let facts = try FixturePicture.load(file).read()
            let status = (record["ModelReleaseStatus"] as? String).map(XMPValues.plusCode)
            #expect(facts.modelRelease?.status == status)
            let ids = (record["ModelReleaseID"] as? [String]) ?? (record["ModelReleaseID"] as? String).map { [$0] } ?? []
            #expect((facts.modelRelease?.ids ?? []) == ids)
            #expect(facts.documentID == record["DocumentID"] as? String)
            #expect(facts.originalDocumentID == record["OriginalDocumentID"] as? String)
            // With -struct, ExifTool keeps DerivedFrom as the stRef structure it is.
            #expect(facts.derivedFrom == (record["DerivedFrom"] as? [String: Any])?["DocumentID"] as? String)
        }
    }
}
