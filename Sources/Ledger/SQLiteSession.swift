import Foundation
import GRDB

/// `SQLSession` on a GRDB connection inside a transaction: statements are compiled once per
/// connection (GRDB's statement cache), which is most of what a check costs.
struct SQLiteSession: SQLSession {
    let db: Database

    init(_ db: Database) { self.db = db }

    var dialect: SQLDialect { .sqlite }

    @discardableResult
    func execute(_ sql: String, _ arguments: SQLArguments) throws -> Int {
        try db.cachedStatement(sql: sql).execute(arguments: Self.bind(arguments))
        return db.changesCount
    }

    func fetchAll(_ sql: String, _ arguments: SQLArguments) throws -> [SQLRow] {
        var rows: [SQLRow] = []
        try forEachRow(sql, arguments) { rows.append($0) }
        return rows
    }

    func fetchOne(_ sql: String, _ arguments: SQLArguments) throws -> SQLRow? {
        let statement = try db.cachedStatement(sql: sql)
        let rows = try Row.fetchCursor(statement, arguments: Self.bind(arguments))
        return try rows.next() == nil ? nil : Self.currentRow(of: statement, columns: statement.columnNames)
    }

    func forEachRow(_ sql: String, _ arguments: SQLArguments, _ body: (SQLRow) throws -> Void) throws {
        let statement = try db.cachedStatement(sql: sql)
        let columns = statement.columnNames
        let rows = try Row.fetchCursor(statement, arguments: Self.bind(arguments))
        while try rows.next() != nil { try body(Self.currentRow(of: statement, columns: columns)) }
    }

    /// Through GRDB's initialiser for optional existentials: the one for a sequence of values
    /// maps them by a key path that the runtime built anew on every call (a tenth of a check).
    static func bind(_ arguments: SQLArguments) -> StatementArguments {
        StatementArguments(arguments.values.map { databaseValue($0) as (any DatabaseValueConvertible)? })
    }

    static func databaseValue(_ value: SQLValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .integer(let integer): integer.databaseValue
        case .real(let real): real.databaseValue
        case .text(let text): text.databaseValue
        case .blob(let blob): blob.databaseValue
        }
    }

    static func sqlValue(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case .int64(let integer): .integer(integer)
        case .double(let real): .real(real)
        case .string(let text): .text(text)
        case .blob(let blob): .blob(blob)
        }
    }

    /// The row the statement stands on, read from it column by column. A cursor's `Row` is a
    /// view of the statement, so this is the same row; read through `Row`'s generic subscript,
    /// or copied by `Row.fetchAll` first, it cost a run-time type lookup per value.
    private static func currentRow(of statement: Statement, columns: [String]) -> SQLRow {
        let sqlite = statement.sqliteStatement
        return SQLRow(columns: columns, values: (0..<CInt(columns.count)).map { sqlValue(DatabaseValue(sqliteStatement: sqlite, index: $0)) })
    }
}

/// Transactions on a ledger's SQLite file, each handing its statements an `SQLSession`.
struct SQLiteStore: LedgerStore {
    let database: any DatabaseWriter

    var dialect: SQLDialect { .sqlite }

    /// One read transaction that keeps the connection's prepared statements.
    ///
    /// On one connection, a plain deferred transaction rather than `DatabaseQueue.read`: that
    /// one toggles `PRAGMA query_only`, which expires every prepared statement, so each check
    /// would compile its queries again (measured: about 20 per single-asset check). A pool's
    /// readers are read-only connections of their own and keep their statements.
    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        if let pool = database as? DatabasePool {
            return try pool.read { db in try body(SQLiteSession(db)) }
        }
        return try database.writeWithoutTransaction { db in
            var result: Result<T, any Error>?
            try db.inTransaction(.deferred) {
                result = Result { try body(SQLiteSession(db)) }
                return .commit
            }
            guard let result else { throw LedgerError.corrupt("read transaction did not run") }
            return try result.get()
        }
    }

    /// Statements run one by one, each atomic on its own: for a single lookup asked on every
    /// request, where `read` would cost a transaction.
    func withoutTransaction<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try database.writeWithoutTransaction { db in try body(SQLiteSession(db)) }
    }

    /// One write transaction: everything `body` does commits together, or nothing does.
    @discardableResult
    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try database.write { db in try body(SQLiteSession(db)) }
    }
}
