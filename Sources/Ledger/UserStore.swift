import ClearanceCore
import Foundation
import GRDB

/// Accounts, API tokens, sessions and self-service withdrawal links of the web service.
///
/// Kept in their own SQLite file beside the ledger (`clearance.db.users`): they are not consent
/// records, they change all the time (sessions), and the signed ledger must not depend on them.
/// Secrets (tokens, session ids, withdrawal links) are stored only as SHA-256 hashes, so a copy
/// of this file lets no one in.
public final class UserStore: Sendable {
    public let path: String
    let store: any LedgerStore
    /// The `.users` file; nil when the accounts are in the PostgreSQL database with the ledger.
    let database: DatabaseQueue?

    public static func defaultPath(forDatabase path: String) -> String { path + ".users" }

    /// Opens the file, creating it and its tables when missing.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        let database = try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrator().migrate(database)
        self.database = database
        store = SQLiteStore(database: database)
        // Only the service reads this file.
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }

    /// The accounts of a ledger kept in PostgreSQL: the same database, tables made with the
    /// ledger's schema.
    public init(accountsOf ledger: Ledger) throws {
        guard ledger.sqlite == nil else {
            throw LedgerError.invalid("a SQLite ledger keeps its accounts in a file of their own; open them by path")
        }
        path = ledger.path
        store = ledger.store
        database = nil
    }

    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001_users") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    role TEXT NOT NULL CHECK (role IN ('officer', 'editor', 'dpo', 'admin')),
                    password_hash TEXT,
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE api_tokens (
                    token_sha256 TEXT PRIMARY KEY,
                    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE sessions (
                    id_sha256 TEXT PRIMARY KEY,
                    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    csrf_token TEXT NOT NULL,
                    expires_at INTEGER NOT NULL
                );
                CREATE INDEX sessions_expiry ON sessions(expires_at);
                CREATE TABLE withdrawal_links (
                    secret_sha256 TEXT PRIMARY KEY,
                    consent_reference TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("0002_self_service", migrate: SelfServiceTables.create)
        migrator.registerMigration("0003_account_lifecycle") { db in
            // Tokens get an id to be named by, an expiry, who made them, when last used, and
            // revocation. Tokens made before this expire a year after they were made.
            try db.execute(sql: """
                ALTER TABLE users ADD COLUMN disabled_at INTEGER;
                CREATE TABLE api_tokens_0003 (
                    id INTEGER PRIMARY KEY,
                    token_sha256 TEXT NOT NULL UNIQUE,
                    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    label TEXT,
                    created_at INTEGER NOT NULL,
                    created_by TEXT NOT NULL,
                    expires_at INTEGER NOT NULL,
                    last_used_at INTEGER,
                    revoked_at INTEGER
                );
                INSERT INTO api_tokens_0003 (token_sha256, user_id, created_at, created_by, expires_at)
                    SELECT token_sha256, user_id, created_at, 'unknown (made before tokens recorded who made them)',
                           created_at + 365 * 86400000
                    FROM api_tokens ORDER BY created_at;
                DROP TABLE api_tokens;
                ALTER TABLE api_tokens_0003 RENAME TO api_tokens;
                CREATE INDEX api_tokens_user ON api_tokens(user_id);
                CREATE TABLE account_events (
                    id INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    account TEXT NOT NULL,
                    detail TEXT
                );
                """)
        }
        return migrator
    }

    // MARK: Users

    public func addUser(name: String, role: String, passwordHash: String?, by actor: String = "unknown",
                        at now: Timestamp = .now) throws -> UserRecord {
        try store.write { db in
            if try db.fetchOne("SELECT 1 FROM users WHERE lower(name) = lower(?)", [name]) != nil {
                throw LedgerError.invalid("a user named \(name) already exists")
            }
            let insertedID = try db.insertReturningID("INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id", [name, role, passwordHash, now.millisecondsSinceEpoch])
            let user = UserRecord(id: insertedID, name: name, role: role, passwordHash: passwordHash, createdAt: now)
            try Self.record(db, at: now, actor: actor, kind: "user.added", account: name, detail: "role \(role)")
            return user
        }
    }

    /// A new password ends every open session and revokes every token of the account: whoever
    /// held the old one may have made them. Answers how many tokens were revoked.
    @discardableResult
    public func setPassword(userID: Int64, passwordHash: String, by actor: String = "unknown", at now: Timestamp = .now) throws -> Int {
        try store.write { db in
            let name = try Self.name(db, userID)
            try db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [passwordHash, userID])
            let revoked = try Self.endAccess(db, userID: userID, at: now)
            try Self.record(db, at: now, actor: actor, kind: "password.changed", account: name,
                            detail: "sessions ended, \(revoked) token(s) revoked")
            return revoked
        }
    }

    /// Disabling ends the account's sessions and revokes its tokens at once; enabling lets it
    /// sign in again (with new tokens: revoked ones stay revoked). Answers how many tokens were
    /// revoked; false `changed` when the account already was as asked.
    public func setDisabled(userID: Int64, _ disabled: Bool, by actor: String,
                            at now: Timestamp = .now) throws -> (changed: Bool, tokensRevoked: Int) {
        try store.write { db in
            let name = try Self.name(db, userID)
            let wasDisabled = try db.fetchOne("SELECT disabled_at FROM users WHERE id = ?", [userID])?["disabled_at"] as Int64?
            if disabled {
                guard wasDisabled == nil else { return (false, 0) }
                try db.execute("UPDATE users SET disabled_at = ? WHERE id = ?", [now.millisecondsSinceEpoch, userID])
                let revoked = try Self.endAccess(db, userID: userID, at: now)
                try Self.record(db, at: now, actor: actor, kind: "user.disabled", account: name,
                                detail: "sessions ended, \(revoked) token(s) revoked")
                return (true, revoked)
            }
            guard wasDisabled != nil else { return (false, 0) }
            try db.execute("UPDATE users SET disabled_at = NULL WHERE id = ?", [userID])
            try Self.record(db, at: now, actor: actor, kind: "user.enabled", account: name, detail: nil)
            return (true, 0)
        }
    }

    /// Deletes the account's sessions and revokes its usable tokens; answers how many tokens.
    static func endAccess(_ db: any SQLSession, userID: Int64, at now: Timestamp) throws -> Int {
        try db.execute("DELETE FROM sessions WHERE user_id = ?", [userID])
        // Expired tokens are left as they are: they work no more, and were not revoked.
        let changed = try db.execute("UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?", [now.millisecondsSinceEpoch, userID, now.millisecondsSinceEpoch])
        return changed
    }

    static func name(_ db: any SQLSession, _ userID: Int64) throws -> String {
        guard let name = try db.fetchValue(String.self, "SELECT name FROM users WHERE id = ?", [userID]) else {
            throw LedgerError.invalid("no such account")
        }
        return name
    }

    static func record(_ db: any SQLSession, at now: Timestamp, actor: String, kind: String, account: String, detail: String?) throws {
        try db.execute("INSERT INTO account_events (at, actor, kind, account, detail) VALUES (?, ?, ?, ?, ?)", [now.millisecondsSinceEpoch, actor, kind, account, detail])
    }

    /// The audit trail of accounts, newest first; of one account when `account` is given.
    public func accountEvents(account: String? = nil, limit: Int = 1000) throws -> [AccountEvent] {
        try store.read { db in
            let filter = account == nil ? "" : "WHERE lower(account) = lower(?)"
            let arguments: SQLArguments = account.map { [$0, limit] } ?? [limit]
            return try db.fetchAll("SELECT * FROM account_events \(filter) ORDER BY id DESC LIMIT ?", arguments).map { row in
                AccountEvent(id: row["id"], at: Timestamp(millisecondsSinceEpoch: row["at"]), actor: row["actor"], kind: row["kind"],
                             account: row["account"], detail: row["detail"])
            }
        }
    }

    public func user(named name: String) throws -> UserRecord? {
        try store.read { db in
            try db.fetchOne("SELECT * FROM users WHERE lower(name) = lower(?)", [name]).map(Self.user)
        }
    }

    public func allUsers() throws -> [UserRecord] {
        try store.read { db in
            try db.fetchAll("SELECT * FROM users ORDER BY name").map(Self.user)
        }
    }

    static func user(_ row: SQLRow) -> UserRecord {
        UserRecord(id: row["id"], name: row["name"], role: row["role"], passwordHash: row["password_hash"],
                   createdAt: Timestamp(millisecondsSinceEpoch: row["created_at"]),
                   disabledAt: (row["disabled_at"] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:)))
    }

    // MARK: API tokens

    /// `last_used_at` is written when the stored value is older than this: a token used for
    /// every request costs one write a minute, not one per request.
    public static let lastUsedResolution: Int64 = 60_000

    /// Stores a token's hash; answers its id.
    public func addToken(sha256: String, userID: Int64, label: String?, by actor: String, expiresAt: Timestamp,
                         at now: Timestamp = .now) throws -> Int64 {
        try store.write { db in
            let name = try Self.name(db, userID)
            let insertedID = try db.insertReturningID("""
                INSERT INTO api_tokens (token_sha256, user_id, label, created_at, created_by, expires_at)
                VALUES (?, ?, ?, ?, ?, ?) RETURNING id
            """, [sha256, userID, label, now.millisecondsSinceEpoch, actor, expiresAt.millisecondsSinceEpoch])
            let id = insertedID
            try Self.record(db, at: now, actor: actor, kind: "token.issued", account: name,
                            detail: "token \(id)\(label.map { " (\($0))" } ?? ""), expires \(expiresAt.utcDate)")
            return id
        }
    }

    /// Every token of the account, newest first, revoked and expired ones included.
    public func tokens(userID: Int64) throws -> [TokenRecord] {
        try store.read { db in
            try db.fetchAll("SELECT * FROM api_tokens WHERE user_id = ? ORDER BY id DESC", [userID]).map { row in
                TokenRecord(id: row["id"], label: row["label"], createdAt: Timestamp(millisecondsSinceEpoch: row["created_at"]),
                            createdBy: row["created_by"], expiresAt: Timestamp(millisecondsSinceEpoch: row["expires_at"]),
                            lastUsedAt: (row["last_used_at"] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:)),
                            revokedAt: (row["revoked_at"] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:)))
            }
        }
    }

    /// Revokes one token of the account; false when it has no such token or it was already revoked.
    public func revokeToken(id: Int64, userID: Int64, by actor: String, at now: Timestamp = .now) throws -> Bool {
        try store.write { db in
            let name = try Self.name(db, userID)
            let changed = try db.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL", [now.millisecondsSinceEpoch, id, userID])
            guard changed == 1 else { return false }
            try Self.record(db, at: now, actor: actor, kind: "token.revoked", account: name, detail: "token \(id)")
            return true
        }
    }

    /// The account of a token that is neither revoked nor expired, of an account not disabled.
    /// Asked on every API call: one SELECT (atomic on its own), not `read`, which costs a
    /// transaction.
    public func user(tokenSHA256: String, at now: Timestamp = .now) throws -> UserRecord? {
        let found: (UserRecord, Int64, Int64?)? = try store.withoutTransaction { db in
            try db.fetchOne("""
                SELECT users.*, api_tokens.id AS token_id, api_tokens.last_used_at
                FROM api_tokens JOIN users ON users.id = api_tokens.user_id
                WHERE api_tokens.token_sha256 = ? AND api_tokens.revoked_at IS NULL AND api_tokens.expires_at > ?
                  AND users.disabled_at IS NULL
                """, [tokenSHA256, now.millisecondsSinceEpoch]).map {
                (Self.user($0), $0["token_id"], $0["last_used_at"])
            }
        }
        guard let (user, tokenID, lastUsed) = found else { return nil }
        if lastUsed.map({ now.millisecondsSinceEpoch - $0 >= Self.lastUsedResolution }) ?? true {
            try store.write { db in
                try db.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", [now.millisecondsSinceEpoch, tokenID])
            }
        }
        return user
    }

    // MARK: Sessions

    public func addSession(idSHA256: String, userID: Int64, csrfToken: String, expiresAt: Timestamp) throws {
        try store.write { db in
            try db.execute("DELETE FROM sessions WHERE expires_at < ?", [Timestamp.now.millisecondsSinceEpoch])
            try db.execute("INSERT INTO sessions (id_sha256, user_id, csrf_token, expires_at) VALUES (?, ?, ?, ?)", [idSHA256, userID, csrfToken, expiresAt.millisecondsSinceEpoch])
        }
    }

    /// The session, when it exists and has not expired at `now`.
    public func session(idSHA256: String, at now: Timestamp = .now) throws -> SessionRecord? {
        try store.withoutTransaction { db in
            guard let row = try db.fetchOne("""
                SELECT users.*, sessions.csrf_token, sessions.expires_at AS session_expires
                FROM sessions JOIN users ON users.id = sessions.user_id
                WHERE sessions.id_sha256 = ? AND users.disabled_at IS NULL
                """, [idSHA256]) else { return nil }
            let expires = Timestamp(millisecondsSinceEpoch: row["session_expires"])
            guard now < expires else { return nil }
            return SessionRecord(user: Self.user(row), csrfToken: row["csrf_token"], expiresAt: expires)
        }
    }

    public func removeSession(idSHA256: String) throws {
        try store.write { db in
            try db.execute("DELETE FROM sessions WHERE id_sha256 = ?", [idSHA256])
        }
    }

    // MARK: Withdrawal links

    public func addWithdrawalLink(secretSHA256: String, consent: ConsentReference, at now: Timestamp = .now) throws {
        try store.write { db in
            try db.execute("INSERT INTO withdrawal_links (secret_sha256, consent_reference, created_at) VALUES (?, ?, ?)", [secretSHA256, consent.description, now.millisecondsSinceEpoch])
        }
    }

    /// Stores the link a tablet made for a consent it captured offline, unless it is there
    /// already (a resend). False when the hash belongs to another consent.
    public func keepWithdrawalLink(secretSHA256: String, consent: ConsentReference, at now: Timestamp = .now) throws -> Bool {
        try store.write { db in
            try db.execute("INSERT INTO withdrawal_links (secret_sha256, consent_reference, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [secretSHA256, consent.description, now.millisecondsSinceEpoch])
            return try db.fetchValue(String.self, "SELECT consent_reference FROM withdrawal_links WHERE secret_sha256 = ?", [secretSHA256]) == consent.description
        }
    }

    public func withdrawalLink(secretSHA256: String) throws -> ConsentReference? {
        try store.read { db in
            try db.fetchValue(String.self, "SELECT consent_reference FROM withdrawal_links WHERE secret_sha256 = ?", [secretSHA256]).flatMap(ConsentReference.init(parsing:))
        }
    }
}
