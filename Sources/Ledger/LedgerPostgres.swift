import ClearanceCore
import Foundation
import LedgerSchema

extension PostgresStore: LedgerStore {
    var dialect: SQLDialect { .postgresql }

    /// PostgreSQL runs a statement outside an explicit transaction atomically on its own; a
    /// read-committed transaction of one statement costs the same round trips give or take two.
    func withoutTransaction<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try write(body)
    }
}

/// What a PostgreSQL ledger's database holds beyond a SQLite ledger file's tables.
enum PostgresSchema {
    /// The accounts, sessions, tokens and self-service forms (the `.users` file beside a SQLite
    /// ledger). Not ledger records: `verify` checks they are there, not their rows.
    static let accountTables: Set<String> = ["users", "api_tokens", "sessions", "withdrawal_links", "account_events",
                                             "event_links", "pending_consents"]
}

extension Ledger {
    /// The advisory lock that keeps two `clearance init`s on one database from both laying out
    /// the schema ("schema" in ASCII).
    static let schemaLock: Int64 = 0x7363_6865_6D61

    /// Creates a ledger in an empty PostgreSQL database: the schema, the instance row and the
    /// first event in one transaction, so a failure leaves the database as it was; the key file
    /// at `keyPath` and the person keys folder beside it, neither of which may exist. Refuses a
    /// database that already has a ledger.
    public static func create(in address: PostgresAddress, keyPath: String, at now: Timestamp = .now) throws -> Ledger {
        guard !FileManager.default.fileExists(atPath: keyPath) else { throw LedgerError.alreadyExists(keyPath) }
        let folder = PersonKeyFolder.beside(keyPath: keyPath)
        guard !FileManager.default.fileExists(atPath: folder.path) else { throw LedgerError.alreadyExists(folder.path) }
        let store = try PostgresStore(address: address)
        let key = InstanceKey.generate()
        let record = InstanceRecord(publicKey: key.publicKey, indexKey: PersonalDataSeal.newKey(),
                                    createdAt: now.millisecondsSinceEpoch)
        do {
            // The files first: a key file that cannot be written (a missing folder, say) must
            // leave the database empty, not holding a ledger nobody can write to.
            try key.write(to: keyPath)
        } catch {
            store.close()
            throw error
        }
        do {
            try folder.create()
        } catch {
            try? FileManager.default.removeItem(atPath: keyPath)
            store.close()
            throw error
        }
        do {
            try store.write { db in
                try layOutSchema(db, in: address)
                try db.execute("INSERT INTO instance (id, public_key, index_key, created_at) VALUES (1, ?, ?, ?)",
                               [record.publicKey, record.indexKey, record.createdAt])
                var transaction = try LedgerTransaction(db: db, key: key, instance: record, personKeys: .folder(folder))
                try transaction.bindInstance(upgrade: nil, at: now)
            }
        } catch {
            // The ledger was not made (nothing committed): the key and folder are of no use, and ours.
            try? FileManager.default.removeItem(atPath: keyPath)
            folder.removeNew()
            store.close()
            throw error
        }
        return Ledger(path: address.description, keyPath: keyPath, store: store, sqlite: nil, personKeys: .folder(folder),
                      instance: record, signingKey: key, readableKey: key)
    }

    /// The schema in an empty database, inside the caller's transaction; refuses a database that
    /// already has a ledger. The lock keeps two `init`s (or copies) at once from both going ahead.
    static func layOutSchema(_ db: any SQLSession, in address: PostgresAddress) throws {
        _ = try db.fetchOne("SELECT pg_advisory_xact_lock(?)", [schemaLock])
        if try db.fetchValue(String.self, "SELECT to_regclass('events')::text") != nil {
            throw LedgerError.alreadyExists(address.description)
        }
        for statement in LedgerSchema.postgresql { try db.execute(statement) }
        try db.execute("CREATE TABLE clearance_schema (version TEXT NOT NULL)")
        try db.execute("INSERT INTO clearance_schema (version) VALUES (?)", [LedgerSchema.postgresqlVersion])
    }

    /// How many times this ledger has waited on its PostgreSQL server (statements, BEGIN and
    /// COMMIT), for the bench to show per check; nil for a SQLite ledger, which has no server.
    public var postgresRoundTrips: Int? { (store as? PostgresStore)?.roundTrips.total }

    /// How many of those statements were sent before their answers were needed, the server
    /// reading while the check confirmed what it had, and then used (`LedgerSnapshot.sendAhead`);
    /// nil for SQLite.
    public var postgresStatementsSentAhead: Int? { (store as? PostgresStore)?.roundTrips.totalSentAhead }

    /// Opens the ledger in a PostgreSQL database. Writing needs the signing key, which must match.
    public static func open(in address: PostgresAddress, keyPath: String, forWriting: Bool) throws -> Ledger {
        let store = try PostgresStore(address: address)
        do {
            let (version, row) = try store.read { db in
                guard try db.fetchValue(String.self, "SELECT to_regclass('clearance_schema')::text") != nil else {
                    return (String?.none, SQLRow?.none)
                }
                return (try db.fetchValue(String.self, "SELECT version FROM clearance_schema"),
                        try db.fetchOne("SELECT public_key, index_key, created_at FROM instance WHERE id = 1"))
            }
            guard let version else {
                throw LedgerError.invalid("\(address) has no Clearance ledger (run `clearance init --db` with this address)")
            }
            guard version == LedgerSchema.postgresqlVersion else {
                throw LedgerError.invalid("\(address) holds a ledger of schema \(version); this Clearance reads \(LedgerSchema.postgresqlVersion)")
            }
            guard let row, let publicKey = row["public_key"] as Data?, let indexKey = row["index_key"] as Data?,
                  let createdAt = row["created_at"] as Int64? else {
                throw LedgerError.corrupt("\(address) has no instance record")
            }
            let instance = InstanceRecord(publicKey: publicKey, indexKey: indexKey, createdAt: createdAt)
            let (signingKey, readableKey) = try keys(at: keyPath, publicKey: publicKey, forWriting: forWriting)
            let folder = PersonKeyFolder.beside(keyPath: keyPath)
            try folder.checkExists()
            return Ledger(path: address.description, keyPath: keyPath, store: store, sqlite: nil, personKeys: .folder(folder),
                          instance: instance, signingKey: signingKey, readableKey: readableKey)
        } catch {
            store.close()
            throw error
        }
    }
}
