import ClearanceApp
import ClearanceCore
@testable import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

/// Accounts that can be switched off, tokens that expire and can be revoked, and a record of
/// who gave whom a token.
@Suite("Accounts, tokens and sessions")
struct AccountTests {
    static func status(_ client: some TestClientProtocol, _ uri: String, token: String? = nil, cookie: String? = nil) async throws -> HTTPResponse.Status {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: uri, method: .get, headers: headers).status
    }

    @Test("disabling ends sessions and tokens at once and refuses sign-in; enabling lets the account in, old tokens stay revoked")
    func disableAndEnable() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        try await fixture.application().test(.router) { client in
            let cookie = try #require(try await SessionTests.signIn(client, name: "the-dpo", password: fixture.passwords[.dpo]!).cookie)
            let token = try #require(fixture.tokens[.dpo])
            #expect(try await Self.status(client, "/api/v1/me", token: token) == .ok)
            #expect(try await Self.status(client, "/api/v1/me", cookie: cookie) == .ok)

            let disabled = try await client.execute(uri: "/api/v1/users/the-dpo/disable", method: .post, headers: fixture.headers(.admin))
            #expect(disabled.status == .ok)
            let change = try #require(try disabled.json() as? [String: Any])
            #expect(change["changed"] as? Bool == true)
            #expect(change["tokensRevoked"] as? Int == 1)
            #expect((change["user"] as? [String: Any])?["disabled"] as? Bool == true)
            #expect(try await Self.status(client, "/api/v1/me", token: token) == .unauthorized)
            #expect(try await Self.status(client, "/api/v1/me", cookie: cookie) == .unauthorized)
            // The right password no longer signs in, and says no more than a wrong one would.
            let refused = try await SessionTests.signIn(client, name: "the-dpo", password: fixture.passwords[.dpo]!)
            #expect(refused.status == .unauthorized)
            #expect(refused.cookie == nil)
            #expect(throws: InputError.self) { try fixture.service.accounts.issueToken(for: "the-dpo") }

            #expect(try await client.execute(uri: "/api/v1/users/the-dpo/enable", method: .post, headers: fixture.headers(.admin)).status == .ok)
            #expect(try await SessionTests.signIn(client, name: "the-dpo", password: fixture.passwords[.dpo]!).status == .seeOther)
            #expect(try await Self.status(client, "/api/v1/me", token: token) == .unauthorized, "revoked stays revoked")
            let fresh = try fixture.service.accounts.issueToken(for: "the-dpo").token
            #expect(try await Self.status(client, "/api/v1/me", token: fresh) == .ok)

            // The last admin who can sign in cannot be switched off.
            let last = try await client.execute(uri: "/api/v1/users/the-admin/disable", method: .post, headers: fixture.headers(.admin))
            #expect(last.status == .conflict)
            #expect(try await Self.status(client, "/api/v1/me", token: fixture.tokens[.admin]) == .ok)
            #expect(try await client.execute(uri: "/api/v1/users/nobody-here/disable", method: .post, headers: fixture.headers(.admin)).status == .notFound)
        }
    }

    @Test("tokens expire, can be listed and revoked one by one, and a new password revokes them all")
    func tokenLifecycle() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let accounts = fixture.service.accounts
        let dayAgo = Timestamp(millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch - 86_400_000 - 1000)
        let expired = try accounts.issueToken(for: "the-editor", label: "yesterday's", days: 1, now: dayAgo)
        let integration = try accounts.issueToken(for: "the-editor", label: "website CMS")
        #expect(throws: InputError.self) { try accounts.issueToken(for: "the-editor", days: 0) }
        #expect(throws: InputError.self) { try accounts.issueToken(for: "the-editor", days: 3651) }
        #expect(throws: InputError.self) { try accounts.issueToken(for: "the-editor", label: "tab\there") }
        try await fixture.application().test(.router) { client in
            #expect(try await Self.status(client, "/api/v1/me", token: expired.token) == .unauthorized)
            #expect(try await Self.status(client, "/api/v1/me", token: integration.token) == .ok)

            let listed = try await client.execute(uri: "/api/v1/users/the-editor/tokens", method: .get, headers: fixture.headers(.admin))
            let tokens = try #require(try listed.json() as? [[String: Any]])
            #expect(tokens.count == 3)
            let cms = try #require(tokens.first { $0["id"] as? Int == Int(integration.id) })
            #expect(cms["label"] as? String == "website CMS")
            #expect(cms["usable"] as? Bool == true)
            #expect(cms["lastUsedAt"] is String, "used just now")
            #expect(cms["expiresAt"] as? String == integration.expiresAt.description)
            #expect((cms["createdBy"] as? String)?.hasPrefix("command line") == true)
            #expect(tokens.first { $0["id"] as? Int == Int(expired.id) }?["usable"] as? Bool == false)
            #expect(!listed.text.contains(integration.token), "a listing never holds a token")

            let revoked = try await client.execute(uri: "/api/v1/users/the-editor/tokens/\(integration.id)", method: .delete,
                                                   headers: fixture.headers(.admin))
            #expect(revoked.status == .ok)
            #expect((try revoked.json() as? [String: Any])?["revokedAt"] is String)
            #expect(try await Self.status(client, "/api/v1/me", token: integration.token) == .unauthorized)
            #expect(try await Self.status(client, "/api/v1/me", token: fixture.tokens[.editor]) == .ok, "the others still work")
            #expect(try await client.execute(uri: "/api/v1/users/the-editor/tokens/\(integration.id)", method: .delete,
                                             headers: fixture.headers(.admin)).status == .badRequest)
            #expect(try await client.execute(uri: "/api/v1/users/the-officer/tokens/\(integration.id)", method: .delete,
                                             headers: fixture.headers(.admin)).status == .notFound, "another account's token id")

            let revokedCount = try accounts.setPassword(name: "the-editor", password: "a-brand-new-password")
            #expect(revokedCount == 1)
            #expect(try await Self.status(client, "/api/v1/me", token: fixture.tokens[.editor]) == .unauthorized)
        }
    }

    @Test("an admin may give a token to another account, and that account and the DPO can see who did")
    func mintingIsRecorded() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        try await fixture.application().test(.router) { client in
            let minted = try await client.execute(uri: "/api/v1/users/the-dpo/tokens", method: .post,
                                                  headers: fixture.headers(.admin, json: true),
                                                  body: ByteBuffer(string: #"{"label": "reporting job", "days": 30}"#))
            #expect(minted.status == .created)
            let answer = try #require(try minted.json() as? [String: Any])
            let token = try #require(answer["token"] as? String)
            #expect(try await Self.status(client, "/api/v1/me", token: token) == .ok)
            // No body at all still works, as before tokens had options.
            #expect(try await client.execute(uri: "/api/v1/users/the-dpo/tokens", method: .post, headers: fixture.headers(.admin)).status == .created)
            #expect(try await client.execute(uri: "/api/v1/users/the-dpo/tokens", method: .post, headers: fixture.headers(.admin, json: true),
                                             body: ByteBuffer(string: #"{"days": 0}"#)).status == .badRequest)

            // The DPO sees, on their own account, that the admin made it.
            let own = try await client.execute(uri: "/api/v1/me/tokens", method: .get, headers: fixture.headers(.dpo))
            let mine = try #require(try own.json() as? [[String: Any]])
            let made = try #require(mine.first { $0["label"] as? String == "reporting job" })
            #expect((made["createdBy"] as? String)?.hasPrefix("the-admin") == true)
            // And in the audit trail, which the DPO may read.
            let trail = try await client.execute(uri: "/api/v1/account-events?account=the-dpo", method: .get, headers: fixture.headers(.dpo))
            let events = try #require(try trail.json() as? [[String: Any]])
            #expect(events.contains { $0["kind"] as? String == "token.issued" && ($0["actor"] as? String)?.hasPrefix("the-admin") == true
                && ($0["detail"] as? String)?.contains("reporting job") == true })
            #expect(events.contains { $0["kind"] as? String == "user.added" })
            #expect(try await client.execute(uri: "/api/v1/account-events", method: .get, headers: fixture.headers(.editor)).status == .forbidden)
        }
    }

    @Test("sign-in costs the same bcrypt work for an unknown name, an account without a password and a disabled one")
    func equalCost() throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let accounts = fixture.service.accounts
        // The decoy is a real hash at the store's own cost (the fixture's is 4): "$2b$04$…".
        #expect(accounts.decoyHash.split(separator: "$").dropFirst().first == "04")
        let production = Accounts(store: accounts.store, bcryptCost: 12)
        #expect(production.decoyHash.split(separator: "$").dropFirst().first == "12")
        try accounts.addUser(name: "token-only", role: "editor", password: nil)
        try accounts.setDisabled(name: "the-officer", true)
        #expect(try accounts.authenticate(name: "nobody-by-this-name", password: "whatever-password") == nil)
        #expect(try accounts.authenticate(name: "token-only", password: "whatever-password") == nil)
        #expect(try accounts.authenticate(name: "the-officer", password: fixture.passwords[.officer]!) == nil)
        #expect(try accounts.authenticate(name: "the-editor", password: fixture.passwords[.editor]!)?.name == "the-editor")
    }
}
