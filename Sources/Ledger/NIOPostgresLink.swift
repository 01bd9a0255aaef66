import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// A postgres-nio connection as a `PostgresLink`: each call blocks its thread on the
/// connection's event loop with `.wait()`, so callers must never be on an event loop themselves
/// (NIO stops the process if they are).
final class NIOPostgresLink: PostgresLink {
    let connection: PostgresConnection
    private let logger: Logger
    private let counters: PostgresLinkCounters
    /// Statements prepared on this connection, by their text and arguments' kinds.
    private let prepared = Mutex<[String: PreparedQuery]>([:])

    init(connection: PostgresConnection, logger: Logger, counters: PostgresLinkCounters) {
        self.connection = connection
        self.logger = logger
        self.counters = counters
    }

    var isClosed: Bool { connection.isClosed }

    func close() {
        // postgres-nio asserts that a connection is closed before it is let go.
        try? connection.close().wait()
    }

    func run(_ sql: String, _ arguments: [SQLValue], as written: String, committing: Bool) throws -> PostgresOutcome {
        let connection = connection
        let logger = logger
        let query = PostgresQuery(unsafeSQL: sql, binds: try Self.bindings(arguments))
        let result = try wait(as: written, committing: committing) { connection.query(query, logger: logger) }
        return PostgresOutcome(rows: try result.rows.map { try Self.row($0, sql: written) },
                               command: result.metadata.command, rowCount: result.metadata.rows)
    }

    func runPrepared(_ sql: String, _ arguments: [SQLValue], as written: String) throws -> PostgresOutcome? {
        guard let signature = PreparedArguments.signature(of: arguments) else { return nil }
        let key = signature + ":" + sql
        var statement = prepared.withLock { $0[key] }
        if statement == nil {
            guard prepared.withLock({ $0.count }) < PostgresLinkCounters.preparedCapacity else { return nil }
            let connection = connection
            statement = try wait(as: written) { connection.prepare(query: sql) }
            prepared.withLock { $0[key] = statement }
            counters.addPrepared()
        }
        guard let statement else { return nil }
        let binds = arguments.map { value -> PostgresData in
            switch value {
            case .text(let text): PostgresData(string: text)
            case .blob(let bytes): PostgresData(bytes: [UInt8](bytes))
            default: PostgresData.null
            }
        }
        // A prepared statement's rows come back in text format, where text reads as in binary.
        let rows = try wait(as: written) { statement.execute(binds) }
        return PostgresOutcome(rows: try rows.map { try Self.row($0, sql: written) }, command: "SELECT", rowCount: rows.count)
    }

    /// Waits for what `send` starts on the connection, translating its errors.
    private func wait<T: Sendable>(as written: String, committing: Bool = false,
                                   _ send: @escaping @Sendable () -> EventLoopFuture<T>) throws -> T {
        let connection = connection
        counters.addRoundTrip()
        do {
            // On the connection's event loop, so that it cannot close between the check and the
            // write: postgres-nio 1.33.2 never answers a query written to a channel that has
            // already closed (seen after `pg_terminate_backend`: the call waited forever).
            return try connection.eventLoop.flatSubmit {
                guard !connection.isClosed else {
                    return connection.eventLoop.makeFailedFuture(DatabaseUnavailable("the server closed the connection"))
                }
                return send()
            }.wait()
        } catch {
            throw PostgresErrors.translate(error, statement: written, committing: committing)
        }
    }

    // MARK: - Values in

    /// Binds each argument with the type its kind has in PostgreSQL: integer as BIGINT, real as
    /// DOUBLE PRECISION, text as TEXT, blob as BYTEA (from `Data`: postgres-nio binds a
    /// `[UInt8]` as a "char" array), and NULL untyped, so that it fits any column.
    static func bindings(_ arguments: [SQLValue]) throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: arguments.count)
        for value in arguments {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let integer): bindings.append(integer)
            case .real(let real): bindings.append(real)
            case .text(let text): bindings.append(text)
            case .blob(let blob): try bindings.append(blob)
            }
        }
        return bindings
    }

    // MARK: - Values out

    static func row(_ row: PostgresRow, sql: String) throws -> SQLRow {
        var columns: [String] = []
        var values: [SQLValue] = []
        for cell in row {
            columns.append(cell.columnName)
            values.append(try value(cell, sql: sql))
        }
        return SQLRow(columns: columns, values: values)
    }

    /// A column's value by its PostgreSQL type, as `PostgresColumnKind` says.
    static func value(_ cell: PostgresCell, sql: String) throws -> SQLValue {
        guard let bytes = cell.bytes else { return .null }
        do {
            switch PostgresColumnKind(oid: cell.dataType.rawValue) {
            case .integer:
                return .integer(try cell.decode(Int64.self))
            case .real:
                return .real(try cell.decode(Double.self))
            case .numeric:
                return .real(NSDecimalNumber(decimal: try cell.decode(Decimal.self)).doubleValue)
            case .text:
                return .text(try cell.decode(String.self))
            case .bytes:
                return .blob(Data(bytes.readableBytesView))
            case .boolean:
                return .integer(try cell.decode(Bool.self) ? 1 : 0)
            case .void:
                return .null
            case nil:
                throw PostgresColumnKind.refusal(column: cell.columnName, typeName: cell.dataType.description.lowercased(), sql: sql)
            }
        } catch {
            throw PostgresErrors.translate(error, statement: sql)
        }
    }
}

/// Which `SQLValue` a column of each PostgreSQL type is read as: the integer types as integer,
/// the floating and numeric types as real, the character types as text, BYTEA as blob, BOOLEAN
/// as 0 or 1 (how the SQLite ledger stores a flag), and `void` (a function called for its
/// effect, such as `pg_advisory_xact_lock`) as NULL. Any other type is refused, naming the
/// column, rather than read as text: the statement should cast it to what it means.
enum PostgresColumnKind {
    case integer, real, numeric, text, bytes, boolean, void

    init?(oid: UInt32) {
        switch oid {
        case 20, 21, 23: self = .integer          // int8, int2, int4
        case 700, 701: self = .real               // float4, float8
        case 1700: self = .numeric
        case 25, 1043, 1042, 19: self = .text     // text, varchar, bpchar, name
        case 17: self = .bytes                    // bytea
        case 16: self = .boolean
        case 2278: self = .void
        default: return nil
        }
    }

    static func refusal(column: String, typeName: String, sql: String) -> PostgresStatementError {
        PostgresStatementError(
            sqlState: nil,
            message: "column \"\(column)\" is of type \(typeName), which is none of integer, real, text, blob; cast it in the statement",
            statement: sql)
    }
}
