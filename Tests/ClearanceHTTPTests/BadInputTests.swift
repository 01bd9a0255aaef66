@testable import ClearanceApp
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@Suite("Bad input, privacy and logs")
struct BadInputTests {
    static func uploads(_ fixture: ServiceFixture) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: fixture.service.settings.uploadDirectory).sorted()
    }

    @Test("uploads: oversized, not media, wrong content type, path tricks → 4xx and nothing stored; a photo is ingested once")
    func uploads() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)  // upload limit 1 MiB
        let photo = try Data(contentsOf: ServiceFixture.samplePhotos.appendingPathComponent("amira-stage.jpg"))
        #expect(photo.count < 1 << 20)
        try await fixture.application().test(.router) { client in
            func upload(_ body: Data, type: String?, query: String = "") async throws -> TestResponse {
                var headers = fixture.headers(.editor)
                if let type { headers[.contentType] = type }
                return try await client.execute(uri: "/api/v1/assets" + query, method: .post, headers: headers,
                                                body: ByteBuffer(bytes: body))
            }
            let before = try fixture.service.ledger.ledger.assetCount()
            #expect(try await upload(Data(count: (1 << 20) + 1), type: "image/jpeg").status == .contentTooLarge)
            #expect(try await upload(Data("just some text, not a photo".utf8), type: "image/jpeg").status == .unsupportedMediaType)
            #expect(try await upload(photo, type: "text/plain").status == .unsupportedMediaType)
            #expect(try await upload(photo, type: nil).status == .unsupportedMediaType)
            #expect(try await upload(photo, type: "multipart/form-data; boundary=x").status == .unsupportedMediaType)
            for name in ["../../etc/passwd", "a/b.jpg", "..\\x.jpg", ".hidden.jpg", "a\u{0}b.jpg"] {
                let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name
                #expect(try await upload(photo, type: "image/jpeg", query: "?filename=\(encoded)").status == .badRequest, "\(name)")
            }
            #expect(try await upload(Data(), type: "image/jpeg").status == .badRequest)
            #expect(try fixture.service.ledger.ledger.assetCount() == before)
            #expect(try Self.uploads(fixture).isEmpty, "refused uploads leave no file behind")

            let first = try await upload(photo, type: "image/jpeg", query: "?filename=amira-stage.jpg")
            #expect(first.status == .created)
            let answer = try #require(try first.json() as? [String: Any])
            let sha = try #require(answer["asset"] as? String)
            #expect(answer["new"] as? Bool == true)
            #expect(answer["filename"] as? String == "amira-stage.jpg")
            #expect(try Self.uploads(fixture) == ["\(sha).jpeg"], "kept under its hash, not the client's name")
            let again = try await upload(photo, type: "application/octet-stream")
            #expect(again.status == .ok)
            let second = try again.json() as? [String: Any]
            #expect(second?["new"] as? Bool == false)
            #expect(try fixture.service.ledger.ledger.assetCount() == before + 1)
        }
    }

    @Test("malformed JSON, unknown references and bad dates get a 400 with a reason, and change nothing")
    func malformedRequests() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let events = try fixture.service.ledger.verify().events
        try await fixture.application().test(.router) { client in
            let cases: [(String, String)] = [
                ("/api/v1/people", #"{"name": "#),
                ("/api/v1/people", #"{"name": "Bad Date", "born": "2020-02-30"}"#),
                ("/api/v1/consents", #"{"person": "P-AAAA-AAAA", "channels": ["website"]}"#),
                ("/api/v1/consents", #"{"person": "\#(fixture.amira)", "channels": ["myspace"]}"#),
                ("/api/v1/consents", #"{"person": "\#(fixture.amira)", "channels": ["website"], "signaturePNG": "bm90IGEgcG5n"}"#),
                ("/api/v1/consents/\(fixture.amiraConsent)/withdraw", #"{"receivedVia": "email\u0000"}"#),
            ]
            for (uri, body) in cases {
                let response = try await client.execute(uri: uri, method: .post, headers: fixture.headers(.dpo, json: true),
                                                        body: ByteBuffer(string: body))
                #expect((400...415).contains(response.status.code), "\(uri) \(body) → \(response.status)")
                #expect((try? response.json() as? [String: Any])?["error"] is String, "\(uri) answers why")
            }
        }
        #expect(try fixture.service.ledger.verify().events == events)
    }

    @Test("editors and officers never see contact details or dates of birth; the DPO does")
    func redaction() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        try await fixture.application().test(.router) { client in
            for role in [Role.editor, .officer, .dpo] {
                for uri in ["/api/v1/people", "/api/v1/people/\(fixture.amira)", "/api/v1/people?name=amira%20khan"] {
                    let response = try await client.execute(uri: uri, method: .get, headers: fixture.headers(role))
                    #expect(response.status == .ok)
                    let sees = ["amira@example.org", "1990-04-12", "07700 900001"].map(response.text.contains)
                    #expect(sees == Array(repeating: role == .dpo, count: 3), "\(role) \(uri)")
                    #expect(response.text.contains("Amira Khan"))
                }
            }
        }
    }

    /// Collects every log record, message and metadata, as text.
    final class Collected: Sendable {
        let lines = Mutex<[String]>([])
    }

    struct CollectingHandler: LogHandler {
        let collected: Collected
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
            collected.lines.withLock { $0.append("\(event.message) \(all)") }
        }
    }

    @Test("logs name each request by its route, never the names, dates or secrets in it")
    func logsHoldNoPersonalData() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let collected = Collected()
        let logger = Logger(label: "test") { _ in CollectingHandler(collected: collected) }
        let app = Application(router: fixture.service.router().router, logger: logger)
        try await app.test(.router) { client in
            _ = try await client.execute(uri: "/api/v1/people", method: .post, headers: fixture.headers(.officer, json: true),
                                         body: ByteBuffer(string: #"{"name": "Zebulon Quayle", "born": "1971-03-09", "email": "zq@example.org"}"#))
            _ = try await client.execute(uri: "/api/v1/people?name=Zebulon%20Quayle", method: .get, headers: fixture.headers(.dpo))
            _ = try await client.execute(uri: "/api/v1/people", method: .post, headers: fixture.headers(.officer, json: true),
                                         body: ByteBuffer(string: #"{"name": "Zebulon Quayle", "born": "1971-02-30"}"#))
            _ = try await client.execute(uri: "/withdraw/SecretSecretSecretSecretSecret", method: .get)
        }
        let lines = collected.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("/api/v1/people") && $0.contains("201") })
        #expect(lines.contains { $0.contains("/withdraw/{secret}") })
        for forbidden in ["Zebulon", "Quayle", "1971", "zq@example", "SecretSecret", fixture.tokens[.officer]!] {
            #expect(!lines.contains { $0.contains(forbidden) }, "a log line holds \(forbidden)")
        }
    }
}
