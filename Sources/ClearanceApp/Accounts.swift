import ClearanceCore
import Foundation
import HummingbirdBcrypt
import Ledger
import Synchronization

/// Accounts, passwords, API tokens, sessions and withdrawal links, over the `UserStore`.
/// Used by `clearance user …` and by the server; routes only call these, never the store.
public struct Accounts: Sendable {
    public let store: UserStore
    /// bcrypt work factor; tests lower it to keep the suite fast.
    let bcryptCost: UInt8

    public init(store: UserStore, bcryptCost: UInt8 = 12) {
        self.store = store
        self.bcryptCost = bcryptCost
    }

    /// The accounts of a ledger: beside a SQLite file (`DB.users`, made on first use), or in the
    /// PostgreSQL database with the ledger (whose key is read, when named, only to open it).
    public static func open(forDatabase databasePath: String, keyPath: String? = nil, bcryptCost: UInt8 = 12) throws -> Accounts {
        let store = try LedgerOperations.translatingLedgerErrors {
            switch try StoreAddress(parsing: databasePath) {
            case .sqlite(let path):
                return try UserStore(path: UserStore.defaultPath(forDatabase: path))
            case .postgres(let url):
                let ledger = try Ledger.open(in: PostgresAddress(parsing: url), keyPath: LedgerOperations.postgresKeyPath(keyPath),
                                             forWriting: false)
                return try UserStore(accountsOf: ledger)
            }
        }
        return Accounts(store: store, bcryptCost: bcryptCost)
    }

    static let minimumPasswordLength = 10
    /// bcrypt reads at most 72 bytes; longer passwords would be silently cut.
    static let maximumPasswordBytes = 72

    /// `user add`: checks the name, role and password, then stores a bcrypt hash.
    @discardableResult
    public func addUser(name: String, role: String, password: String?, by actor: String = Accounts.commandLine) throws -> UserRecord {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(name.unicodeScalars.count),
              name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "._-@".unicodeScalars.contains($0) }),
              !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .nonspacingMark }) else {
            throw InputError("user name must be 1–64 letters, digits or . _ - @")
        }
        guard let role = Role(rawValue: role.lowercased()) else {
            throw InputError("unknown role \"\(role.prefix(40))\" (use \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let hash = try password.map { try passwordHash($0) }
        do {
            return try store.addUser(name: name, role: role.rawValue, passwordHash: hash, by: actor)
        } catch let error as LedgerError {
            throw InputError(error.description)
        }
    }

    /// Who made a change from the command line: whoever runs it can read the users file anyway.
    public static var commandLine: String {
        "command line (\(ProcessInfo.processInfo.environment["USER"] ?? "unknown user"))"
    }

    func account(_ name: String) throws -> UserRecord {
        guard name.utf8.count <= 256, let user = try store.user(named: name) else { throw InputError("unknown user: \(name.prefix(64))") }
        return user
    }

    /// `user password`: also ends the account's sessions and revokes its tokens. Answers how many tokens.
    @discardableResult
    public func setPassword(name: String, password: String, by actor: String = Accounts.commandLine) throws -> Int {
        let user = try account(name)
        return try store.setPassword(userID: user.id, passwordHash: try passwordHash(password), by: actor)
    }

    /// `user disable` / `user enable`: disabling ends sessions and revokes tokens at once.
    /// Answers whether anything changed and how many tokens were revoked.
    @discardableResult
    public func setDisabled(name: String, _ disabled: Bool, by actor: String = Accounts.commandLine) throws -> (changed: Bool, tokensRevoked: Int) {
        try store.setDisabled(userID: try account(name).id, disabled, by: actor)
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

    // MARK: API tokens

    /// A token's life when none is given, and the longest allowed.
    public static let defaultTokenDays = 365
    public static let maximumTokenDays = 3650

    /// A token as handed out, once: the secret itself, and what it is listed as.
    public struct IssuedToken: Sendable {
        public let token: String
        public let id: Int64
        public let expiresAt: Timestamp
    }

    /// `user token NAME`: a new API token, returned once; only its SHA-256 is kept, with who asked
    /// for it (an admin minting a token for another account is in the account's token list and
    /// the audit trail).
    public func issueToken(for name: String, by actor: String = Accounts.commandLine, label: String? = nil,
                           days: Int = Accounts.defaultTokenDays, now: Timestamp = .now) throws -> IssuedToken {
        let user = try account(name)
        guard user.disabledAt == nil else { throw InputError("\(user.name) is disabled; enable the account first") }
        guard (1...Self.maximumTokenDays).contains(days) else {
            throw InputError("a token lasts 1 to \(Self.maximumTokenDays) days")
        }
        let label = label?.trimmingCharacters(in: .whitespaces)
        if let label {
            guard (1...100).contains(label.unicodeScalars.count),
                  !label.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw InputError("a token's label is 1–100 characters, no control characters")
            }
        }
        let token = "clr_" + Secret.generate()
        let expires = Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + Int64(days) * 86_400_000)
        let id = try store.addToken(sha256: Secret.sha256(token), userID: user.id, label: label, by: actor, expiresAt: expires, at: now)
        return IssuedToken(token: token, id: id, expiresAt: expires)
    }

    /// `user tokens NAME`.
    public func tokens(of name: String) throws -> [TokenRecord] {
        try store.tokens(userID: try account(name).id)
    }

    /// `user revoke NAME ID`.
    public func revokeToken(of name: String, id: Int64, by actor: String = Accounts.commandLine) throws {
        guard try store.revokeToken(id: id, userID: try account(name).id, by: actor) else {
            throw InputError("\(name.prefix(64)) has no token \(id) that is not already revoked")
        }
    }

    // MARK: Listing

    /// The account with this name, if any (names longer than any account's find none).
    public func user(named name: String) throws -> UserRecord? {
        guard name.utf8.count <= 256 else { return nil }
        return try store.user(named: name)
    }

    /// Every account, for `/api/v1/users`.
    public func allUsers() throws -> [UserRecord] {
        try store.allUsers()
    }

    /// The tokens that act as one account, by its id (`/api/v1/me/tokens`).
    public func tokens(ofUserID id: Int64) throws -> [TokenRecord] {
        try store.tokens(userID: id)
    }

    /// `user audit`: changes to accounts, newest first; one account's, or everyone's.
    public func accountEvents(account: String? = nil, limit: Int = 1000) throws -> [AccountEvent] {
        try store.accountEvents(account: account, limit: limit)
    }

    public func user(forToken token: String) throws -> UserRecord? {
        let body = token.hasPrefix("clr_") ? String(token.dropFirst(4)) : ""
        guard Secret.looksValid(body) else { return nil }
        return try store.user(tokenSHA256: Secret.sha256(token))
    }

    // MARK: Signing in

    /// The account when the password matches and the account is not disabled. bcrypt runs once
    /// whatever the case, at the same cost: an unknown name, an account with no password and a
    /// disabled one take as long as a wrong password.
    public func authenticate(name: String, password: String) throws -> UserRecord? {
        guard name.unicodeScalars.count <= 64, password.utf8.count <= Self.maximumPasswordBytes else { return nil }
        let user = try store.user(named: name)
        guard let user, let hash = user.passwordHash else {
            _ = Bcrypt.verify(password, hash: decoyHash)
            return nil
        }
        guard Bcrypt.verify(password, hash: hash), user.disabledAt == nil else { return nil }
        return user
    }

    /// A hash of nothing anyone knows, at this store's cost, verified against when there is no
    /// account (made on first use; the server makes it at start).
    package var decoyHash: String { DecoyHashes.hash(cost: bcryptCost) }

    /// Makes the decoy hash now rather than at the first unknown name.
    public func prepare() { _ = decoyHash }

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

    /// The withdrawal link of a consent a tablet captured offline: the tablet made the secret
    /// (it printed the link on the receipt with no signal) and sends only its SHA-256, in hex.
    /// Kept once; a resend of the same hash for the same consent changes nothing.
    public func keepWithdrawalLink(secretSHA256 hash: String, for consent: ConsentReference) throws {
        guard hash.utf8.count == 64, hash.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw InputError("withdrawalSecretSHA256 must be 64 lower-case hex digits")
        }
        guard try store.keepWithdrawalLink(secretSHA256: hash, consent: consent) else {
            throw InputError("this withdrawal link already belongs to another consent")
        }
    }

    public func consent(forWithdrawalSecret secret: String) throws -> ConsentReference? {
        guard Secret.looksValid(secret) else { return nil }
        return try store.withdrawalLink(secretSHA256: Secret.sha256(secret))
    }
}

/// Decoy bcrypt hashes by cost, made once per process.
enum DecoyHashes {
    private static let made = Mutex<[UInt8: String]>([:])

    static func hash(cost: UInt8) -> String {
        if let hash = made.withLock({ $0[cost] }) { return hash }
        // Made outside the lock (bcrypt is slow); two threads racing make two, and one is kept.
        let hash = Bcrypt.hash(Secret.generate(), cost: cost)
        return made.withLock { table in
            if let existing = table[cost] { return existing }
            table[cost] = hash
            return hash
        }
    }
}

extension TokenRecord {
    /// Neither revoked nor expired, by the system clock (ClearanceCore reads no clock).
    public var isUsableNow: Bool { isUsable(at: .now) }
}

extension CalendarDate {
    /// Today in UTC, by the system clock: the day pages and the API check and report on when
    /// none is given.
    public static var today: CalendarDate { Timestamp.now.utcDate }
}
