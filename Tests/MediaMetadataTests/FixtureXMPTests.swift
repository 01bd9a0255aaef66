import Foundation
import Testing
@testable import MediaMetadata

/// Each fixture made by scripts/make-fixtures.sh, read through XMPReader. Expected values
/// are the ones the script writes, converted by hand to top-left fractions of the displayed image.
@Suite struct FixtureXMPTests {
    func expectRegion(_ region: NormalizedRegion?, _ x: Double, _ y: Double, _ w: Double, _ h: Double,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        guard let region else {
            Issue.record("no region", sourceLocation: sourceLocation)
            return
        }
        for (got, want) in [(region.x, x), (region.y, y), (region.w, w), (region.h, h)] {
            #expect(abs(got - want) < 1e-6, "\(region) vs \(x), \(y), \(w), \(h)", sourceLocation: sourceLocation)
        }
    }

    func person(_ facts: XMPFacts, _ name: String?, _ source: PeopleSource) -> PersonShown? {
        facts.people.first { $0.name == name && $0.source == source }
    }

    @Test func lightroomNamedFaces() throws {
        let facts = try Fixtures.facts("mwg-lightroom.jpg")
        #expect(facts.faceRegions == 2)
        #expect(facts.people.map(\.name) == ["Alice Example", "Bob Example"])
        #expect(facts.people.allSatisfy { $0.source == .mwgRegion })
        expectRegion(person(facts, "Alice Example", .mwgRegion)?.region, 0.1875, 0.25, 0.125, 0.25)
        expectRegion(person(facts, "Bob Example", .mwgRegion)?.region, 0.6, 0.35, 0.2, 0.3)
        #expect(facts.keywords == ["Alice Example", "Bob Example", "council event"])
        #expect(facts.documentID == "xmp.did:0a1b2c3d-original")
        #expect(facts.derivedFrom == nil)
    }

    @Test func digiKamWritesOneFaceThreeWays() throws {
        let facts = try Fixtures.facts("mwg-digikam.jpg")
        #expect(Set(facts.people.map(\.source)) == [.mwgRegion, .microsoftRegion, .iptcPersonInImage])
        #expect(facts.people.allSatisfy { $0.name == "Carol Example" })
        expectRegion(person(facts, "Carol Example", .mwgRegion)?.region, 0.375, 0.25, 0.25, 0.5)
        expectRegion(person(facts, "Carol Example", .microsoftRegion)?.region, 0.375, 0.25, 0.25, 0.5)
        #expect(person(facts, "Carol Example", .iptcPersonInImage)?.region == nil)
        // The MWG and Microsoft regions are the same face.
        #expect(facts.faceRegions == 1)
    }

    @Test func iPhoneUnnamedFacesAreStillPeople() throws {
        let facts = try Fixtures.facts("mwg-iphone-unnamed.jpg")
        #expect(facts.faceRegions == 2, "the Focus region is not a face")
        #expect(facts.people.count == 2)
        #expect(facts.people.allSatisfy { $0.name == nil && $0.identifiers.isEmpty && $0.source == .mwgRegion })
        expectRegion(facts.people.first?.region, 0.25, 0.3, 0.1, 0.2)
        expectRegion(facts.people.last?.region, 0.54, 0.37, 0.12, 0.16)
    }

    @Test func iptcPersonInImage() throws {
        let facts = try Fixtures.facts("iptc-person-in-image.jpg")
        #expect(facts.people == [
            PersonShown(name: "Dan Example", source: .iptcPersonInImage),
            PersonShown(name: "Erin Example", source: .iptcPersonInImage),
        ])
        #expect(facts.faceRegions == 0)
    }

    @Test func iptcPersonDetailsKeepIdentifiers() throws {
        let facts = try Fixtures.facts("iptc-person-details.jpg")
        #expect(facts.people == [
            PersonShown(name: "Frank Example", identifiers: ["https://example.org/people/frank", "urn:clearance:person:42"],
                        source: .iptcPersonDetails),
            PersonShown(name: nil, identifiers: ["urn:clearance:person:43"], source: .iptcPersonDetails),
        ])
    }

    @Test func iptcImageRegionsOfHumansOnly() throws {
        let facts = try Fixtures.facts("iptc-image-region.jpg")
        #expect(facts.faceRegions == 4, "four human regions; the product region is not a person")
        #expect(facts.people.allSatisfy { $0.source == .iptcImageRegion })
        #expect(facts.people.map(\.name) == ["Guest speaker", "Gina Example", nil, "Hana Example"])
        expectRegion(facts.people[0].region, 0.1, 0.2, 0.3, 0.4)
        // Pixel units over the stored 64x48 frame.
        expectRegion(facts.people[1].region, 0.5, 0.25, 0.25, 0.5)
        // Circle: relative radius 0.1 of the width is 0.1·64/48 of the height.
        expectRegion(facts.people[2].region, 0.4, 0.5 - 0.1 * 64 / 48, 0.2, 0.2 * 64 / 48)
        // Polygon: bounding box of its vertices.
        expectRegion(facts.people[3].region, 0.6, 0.1, 0.3, 0.3)
        #expect(facts.people[3].identifiers == ["urn:clearance:person:44"])
    }

    @Test func microsoftRegionsWithIgnoredFace() throws {
        let facts = try Fixtures.facts("mp-regions.jpg")
        #expect(facts.faceRegions == 2)
        let ivan = person(facts, "Ivan Example", .microsoftRegion)
        #expect(ivan?.identifiers == ["2FD4E1C67A2D28FCED849EE1BB76E7391B93EB13", "1234567890123456789"])
        expectRegion(ivan?.region, 0.1, 0.2, 0.3, 0.4)
        expectRegion(person(facts, nil, .microsoftRegion)?.region, 0.6, 0.1, 0.2, 0.2)
    }

    @Test func digiKamSidecarNamedPhotoJpgXmp() throws {
        let path = Fixtures.path("sidecar-digikam.jpg")
        #expect(XMPReader.sidecarPath(for: path) == path + ".xmp")
        let facts = try Fixtures.facts("sidecar-digikam.jpg")
        #expect(facts.faceRegions == 1)
        #expect(Set(facts.people.map(\.source)) == [.mwgRegion, .iptcPersonInImage])
        expectRegion(person(facts, "Jill Example", .mwgRegion)?.region, 0.25, 0.25, 0.5, 0.5)
    }

    @Test func lightroomSidecarNamedPhotoXmpMergesWithEmbedded() throws {
        let path = Fixtures.path("sidecar-lightroom.jpg")
        #expect(XMPReader.sidecarPath(for: path) == Fixtures.path("sidecar-lightroom.xmp"))
        let facts = try Fixtures.facts("sidecar-lightroom.jpg")
        // Kim is in both the file and the sidecar: listed and counted once.
        #expect(facts.people.map(\.name) == ["Kim Example", "Lee Example"])
        #expect(facts.faceRegions == 2)
        expectRegion(facts.people[0].region, 0.125, 0.125, 0.25, 0.25)
        expectRegion(facts.people[1].region, 0.65, 0.65, 0.2, 0.2)
        // The sidecar is the current record: its release status wins.
        #expect(facts.modelRelease?.status == "MR-UMR")
        #expect(facts.keywords == ["sidecar keyword"])
        // Without the sidecar only the embedded packet speaks.
        let embedded = try FixturePicture.load(path).read()
        #expect(embedded.people.map(\.name) == ["Kim Example"])
        #expect(embedded.modelRelease?.status == "MR-NON")
    }

    @Test func plusReleaseBareCodes() throws {
        let facts = try Fixtures.facts("plus-release-code.jpg")
        #expect(facts.modelRelease == ModelRelease(status: "MR-LMR", ids: ["REL-2024-001", "REL-2024-002"], minorAgeDisclosure: "AG-UNK"))
        #expect(facts.people.map(\.name) == ["Mia Example"])
    }

    @Test func plusReleaseURIsBecomeCodes() throws {
        let facts = try Fixtures.facts("plus-release-uri.jpg")
        #expect(facts.modelRelease == ModelRelease(status: "MR-NON", ids: [], minorAgeDisclosure: "AG-A15"))
        #expect(facts.people.isEmpty)
        #expect(facts.faceRegions == 0)
    }

    @Test func editedCopyPointsAtItsOriginal() throws {
        let original = try Fixtures.facts("mwg-lightroom.jpg")
        let copy = try Fixtures.facts("edited-copy.jpg")
        #expect(copy.documentID == "xmp.did:9f8e7d6c-edited")
        #expect(copy.originalDocumentID == original.documentID)
        #expect(copy.derivedFrom == original.documentID)
        #expect(copy.people == original.people)
    }

    @Test(arguments: [
        // Stored centre (0.25, 0.25), size 0.25: stored corner (0.125, 0.125).
        ("rotated-6.jpg", 0.625, 0.125),  // turned 90° clockwise: stored top-left goes top-right
        ("rotated-8.jpg", 0.125, 0.625),  // turned 90° anticlockwise: stored top-left goes bottom-left
    ])
    func rotatedRegionsFollowOrientation(name: String, x: Double, y: Double) throws {
        let picture = try FixturePicture.load(Fixtures.path(name))
        let facts = try picture.read()
        #expect(facts.people.count == 3)
        #expect(Set(facts.people.map(\.source)) == [.mwgRegion, .microsoftRegion, .iptcImageRegion])
        for person in facts.people {
            #expect(person.name == "Noor Example")
            expectRegion(person.region, x, y, 0.25, 0.25)
        }
        // The same face in three schemas is one face.
        #expect(facts.faceRegions == 1)
        // Camera facts live in EXIF here, not XMP.
        #expect(facts.gps == nil && facts.serial == nil)
    }

    @Test func cameraFactsFromXMPOnly() throws {
        let facts = try Fixtures.facts("xmp-camera-only.jpg")
        #expect(facts.capturedAt == "2023-12-24T18:30:00+00:00")
        #expect(facts.make == "Apple")
        #expect(facts.model == "iPhone 12")
        #expect(facts.serial == "C39XK0ABCDEF")
        let gps = try #require(facts.gps)
        #expect(abs(gps.latitude - -33.8568) < 1e-6)
        #expect(abs(gps.longitude - 151.2153) < 1e-6)
        #expect(gps.altitude == -12.5)
    }

    @Test func brokenPacketLeavesFactsEmptyAndSaysWhy() throws {
        let picture = try FixturePicture.load(Fixtures.path("broken-xmp.jpg"))
        #expect(picture.packets.count == 1)
        let facts = try picture.read()
        var expected = XMPFacts()
        expected.skipped = ["the embedded XMP packet is not valid XMP and was skipped"]
        #expect(facts == expected)
    }
}
