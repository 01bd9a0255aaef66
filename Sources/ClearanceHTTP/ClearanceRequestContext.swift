import Hummingbird
import Ledger

/// Per-request state: who is asking, and how they proved it.
public struct ClearanceRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The account, from a bearer token or a session cookie.
    var user: UserRecord?
    /// Present when the account came from a session cookie: forms and cookie-authenticated
    /// API calls must then carry its CSRF token.
    var session: SessionRecord?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    var role: Role? { user.flatMap { Role(rawValue: $0.role) } }
}
