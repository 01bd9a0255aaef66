import Foundation
import Testing
@testable import MediaMetadata

@Suite struct MediaInspectorTests {
    private static func xmp(_ properties: String, people: [String] = []) -> String {
        let bag = people.isEmpty ? "" : "<Iptc4xmpExt:PersonInImage><rdf:Bag>"
            + people.map { "<rdf:li>\($0)</rdf:li>" }.joined() + "</rdf:Bag></Iptc4xmpExt:PersonInImage>"
        return """
        <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\
        <rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" \
        xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" \(properties)>\(bag)</rdf:Description>\
        </rdf:RDF></x:xmpmeta>
        """
    }

    @Test func emptyFileHasErrorAndHash() throws {
        let scratch = try ScratchDirectory()
        let facts = MediaInspector().inspect(path: try scratch.write([], name: "empty.jpg"))
        #expect(facts.error == MediaReadError.empty.description)
        #expect(facts.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func garbageIsUnsupported() throws {
        let scratch = try ScratchDirectory()
        let facts = MediaInspector().inspect(path: try scratch.write(Array("not a picture at all".utf8), name: "notes.jpg"))
        #expect(facts.error?.hasPrefix("unsupported format: jpg") == true)
        #expect(facts.sha256 != nil)
        #expect(facts.format == nil)
    }

    @Test func missingFileHasError() {
        let facts = MediaInspector().inspect(path: "/nonexistent/clearance/\(UUID().uuidString).jpg")
        #expect(facts.error?.hasPrefix("cannot open") == true)
        #expect(facts.sha256 == nil)
    }

    /// EXIF wins for time and camera; XMP fills only what EXIF left empty (here GPS and model).
    @Test func exifWinsAndXMPFillsGaps() throws {
        let scratch = try ScratchDirectory()
        var tiff = SyntheticTIFF()
        tiff.ifd0 = [.ascii(0x010F, "ExifMake")]
        tiff.exif = [.ascii(0x9003, "2020:06:01 12:00:00")]
        let packet = Self.xmp(
            #"exif:DateTimeOriginal="2001-01-01T01:01:01" exif:GPSLatitude="51,30.5N" exif:GPSLongitude="0,7.5W" tiff:Make="XmpMake" tiff:Model="XmpModel""#,
            people: ["Jane Doe"])
        let bytes = SyntheticJPEG.jpeg([SyntheticJPEG.exif(tiff.bytes()), SyntheticJPEG.xmp(packet), SyntheticJPEG.frame(width: 30, height: 20)])
        let facts = MediaInspector().inspect(path: try scratch.write(bytes, name: "merge.jpg"))
        #expect(facts.error == nil)
        #expect(facts.capturedAt == "2020-06-01T12:00:00")
        #expect(facts.make == "ExifMake")
        #expect(facts.model == "XmpModel")
        let gps = try #require(facts.gps)
        #expect(abs(gps.latitude - 51.508333) < 1e-5 && abs(gps.longitude - -0.125) < 1e-5)
        #expect(facts.people.map(\.name) == ["Jane Doe"])
        #expect(facts.width == 30 && facts.height == 20)
    }

    @Test func readsSidecarBesideTheFile() throws {
        let scratch = try ScratchDirectory()
        let bytes = SyntheticJPEG.jpeg([SyntheticJPEG.frame(width: 10, height: 10)])
        let path = try scratch.write(bytes, name: "photo.jpg")
        let sidecar = try scratch.write(Array(Self.xmp("", people: ["John Roe"]).utf8), name: "photo.xmp")
        let facts = MediaInspector().inspect(path: path)
        #expect(facts.error == nil)
        #expect(facts.sidecar == sidecar)
        #expect(facts.people.map(\.name) == ["John Roe"])
    }

    /// A TIFF file whose IFD0 points at itself as Exif, GPS and next directory.
    @Test func tiffWithDirectoryLoops() throws {
        let scratch = try ScratchDirectory()
        let t = SyntheticTIFF(bigEndian: false)
        var bytes: [UInt8] = [0x49, 0x49] + t.u16(42) + t.u32(8)
        bytes += t.u16(5)
        bytes += t.u16(0x0100) + t.u16(3) + t.u32(1) + t.u16(64) + [0, 0]
        bytes += t.u16(0x0101) + t.u16(3) + t.u32(1) + t.u16(48) + [0, 0]
        bytes += t.u16(0x014A) + t.u16(4) + t.u32(1) + t.u32(8)
        bytes += t.u16(0x8769) + t.u16(4) + t.u32(1) + t.u32(8)
        bytes += t.u16(0x8825) + t.u16(4) + t.u32(1) + t.u32(8)
        bytes += t.u32(8)
        let facts = MediaInspector().inspect(path: try scratch.write(bytes, name: "loop.tif"))
        #expect(facts.format == .tiff)
        #expect(facts.width == 64 && facts.height == 48)
        #expect(facts.sha256 != nil)
        let outside: [UInt8] = [0x4D, 0x4D, 0, 42, 0x7F, 0xFF, 0xFF, 0xFF]
        let broken = MediaInspector().inspect(path: try scratch.write(outside, name: "outside.tif"))
        #expect(broken.error != nil && broken.sha256 != nil)
    }

    /// The IPTC reference image names its people in XMP; EXIF-less fields stay nil.
    @Test(.enabled(if: InspectorCorpus.isPresent))
    func readsPeopleFromIPTCReferenceImage() {
        let facts = MediaInspector().inspect(path: InspectorCorpus.path("metadata-extractor-images/jpg/Issue 258 (dotnet).jpg"))
        #expect(facts.error == nil)
        #expect(facts.kind == .image)
        #expect(!facts.people.isEmpty)
    }

    @Test(.enabled(if: InspectorCorpus.isPresent))
    func readsVideo() throws {
        let folder = InspectorCorpus.path("metadata-extractor-images/mp4")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        let name = try #require(names.first)
        let facts = MediaInspector().inspect(path: folder + "/" + name)
        #expect(facts.kind == .video)
        #expect(facts.sha256?.count == 64)
    }

    /// Every corpus file: no crash, a hash, and an error exactly when the format is unknown
    /// or the file is damaged; never both a format error and a detected format.
    @Test(.enabled(if: InspectorCorpus.isPresent))
    func wholeCorpusIsReadWithoutCrashing() throws {
        let root = InspectorCorpus.root.path
        let walker = try #require(FileManager.default.enumerator(atPath: root))
        var paths: [String] = []
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = root + "/" + relative
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                paths.append(full)
            }
        }
        #expect(paths.count > 100)
        let inspector = MediaInspector()
        var unreadable = 0
        for path in paths {
            let facts = inspector.inspect(path: path)
            #expect(facts.sha256?.count == 64, "\(path)")
            if facts.format == nil { #expect(facts.error?.hasPrefix("unsupported format") == true, "\(path)") }
            if facts.error != nil, facts.format != nil { unreadable += 1 }
        }
        #expect(unreadable < paths.count / 4)
    }
}
