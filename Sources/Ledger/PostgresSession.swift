import Foundation

/// `SQLSession` on one PostgreSQL connection, inside the transaction its `PostgresStore` opened.
///
/// Each call blocks its thread until the server answers, as the ledger's synchronous callers
/// need; they must therefore never be on one of postgres-nio's event loops (NIO stops the
/// process if they are).
final class PostgresSession: SQLSession {
    let link: any PostgresLink
    /// Names the cursors `forEachRow` opens, unique within the transaction.
    private var cursors = 0

    /// Rows `forEachRow` fetches per round trip: enough to make the round trips cheap, few
    /// enough that a row of large blobs does not make a batch large.
    static let rowsPerFetch = 256

    /// True inside `PostgresStore.read`'s REPEATABLE READ, READ ONLY transaction: everything it
    /// reads is one snapshot, which `snapshotKey` names.
    let isReadOnlySnapshot: Bool
    /// Read by `snapshotKey`, or with the first rows `fetchTogether` reads.
    var snapshot: String?

    /// The store's column types, for reading several tables in one round trip (`prefetching`).
    let columnTypes: PostgresColumnTypes?

    init(link: any PostgresLink, isReadOnlySnapshot: Bool = false, columnTypes: PostgresColumnTypes? = nil) {
        self.link = link
        self.isReadOnlySnapshot = isReadOnlySnapshot
        self.columnTypes = columnTypes
    }

    /// The transaction's snapshot as `pg_current_snapshot()` gives it (xmin:xmax:in-progress
    /// list), read once: two read-only transactions with the same one see exactly the same
    /// committed rows, whichever server committed them. Nil outside a read-only snapshot, where
    /// the transaction's own writes would not show in it.
    func snapshotKey() throws -> String? {
        guard isReadOnlySnapshot else { return nil }
        if let snapshot { return snapshot }
        snapshot = try fetchValue(String.self, "SELECT pg_current_snapshot()::text")
        return snapshot
    }

    var dialect: SQLDialect { .postgresql }

    /// Answers the row count of the command tag (`UPDATE 1`, `INSERT 0 1`); 0 for a statement
    /// whose tag has none.
    @discardableResult
    func execute(_ sql: String, _ arguments: SQLArguments) throws -> Int {
        let statement = try PostgresStatement(sql)
        return try run(statement.sql, Self.checked(arguments, for: statement, sql: sql), as: sql).rowCount ?? 0
    }

    func fetchAll(_ sql: String, _ arguments: SQLArguments) throws -> [SQLRow] {
        let statement = try PostgresStatement(sql)
        return try run(statement.sql, Self.checked(arguments, for: statement, sql: sql), as: sql).rows
    }

    /// The first row. The server still sends every row (the statement has no row limit of its
    /// own), so a statement that may match many wants a LIMIT.
    func fetchOne(_ sql: String, _ arguments: SQLArguments) throws -> SQLRow? {
        try fetchAll(sql, arguments).first
    }

    /// The rows of `sql` through a statement prepared once on this connection, for reads asked
    /// again and again (`fetchTogether`); as `fetchAll` when the statement cannot be prepared.
    func fetchPrepared(_ sql: String, _ arguments: SQLArguments) throws -> [SQLRow] {
        let statement = try PostgresStatement(sql)
        let values = try Self.checked(arguments, for: statement, sql: sql)
        if let outcome = try link.runPrepared(statement.sql, values, as: sql) { return outcome.rows }
        return try run(statement.sql, values, as: sql).rows
    }

    /// Streams a query through a cursor, `rowsPerFetch` rows a round trip, so a table of any size
    /// is never held at once; `body` may run other statements on this session between rows. A
    /// statement that is not a query (an UPDATE … RETURNING, say) cannot be a cursor's and is
    /// read whole.
    func forEachRow(_ sql: String, _ arguments: SQLArguments, _ body: (SQLRow) throws -> Void) throws {
        let statement = try PostgresStatement(sql)
        let values = try Self.checked(arguments, for: statement, sql: sql)
        guard statement.isQuery else {
            for row in try run(statement.sql, values, as: sql).rows { try body(row) }
            return
        }
        cursors += 1
        let cursor = "clearance_rows_\(cursors)"
        _ = try run("DECLARE \(cursor) NO SCROLL CURSOR FOR \(statement.sql)", values, as: sql)
        do {
            while true {
                let batch = try run("FETCH FORWARD \(Self.rowsPerFetch) FROM \(cursor)", [], as: sql).rows
                for row in batch { try body(row) }
                if batch.count < Self.rowsPerFetch { break }
            }
        } catch {
            // Best effort: in a transaction the error has aborted, CLOSE fails too, and the
            // cursor goes with the transaction anyway.
            _ = try? run("CLOSE \(cursor)", [], as: sql)
            throw error
        }
        _ = try run("CLOSE \(cursor)", [], as: sql)
    }

    /// Sends one statement and waits for all of its rows; `written` is the statement as the
    /// caller wrote it, for errors.
    func run(_ sql: String, _ arguments: [SQLValue], as written: String, committing: Bool = false) throws -> PostgresOutcome {
        try link.run(sql, arguments, as: written, committing: committing)
    }

    // MARK: - Values in

    /// The arguments, once they are known to fit the statement: as many as its placeholders,
    /// and no text holding NUL, which PostgreSQL's TEXT cannot store (SQLite's can); refused
    /// here with a reason rather than by the server's "invalid byte sequence".
    static func checked(_ arguments: SQLArguments, for statement: PostgresStatement, sql: String) throws -> [SQLValue] {
        guard arguments.values.count == statement.placeholderCount else {
            throw PostgresStatementError(
                sqlState: nil,
                message: "the statement has \(statement.placeholderCount) placeholder(s) but \(arguments.values.count) argument(s) were given",
                statement: sql)
        }
        for (position, value) in arguments.values.enumerated() {
            if case .text(let text) = value, text.utf8.contains(0) {
                throw LedgerError.invalid("text argument \(position + 1) contains a NUL character (U+0000), which PostgreSQL cannot store in text")
            }
        }
        return arguments.values
    }
}
