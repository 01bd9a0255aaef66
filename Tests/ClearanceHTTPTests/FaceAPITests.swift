@testable import ClearanceApp
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Issue 13 over HTTP: an upload is looked at for faces like ingest; `GET /api/v1/assets/{sha256}`
/// lists them as `clearance faces --json` does; `POST …/faces/{n}` decides one.
@Suite("Faces over the API")
struct FaceAPITests {
    static let group = ServiceFixture.repositoryRoot.appendingPathComponent("Tests/FaceDetectionTests/Fixtures/group.jpg")

    @Test("an uploaded group photo is blocked until each face is decided")
    func uploadListDecide() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let bytes = try Data(contentsOf: Self.group)
        try await fixture.application().test(.router) { client in
            var upload = fixture.headers(.editor)
            upload[.contentType] = "image/jpeg"
            let created = try await client.execute(uri: "/api/v1/assets", method: .post, headers: upload, body: ByteBuffer(bytes: bytes))
            #expect(created.status == .created)
            let sha = try #require((try created.json() as? [String: Any])?["asset"] as? String)

            let shown = try await client.execute(uri: "/api/v1/assets/\(sha)", method: .get, headers: fixture.headers(.editor))
            #expect(shown.status == .ok)
            let faces = try #require((try shown.json() as? [String: Any])?["faces"] as? [String: Any])
            #expect(faces["asset"] as? String == sha && faces["lookedFor"] as? Bool == true && faces["unaccounted"] as? Int == 3)
            #expect(faces["detector"] as? String == "yunet-2023mar/1")
            let entries = try #require(faces["faces"] as? [[String: Any]])
            #expect(entries.map { $0["n"] as? Int } == [1, 2, 3])
            #expect(entries.allSatisfy { $0["source"] as? String == "detected" && $0["decision"] is NSNull && $0["accounted"] as? Bool == false })

            func check() async throws -> [String] {
                let response = try await client.execute(uri: "/api/v1/check", method: .post, headers: fixture.headers(.editor, json: true),
                                                        body: ByteBuffer(string: #"{"assets": ["\#(sha)"], "channel": "website"}"#))
                let verdict = try #require((try response.json() as? [[String: Any]])?.first)
                return (verdict["reasons"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            }
            #expect(try await check() == ["unidentified-person"])

            for (n, body) in [(1, #"{"person": "\#(fixture.amira)"}"#), (2, #"{"notIdentifiable": true}"#), (3, #"{"notAFace": true}"#)] {
                let decided = try await client.execute(uri: "/api/v1/assets/\(sha)/faces/\(n)", method: .post,
                                                       headers: fixture.headers(.editor, json: true), body: ByteBuffer(string: body))
                #expect(decided.status == .ok, "\(decided.text)")
                let listing = try #require(try decided.json() as? [String: Any])
                let face = try #require((listing["faces"] as? [[String: Any]])?.first { $0["n"] as? Int == n })
                #expect(face["decidedBy"] as? String != nil && face["decidedAt"] as? String != nil)
            }
            #expect(try await check() == [], "Amira consented to the website; the others are decided")

            // The same JSON as `clearance faces --json` gives for it.
            let listing = try fixture.service.assets.faces(storedAsset: sha)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let again = try await client.execute(uri: "/api/v1/assets/\(sha)", method: .get, headers: fixture.headers(.editor))
            let served = try #require((try again.json() as? [String: Any])?["faces"])
            let direct = try JSONSerialization.jsonObject(with: encoder.encode(listing))
            #expect(NSDictionary(dictionary: served as! [String: Any]) == NSDictionary(dictionary: direct as! [String: Any]))

            let before = try fixture.service.ledger.ledger.eventCount()
            for (path, body) in [("faces/9", #"{"notAFace": true}"#), ("faces/0", #"{"notAFace": true}"#), ("faces/x", #"{"notAFace": true}"#),
                                 ("faces/1", #"{"notAFace": true, "notIdentifiable": true}"#), ("faces/1", #"{}"#),
                                 ("faces/1", #"{"person": "P-AAAA-AAAA"}"#), ("faces/1", #"{"notAFace": "yes"}"#)] {
                let refused = try await client.execute(uri: "/api/v1/assets/\(sha)/\(path)", method: .post,
                                                       headers: fixture.headers(.editor, json: true), body: ByteBuffer(string: body))
                #expect(refused.status == .badRequest, "\(path) \(body): \(refused.status) \(refused.text)")
            }
            let officer = try await client.execute(uri: "/api/v1/assets/\(sha)/faces/1", method: .post,
                                                   headers: fixture.headers(.officer, json: true), body: ByteBuffer(string: #"{"notAFace": true}"#))
            #expect(officer.status == .forbidden)
            #expect(try fixture.service.ledger.ledger.eventCount() == before, "refused requests write nothing")
        }
    }

    @Test("a face not in the register stays blocked, is on the people-to-find list with its crop, and leaves it when decided")
    func notRegisteredAndPeopleToFind() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let bytes = try Data(contentsOf: Self.group)
        try await fixture.application().test(.router) { client in
            // Hostile folder and file names (an event folder as staff name them): shown as text.
            let hostile = "fair\"><img src=x onerror=alert(1)>.jpg"
            let folder = fixture.directory.appendingPathComponent("<i>fête \u{0301}\"'")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = folder.appendingPathComponent(hostile).path
            try bytes.write(to: URL(fileURLWithPath: path))
            _ = try fixture.service.assets.ingest([path])
            let sha = try #require(try fixture.service.ledger.ledger.asset(atPath: path)?.record.sha256)

            func decide(_ n: Int, _ body: String) async throws -> [String: Any] {
                let decided = try await client.execute(uri: "/api/v1/assets/\(sha)/faces/\(n)", method: .post,
                                                       headers: fixture.headers(.editor, json: true), body: ByteBuffer(string: body))
                #expect(decided.status == .ok, "\(decided.text)")
                return try #require(try decided.json() as? [String: Any])
            }
            func check() async throws -> [String] {
                let response = try await client.execute(uri: "/api/v1/check", method: .post, headers: fixture.headers(.editor, json: true),
                                                        body: ByteBuffer(string: #"{"assets": ["\#(sha)"], "channel": "website"}"#))
                let verdict = try #require((try response.json() as? [[String: Any]])?.first)
                return (verdict["reasons"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            }
            func list(_ role: Role) async throws -> (status: Int, faces: [[String: Any]]) {
                let response = try await client.execute(uri: "/api/v1/people-to-find", method: .get, headers: fixture.headers(role))
                return (Int(response.status.code), (try? response.json() as? [String: Any])?["faces"] as? [[String: Any]] ?? [])
            }
            func crop(_ n: Int, as role: Role = .officer) async throws -> (status: Int, type: String?, body: Data) {
                let response = try await client.execute(uri: "/api/v1/assets/\(sha)/faces/\(n)/crop", method: .get, headers: fixture.headers(role))
                return (Int(response.status.code), response.headers[.contentType], Data(buffer: response.body))
            }

            let listing = try await decide(1, #"{"notRegistered": true}"#)
            #expect(listing["toFind"] as? Int == 1)
            #expect((listing["faces"] as? [[String: Any]])?.first { $0["n"] as? Int == 1 }?["decision"] as? String == "not-registered")
            _ = try await decide(2, #"{"notIdentifiable": true}"#)
            _ = try await decide(3, #"{"notAFace": true}"#)
            #expect(try await check() == ["unidentified-person"], "the face not in the register keeps it blocked")

            for role in [Role.officer, .editor, .dpo] {
                let (status, faces) = try await list(role)
                #expect(status == 200 && faces.count == 1, "\(role): \(status)")
                let face = try #require(faces.first)
                #expect(face["asset"] as? String == sha && face["n"] as? Int == 1)
                #expect(face["file"] as? String == hostile && (face["folder"] as? String)?.hasPrefix("<i>fête") == true, "\(face)")
                #expect(face["decidedBy"] as? String == "the-editor" && (face["decidedAt"] as? String)?.hasSuffix("Z") == true)
                #expect(face["hasCrop"] as? Bool == true)
            }
            #expect(try await list(.admin).status == 403)

            let image = try await crop(1)
            #expect(image.status == 200 && image.type == "image/jpeg")
            #expect(image.body.starts(with: [0xFF, 0xD8]) && image.body.range(of: Data("Exif".utf8)) == nil)
            #expect(try await crop(1).body == image.body, "the same crop from the cache")
            #expect(try await crop(2).status == 404, "a face not on the list has no crop")
            #expect(try await crop(1, as: .admin).status == 403)

            // The page: the crop, the file's name as text, who decided.
            let page = try await client.execute(uri: "/to-find", method: .get, headers: fixture.headers(.officer))
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("data-asset=\"\(sha)\" data-face=\"1\""))
            #expect(html.contains("/api/v1/assets/\(sha)/faces/1/crop"))
            #expect(!html.contains("<img src=x") && html.contains("&lt;img src=x onerror=alert(1)&gt;"))
            #expect(!html.contains("<i>fête") && html.contains("&lt;i&gt;fête"))
            #expect(!html.contains("/review?asset=") && !html.contains("Decide this face"), "officers do not decide faces")
            let editorPage = try await client.execute(uri: "/to-find", method: .get, headers: fixture.headers(.editor)).text
            #expect(editorPage.contains("/review?asset=\(sha)#\(sha)"))
            // No link to nowhere (Mustache renders a section for an empty string).
            let review = try await client.execute(uri: "/review", method: .get, headers: fixture.headers(.editor)).text
            for text in [html, editorPage, review] { #expect(!text.contains("href=\"\"")) }
            #expect(review.contains("data-decide=\"not-registered\"") && review.contains("<kbd>3</kbd>"))
            let admin = try await client.execute(uri: "/to-find", method: .get, headers: fixture.headers(.admin))
            #expect(admin.status == .forbidden)

            // Found and registered (Amira): decided as her, the face leaves the list and its crop goes.
            _ = try await decide(1, #"{"person": "\#(fixture.amira)"}"#)
            #expect(try await list(.officer).faces.isEmpty)
            #expect(try await crop(1).status == 404)
            #expect(try await check() == [])
        }
    }
}
