import ClearanceApp
import Foundation
import Hummingbird
import Ledger

/// `/api/v1/users`, `/api/v1/me`, `/api/v1/verify`, `/health` and the OpenAPI document.
extension ClearanceService {
    struct UserBody: Decodable {
        var name: String
        var role: String
        var password: String?
    }

    struct UserView: Encodable {
        var name: String
        var role: String
        var createdAt: String
        init(_ user: UserRecord) {
            name = user.name
            role = user.role
            createdAt = user.createdAt.description
        }
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

        book.add(.get, "/api/v1/verify", .roles([.dpo, .admin])) { _, _ in
            .jsonText(try LedgerJSON.verification(try ledger.verify()))
        }

        book.add(.get, "/api/v1/users", .roles([.admin])) { _, _ in
            .json(try accounts.store.allUsers().map(UserView.init))
        }

        book.add(.post, "/api/v1/users", .roles([.admin])) { request, context in
            let body = try await request.decode(as: UserBody.self, context: context)
            let user = try accounts.addUser(name: body.name, role: body.role, password: body.password)
            return .json(UserView(user), status: .created)
        }

        book.add(.post, "/api/v1/users/{name}/tokens", .roles([.admin])) { _, context in
            let token = try accounts.issueToken(for: try context.parameters.require("name"))
            return .json(["token": token], status: .created)
        }
    }
}
