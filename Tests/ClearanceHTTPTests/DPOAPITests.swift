@testable import ClearanceApp
import ClearanceCore
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import MediaMetadata
import Testing
import ZIPFoundation

/// Export, takedowns, reports and subject access over the API, each compared with what the
/// ClearanceApp operation (the command line) says about the same ledger.
@Suite("JSON API: export, takedowns, reports, subject access")
struct DPOAPITests {
    static func body(_ object: Any) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
    }

    /// The entries of a zip answer: name → bytes.
    static func unzip(_ buffer: ByteBuffer) throws -> [String: Data] {
        let archive = try Archive(data: Data(buffer: buffer), accessMode: .read)
        var files: [String: Data] = [:]
        for entry in archive where entry.type == .file {
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            files[entry.path] = data
        }
        return files
    }

    @Test("export answers a zip of the cleared, scrubbed copies, recorded as publications; withdrawal then names the takedown")
    func exportThenWithdraw() async throws {
        let fixture = try ServiceFixture()
        let amiraStage = try fixture.sha(of: "amira-stage.jpg")
        let tom = try fixture.sha(of: "tom-raffle.jpg")
        let original = try Data(contentsOf: ServiceFixture.samplePhotos.appendingPathComponent("amira-stage.jpg"))
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/export", method: .post, headers: fixture.headers(.editor, json: true),
                                     body: try Self.body(["assets": [amiraStage, tom], "channel": "facebook",
                                                          "postURL": "https://www.facebook.com/riverside/1"])) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/zip")
                #expect(response.headers[.init("X-Clearance-Exported")!] == "1")
                #expect(response.headers[.init("X-Clearance-Blocked")!] == "1")
                let files = try Self.unzip(response.body)
                #expect(Set(files.keys) == ["amira-stage.jpg"])
                let copy = try #require(files["amira-stage.jpg"])
                // A scrubbed copy: still a JPEG, not the original bytes, and without the GPS block.
                #expect(copy.prefix(2) == Data([0xFF, 0xD8]))
                #expect(copy != original)
                let facts = try Self.inspect(copy)
                #expect(facts.gps == nil)
            }
            let publications = try fixture.service.ledger.ledger.publications(of: amiraStage)
            #expect(publications.count == 1)
            #expect(publications.first?.by == "the-editor")
            #expect(publications.first?.postURL == "https://www.facebook.com/riverside/1")
            // Recorded as what the editor downloaded, not the staging folder that no longer exists.
            #expect(publications.first?.path == "download:cleared-facebook.zip/amira-stage.jpg")
            #expect(try fixture.service.ledger.ledger.publications(of: tom).isEmpty)
            // Nothing the private working folder held is left behind.
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.service.settings.uploadDirectory)
            #expect(!leftovers.contains { $0.hasPrefix(".zip-") })

            // Only blocked assets: 409 and nothing recorded.
            try await client.execute(uri: "/api/v1/export", method: .post, headers: fixture.headers(.editor, json: true),
                                     body: try Self.body(["assets": [tom], "channel": "facebook"])) { response in
                #expect(response.status == .conflict)
            }
            #expect(try fixture.service.ledger.ledger.publications(of: tom).isEmpty)

            // Withdrawing Amira's consent answers what it affects, with the takedown just opened.
            try await client.execute(uri: "/api/v1/consents/\(fixture.amiraConsent)/withdraw", method: .post,
                                     headers: fixture.headers(.dpo, json: true),
                                     body: try Self.body(["receivedVia": "email"])) { response in
                #expect(response.status == .ok)
                let answer = try #require(try response.json() as? [String: Any])
                #expect((answer["consent"] as? [String: Any])?["state"] as? String == "withdrawn")
                let affects = try #require(answer["affects"] as? [String: Any])
                let assets = (affects["assets"] as? [[String: Any]] ?? []).compactMap { $0["asset"] as? String }
                #expect(assets.contains(amiraStage))
                let takedowns = try #require(affects["takedowns"] as? [[String: Any]])
                #expect(takedowns.count == 1)
                #expect((takedowns.first?["publication"] as? [String: Any])?["asset"] as? String == amiraStage)
            }
            let open = try fixture.service.ledger.takedowns(.open)
            #expect(open.count == 1)
            let id = try #require(open.first.map(TakedownOutput.label))
            try await client.execute(uri: "/api/v1/takedowns?filter=open", method: .get, headers: fixture.headers(.dpo)) { response in
                #expect(response.status == .ok)
                let items = try #require(try response.json() as? [[String: Any]])
                #expect(items.map { $0["id"] as? String } == [id])
            }
            try await client.execute(uri: "/api/v1/takedowns?filter=sideways", method: .get, headers: fixture.headers(.dpo)) { response in
                #expect(response.status == .badRequest)
            }
            // A note is required; without one nothing changes.
            try await client.execute(uri: "/api/v1/takedowns/\(id)/done", method: .post, headers: fixture.headers(.dpo, json: true),
                                     body: try Self.body([:])) { response in
                #expect(response.status == .badRequest)
            }
            #expect(try fixture.service.ledger.takedowns(.open).count == 1)
            try await client.execute(uri: "/api/v1/takedowns/\(id)/done", method: .post, headers: fixture.headers(.dpo, json: true),
                                     body: try Self.body(["note": "post deleted"])) { response in
                #expect(response.status == .ok)
                let item = try #require(try response.json() as? [String: Any])
                #expect(item["status"] as? String == "done")
                #expect(item["doneBy"] as? String == "the-dpo")
                #expect(item["note"] as? String == "post deleted")
            }
            #expect(try fixture.service.ledger.takedowns(.open).isEmpty)
        }
    }

    static func inspect(_ data: Data) throws -> MediaFacts {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-copy-\(UUID().uuidString).jpg")
        try data.write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        return MediaInspector().inspect(path: path.path)
    }

    @Test("each report answers the JSON of `report … --json` for the same day and window")
    func reportsMatchOperations() async throws {
        let fixture = try ServiceFixture()
        let reports = Reports(fixture.service.ledger)
        let day = try #require(CalendarDate(parsing: "2029-06-01"))
        let cases: [(String, String)] = [
            ("/api/v1/reports/expiring?within=60&at=2029-06-01", try reports.expiring(within: 60, at: day).json()),
            ("/api/v1/reports/ages?within=90&at=2029-06-01", try reports.ages(within: 90, at: day).json()),
            ("/api/v1/reports/blocked?channel=facebook&at=2029-06-01", try reports.blocked(channel: "facebook", at: day).json()),
            ("/api/v1/reports/retention?at=2029-06-01", try reports.retention(at: day).json()),
        ]
        try await fixture.application().test(.router) { client in
            for (uri, expected) in cases {
                try await client.execute(uri: uri, method: .get, headers: fixture.headers(.dpo)) { response in
                    #expect(response.status == .ok, "\(uri)")
                    #expect(response.text == expected, "\(uri)")
                }
            }
            // Amira's consent, given 2026-07-04, ends within the window in 2029.
            try await client.execute(uri: "/api/v1/reports/expiring?within=60&at=2029-06-01", method: .get,
                                     headers: fixture.headers(.dpo)) { response in
                let rows = (try response.json() as? [String: Any])?["rows"] as? [[String: Any]] ?? []
                #expect(rows.map { $0["consent"] as? String } == [fixture.amiraConsent])
            }
            try await client.execute(uri: "/api/v1/reports/blocked?channel=facebook", method: .get,
                                     headers: fixture.headers(.dpo)) { response in
                let counts = (try response.json() as? [String: Any])?["counts"] as? [String: Int] ?? [:]
                #expect((counts["unknown-person"] ?? 0) > 0)
            }
            for bad in ["/api/v1/reports/expiring?at=2029-02-30", "/api/v1/reports/expiring?within=lots",
                        "/api/v1/reports/ages?within=99999999", "/api/v1/reports/blocked?channel=myspace"] {
                try await client.execute(uri: bad, method: .get, headers: fixture.headers(.dpo)) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                }
            }
        }
    }

    @Test("subject access answers the pack of `sar` as one zip, and refuses an erased person")
    func subjectAccessZip() async throws {
        let fixture = try ServiceFixture()
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/people/\(fixture.amira)/sar", method: .get, headers: fixture.headers(.dpo)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentDisposition]?.contains("subject-access-\(fixture.amira).zip") == true)
                let files = try Self.unzip(response.body)
                let folder = "subject-access-\(fixture.amira)/"
                let data = try #require(files[folder + "data.json"])
                let pack = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
                #expect((pack["person"] as? [String: Any])?["name"] as? String == "Amira Khan")
                let consents = pack["consents"] as? [[String: Any]] ?? []
                #expect(consents.map { $0["reference"] as? String } == [fixture.amiraConsent])
                #expect(files[folder + "index.html"] != nil)
            }
            _ = try fixture.service.ledger.erase(fixture.amira)
            try await client.execute(uri: "/api/v1/people/\(fixture.amira)/sar", method: .get, headers: fixture.headers(.dpo)) { response in
                #expect(response.status == .badRequest)
                #expect(response.text.contains("erased"))
            }
        }
    }
}


@Suite("Erasure over HTTP reaches the uploads")
struct UploadErasureHTTPTests {
    @Test("POST /people/{id}/erase deletes or redacts the server's uploaded copies and says which")
    func erasureReachesUploads() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let uploads = fixture.service.settings.uploadDirectory
        try await fixture.application().test(.router) { client in
            var hashes: [String: String] = [:]
            for name in ["amira-stage.jpg", "amira-and-leo.jpg"] {
                var headers = fixture.headers(.editor)
                headers[.contentType] = "image/jpeg"
                let photo = try Data(contentsOf: ServiceFixture.samplePhotos.appendingPathComponent(name))
                let response = try await client.execute(uri: "/api/v1/assets", method: .post, headers: headers, body: ByteBuffer(bytes: photo))
                #expect(response.status == .created)
                hashes[name] = try #require((try response.json() as? [String: Any])?["asset"] as? String)
            }
            let solo = try #require(hashes["amira-stage.jpg"]), group = try #require(hashes["amira-and-leo.jpg"])
            try await client.execute(uri: "/api/v1/people/\(fixture.amira)/erase", method: .post, headers: fixture.headers(.dpo)) { response in
                #expect(response.status == .ok)
                let body = try #require(try response.json() as? [String: Any])
                let done = try #require(body["uploads"] as? [[String: Any]])
                #expect(Set(done.compactMap { $0["asset"] as? String }) == [solo, group])
                #expect(done.first { $0["asset"] as? String == solo }?["action"] as? String == "deleted")
                #expect(done.first { $0["asset"] as? String == group }?["action"] as? String == "replaced")
                // The server's own paths are not given out; file names are.
                #expect(done.allSatisfy { !(($0["file"] as? String) ?? "/").contains("/") })
                #expect((body["outsideStore"] as? [Any])?.isEmpty == true)
            }
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: uploads).sorted()
        #expect(left.count == 1 && left.first?.hasSuffix(".redacted.jpg") == true, "\(left)")
        for name in left {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: uploads).appendingPathComponent(name))
            #expect(bytes.range(of: Data("Amira".utf8)) == nil && bytes.range(of: Data("Leo Martins".utf8)) == nil)
        }
    }
}
