import ClearanceApp
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("JSON API")
struct APITests {
    @Test("GET /health answers without an account; API routes need one")
    func healthAndAuthentication() async throws {
        let fixture = try ServiceFixture()
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text == "ok\n")
            }
            try await client.execute(uri: "/api/v1/people", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            var wrong = HTTPFields()
            wrong[.authorization] = "Bearer clr_notATokenAnyoneWasGiven0000000000000"
            try await client.execute(uri: "/api/v1/people", method: .get, headers: wrong) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/v1/users", method: .get, headers: fixture.headers(.editor)) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/me", method: .get, headers: fixture.headers(.officer)) { response in
                #expect(response.status == .ok)
                let me = try response.json() as? [String: Any]
                #expect(me?["role"] as? String == "officer")
                #expect(me?["name"] as? String == "the-officer")
            }
        }
    }

    @Test("POST /api/v1/check answers with the same verdicts as `check --json`")
    func checkMatchesCLI() async throws {
        let fixture = try ServiceFixture()
        _ = try fixture.service.assets.tag(try fixture.sha(of: "empty-hall.jpg"), people: [], notPeople: [], noPeople: true,
                                           serviceUsers: false, by: "test")
        let hashes = try ["amira-stage.jpg", "empty-hall.jpg", "joan-garden.jpg", "tom-raffle.jpg"].map(fixture.sha)
        let expected = try VerdictJSON.encode(try fixture.service.assets.check(hashes, channel: "facebook",
                                                                               at: .init(parsing: "2026-08-01")))
        let body = try JSONSerialization.data(withJSONObject: ["assets": hashes, "channel": "facebook", "at": "2026-08-01"])
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/check", method: .post, headers: fixture.headers(.editor, json: true),
                                     body: ByteBuffer(bytes: body)) { response in
                #expect(response.status == .ok)
                let verdicts = try #require(try response.json() as? [[String: Any]])
                // The same, except that the server names files, not the paths it keeps them at.
                let cli = try #require(try JSONSerialization.jsonObject(with: Data(expected.utf8)) as? [[String: Any]]).map { verdict in
                    var verdict = verdict
                    verdict["path"] = (verdict["path"] as? String).map { ($0 as NSString).lastPathComponent }
                    return verdict
                }
                #expect(verdicts.map { $0 as NSDictionary } == cli.map { $0 as NSDictionary })
                #expect(verdicts.compactMap { $0["path"] as? String } == ["amira-stage.jpg", "empty-hall.jpg", "joan-garden.jpg", "tom-raffle.jpg"])
                #expect(verdicts.map { $0["asset"] as? String } == hashes)
                // Amira consented to social media; the empty hall was reviewed as showing nobody;
                // Joan and Tom are not registered in this fixture.
                #expect(verdicts.map { $0["cleared"] as? Bool } == [true, true, false, false])
            }
            // A path instead of a hash must never make the server read its own files.
            let sneaky = try JSONSerialization.data(withJSONObject: ["assets": ["/etc/passwd"], "channel": "facebook"])
            try await client.execute(uri: "/api/v1/check", method: .post, headers: fixture.headers(.editor, json: true),
                                     body: ByteBuffer(bytes: sneaky)) { response in
                #expect(response.status == .badRequest)
            }
            let unknownChannel = try JSONSerialization.data(withJSONObject: ["assets": hashes, "channel": "myspace"])
            try await client.execute(uri: "/api/v1/check", method: .post, headers: fixture.headers(.editor, json: true),
                                     body: ByteBuffer(bytes: unknownChannel)) { response in
                #expect(response.status == .badRequest)
                #expect(response.text.contains("unknown channel"))
            }
        }
    }
}
