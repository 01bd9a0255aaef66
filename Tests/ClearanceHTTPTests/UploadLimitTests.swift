@testable import ClearanceApp
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The upload limit comes from `maxUploadBytes` in the configuration file; `serve --max-upload-mb`
/// (an explicit `maxUploadBytes` in the settings) overrides it.
@Suite("Upload limit from the configuration")
struct UploadLimitTests {
    static func configuration(_ json: String) throws -> ClearanceConfiguration {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-config-\(UUID().uuidString).json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ClearanceConfiguration.load(path: path)
    }

    @Test("maxUploadBytes is read, checked, and overridden by an explicit limit")
    func configurationKey() throws {
        #expect(ClearanceConfiguration.standard.maxUploadBytes == 50 << 20)
        let configured = try Self.configuration(#"{"maxUploadBytes": 40000}"#)
        #expect(configured.maxUploadBytes == 40000)
        #expect(ServerSettings(databasePath: "/nonexistent/x.db", configuration: configured).maxUploadBytes == 40000)
        #expect(ServerSettings(databasePath: "/nonexistent/x.db", configuration: configured, maxUploadBytes: 3 << 20).maxUploadBytes == 3 << 20)
        for bad in [#"{"maxUploadBytes": 12}"#, #"{"maxUploadBytes": "lots"}"#, #"{"maxUploadBytes": 99999999999}"#] {
            #expect(throws: InputError.self, "\(bad)") { try Self.configuration(bad) }
        }
    }

    @Test("an upload over the configured limit is refused with 413 and nothing is stored")
    func configuredLimitApplies() async throws {
        let configured = try Self.configuration(#"{"maxUploadBytes": 40000}"#)
        let fixture = try ServiceFixture(settings: { settings in
            settings = ServerSettings(databasePath: settings.databasePath, configuration: configured, bcryptCost: 4)
        }, ingestSamples: false)
        #expect(fixture.service.settings.maxUploadBytes == 40000)
        let large = try Data(contentsOf: ServiceFixture.samplePhotos.appendingPathComponent("amira-stage.jpg"))  // about 49 KB
        let small = try Data(contentsOf: ServiceFixture.samplePhotos.appendingPathComponent("empty-hall.jpg"))  // about 32 KB
        #expect(large.count > 40000 && small.count < 40000)
        try await fixture.application().test(.router) { client in
            var headers = fixture.headers(.editor)
            headers[.contentType] = "image/jpeg"
            let refused = try await client.execute(uri: "/api/v1/assets", method: .post, headers: headers, body: ByteBuffer(bytes: large))
            #expect(refused.status == .contentTooLarge)
            #expect(refused.text.contains("40000 bytes"))
            #expect(try fixture.service.ledger.ledger.assetCount() == 0)
            let accepted = try await client.execute(uri: "/api/v1/assets", method: .post, headers: headers, body: ByteBuffer(bytes: small))
            #expect(accepted.status == .created)
        }
    }
}
