@testable import FaceDetection
import Foundation
import Pictures
import Testing

/// Damaged, hostile and enormous pictures: detection either runs on what can be decoded or says
/// why it could not, within bounded memory and time; it never crashes.
struct FaceDetectorBadInputTests {
    let detector = FaceFixtures.detector

    func write(_ bytes: Data, _ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-faces-\(UUID().uuidString)-\(name)")
        try bytes.write(to: url)
        return url
    }

    /// A photo cut off after 40% of its bytes: libjpeg fills the rest with grey, and the two men
    /// in the top part of the picture are still found.
    @Test func aTruncatedPhotoIsLookedAtAsFarAsItGoes() throws {
        let whole = try FaceFixtures.data("group.jpg")
        let url = try write(whole.prefix(whole.count * 2 / 5), "cut.jpg")
        defer { try? FileManager.default.removeItem(at: url) }
        let result = detector.detectFaces(inPictureAt: url.path, orientation: 1)
        let faces = try #require(result.faces, "\(result)")
        for centre in FaceFixtures.groupFaceCentres.prefix(2) {
            #expect(faces.contains { $0.x <= centre.x && centre.x <= $0.x + $0.w && $0.y <= centre.y && centre.y <= $0.y + $0.h },
                    "\(centre.name) not found in \(faces)")
        }
    }

    @Test(arguments: [
        ("empty.jpg", Data(), "the file is empty"),
        ("notes.jpg", Data("a shopping list\n".utf8), "not a JPEG, PNG, TIFF or HEIC picture"),
        ("header-only.jpg", Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10]), "JPEG declares no picture size"),
    ])
    func undecodableFilesSayWhy(name: String, bytes: Data, reason: String) throws {
        let url = try write(bytes, name)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = detector.detectFaces(inPictureAt: url.path, orientation: 1)
        #expect(result.faces == nil)
        #expect(result.detector == FaceDetector.identifier)
        #expect(result.failure?.contains(reason) == true, "\(result.failure ?? "no failure")")
    }

    @Test func aMissingFileSaysWhy() {
        let result = detector.detectFaces(inPictureAt: "/nonexistent/photo.jpg", orientation: nil)
        #expect(result.faces == nil)
        #expect(result.failure?.hasPrefix("cannot read photo.jpg") == true, "\(result)")
    }

    /// A 600-byte JPEG may declare any size. Within the declared limit, it is decoded at a
    /// reduced scale (so the full picture never exists in memory) and comes out grey and empty;
    /// beyond it, it is refused before anything is decoded.
    @Test func aSmallFileDeclaringAHugePictureCostsLittle() throws {
        let large = try write(Self.jpeg(declaringWidth: 16_000, height: 12_000), "huge.jpg")
        let absurd = try write(Self.jpeg(declaringWidth: 65_000, height: 65_000), "absurd.jpg")
        defer { for url in [large, absurd] { try? FileManager.default.removeItem(at: url) } }
        let reduced = detector.detectFaces(inPictureAt: large.path, orientation: 1)
        #expect(reduced.faces == [], "\(reduced)")
        let refused = detector.detectFaces(inPictureAt: absurd.path, orientation: 1)
        #expect(refused.faces == nil)
        #expect(refused.failure?.contains("larger than Clearance decodes") == true, "\(refused)")
    }

    /// Every corpus picture that is damaged or hostile on purpose (ImageTestSuite, `invalid/`,
    /// `corrupted.jpg`): each one either runs or says why; none crashes the process.
    @Test(.enabled(if: FaceFixtures.corpus != nil)) func corpusDamagedPicturesNeverCrash() throws {
        let corpus = try #require(FaceFixtures.corpus)
        let folders = ["metadata-extractor-images/jpg/ImageTestSuite", "exif-samples/jpg/invalid"]
        var files = try folders.flatMap { folder in
            try FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent(folder).path)
                .map { corpus.appendingPathComponent(folder).appendingPathComponent($0).path }
        }
        files.append(corpus.appendingPathComponent("exif-samples/jpg/corrupted.jpg").path)
        #expect(files.count > 60)
        var ran = 0
        for path in files.sorted() {
            let result = detector.detectFaces(inPictureAt: path, orientation: nil)
            #expect(result.ran != (result.failure != nil), "\(path): \(result)")
            if let failure = result.failure { #expect(!failure.isEmpty && !failure.contains("\n"), "\(path): \(failure)") }
            if result.ran { ran += 1 }
        }
        #expect(ran > 0, "some damaged files still decode")
    }

    /// A baseline JPEG declaring `width` × `height` (three components, 4:2:0) whose scan holds
    /// one byte: a few empty blocks, then nothing.
    static func jpeg(declaringWidth width: Int, height: Int) -> Data {
        var bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x43, 0x00] + Array(repeating: 1, count: 64)
        bytes += [0xFF, 0xC0, 0x00, 0x11, 0x08, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF),
                  0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x00, 0x03, 0x11, 0x00]
        // One one-bit code in each Huffman table: DC difference 0, and end of block.
        bytes += [0xFF, 0xC4, 0x00, 0x14, 0x00, 0x01] + Array(repeating: 0, count: 15) + [0x00]
        bytes += [0xFF, 0xC4, 0x00, 0x14, 0x10, 0x01] + Array(repeating: 0, count: 15) + [0x00]
        bytes += [0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00, 0x3F, 0x00, 0x00, 0xFF, 0xD9]
        return Data(bytes)
    }
}
