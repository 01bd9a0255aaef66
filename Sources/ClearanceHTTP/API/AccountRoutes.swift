import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird

/// `/api/v1/users` (accounts, their tokens, disabling), `/api/v1/me`, `/api/v1/account-events`,
/// `/api/v1/verify`, `/health` and the OpenAPI document.
extension ClearanceService {
    struct UserBody: Decodable {
        var name: String
        var role: String
        var password: String?
    }

    struct TokenBody: Decodable {
        var label: String?
        var days: Int?
    }

    struct UserView: Encodable {
        var name: String
        var role: String
        var createdAt: String
        var disabled: Bool
        var disabledAt: String?
        init(_ user: UserRecord) {
            name = user.name
            role = user.role
            createdAt = user.createdAt.description
            disabled = user.disabledAt != nil
            disabledAt = user.disabledAt?.description
        }
    }

    struct IssuedTokenView: Encodable {
        var token: String
        var id: Int64
        var expiresAt: String
    }

    struct TokenView: Encodable {
        var id: Int64
        var label: String?
        var createdAt: String
        var createdBy: String
        var expiresAt: String
        var lastUsedAt: String?
        var revokedAt: String?
        var usable: Bool
        init(_ token: TokenRecord) {
            id = token.id
            label = token.label
            createdAt = token.createdAt.description
            createdBy = token.createdBy
            expiresAt = token.expiresAt.description
            lastUsedAt = token.lastUsedAt?.description
            revokedAt = token.revokedAt?.description
            usable = token.isUsableNow
        }
    }

    struct AccessChangeView: Encodable {
        var user: UserView
        var changed: Bool
        var tokensRevoked: Int
    }

    struct AccountEventView: Encodable {
        var id: Int64
        var at: String
        var actor: String
        var kind: String
        var account: String
        var detail: String?
    }

    func addAccountRoutes(_ book: RouteBook) {
        book.add(.get, "/health", .anyone) { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }

        book.add(.get, "/api/v1/openapi.json", .anyone) { _, _ in
            .jsonText(OpenAPIDocument.json)
        }

        book.add(.get, "/api/v1/me", .signedIn) { _, context in
            guard let user = context.user else { throw APIError.unauthenticated }
            return .json(UserView(user))
        }

        // Every account can see the tokens that act as it, including any an admin made for it.
        book.add(.get, "/api/v1/me/tokens", .signedIn) { _, context in
            guard let user = context.user else { throw APIError.unauthenticated }
            return .json(try accounts.tokens(ofUserID: user.id).map(TokenView.init))
        }

        book.add(.get, "/api/v1/verify", .roles([.dpo, .admin])) { _, _ in
            .jsonText(try LedgerJSON.verification(try ledger.verifyAndRecord()))
        }

        book.add(.get, "/api/v1/users", .roles([.admin])) { _, _ in
            .json(try accounts.allUsers().map(UserView.init))
        }

        book.add(.post, "/api/v1/users", .roles([.admin])) { request, context in
            let body = try await request.decode(as: UserBody.self, context: context)
            let user = try accounts.addUser(name: body.name, role: body.role, password: body.password, by: actor(context))
            return .json(UserView(user), status: .created)
        }

        book.add(.post, "/api/v1/users/{name}/tokens", .roles([.admin])) { request, context in
            let body = try await optionalBody(TokenBody.self, request, context) ?? TokenBody()
            let issued = try accounts.issueToken(for: try accountName(context), by: actor(context), label: body.label,
                                                 days: body.days ?? Accounts.defaultTokenDays)
            return .json(IssuedTokenView(token: issued.token, id: issued.id, expiresAt: issued.expiresAt.description), status: .created)
        }

        book.add(.get, "/api/v1/users/{name}/tokens", .roles([.admin])) { _, context in
            .json(try accounts.tokens(of: try accountName(context)).map(TokenView.init))
        }

        book.add(.delete, "/api/v1/users/{name}/tokens/{id}", .roles([.admin])) { _, context in
            let name = try accountName(context)
            let id = try numericID(context)
            guard try accounts.tokens(of: name).contains(where: { $0.id == id }) else { throw APIError(.notFound, "\(name) has no token \(id)") }
            try accounts.revokeToken(of: name, id: id, by: actor(context))
            guard let token = try accounts.tokens(of: name).first(where: { $0.id == id }) else {
                throw APIError(.notFound, "no such token")
            }
            return .json(TokenView(token))
        }

        book.add(.post, "/api/v1/users/{name}/disable", .roles([.admin])) { _, context in
            try setDisabled(try accountName(context), true, context)
        }

        book.add(.post, "/api/v1/users/{name}/enable", .roles([.admin])) { _, context in
            try setDisabled(try accountName(context), false, context)
        }

        // Who made, disabled or gave tokens to which account: the DPO can see whether anyone
        // could have acted as them.
        book.add(.get, "/api/v1/account-events", .roles([.admin, .dpo])) { request, _ in
            let account = request.uri.queryParameters["account"].map(String.init)
            if let account, account.utf8.count > 64 { throw APIError(.badRequest, "account: at most 64 characters") }
            return .json(try accounts.accountEvents(account: account, limit: 1000).map {
                AccountEventView(id: $0.id, at: $0.at.description, actor: $0.actor, kind: $0.kind, account: $0.account, detail: $0.detail)
            })
        }
    }

    /// The `{name}` of the path, when such an account exists (404 otherwise).
    func accountName(_ context: ClearanceRequestContext) throws -> String {
        let name = try context.parameters.require("name")
        guard let user = try accounts.user(named: name) else {
            throw APIError(.notFound, "no account named \(name.prefix(64))")
        }
        return user.name
    }

    /// Who is acting, for the audit trail.
    func actor(_ context: ClearanceRequestContext) -> String {
        context.user.map { "\($0.name) (\($0.role), web service)" } ?? "unknown"
    }

    func setDisabled(_ name: String, _ disabled: Bool, _ context: ClearanceRequestContext) throws -> Response {
        if disabled, let target = try accounts.user(named: name), target.role == Role.admin.rawValue,
           try accounts.allUsers().filter({ $0.role == Role.admin.rawValue && $0.disabledAt == nil && $0.id != target.id }).isEmpty {
            throw APIError(.conflict, "\(target.name) is the last admin who can sign in; add another admin first")
        }
        let change = try accounts.setDisabled(name: name, disabled, by: actor(context))
        guard let user = try accounts.user(named: name) else { throw APIError(.notFound, "unknown user") }
        return .json(AccessChangeView(user: UserView(user), changed: change.changed, tokensRevoked: change.tokensRevoked))
    }

    /// A JSON body that may be left out altogether (clients that sent none before keep working).
    func optionalBody<T: Decodable>(_ type: T.Type, _ request: Request, _ context: ClearanceRequestContext) async throws -> T? {
        let buffer = try await request.body.collect(upTo: 64 << 10)
        guard buffer.readableBytes > 0 else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError(.badRequest, "the body must be a JSON object as the API description says")
        }
    }
}
