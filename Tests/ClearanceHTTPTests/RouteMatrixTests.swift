import ClearanceApp
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Routes, documentation and roles")
struct RouteMatrixTests {
    /// Documented operations: "METHOD path" → roles from `x-roles`.
    static func documented(_ fixture: ServiceFixture) async throws -> [String: Set<String>] {
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                var result: [String: Set<String>] = [:]
                #expect(response.status == .ok)
                let document = try #require(try response.json() as? [String: Any])
                #expect(document["openapi"] as? String == "3.1.0")
                let paths = try #require(document["paths"] as? [String: [String: Any]])
                for (path, operations) in paths {
                    for (method, operation) in operations {
                        let roles = (operation as? [String: Any])?["x-roles"] as? [String] ?? []
                        #expect(!roles.isEmpty, "\(method) \(path) does not say who may call it")
                        result["\(method.uppercased()) \(path)"] = Set(roles)
                    }
                }
                return result
            }
        }
    }

    static func isAPI(_ route: RouteEntry) -> Bool { route.path.hasPrefix("/api/") || ["/health", "/metrics"].contains(route.path) }

    @Test("every documented route exists, and every API route is documented")
    func documentMatchesRoutes() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let documented = try await Self.documented(fixture)
        let served = Set(fixture.routes.filter(Self.isAPI).map { "\($0.method) \($0.path)" })
        #expect(Set(documented.keys).subtracting(served).isEmpty, "documented but not served")
        #expect(served.subtracting(documented.keys).isEmpty, "served but not documented")
        #expect(served.count >= 20)
    }

    @Test("the people to find are for officers, who find them, editors, who decide their faces, and the DPO")
    func peopleToFindRoles() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let documented = try await Self.documented(fixture)
        let finders: Set<String> = ["officer", "editor", "dpo"]
        #expect(documented["GET /api/v1/people-to-find"] == finders)
        #expect(documented["GET /api/v1/assets/{sha256}/faces/{n}/crop"] == finders)
        #expect(documented["POST /api/v1/assets/{sha256}/faces/{n}"] == ["editor", "dpo"], "only reviewers decide faces")
        let page = try #require(fixture.routes.first { $0.method == "GET" && $0.path == "/to-find" })
        #expect(page.access == .roles([.officer, .editor, .dpo]))
    }

    /// A real value for each path parameter, so an allowed call reaches its handler.
    /// Account routes act on a spare account, so that disabling it or revoking its token does
    /// not lock the roles' own accounts out of the rest of the walk.
    static let spareAccount = "spare-account"

    static func concrete(_ path: String, _ fixture: ServiceFixture, throwaway: String, asset: String, spareToken: Int64) -> String {
        let id = path.hasSuffix("/erase") ? throwaway : path.hasPrefix("/api/v1/users/") ? String(spareToken) : fixture.amira
        return path.replacingOccurrences(of: "{id}", with: id)
            .replacingOccurrences(of: "{reference}", with: fixture.amiraConsent)
            .replacingOccurrences(of: "{sha256}", with: asset)
            .replacingOccurrences(of: "{n}", with: "1")
            .replacingOccurrences(of: "{name}", with: spareAccount)
            .replacingOccurrences(of: "{secret}", with: "not-a-real-withdrawal-secret-0000")
            .replacingOccurrences(of: "{file}", with: "page.js")
    }

    @Test("every route with every role and anonymously: 401 without an account, 403 for a role without the right")
    func roleMatrix() async throws {
        let fixture = try ServiceFixture()
        let documented = try await Self.documented(fixture)
        let throwaway = try fixture.service.ledger.addPerson(PersonRequest(name: "Erasable Person")).description
        let asset = try fixture.sha(of: "amira-stage.jpg")
        try fixture.service.accounts.addUser(name: Self.spareAccount, role: "editor", password: "spare-password-123")
        let spareToken = try fixture.service.accounts.issueToken(for: Self.spareAccount).id
        let checked = try await fixture.application().test(.router) { client in
            try await Self.walk(client, fixture: fixture, documented: documented, throwaway: throwaway, asset: asset, spareToken: spareToken)
        }
        #expect(checked == fixture.routes.count * 5)
    }

    /// Calls every route as anonymous and as each role; answers how many calls were made.
    static func walk(_ client: some TestClientProtocol, fixture: ServiceFixture, documented: [String: Set<String>],
                     throwaway: String, asset: String, spareToken: Int64) async throws -> Int {
        var checked = 0
        for route in fixture.routes {
            let uri = concrete(route.path, fixture, throwaway: throwaway, asset: asset, spareToken: spareToken)
            let allowed: Set<String>
            if isAPI(route) {
                allowed = try #require(documented["\(route.method) \(route.path)"], "\(route.method) \(route.path) undocumented")
            } else {
                switch route.access {
                case .anyone: allowed = ["anyone"]
                case .signedIn: allowed = Set(Role.allCases.map(\.rawValue))
                case .roles(let roles): allowed = Set(roles.map(\.rawValue))
                }
            }
            let method = try #require(HTTPRequest.Method(route.method))
            let roles: [Role?] = [nil] + Role.allCases.map { $0 }
            for role in roles {
                let body: ByteBuffer? = method == .post ? ByteBuffer(string: "{}") : nil
                let response = try await client.execute(uri: uri, method: method, headers: fixture.headers(role, json: body != nil),
                                                        body: body)
                let who = role?.rawValue ?? "anonymous"
                let status = response.status.code
                if allowed.contains("anyone") || role.map({ allowed.contains($0.rawValue) }) == true {
                    #expect(![401, 403].contains(status), "\(who) \(route.method) \(uri) → \(status), expected to be let in")
                } else if role == nil {
                    let page = !isAPI(route) && method == .get
                    #expect(page ? status == 302 && response.headers[.location] == "/login" : status == 401,
                            "anonymous \(route.method) \(uri) → \(status)")
                } else {
                    #expect(status == 403, "\(who) \(route.method) \(uri) → \(status), expected 403")
                }
                checked += 1
            }
        }
        return checked
    }
}
