import Foundation
import Testing
@testable import MediaMetadata

@Suite struct FormatSnifferTests {
    @Test(arguments: [
        ([0xFF, 0xD8, 0xFF, 0xE1], ContainerFormat.jpeg),
        ([0x49, 0x49, 0x2A, 0x00], .tiff),
        ([0x4D, 0x4D, 0x00, 0x2A], .tiff),
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], .png),
        ([0, 0, 0, 24] + Array("ftypheic".utf8), .heic),
        ([0, 0, 0, 24] + Array("ftypqt  ".utf8), .mov),
        ([0, 0, 0, 24] + Array("ftypM4V ".utf8), .m4v),
        ([0, 0, 0, 24] + Array("ftypisom".utf8), .mp4),
    ] as [([UInt8], ContainerFormat)])
    func detectsByContent(header: [UInt8], expected: ContainerFormat) {
        #expect(FormatSniffer.detect(header) == expected)
    }

    @Test func rejectsAudioAndRawInVideoBoxes() {
        #expect(FormatSniffer.detect([0, 0, 0, 24] + Array("ftypM4A ".utf8)) == nil)
        #expect(FormatSniffer.detect([0, 0, 0, 24] + Array("ftypcrx ".utf8)) == nil)
        #expect(FormatSniffer.detect([0, 0, 0, 24] + Array("ftyp3gp5".utf8)) == .mp4)
    }

    @Test func rejectsTextAndEmpty() {
        #expect(FormatSniffer.detect(Array("hello world, not media".utf8)) == nil)
        #expect(FormatSniffer.detect([]) == nil)
    }

    @Test func hashesLikeSha256sum() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-hash-\(UUID().uuidString)")
        try Data("abc".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try ContentHash.sha256(ofFileAt: url.path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
