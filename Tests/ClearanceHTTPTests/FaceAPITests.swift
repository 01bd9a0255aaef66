import ClearanceApp
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
}
