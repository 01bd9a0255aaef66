import ClearanceCore
import Foundation
import GRDB

/// The consent ledger: an SQLite file plus the instance signing key beside it.
public final class Ledger: Sendable {
    public let path: String
    public let keyPath: String
    /// Transactions on the ledger's database, as its statements see them.
    let store: any LedgerStore
    /// The SQLite file, for what only SQLite does (`verify`'s byte-exact reads, `copy`, backups,
    /// checkpoints); nil when the ledger is in PostgreSQL.
    let sqlite: (any DatabaseWriter)?
    let instance: InstanceRecord
    /// Present when opened for writing.
    let signingKey: InstanceKey?
    /// Checks events' MACs (`EventMACKey`); present whenever the key file could be read,
    /// for reading too. Without it events are checked by their signatures, only slower.
    let macKey: EventMACKey?
    /// Checks the MACs of sealed rows (name index, document index, paths); present exactly when
    /// `macKey` is. Without it those rows cannot be confirmed.
    let rowMACKey: RowMACKey?
    /// What readers keep between snapshots while the file is unchanged.
    let memos: ConnectionMemos
    /// Where each person's data key is kept: a table in SQLite, files beside the key for PostgreSQL.
    let personKeys: PersonKeys

    struct InstanceRecord: Sendable {
        let publicKey: Data
        let indexKey: Data
        let createdAt: Int64
    }

    init(path: String, keyPath: String, store: any LedgerStore, sqlite: (any DatabaseWriter)?, personKeys: PersonKeys,
         instance: InstanceRecord, signingKey: InstanceKey?, readableKey: InstanceKey?) {
        self.path = path
        self.personKeys = personKeys
        memos = ConnectionMemos(personKeys: personKeys)
        self.keyPath = keyPath
        self.store = store
        self.sqlite = sqlite
        self.instance = instance
        self.signingKey = signingKey
        macKey = readableKey?.macKey
        rowMACKey = readableKey?.rowMACKey
        nameIndex = NameIndex(keyBytes: instance.indexKey)
    }

    private convenience init(path: String, keyPath: String, database: any DatabaseWriter, instance: InstanceRecord,
                             signingKey: InstanceKey?, readableKey: InstanceKey?) {
        self.init(path: path, keyPath: keyPath, store: SQLiteStore(database: database), sqlite: database, personKeys: .table,
                  instance: instance, signingKey: signingKey, readableKey: readableKey)
    }

    /// Creates the database and the key file; refuses if either exists.
    public static func create(at path: String, keyPath: String? = nil, at now: Timestamp = .now) throws -> Ledger {
        let keyPath = keyPath ?? InstanceKey.defaultPath(forDatabase: path)
        let files = FileManager.default
        for existing in [path, keyPath] where files.fileExists(atPath: existing) {
            throw LedgerError.alreadyExists(existing)
        }
        let key = InstanceKey.generate()
        let record = InstanceRecord(publicKey: key.publicKey, indexKey: PersonalDataSeal.newKey(),
                                    createdAt: now.millisecondsSinceEpoch)
        do {
            try key.write(to: keyPath)
            let database = try LedgerDatabase.open(path: path)
            try SQLiteStore(database: database).write { db in
                try db.execute("INSERT INTO instance (id, public_key, index_key, created_at) VALUES (1, ?, ?, ?)", [record.publicKey, record.indexKey, record.createdAt])
                // The first event binds the instance row; the tables migration 0005 set aside for
                // an earlier version's rows are empty in a new file.
                var transaction = try LedgerTransaction(db: db, key: key, instance: record, personKeys: .table)
                try transaction.bindInstance(upgrade: nil, at: now)
                try transaction.dropLegacyTables()
            }
            return Ledger(path: path, keyPath: keyPath, database: database, instance: record, signingKey: key, readableKey: key)
        } catch {
            // Leave nothing half-made behind; the key file is ours only if the database is not.
            if case LedgerError.alreadyExists = error { throw error }
            for leftover in [path, path + "-wal", path + "-shm", keyPath] { try? files.removeItem(atPath: leftover) }
            throw error
        }
    }

    /// Opens an existing ledger. Writing needs the signing key, which must match the ledger.
    /// `concurrentReads` opens a pool of readers beside the writer (for the web service); the
    /// command line keeps one connection, which leaves the file untouched when input is refused.
    public static func open(at path: String, keyPath: String? = nil, forWriting: Bool,
                            concurrentReads: Bool = false) throws -> Ledger {
        let keyPath = keyPath ?? InstanceKey.defaultPath(forDatabase: path)
        try LedgerFileCheck.existing(path)
        let database: any DatabaseWriter
        do {
            database = try LedgerDatabase.open(path: path, concurrentReads: concurrentReads)
        } catch {
            throw LedgerError.corrupt("cannot open \(path): \(error)")
        }
        let sqlite = SQLiteStore(database: database)
        let row = try sqlite.read { db in
            try db.fetchOne("SELECT public_key, index_key, created_at FROM instance WHERE id = 1")
        }
        guard let row, let publicKey = row["public_key"] as Data?, let indexKey = row["index_key"] as Data?,
              let createdAt = row["created_at"] as Int64? else {
            throw LedgerError.corrupt("\(path) has no instance record (run `clearance init`)")
        }
        let instance = InstanceRecord(publicKey: publicKey, indexKey: indexKey, createdAt: createdAt)
        let (signingKey, readableKey) = try keys(at: keyPath, publicKey: publicKey, forWriting: forWriting)
        if let readableKey, try sqlite.read(Ledger.legacyPending) {
            // Written by an earlier version: bind its unsigned rows now, once (see `adoptLegacyRows`).
            try sqlite.write { db in
                guard try Ledger.legacyPending(db) else { return }
                var transaction = try LedgerTransaction(db: db, key: readableKey, instance: instance, personKeys: .table)
                try transaction.adoptLegacyRows(at: .now)
            }
        }
        return Ledger(path: path, keyPath: keyPath, database: database, instance: instance, signingKey: signingKey,
                      readableKey: readableKey)
    }

    /// The instance key: to sign with when writing (it must be there and match), else to check
    /// MACs with when it is there and matches.
    static func keys(at keyPath: String, publicKey: Data, forWriting: Bool) throws -> (signing: InstanceKey?, readable: InstanceKey?) {
        if forWriting {
            let key = try InstanceKey.read(from: keyPath)
            guard key.publicKey == publicKey else { throw LedgerError.keyMismatch(keyPath) }
            return (key, key)
        }
        // Reading needs no key; with one, checks confirm events and sealed rows by MAC.
        if let key = try? InstanceKey.read(from: keyPath), key.publicKey == publicKey { return (nil, key) }
        return (nil, nil)
    }

    /// Runs `body` in one write transaction: every event it appends commits together or not at all.
    /// Keys kept outside the database of people it erased are destroyed once it has committed.
    public func write<T>(_ body: (inout LedgerTransaction) throws -> T) throws -> T {
        guard let signingKey else { throw LedgerError.missingKey(keyPath) }
        let (result, erased) = try store.write { db in
            var transaction = try LedgerTransaction(db: db, key: signingKey, instance: instance, personKeys: personKeys)
            return (try body(&transaction), transaction.erasedPeople)
        }
        try personKeys.destroyAfterCommit(erased)
        return result
    }

    /// The folder of person keys beside the instance key (a PostgreSQL ledger's); nil when they
    /// are a table in the ledger's file.
    public var personKeysFolder: String? {
        if case .folder(let folder) = personKeys { return folder.path }
        return nil
    }

    /// True when the ledger is in a PostgreSQL database rather than a SQLite file.
    public var isInPostgreSQL: Bool { sqlite == nil }

    /// The SQLite file, or a clear refusal naming what needed it on a PostgreSQL ledger.
    func sqliteFile(for what: String, otherwise: String? = nil) throws -> any DatabaseWriter {
        guard let sqlite else {
            throw LedgerError.invalid("\(what) works on a SQLite ledger only; this one is in PostgreSQL" + (otherwise.map { " (\($0))" } ?? ""))
        }
        return sqlite
    }

    /// Folds the WAL back into the main file and truncates it (used after erasure).
    public func checkpoint() throws {
        guard let sqlite else { return }
        try LedgerDatabase.checkpoint(sqlite)
    }

    /// Digests of folded names under the instance's index key.
    let nameIndex: NameIndex
}

extension Timestamp {
    /// The current moment from the system clock.
    public static var now: Timestamp {
        Timestamp(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
