import ClearanceCore
import Foundation
import GRDB
import Synchronization

/// What a reader may keep between snapshots on one database connection: answers derived from
/// the ledger's contents, valid for exactly as long as nothing has been committed since.
///
/// SQLite's `PRAGMA data_version` changes when any other connection, in this process or
/// another (the server's writer, `clearance consent`, someone in the sqlite3 shell), commits;
/// the connection's own writes show in its total-changes count. A snapshot that finds either
/// different from when the memo was made gets a fresh memo, so a row edited in SQL is replayed,
/// and reported as tampered, on the very next check.
///
/// On PostgreSQL the key is the read transaction's snapshot (`pg_current_snapshot()`): the same
/// snapshot sees the same committed rows, so anything committed since, by any server or by
/// someone in psql, makes a fresh memo. Write transactions keep none there (their own writes do
/// not show in the snapshot). Person keys there are files (`PersonKeyFolder`), so the folder's
/// stamp, read once a transaction like the snapshot, is part of the key too: a key file added,
/// removed or replaced makes a fresh memo for the next transaction. A
/// file rewritten in place shows at the next commit or in `verify`; such an edit can only stop a
/// person's data opening, never open another's, so at worst it blocks late, never clears.
final class ConnectionMemos: Sendable {
    enum State: Equatable {
        case sqlite(dataVersion: Int64, totalChanges: Int)
        case postgres(snapshot: String, personKeys: String)
    }

    private let personKeys: PersonKeys

    init(personKeys: PersonKeys) {
        self.personKeys = personKeys
    }

    /// Unchecked: `memos` is only read or changed inside a transaction on `connection`, and a
    /// connection runs one transaction, one statement, at a time.
    private final class Entry: @unchecked Sendable {
        /// Weak, so that a connection closed and another opened at the same address never
        /// inherits the old one's memo.
        weak var connection: AnyObject?
        let state: State
        /// One memo per type: the App's answers, the ledger's decrypted people.
        var memos: [ObjectIdentifier: AnyObject] = [:]

        init(connection: AnyObject, state: State) {
            self.connection = connection
            self.state = state
        }
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    static func state(of db: Database) throws -> State {
        let version = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
        return .sqlite(dataVersion: version, totalChanges: db.totalChangesCount)
    }

    /// The connection and its state, when a memo may be kept for this session at all.
    private func key(of session: any SQLSession) throws -> (connection: AnyObject, state: State)? {
        if let prefetched = session as? PrefetchedSession { return try key(of: prefetched.base) }
        if let sqlite = session as? SQLiteSession { return (sqlite.db, try Self.state(of: sqlite.db)) }
        if let postgres = session as? PostgresSession, let snapshot = try postgres.snapshotKey() {
            guard case .folder(let folder) = personKeys else { return nil }
            if postgres.personKeysStamp == nil { postgres.personKeysStamp = folder.stamp() }
            guard let stamp = postgres.personKeysStamp else { return nil }
            return (postgres.connection, .postgres(snapshot: snapshot, personKeys: stamp))
        }
        return nil
    }

    /// The memo of this type kept for the session's connection if the ledger is unchanged since
    /// it was made, else a new one from `make`. Call inside a transaction on the session.
    func memo<Memo: AnyObject>(for session: any SQLSession, make: () -> Memo) throws -> Memo {
        guard let (connection, state) = try key(of: session) else { return make() }
        let key = ObjectIdentifier(connection)
        let kind = ObjectIdentifier(Memo.self)
        var entry = entries.withLock { $0[key] }
        if entry == nil || entry?.connection !== connection || entry?.state != state {
            let fresh = Entry(connection: connection, state: state)
            entries.withLock { entries in
                entries = entries.filter { $0.value.connection != nil }
                entries[key] = fresh
            }
            entry = fresh
        }
        guard let entry else { return make() }
        if let memo = entry.memos[kind] as? Memo { return memo }
        let memo = make()
        entry.memos[kind] = memo
        return memo
    }
}

/// Personal data the ledger has opened on a connection, kept while the ledger is unchanged: a
/// check opens a person's data for their standing and again to confirm a name the index gave
/// for them; once is enough.
final class OpenedPeople {
    var data: [String: PersonalData?] = [:]
    /// Whether an earlier version's rows still wait to be bound.
    var legacyPending: Bool?
}

extension Ledger {
    /// The person's personal data, opened with their key; nil when it does not open (or they are
    /// erased). Kept on the connection until the ledger changes; `key` is read only when it is not.
    func personalData(of row: PersonRow, db: any SQLSession, key readKey: () throws -> Data?) throws -> PersonalData? {
        let opened = try memos.memo(for: db, make: OpenedPeople.init)
        if let known = opened.data[row.id] { return known }
        var data: PersonalData?
        if let key = try readKey(), let sealed = row.sealed, let id = PersonID(parsing: row.id) {
            data = PersonalDataSeal(keyBytes: key, person: id).open(PersonalData.self, from: sealed)
        }
        if opened.data.count >= 50_000 { opened.data.removeAll(keepingCapacity: true) }
        opened.data[row.id] = .some(data)
        return data
    }
}
