import ClearanceApp
import ClearanceCore
import Hummingbird

/// Who may call a route.
public enum Access: Sendable, Equatable {
    /// No account needed (health, login, the documentation, a person's own withdrawal page).
    case anyone
    /// Any signed-in account.
    case signedIn
    case roles(Set<Role>)

    func allows(_ role: Role?) -> Bool {
        switch self {
        case .anyone: true
        case .signedIn: role != nil
        case .roles(let roles): role.map(roles.contains) ?? false
        }
    }
}

/// One registered route, as the role-matrix and OpenAPI tests see it.
public struct RouteEntry: Sendable, Hashable {
    public let method: String
    public let path: String
    public let access: Access

    public static func == (a: RouteEntry, b: RouteEntry) -> Bool { a.method == b.method && a.path == b.path }
    public func hash(into hasher: inout Hasher) { hasher.combine(method); hasher.combine(path) }
}

/// Registers routes on the router with their access rule, and remembers them. Every route goes
/// through here, so none can be added without saying who may call it.
final class RouteBook: @unchecked Sendable {
    // Only mutated while the router is being built, before the server starts.
    let router: Router<ClearanceRequestContext>
    private(set) var entries: [RouteEntry] = []

    init(router: Router<ClearanceRequestContext>) {
        self.router = router
    }

    typealias Handler = @Sendable (Request, ClearanceRequestContext) async throws -> Response

    /// `csrf`: whether a cookie-authenticated caller must send the session's CSRF token in the
    /// `X-CSRF-Token` header. Form routes check the form field themselves and pass false.
    /// `alsoFromLoopback`: a caller on this machine (not through a proxy) needs no account.
    func add(_ method: HTTPRequest.Method, _ path: String, _ access: Access, csrfHeader: Bool = true,
             alsoFromLoopback: Bool = false, _ handler: @escaping Handler) {
        entries.append(RouteEntry(method: method.rawValue, path: path, access: access))
        // Pages send a signed-out browser to the login form; the API and /metrics answer 401.
        let isPage = !path.hasPrefix("/api/") && path != "/metrics"
        router.on(RouterPath(path), method: method) { request, context in
            let local = alsoFromLoopback && ClearanceService.isLoopback(context.peerAddress)
                && request.headers[.init("X-Forwarded-For")!] == nil && request.headers[.init("Forwarded")!] == nil
            guard local || access.allows(context.role) else {
                if context.user == nil {
                    // A browser asking for a page goes to the login form instead.
                    if isPage && method == .get {
                        return Response.redirect(to: "/login", type: .found)
                    }
                    throw APIError.unauthenticated
                }
                throw APIError.forbidden
            }
            if csrfHeader, access != .anyone, ![.get, .head, .options].contains(method), let session = context.session {
                guard let sent = request.headers[.init("X-CSRF-Token")!],
                      Secret.constantTimeEqual(sent, session.csrfToken) else { throw APIError.csrf }
            }
            return try await handler(request, context)
        }
    }
}
