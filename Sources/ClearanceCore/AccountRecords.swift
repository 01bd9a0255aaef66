// Accounts, tokens, sessions and self-service forms as the accounts store holds them: values
// the operations and pages use, defined here so that the layers above ClearanceApp never name
// a store type.
import Foundation

/// A web-service account.
public struct UserRecord: Hashable, Sendable {
    public var id: Int64
    public var name: String
    public var role: String
    public var passwordHash: String?
    public var createdAt: Timestamp
    /// A disabled account signs in to nothing and no token of it works.
    public var disabledAt: Timestamp?

    public init(id: Int64, name: String, role: String, passwordHash: String? = nil, createdAt: Timestamp,
                disabledAt: Timestamp? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }
}

/// An API token, as listed: never the token itself, which is shown once and stored as a hash.
public struct TokenRecord: Hashable, Sendable {
    public var id: Int64
    public var label: String?
    public var createdAt: Timestamp
    /// Who asked for it: an admin's account name, or `command line (USER)`.
    public var createdBy: String
    public var expiresAt: Timestamp
    /// Updated at most once a minute (`UserStore.lastUsedResolution`).
    public var lastUsedAt: Timestamp?
    public var revokedAt: Timestamp?

    public func isUsable(at now: Timestamp) -> Bool { revokedAt == nil && now < expiresAt }

    public init(id: Int64, label: String? = nil, createdAt: Timestamp, createdBy: String,
                expiresAt: Timestamp, lastUsedAt: Timestamp? = nil, revokedAt: Timestamp? = nil) {
        self.id = id
        self.label = label
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

/// One change to accounts, kept so an organisation can show who could act as whom, and when.
public struct AccountEvent: Hashable, Sendable {
    public var id: Int64
    public var at: Timestamp
    /// The account or command line that made the change.
    public var actor: String
    /// `user.added`, `user.disabled`, `user.enabled`, `password.changed`, `token.issued`, `token.revoked`.
    public var kind: String
    public var account: String
    public var detail: String?

    public init(id: Int64, at: Timestamp, actor: String, kind: String, account: String, detail: String? = nil) {
        self.id = id
        self.at = at
        self.actor = actor
        self.kind = kind
        self.account = account
        self.detail = detail
    }
}

/// A signed-in browser: the cookie carries a random id; only its SHA-256 is stored.
public struct SessionRecord: Hashable, Sendable {
    public var user: UserRecord
    public var csrfToken: String
    public var expiresAt: Timestamp

    public init(user: UserRecord, csrfToken: String, expiresAt: Timestamp) {
        self.user = user
        self.csrfToken = csrfToken
        self.expiresAt = expiresAt
    }
}

/// An event's self-service link: attendees open `/self/{secret}` (from a QR code) on their own
/// phone and fill in the consent form there.
///
/// The secret is kept as it is, unlike other secrets here: it is printed as a QR code for
/// everyone at the event to see, and it only lets someone submit a form that an officer must
/// confirm before anything reaches the ledger.
public struct EventLinkRecord: Hashable, Sendable {
    public var id: Int64
    public var secret: String
    public var event: String
    public var createdBy: String
    public var createdAt: Timestamp
    public var closedAt: Timestamp?

    public init(id: Int64, secret: String, event: String, createdBy: String, createdAt: Timestamp,
                closedAt: Timestamp? = nil) {
        self.id = id
        self.secret = secret
        self.event = event
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.closedAt = closedAt
    }
}

/// A form submitted through an event link, held until an officer confirms or rejects it. The
/// fields are kept as the form sent them (`application/x-www-form-urlencoded`), signature included.
public struct PendingConsentRecord: Hashable, Sendable {
    public var id: Int64
    public var link: EventLinkRecord
    public var form: String
    public var submittedAt: Timestamp

    public init(id: Int64, link: EventLinkRecord, form: String, submittedAt: Timestamp) {
        self.id = id
        self.link = link
        self.form = form
        self.submittedAt = submittedAt
    }
}
