import ClearanceApp
import ClearanceCore
import Foundation
import HummingbirdBcrypt
import Ledger

/// Accounts, passwords, API tokens, sessions and withdrawal links, over the `UserStore`.
/// Used by `clearance user …` and by the server; routes only call these.
public struct Accounts: Sendable {
    public let store: UserStore
    /// bcrypt work factor; tests lower it to keep the suite fast.
    let bcryptCost: UInt8

    public init(store: UserStore, bcryptCost: UInt8 = 12) {
        self.store = store
        self.bcryptCost = bcryptCost
    }

    public static func open(forDatabase databasePath: String, bcryptCost: UInt8 = 12) throws -> Accounts {
        Accounts(store: try UserStore(path: UserStore.defaultPath(forDatabase: databasePath)), bcryptCost: bcryptCost)
    }

    static let minimumPasswordLength = 10
    /// bcrypt reads at most 72 bytes; longer passwords would be silently cut.
    static let maximumPasswordBytes = 72

    /// `user add`: checks the name, role and password, then stores a bcrypt hash.
    @discardableResult
    public func addUser(name: String, role: String, password: String?) throws -> UserRecord {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(name.count),
              name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "._-@".unicodeScalars.contains($0) }) else {
            throw InputError("user name must be 1–64 letters, digits or . _ - @")
        }
        guard let role = Role(rawValue: role.lowercased()) else {
            throw InputError("unknown role \"\(role)\" (use \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let hash = try password.map { try passwordHash($0) }
        do {
            return try store.addUser(name: name, role: role.rawValue, passwordHash: hash)
        } catch let error as LedgerError {
            throw InputError(error.description)
        }
    }

    public func setPassword(name: String, password: String) throws {
        guard let user = try store.user(named: name) else { throw InputError("unknown user: \(name)") }
        try store.setPassword(userID: user.id, passwordHash: try passwordHash(password))
    }

    func passwordHash(_ password: String) throws -> String {
        guard password.count >= Self.minimumPasswordLength else {
            throw InputError("password must be at least \(Self.minimumPasswordLength) characters")
        }
        guard password.utf8.count <= Self.maximumPasswordBytes else {
            throw InputError("password must be at most \(Self.maximumPasswordBytes) bytes")
        }
        return Bcrypt.hash(password, cost: bcryptCost)
    }

    /// A random password for a first admin, printed once.
    public static func randomPassword() -> String { Secret.generate(bytes: 15) }

    /// `user token NAME`: a new API token, returned once; only its SHA-256 is kept.
    public func issueToken(for name: String) throws -> String {
        guard let user = try store.user(named: name) else { throw InputError("unknown user: \(name)") }
        let token = "clr_" + Secret.generate()
        try store.addToken(sha256: Secret.sha256(token), userID: user.id)
        return token
    }

    public func user(forToken token: String) throws -> UserRecord? {
        let body = token.hasPrefix("clr_") ? String(token.dropFirst(4)) : ""
        guard Secret.looksValid(body) else { return nil }
        return try store.user(tokenSHA256: Secret.sha256(token))
    }

    /// The account when the password matches. bcrypt runs even for an unknown name, so the
    /// answer takes as long either way.
    public func authenticate(name: String, password: String) throws -> UserRecord? {
        guard name.count <= 64, password.utf8.count <= Self.maximumPasswordBytes else { return nil }
        let user = try store.user(named: name)
        guard let hash = user?.passwordHash else {
            _ = Bcrypt.verify(password, hash: Self.decoyHash)
            return nil
        }
        return Bcrypt.verify(password, hash: hash) ? user : nil
    }

    /// A hash of nothing anyone knows, verified against when there is no account.
    static let decoyHash = Bcrypt.hash(Secret.generate(), cost: 10)

    // MARK: Sessions

    public struct NewSession: Sendable {
        public let cookieValue: String
        public let csrfToken: String
        public let expiresAt: Timestamp
    }

    public func startSession(for user: UserRecord, lifetime: Duration, now: Timestamp = .now) throws -> NewSession {
        let id = Secret.generate()
        let csrf = Secret.generate()
        let expires = Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + lifetime.components.seconds * 1000)
        try store.addSession(idSHA256: Secret.sha256(id), userID: user.id, csrfToken: csrf, expiresAt: expires)
        return NewSession(cookieValue: id, csrfToken: csrf, expiresAt: expires)
    }

    public func session(cookieValue: String) throws -> SessionRecord? {
        guard Secret.looksValid(cookieValue) else { return nil }
        return try store.session(idSHA256: Secret.sha256(cookieValue))
    }

    public func endSession(cookieValue: String) throws {
        guard Secret.looksValid(cookieValue) else { return }
        try store.removeSession(idSHA256: Secret.sha256(cookieValue))
    }

    // MARK: Withdrawal links

    /// A secret for the person's own withdrawal page; the link is shown once, on the receipt.
    public func issueWithdrawalSecret(for consent: ConsentReference) throws -> String {
        let secret = Secret.generate()
        try store.addWithdrawalLink(secretSHA256: Secret.sha256(secret), consent: consent)
        return secret
    }

    public func consent(forWithdrawalSecret secret: String) throws -> ConsentReference? {
        guard Secret.looksValid(secret) else { return nil }
        return try store.withdrawalLink(secretSHA256: Secret.sha256(secret))
    }
}
