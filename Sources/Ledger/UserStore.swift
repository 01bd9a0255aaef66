import ClearanceCore
import Foundation
import GRDB

/// A web-service account.
public struct UserRecord: Hashable, Sendable {
    public var id: Int64
    public var name: String
    public var role: String
    public var passwordHash: String?
    public var createdAt: Timestamp
}

/// A signed-in browser: the cookie carries a random id; only its SHA-256 is stored.
public struct SessionRecord: Hashable, Sendable {
    public var user: UserRecord
    public var csrfToken: String
    public var expiresAt: Timestamp
}

/// Accounts, API tokens, sessions and self-service withdrawal links of the web service.
///
/// Kept in their own SQLite file beside the ledger (`clearance.db.users`): they are not consent
/// records, they change all the time (sessions), and the signed ledger must not depend on them.
/// Secrets (tokens, session ids, withdrawal links) are stored only as SHA-256 hashes, so a copy
/// of this file lets no one in.
public final class UserStore: Sendable {
    public let path: String
    let database: DatabaseQueue

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
        database = try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrator().migrate(database)
        // Only the service reads this file.
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
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
        return migrator
    }

    // MARK: Users

    public func addUser(name: String, role: String, passwordHash: String?, at now: Timestamp = .now) throws -> UserRecord {
        try database.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM users WHERE name = ?", arguments: [name]) != nil {
                throw LedgerError.invalid("a user named \(name) already exists")
            }
            try db.execute(sql: "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [name, role, passwordHash, now.millisecondsSinceEpoch])
            return UserRecord(id: db.lastInsertedRowID, name: name, role: role, passwordHash: passwordHash, createdAt: now)
        }
    }

    public func setPassword(userID: Int64, passwordHash: String) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE users SET password_hash = ? WHERE id = ?", arguments: [passwordHash, userID])
            // A new password ends every open session.
            try db.execute(sql: "DELETE FROM sessions WHERE user_id = ?", arguments: [userID])
        }
    }

    public func user(named name: String) throws -> UserRecord? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]).map(Self.user)
        }
    }

    public func allUsers() throws -> [UserRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name").map(Self.user)
        }
    }

    static func user(_ row: Row) -> UserRecord {
        UserRecord(id: row["id"], name: row["name"], role: row["role"], passwordHash: row["password_hash"],
                   createdAt: Timestamp(millisecondsSinceEpoch: row["created_at"]))
    }

    // MARK: API tokens

    public func addToken(sha256: String, userID: Int64, at now: Timestamp = .now) throws {
        try database.write { db in
            try db.execute(sql: "INSERT INTO api_tokens (token_sha256, user_id, created_at) VALUES (?, ?, ?)",
                           arguments: [sha256, userID, now.millisecondsSinceEpoch])
        }
    }

    /// Asked on every API call: one SELECT (atomic on its own) on a cached statement, not
    /// `read`, which toggles `PRAGMA query_only` and so recompiles the statement each time.
    public func user(tokenSHA256: String) throws -> UserRecord? {
        try database.inDatabase { db in
            let statement = try db.cachedStatement(sql: """
                SELECT users.* FROM api_tokens JOIN users ON users.id = api_tokens.user_id
                WHERE api_tokens.token_sha256 = ?
                """)
            return try Row.fetchOne(statement, arguments: [tokenSHA256]).map(Self.user)
        }
    }

    // MARK: Sessions

    public func addSession(idSHA256: String, userID: Int64, csrfToken: String, expiresAt: Timestamp) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at < ?", arguments: [Timestamp.now.millisecondsSinceEpoch])
            try db.execute(sql: "INSERT INTO sessions (id_sha256, user_id, csrf_token, expires_at) VALUES (?, ?, ?, ?)",
                           arguments: [idSHA256, userID, csrfToken, expiresAt.millisecondsSinceEpoch])
        }
    }

    /// The session, when it exists and has not expired at `now`.
    public func session(idSHA256: String, at now: Timestamp = .now) throws -> SessionRecord? {
        try database.inDatabase { db in
            let statement = try db.cachedStatement(sql: """
                SELECT users.*, sessions.csrf_token, sessions.expires_at AS session_expires
                FROM sessions JOIN users ON users.id = sessions.user_id WHERE sessions.id_sha256 = ?
                """)
            guard let row = try Row.fetchOne(statement, arguments: [idSHA256]) else { return nil }
            let expires = Timestamp(millisecondsSinceEpoch: row["session_expires"])
            guard now < expires else { return nil }
            return SessionRecord(user: Self.user(row), csrfToken: row["csrf_token"], expiresAt: expires)
        }
    }

    public func removeSession(idSHA256: String) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE id_sha256 = ?", arguments: [idSHA256])
        }
    }

    // MARK: Withdrawal links

    public func addWithdrawalLink(secretSHA256: String, consent: ConsentReference, at now: Timestamp = .now) throws {
        try database.write { db in
            try db.execute(sql: "INSERT INTO withdrawal_links (secret_sha256, consent_reference, created_at) VALUES (?, ?, ?)",
                           arguments: [secretSHA256, consent.description, now.millisecondsSinceEpoch])
        }
    }

    public func withdrawalLink(secretSHA256: String) throws -> ConsentReference? {
        try database.read { db in
            try String.fetchOne(db, sql: "SELECT consent_reference FROM withdrawal_links WHERE secret_sha256 = ?",
                                arguments: [secretSHA256]).flatMap(ConsentReference.init(parsing:))
        }
    }
}
