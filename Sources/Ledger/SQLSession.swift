/// Which SQL a session speaks, where the two stores differ (types, upserts, byte-exact reads).
enum SQLDialect: String, Sendable {
    case sqlite
    case postgresql
}

/// Transactions on the database a ledger lives in, SQLite or PostgreSQL: each hands its
/// statements an `SQLSession` and commits when the body returns, or rolls back when it throws.
protocol LedgerStore: Sendable {
    var dialect: SQLDialect { get }
    /// One read-only transaction that sees one consistent state of the ledger.
    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T
    /// One write transaction: everything `body` does commits together, or nothing does.
    @discardableResult
    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T
    /// Statements run one by one, each atomic on its own: for a single lookup asked on every
    /// request, where `read` would cost a transaction.
    func withoutTransaction<T>(_ body: (any SQLSession) throws -> T) throws -> T
}

/// What the ledger needs of a database connection, inside a transaction its store opened:
/// statements written once with `?` placeholders, values as `SQLValue`s, rows as `SQLRow`s.
///
/// Synchronous on purpose: the ledger's callers (the command line and the server's handlers,
/// which run it off the event loop) are, and one transaction is one caller's at a time.
protocol SQLSession {
    var dialect: SQLDialect { get }

    /// Runs one statement; answers how many rows it inserted, updated or deleted.
    @discardableResult
    func execute(_ sql: String, _ arguments: SQLArguments) throws -> Int
    func fetchAll(_ sql: String, _ arguments: SQLArguments) throws -> [SQLRow]
    func fetchOne(_ sql: String, _ arguments: SQLArguments) throws -> SQLRow?
    /// Rows one at a time, for tables too large to hold at once (`verify`, `copy`).
    func forEachRow(_ sql: String, _ arguments: SQLArguments, _ body: (SQLRow) throws -> Void) throws
}

extension SQLSession {
    @discardableResult
    func execute(_ sql: String) throws -> Int { try execute(sql, []) }
    func fetchAll(_ sql: String) throws -> [SQLRow] { try fetchAll(sql, []) }
    func fetchOne(_ sql: String) throws -> SQLRow? { try fetchOne(sql, []) }

    /// The first column of the first row, when there is one and it is a `Value`.
    func fetchValue<Value: SQLValueConvertible>(_ type: Value.Type, _ sql: String, _ arguments: SQLArguments = []) throws -> Value? {
        try fetchOne(sql, arguments).flatMap { $0[0] as Value? }
    }

    /// The first column of every row that holds a `Value`.
    func fetchValues<Value: SQLValueConvertible>(_ type: Value.Type, _ sql: String, _ arguments: SQLArguments = []) throws -> [Value] {
        try fetchAll(sql, arguments).compactMap { $0[0] as Value? }
    }

    /// Runs an `INSERT … RETURNING id` (SQLite and PostgreSQL both have it) and answers the id.
    func insertReturningID(_ sql: String, _ arguments: SQLArguments) throws -> Int64 {
        guard let id = try fetchValue(Int64.self, sql, arguments) else {
            throw LedgerError.io("the database gave no id for the new row")
        }
        return id
    }
}
