import Foundation
import Logging
import NIOCore
import PostgresNIO

/// `SQLSession` on one PostgreSQL connection, inside the transaction its `PostgresStore` opened.
///
/// Each call blocks its thread until the connection's event loop has the answer
/// (`PostgresAnswer`), as the ledger's synchronous callers need; they must therefore never be
/// on an event loop themselves (the process stops if they are).
final class PostgresSession: SQLSession {
    let connection: PostgresConnection
    let logger: Logger
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
    /// The person key folder's stamp (`PersonKeyFolder.stamp`) as `ConnectionMemos` first read
    /// it in this transaction: a `stat` for every memo asked for was 3% of a check.
    var personKeysStamp: String?

    /// The store's column types, for reading several tables in one round trip (`prefetching`).
    let columnTypes: PostgresColumnTypes?

    /// The store's statements prepared per connection, for what `fetchTogether` sends.
    let preparedReads: PostgresPreparedReads?

    let roundTrips: PostgresRoundTrips?

    /// A read-only transaction's BEGIN, not sent yet: it goes with the first statement, in the
    /// same task on the connection's event loop: each wake-up of that thread is a system call
    /// and a switch, and a check's four were 7% of its CPU time in a profile.
    private var unsentBegin: String?
    /// A read-only transaction's BEGIN, sent but not waited for: the first statement follows it
    /// on the connection, so the caller waits once for both, and `answer(to:as:)` then confirms it.
    private var unconfirmedBegin: (sql: String, answer: PostgresAnswer<PostgresQueryResult>)?
    /// How many statements this session has waited for and had answered.
    private(set) var answered = 0

    init(connection: PostgresConnection, logger: Logger, isReadOnlySnapshot: Bool = false, columnTypes: PostgresColumnTypes? = nil,
         preparedReads: PostgresPreparedReads? = nil, roundTrips: PostgresRoundTrips? = nil) {
        self.connection = connection
        self.logger = logger
        self.isReadOnlySnapshot = isReadOnlySnapshot
        self.columnTypes = columnTypes
        self.preparedReads = preparedReads
        self.roundTrips = roundTrips
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
        return try run(statement.sql, Self.bindings(arguments, for: statement, sql: sql), as: sql).metadata.rows ?? 0
    }

    func fetchAll(_ sql: String, _ arguments: SQLArguments) throws -> [SQLRow] {
        let statement = try PostgresStatement(sql)
        let result = try run(statement.sql, Self.bindings(arguments, for: statement, sql: sql), as: sql)
        return try result.rows.map { try Self.row($0, sql: sql) }
    }

    /// The first row. The server still sends every row (postgres-nio's queries have no row
    /// limit), so a statement that may match many wants a LIMIT.
    func fetchOne(_ sql: String, _ arguments: SQLArguments) throws -> SQLRow? {
        let statement = try PostgresStatement(sql)
        let result = try run(statement.sql, Self.bindings(arguments, for: statement, sql: sql), as: sql)
        return try result.rows.first.map { try Self.row($0, sql: sql) }
    }

    /// Streams a query through a cursor, `rowsPerFetch` rows a round trip, so a table of any size
    /// is never held at once; `body` may run other statements on this session between rows. A
    /// statement that is not a query (an UPDATE … RETURNING, say) cannot be a cursor's and is
    /// read whole.
    func forEachRow(_ sql: String, _ arguments: SQLArguments, _ body: (SQLRow) throws -> Void) throws {
        let statement = try PostgresStatement(sql)
        let bindings = try Self.bindings(arguments, for: statement, sql: sql)
        guard statement.isQuery else {
            for row in try run(statement.sql, bindings, as: sql).rows { try body(Self.row(row, sql: sql)) }
            return
        }
        cursors += 1
        let cursor = "clearance_rows_\(cursors)"
        _ = try run("DECLARE \(cursor) NO SCROLL CURSOR FOR \(statement.sql)", bindings, as: sql)
        do {
            while true {
                let batch = try run("FETCH FORWARD \(Self.rowsPerFetch) FROM \(cursor)", PostgresBindings(), as: sql).rows
                var count = 0
                for row in batch {
                    try body(Self.row(row, sql: sql))
                    count += 1
                }
                if count < Self.rowsPerFetch { break }
            }
        } catch {
            // Best effort: in a transaction the error has aborted, CLOSE fails too, and the
            // cursor goes with the transaction anyway.
            _ = try? run("CLOSE \(cursor)", PostgresBindings(), as: sql)
            throw error
        }
        _ = try run("CLOSE \(cursor)", PostgresBindings(), as: sql)
    }

    /// BEGIN, sent with the next statement and not waited for: `answer(to:as:)` confirms it
    /// once that statement, right behind it on the connection, is answered.
    func beginAhead(_ sql: String) {
        unsentBegin = sql
    }

    /// Sends a statement and returns at once. The connection runs it before anything sent
    /// after it; nothing waits for it here, so it is not counted in `roundTrips` until
    /// `answer(to:as:)` waits for it.
    func send(_ sql: String, _ bindings: PostgresBindings = PostgresBindings()) -> PostgresAnswer<PostgresQueryResult> {
        let connection = connection
        let logger = logger
        let query = PostgresQuery(unsafeSQL: sql, binds: bindings)
        return start { connection.query(query, logger: logger) }
    }

    /// Sends one statement and waits for all of its rows; `written` is the statement as the
    /// caller wrote it, for errors.
    func run(_ sql: String, _ bindings: PostgresBindings, as written: String, committing: Bool = false) throws -> PostgresQueryResult {
        try answer(to: send(sql, bindings), as: written, committing: committing)
    }

    /// Waits for what `send` starts on the connection, translating its errors.
    func onConnection<T: Sendable>(as written: String, committing: Bool = false,
                                   _ send: @escaping @Sendable () -> EventLoopFuture<T>) throws -> T {
        try answer(to: start(send), as: written, committing: committing)
    }

    /// Starts `send` on the connection's event loop without waiting: `answer(to:as:)` waits for
    /// it later. The connection answers in the order statements were sent. `send` runs on the
    /// loop, so whatever it chains onto its future (`map`) costs no hand-over between threads.
    func start<T: Sendable>(_ send: @escaping @Sendable () -> EventLoopFuture<T>) -> PostgresAnswer<T> {
        let connection = connection
        let answer = PostgresAnswer<T>()
        guard let begin = unsentBegin else {
            Self.submit(on: connection, failing: [answer.fail]) { answer.fill(from: send()) }
            return answer
        }
        unsentBegin = nil
        let logger = logger
        let begun = PostgresAnswer<PostgresQueryResult>()
        // Had BEGIN not gone (the connection closed first), the statement says why.
        Self.submit(on: connection, failing: [begun.fail, answer.fail]) {
            begun.fill(from: connection.query(PostgresQuery(unsafeSQL: begin), logger: logger))
            answer.fill(from: send())
        }
        unconfirmedBegin = (begin, begun)
        return answer
    }

    /// Waits for a statement `start` sent, translating its errors: one round trip, however
    /// long ago it was sent.
    func answer<T: Sendable>(to sent: PostgresAnswer<T>, as written: String, committing: Bool = false) throws -> T {
        roundTrips?.add()
        let answer: Result<T, any Error>
        do {
            answer = .success(try sent.wait())
        } catch {
            answer = .failure(error)
        }
        // The connection answers in order, so a BEGIN sent ahead has its answer by now. Had it
        // failed, this statement ran outside the transaction: its answer must not be used.
        if let begin = unconfirmedBegin {
            unconfirmedBegin = nil
            do {
                _ = try begin.answer.wait()
            } catch {
                throw PostgresErrors.translate(error, statement: begin.sql)
            }
        }
        do {
            let value = try answer.get()
            answered += 1
            return value
        } catch {
            throw PostgresErrors.translate(error, statement: written, committing: committing)
        }
    }

    /// Runs `send` on the connection's event loop, so that the connection cannot close between
    /// the check and the write: postgres-nio 1.33.2 never answers a query written to a channel
    /// that has already closed (seen after `pg_terminate_backend`: the call waited forever).
    /// A closed connection fills each of `failing` with why instead.
    private static func submit(on connection: PostgresConnection,
                               failing: [@Sendable (any Error) -> Void],
                               _ send: @escaping @Sendable () -> Void) {
        connection.eventLoop.execute {
            guard !connection.isClosed else {
                for fail in failing { fail(DatabaseUnavailable("the server closed the connection")) }
                return
            }
            send()
        }
    }

    // MARK: - Values in

    /// Binds each argument with the type its kind has in PostgreSQL: integer as BIGINT, real as
    /// DOUBLE PRECISION, text as TEXT, blob as BYTEA (from `Data`: postgres-nio binds a
    /// `[UInt8]` as a "char" array), and NULL untyped, so that it fits any column.
    static func bindings(_ arguments: SQLArguments, for statement: PostgresStatement, sql: String) throws -> PostgresBindings {
        guard arguments.values.count == statement.placeholderCount else {
            throw PostgresStatementError(
                sqlState: nil,
                message: "the statement has \(statement.placeholderCount) placeholder(s) but \(arguments.values.count) argument(s) were given",
                statement: sql)
        }
        var bindings = PostgresBindings(capacity: arguments.values.count)
        for (position, value) in arguments.values.enumerated() {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let integer): bindings.append(integer)
            case .real(let real): bindings.append(real)
            case .text(let text):
                // PostgreSQL's TEXT cannot hold U+0000 (SQLite's can); refused here with a
                // reason rather than by the server's "invalid byte sequence".
                guard !text.utf8.contains(0) else {
                    throw LedgerError.invalid("text argument \(position + 1) contains a NUL character (U+0000), which PostgreSQL cannot store in text")
                }
                bindings.append(text)
            case .blob(let blob): try bindings.append(blob)
            }
        }
        return bindings
    }

    // MARK: - Values out

    static func row(_ row: PostgresRow, sql: String) throws -> SQLRow {
        var columns: [String] = []
        var values: [SQLValue] = []
        columns.reserveCapacity(row.count)
        values.reserveCapacity(row.count)
        for cell in row {
            columns.append(cell.columnName)
            values.append(try value(cell, sql: sql))
        }
        return SQLRow(columns: columns, values: values)
    }

    /// A column's value by its PostgreSQL type: the integer types as integer, the floating and
    /// numeric types as real, the character types as text, BYTEA as blob, BOOLEAN as 0 or 1
    /// (how the SQLite ledger stores a flag), and `void` (a function called for its effect, such
    /// as `pg_advisory_xact_lock`) as NULL. Any other type is refused, naming the column, rather
    /// than read as text: the statement should cast it to what it means.
    static func value(_ cell: PostgresCell, sql: String) throws -> SQLValue {
        guard let bytes = cell.bytes else { return .null }
        do {
            switch cell.dataType {
            case .int2, .int4, .int8:
                return .integer(try cell.decode(Int64.self))
            case .float4, .float8:
                return .real(try cell.decode(Double.self))
            case .numeric:
                return .real(NSDecimalNumber(decimal: try cell.decode(Decimal.self)).doubleValue)
            case .text, .varchar, .bpchar, .name:
                // The bytes are the text in either format, as postgres-nio's own decoding reads
                // them; read directly, without its generic path, for every column fetched ahead.
                return .text(String(buffer: bytes))
            case .bytea:
                return .blob(Data(bytes.readableBytesView))
            case .bool:
                return .integer(try cell.decode(Bool.self) ? 1 : 0)
            case .void:
                return .null
            default:
                throw PostgresStatementError(
                    sqlState: nil,
                    message: "column \"\(cell.columnName)\" is of type \(cell.dataType.description.lowercased()), which is none of integer, real, text, blob; cast it in the statement",
                    statement: sql)
            }
        } catch {
            throw PostgresErrors.translate(error, statement: sql)
        }
    }
}
