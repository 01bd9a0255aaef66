import Foundation
import Testing
@testable import MediaMetadata

/// Real files from ../shared/corpus (see its SOURCES.md): written by tools no one on this
/// project wrote. Skipped when the corpus is absent.
@Suite(.enabled(if: Fixtures.corpus != nil, "../shared/corpus is absent"))
struct XMPCorpusTests {
    static func file(_ relative: String) -> String { "\(Fixtures.corpus ?? "")/\(relative)" }

    static func facts(_ relative: String) throws -> XMPFacts {
        try FixturePicture.load(file(relative)).read()
    }

    @Test func iptcReferenceImage() throws {
        let facts = try Self.facts("metadata-extractor-images/jpg/Issue 258 (dotnet).jpg")
        let inImage = facts.people.filter { $0.source == .iptcPersonInImage }
        #expect(inImage.count == 2)
        let details = try #require(facts.people.first { $0.source == .iptcPersonDetails })
        #expect(details.identifiers == ["http://wikidata.org/item/Q123456789/ref2019.1", "http://freebase.com/m/987654321/ref2019.1"])
        #expect(details.name != nil)
        // Three regions, each naming one person: a rectangle, a circle and a polygon.
        let regions = facts.people.filter { $0.source == .iptcImageRegion }
        #expect(regions.map(\.name) == [
            "Person name no 1 in region persltr2 (ref2019.1)",
            "Person name no 1 in region persltr3 (ref2019.1)",
            "Person name no 1 in region persltr1 (ref2019.1)",
        ])
        #expect(facts.faceRegions == 3)
        let rectangle = try #require(regions.first?.region)
        #expect(abs(rectangle.x - 0.31) < 1e-6 && abs(rectangle.y - 0.18) < 1e-6)
        #expect(abs(rectangle.w - 0.127) < 1e-6 && abs(rectangle.h - 0.385) < 1e-6)
        let polygon = try #require(regions.last?.region)
        #expect(abs(polygon.x - 0.05) < 1e-6 && abs(polygon.y - 0.041) < 1e-6)
        #expect(abs(polygon.w - (0.375 - 0.05)) < 1e-6 && abs(polygon.h - (0.863 - 0.041)) < 1e-6)
        #expect(facts.modelRelease?.status == "MR-NAP")
        #expect(facts.modelRelease?.minorAgeDisclosure == "AG-A25")
        #expect(facts.modelRelease?.ids.isEmpty == false)
    }

    @Test func iPhoneUnnamedFaces() throws {
        let facts = try Self.facts("metadata-extractor-images/jpg/Issue 177.jpg")
        #expect(facts.faceRegions == 2)
        #expect(facts.people.count == 2)
        #expect(facts.people.allSatisfy { $0.name == nil && $0.source == .mwgRegion && $0.region != nil })
        let first = try #require(facts.people.first?.region)
        #expect(abs(first.x - (0.731005 - 0.137255 / 2)) < 1e-6)
        #expect(abs(first.y - (0.491422 - 0.183007 / 2)) < 1e-6)
    }

    @Test func microsoftPeopleRegion() throws {
        let facts = try Self.facts("metadata-extractor-images/jpg/metadata-extractor-dotnet issue 51.jpg")
        #expect(facts.faceRegions == 1)
        let bill = try #require(facts.people.first { $0.source == .microsoftRegion })
        #expect(bill.name == "Bill Murray")
        let region = try #require(bill.region)
        #expect(abs(region.x - 0.403125) < 1e-6 && abs(region.y - 0.330598) < 1e-6)
        #expect(abs(region.w - 0.192188) < 1e-6 && abs(region.h - 0.288394) < 1e-6)
    }

    @Test func exifToolMWGSidecar() throws {
        let facts = try Self.facts("exiftool-t/t/images/XMP5.xmp")
        // Region 1 is a Face; the second region has no type and is not a person.
        #expect(facts.people.map(\.name) == ["Region 1"])
        #expect(facts.faceRegions == 1)
    }

    /// ExifTool's PLUS licensing sample: many PLUS fields, none of them a model release.
    /// Licensing codes must not be mistaken for release claims.
    @Test func exifToolPLUSSidecarHasNoReleaseClaims() throws {
        let path = Self.file("exiftool-t/t/images/PLUS.xmp")
        let facts = try Self.facts("exiftool-t/t/images/PLUS.xmp")
        #expect(facts.modelRelease == nil)
        #expect(facts.people.isEmpty)
        if let record = try ExifTool.json([path], tags: ["-ModelReleaseStatus", "-ModelReleaseID", "-MinorModelAgeDisclosure"]).first {
            #expect(record["ModelReleaseStatus"] == nil && record["ModelReleaseID"] == nil && record["MinorModelAgeDisclosure"] == nil)
        }
    }

    @Test func metadataExtractorSidecarsParse() throws {
        let dir = Self.file("metadata-extractor-images/xmp")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.lowercased().hasSuffix(".xmp") }
        #expect(names.count >= 4)
        for name in names {
            // Each is a real tool's sidecar: it must parse (reading it must not throw) and
            // give the keywords ExifTool sees.
            let path = "\(dir)/\(name)"
            let facts = try XMPReader.read(packets: [], sidecarPath: path, image: ImageGeometry(width: nil, height: nil, orientation: nil))
            if let record = try ExifTool.json([path], tags: ["-XMP-dc:Subject"]).first {
                let subject = (record["Subject"] as? [Any]) ?? (record["Subject"]).map { [$0] } ?? []
                #expect(facts.keywords == subject.map { "\($0)" }, "\(name)")
            }
        }
    }

    /// Person names and face-region counts against ExifTool on every corpus JPEG and XMP
    /// file where either reader finds people. Prints the agreement figure.
    @Test(.enabled(if: ExifTool.path != nil, "exiftool is not installed"))
    func peopleAgreeWithExifToolAcrossCorpus() throws {
        let root = try #require(Fixtures.corpus)
        let files = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? [])
            .filter { ["jpg", "jpeg", "xmp"].contains(($0 as NSString).pathExtension.lowercased()) }
            .map { "\(root)/\($0)" }
            .sorted()
        try #require(!files.isEmpty)
        let records = try ExifTool.json(files, tags: ExifTool.peopleTags)
        var byPath: [String: ExifTool.People] = [:]
        for record in records {
            if let source = record["SourceFile"] as? String { byPath[source] = ExifTool.people(in: record) }
        }
        var compared = 0, agreed = 0
        var disagreements: [String] = []
        for file in files {
            let theirs = ComparablePeople(byPath[file] ?? ExifTool.People())
            let ours = try ComparablePeople.ours(try FixturePicture.load(file), sidecar: nil)
            guard !(theirs.names.isEmpty && theirs.faceRegions == 0 && ours.names.isEmpty && ours.faceRegions == 0) else { continue }
            compared += 1
            if ours == theirs { agreed += 1 } else { disagreements.append("\(file.dropFirst(root.count + 1)): ours \(ours); ExifTool \(theirs)") }
        }
        print("XMP people vs ExifTool: \(agreed)/\(compared) corpus files with people agree (\(files.count) JPEG/XMP files scanned)")
        for line in disagreements { print("  differs: \(line)") }
        #expect(compared >= 4)
        #expect(disagreements.isEmpty, "\(disagreements)")
    }

    /// Every corpus media file (JPEG, TIFF, PNG, HEIC, MP4, MOV…) through MediaInspector,
    /// which finds the packets in each container: person names must match ExifTool's, and a
    /// picture has face regions exactly when ExifTool shows some (our count merges one face
    /// written in several schemas, so it may be lower, never higher).
    @Test(.enabled(if: ExifTool.path != nil, "exiftool is not installed"))
    func peopleThroughInspectorAgreeAcrossCorpus() throws {
        let root = try #require(Fixtures.corpus)
        let media = ["jpg", "jpeg", "tif", "tiff", "png", "heic", "heif", "mp4", "mov", "m4v"]
        let files = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? [])
            .filter { media.contains(($0 as NSString).pathExtension.lowercased()) }
            .map { "\(root)/\($0)" }
            .sorted()
        try #require(!files.isEmpty)
        var byPath: [String: ExifTool.People] = [:]
        for record in try ExifTool.json(files, tags: ExifTool.peopleTags) {
            if let source = record["SourceFile"] as? String { byPath[source] = ExifTool.people(in: record) }
        }
        let inspector = MediaInspector()
        var compared = 0, agreed = 0
        var disagreements: [String] = []
        for file in files {
            let theirs = byPath[file] ?? ExifTool.People()
            let facts = inspector.inspect(path: file)
            let ours = facts.people.compactMap(\.name).sorted()
            guard !(theirs.names.isEmpty && theirs.faceRegions == 0 && ours.isEmpty && facts.faceRegions == 0) else { continue }
            compared += 1
            let regionsAgree = (facts.faceRegions > 0) == (theirs.faceRegions > 0) && facts.faceRegions <= theirs.faceRegions
            if ours == theirs.names.sorted() && regionsAgree {
                agreed += 1
            } else {
                disagreements.append("\(file.dropFirst(root.count + 1)): ours \(facts.faceRegions) regions \(ours); ExifTool \(theirs.faceRegions) regions \(theirs.names)")
            }
        }
        print("XMP people via MediaInspector vs ExifTool: \(agreed)/\(compared) corpus files with people agree (\(files.count) media files scanned)")
        for line in disagreements { print("  differs: \(line)") }
        #expect(compared >= 3)
        #expect(disagreements.isEmpty, "\(disagreements)")
    }
}
