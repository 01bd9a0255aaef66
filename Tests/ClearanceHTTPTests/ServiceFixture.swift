@testable import ClearanceApp
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger

/// A real ledger file in a temporary directory, loaded with people, consents and the sample
/// photos through ClearanceApp, one account and API token per role, and the service over it.
final class ServiceFixture: Sendable {
    let directory: URL
    let databasePath: String
    let service: ClearanceService
    let routes: [RouteEntry]
    let tokens: [Role: String]
    let passwords: [Role: String]
    /// People made by the fixture: an adult with contact details and date of birth.
    let amira: String
    let amiraConsent: String

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let samplePhotos = repositoryRoot.appendingPathComponent("samples/photos")

    init(settings adjust: (inout ServerSettings) -> Void = { _ in }, ingestSamples: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        databasePath = directory.appendingPathComponent("clearance.db").path
        _ = try LedgerOperations.initialise(databasePath: databasePath)
        let configuration = try ClearanceConfiguration.load(path: Self.repositoryRoot.appendingPathComponent("samples/config.json").path)
        var settings = ServerSettings(databasePath: databasePath, configuration: configuration, maxUploadBytes: 1 << 20,
                                      bcryptCost: 4)
        adjust(&settings)
        service = try ClearanceService(settings: settings)

        let id = try service.ledger.addPerson(PersonRequest(name: "Amira Khan", born: "1990-04-12", email: "amira@example.org",
                                                            phone: "07700 900001"))
        amira = id.description
        var consent = ConsentRequest(person: amira, channels: "social,website")
        consent.event = "Riverside summer fair 2026"
        consent.recordedBy = "fixture"
        consent.given = "2026-07-04"
        amiraConsent = try service.ledger.recordConsent(consent).description
        if ingestSamples { _ = try service.assets.ingest([Self.samplePhotos.path]) }

        var tokens: [Role: String] = [:]
        var passwords: [Role: String] = [:]
        for role in Role.allCases {
            let password = "password-of-\(role.rawValue)"
            try service.accounts.addUser(name: "the-\(role.rawValue)", role: role.rawValue, password: password)
            tokens[role] = try service.accounts.issueToken(for: "the-\(role.rawValue)").token
            passwords[role] = password
        }
        self.tokens = tokens
        self.passwords = passwords
        routes = service.router().routes
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func application() -> some ApplicationProtocol {
        Application(router: service.router().router)
    }

    func headers(_ role: Role?, json: Bool = false) -> HTTPFields {
        var fields = HTTPFields()
        if let role, let token = tokens[role] { fields[.authorization] = "Bearer \(token)" }
        if json { fields[.contentType] = "application/json" }
        return fields
    }

    /// SHA-256 of a sample photo, as ingested.
    func sha(of name: String) throws -> String {
        guard let asset = try service.ledger.ledger.asset(atPath: Self.samplePhotos.appendingPathComponent(name).standardizedFileURL.path) else {
            throw FixtureError("\(name) was not ingested")
        }
        return asset.record.sha256
    }

    struct FixtureError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(buffer: body), options: [.fragmentsAllowed]) }
}
