@testable import ClearanceApp
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `/api/v1/export` follows the command line's rule: it exports every cleared asset it can and
/// says why the others were not, instead of failing the whole download.
@Suite("Export route: cleared but not exportable")
struct ExportRouteTests {
    /// A movie whose metadata reads fine (so it can be reviewed and cleared) but which holds no
    /// picture data to copy, as ExifTool's test movies do.
    static func movieWithoutPictures() -> [UInt8] {
        func box(_ type: String, _ payload: [UInt8]) -> [UInt8] {
            let size = payload.count + 8
            return [UInt8(size >> 24 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)] + Array(type.utf8) + payload
        }
        return box("ftyp", Array("isom".utf8) + [0, 0, 0, 0]) + box("moov", box("mvhd", [UInt8](repeating: 0, count: 100)))
            + box("mdat", [1, 2, 3, 4])
    }

    @Test("a cleared asset that cannot be exported is listed in NOT-EXPORTED.txt and counted; the others still download")
    func partialExport() async throws {
        let fixture = try ServiceFixture()
        let amiraStage = try fixture.sha(of: "amira-stage.jpg")
        let movie = fixture.directory.appendingPathComponent("empty-clip.mp4")
        try Data(Self.movieWithoutPictures()).write(to: movie)
        _ = try fixture.service.assets.ingest([movie.path])
        let stored = try fixture.service.assets.tag(movie.path, people: [], notPeople: [], noPeople: true, serviceUsers: false, by: "the-editor")
        let clip = stored.record.sha256

        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/export", method: .post, headers: fixture.headers(.editor, json: true),
                                     body: try DPOAPITests.body(["assets": [amiraStage, clip], "channel": "facebook"])) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.init("X-Clearance-Exported")!] == "1")
                #expect(response.headers[.init("X-Clearance-Blocked")!] == "0")
                #expect(response.headers[.init("X-Clearance-Not-Exportable")!] == "1")
                let files = try DPOAPITests.unzip(response.body)
                #expect(Set(files.keys) == ["amira-stage.jpg", "NOT-EXPORTED.txt"])
                let list = String(decoding: files["NOT-EXPORTED.txt"] ?? Data(), as: UTF8.self)
                #expect(list.contains(clip) && list.contains("empty-clip.mp4") && list.contains("cannot make the copy"), "\(list)")
            }
            #expect(try fixture.service.ledger.ledger.publications(of: amiraStage).count == 1)
            #expect(try fixture.service.ledger.ledger.publications(of: clip).isEmpty)

            // Nothing exportable: 409 with the reason, and nothing recorded.
            try await client.execute(uri: "/api/v1/export", method: .post, headers: fixture.headers(.editor, json: true),
                                     body: try DPOAPITests.body(["assets": [clip], "channel": "facebook"])) { response in
                #expect(response.status == .conflict)
                #expect(response.text.contains("nothing was exported") && response.text.contains("cannot make the copy"), "\(response.text)")
            }
            #expect(try fixture.service.ledger.ledger.publications(of: clip).isEmpty)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.service.settings.uploadDirectory)
            #expect(!leftovers.contains { $0.hasPrefix(".zip-") })
        }
    }
}
