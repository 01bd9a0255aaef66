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
final class ConnectionMemos: Sendable {
    struct State: Equatable {
        let dataVersion: Int64
        let totalChanges: Int
    }

    /// Unchecked: `memo` is only read or changed inside a transaction on `connection`, and GRDB
    /// runs one statement at a time on a connection.
    private final class Entry: @unchecked Sendable {
        /// Weak, so that a connection closed and another opened at the same address never
        /// inherits the old one's memo.
        weak var connection: Database?
        let state: State
        let memo: AnyObject

        init(connection: Database, state: State, memo: AnyObject) {
            self.connection = connection
            self.state = state
            self.memo = memo
        }
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    static func state(of db: Database) throws -> State {
        let version = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
        return State(dataVersion: version, totalChanges: db.totalChangesCount)
    }

    /// The memo kept for `db` if the ledger is unchanged since it was made, else a new one from
    /// `make`. Call inside a transaction on `db`.
    func memo<Memo: AnyObject>(for db: Database, make: () -> Memo) throws -> Memo {
        let state = try Self.state(of: db)
        let key = ObjectIdentifier(db)
        let kept = entries.withLock { $0[key] }
        if let kept, kept.connection === db, kept.state == state, let memo = kept.memo as? Memo {
            return memo
        }
        let memo = make()
        let entry = Entry(connection: db, state: state, memo: memo)
        entries.withLock { entries in
            entries = entries.filter { $0.value.connection != nil }
            entries[key] = entry
        }
        return memo
    }
}
