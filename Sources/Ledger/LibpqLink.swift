import CLibPQ
import Foundation

/// A libpq connection as a `PostgresLink`. Each call sends its statement and waits on the
/// connection's socket in the calling thread: no other thread is woken on the way, which is
/// what a check's short read transactions spend their time on with postgres-nio (README,
/// "Several servers").
///
/// Unchecked Sendable: a libpq connection may be used from any thread but by one at a time,
/// and the store's pool hands it to one transaction at a time, under its lock.
final class LibpqLink: PostgresLink, @unchecked Sendable {
    private var connection: OpaquePointer?
    private let counters: PostgresLinkCounters
    /// Statements prepared on this connection: their names, by their text and arguments' kinds.
    private var prepared: [String: String] = [:]

    /// Connects, or throws `DatabaseUnavailable` with libpq's reason (which never holds the
    /// password). The store opens its first connection with postgres-nio, which tells a wrong
    /// login or database from an unreachable server; this one follows it.
    init(address: PostgresAddress, counters: PostgresLinkCounters) throws {
        self.counters = counters
        var settings: [(String, String)] = [
            ("host", address.host), ("port", String(address.port)), ("user", address.user),
            ("dbname", address.database), ("sslmode", address.tlsMode.rawValue),
            ("application_name", "clearance"), ("client_encoding", "UTF8"),
            // Rows come back as text: BYTEA as hex whatever the server's default, and every
            // float8 exactly (PostgreSQL 12 and later already do with any value above 0).
            ("options", "-c bytea_output=hex -c extra_float_digits=3"),
            ("connect_timeout", "10"),
        ]
        if let password = address.password { settings.append(("password", password)) }
        // libpq checks a server's certificate against ~/.postgresql/root.crt; postgres-nio, and
        // so the rest of the store, against the system's authorities.
        if address.tlsMode == .verifyFull, FileManager.default.fileExists(atPath: Self.systemAuthorities) {
            settings.append(("sslrootcert", Self.systemAuthorities))
        }
        let keywords = settings.map { strdup($0.0) }
        let values = settings.map { strdup($0.1) }
        defer { (keywords + values).forEach { free($0) } }
        let connection = (keywords.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { keywordList in
            (values.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { valueList in
                PQconnectdbParams(keywordList.baseAddress, valueList.baseAddress, 0)
            }
        }
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let reason = connection.map { Self.message(of: $0) } ?? "libpq could not allocate a connection"
            PQfinish(connection)
            throw DatabaseUnavailable("cannot connect to PostgreSQL at \(address.host):\(address.port): \(reason)")
        }
        clearance_pq_silence_notices(connection)
        self.connection = connection
    }

    static let systemAuthorities = "/etc/ssl/certs/ca-certificates.crt"

    deinit { close() }

    var isClosed: Bool {
        guard let connection else { return true }
        return PQstatus(connection) != CONNECTION_OK
    }

    func close() {
        PQfinish(connection)
        connection = nil
    }

    func run(_ sql: String, _ arguments: [SQLValue], as written: String, committing: Bool) throws -> PostgresOutcome {
        let connection = try open()
        counters.addRoundTrip()
        let result = Self.withParameters(arguments) { count, types, values, lengths, formats in
            PQexecParams(connection, sql, count, types, values, lengths, formats, 0)
        }
        return try outcome(of: result, as: written, committing: committing)
    }

    func runPrepared(_ sql: String, _ arguments: [SQLValue], as written: String) throws -> PostgresOutcome? {
        guard let signature = PreparedArguments.signature(of: arguments) else { return nil }
        let connection = try open()
        let key = signature + ":" + sql
        let name: String
        if let known = prepared[key] {
            name = known
        } else {
            guard prepared.count < PostgresLinkCounters.preparedCapacity else { return nil }
            name = "clearance_read_\(prepared.count + 1)"
            counters.addRoundTrip()
            let types = arguments.map { Self.parameterType(of: $0) }
            let result = types.withUnsafeBufferPointer { PQprepare(connection, name, sql, Int32(types.count), $0.baseAddress) }
            _ = try outcome(of: result, as: written, committing: false)
            prepared[key] = name
            counters.addPrepared()
        }
        counters.addRoundTrip()
        let result = Self.withParameters(arguments) { count, _, values, lengths, formats in
            PQexecPrepared(connection, name, count, values, lengths, formats, 0)
        }
        return try outcome(of: result, as: written, committing: false)
    }

    private func open() throws -> OpaquePointer {
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            throw DatabaseUnavailable("the connection to the server was lost")
        }
        return connection
    }

    // MARK: - Values in

    /// Each argument with the type its kind has in PostgreSQL, as postgres-nio binds them:
    /// integer as BIGINT, real as DOUBLE PRECISION (both in binary, exactly), text as TEXT,
    /// blob as BYTEA (binary, as it is), and NULL untyped, so that it fits any column.
    private static func withParameters<T>(
        _ arguments: [SQLValue],
        _ body: (Int32, UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> T
    ) -> T {
        var buffer: [UInt8] = []
        var offsets: [Int?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        for value in arguments {
            let start = buffer.count
            var binary: Int32 = 1
            switch value {
            case .null:
                offsets.append(nil)
                lengths.append(0)
                formats.append(0)
                continue
            case .integer(let integer):
                withUnsafeBytes(of: integer.bigEndian) { buffer.append(contentsOf: $0) }
            case .real(let real):
                withUnsafeBytes(of: real.bitPattern.bigEndian) { buffer.append(contentsOf: $0) }
            case .text(let text):
                // Text goes as text, ended by the NUL libpq looks for (the session has refused
                // text holding one).
                buffer.append(contentsOf: text.utf8)
                buffer.append(0)
                binary = 0
            case .blob(let bytes):
                buffer.append(contentsOf: bytes)
            }
            offsets.append(start)
            lengths.append(Int32(buffer.count - start - (binary == 0 ? 1 : 0)))
            formats.append(binary)
        }
        let types = arguments.map(parameterType(of:))
        // One byte more, so that an empty last value still has an address inside the buffer.
        buffer.append(0)
        return buffer.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!)
            let values: [UnsafePointer<CChar>?] = offsets.map { offset in
                offset.map { (base + $0).assumingMemoryBound(to: CChar.self) }
            }
            return types.withUnsafeBufferPointer { types in
                values.withUnsafeBufferPointer { values in
                    lengths.withUnsafeBufferPointer { lengths in
                        formats.withUnsafeBufferPointer { formats in
                            body(Int32(arguments.count), types.baseAddress, values.baseAddress, lengths.baseAddress, formats.baseAddress)
                        }
                    }
                }
            }
        }
    }

    /// int8, float8, text, bytea; 0 (unknown, for the server to infer) for NULL.
    private static func parameterType(of value: SQLValue) -> Oid {
        switch value {
        case .null: 0
        case .integer: 20
        case .real: 701
        case .text: 25
        case .blob: 17
        }
    }

    // MARK: - Values out

    /// The statement's rows, or its error as the ledger's: a lost connection as
    /// `DatabaseUnavailable`, anything the server refused as `PostgresStatementError`.
    private func outcome(of result: OpaquePointer?, as written: String, committing: Bool) throws -> PostgresOutcome {
        defer { PQclear(result) }
        let status = result.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        guard let result, status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            let sqlState = result.flatMap { PQresultErrorField($0, clearance_pq_diag_sqlstate()) }.map { String(cString: $0) }
            let message = result.flatMap { PQresultErrorField($0, clearance_pq_diag_message()) }.map { String(cString: $0) }
            let lost = connection.map { PQstatus($0) != CONNECTION_OK } ?? true
            if lost || sqlState.map(PostgresErrors.isConnectionLoss(sqlState:)) == true {
                let reason = message ?? connection.map { Self.message(of: $0) } ?? "the connection was closed"
                throw DatabaseUnavailable("the server ended the connection: \(reason)" + (sqlState.map { " (SQLSTATE \($0))" } ?? ""),
                                          outcomeUnknown: committing)
            }
            throw PostgresStatementError(sqlState: sqlState,
                                         message: message ?? connection.map { Self.message(of: $0) } ?? "no message",
                                         statement: written)
        }
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let names = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var kinds: [PostgresColumnKind] = []
        for column in 0..<columnCount {
            let oid = PQftype(result, Int32(column))
            guard let kind = PostgresColumnKind(oid: oid) else {
                throw PostgresColumnKind.refusal(column: names[column], typeName: Self.typeName(oid), sql: written)
            }
            kinds.append(kind)
        }
        var rows: [SQLRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            var values: [SQLValue] = []
            values.reserveCapacity(columnCount)
            for column in 0..<Int32(columnCount) {
                guard PQgetisnull(result, row, column) == 0 else {
                    values.append(.null)
                    continue
                }
                let text = UnsafeBufferPointer(start: UnsafeRawPointer(PQgetvalue(result, row, column)).assumingMemoryBound(to: UInt8.self),
                                               count: Int(PQgetlength(result, row, column)))
                guard let value = Self.value(text, kind: kinds[Int(column)]) else {
                    throw LedgerError.corrupt("column \(names[Int(column)]) of \(written) is not what its type says")
                }
                values.append(value)
            }
            rows.append(SQLRow(columns: names, values: values))
        }
        let tag = String(cString: PQcmdStatus(result))
        let counted = String(cString: PQcmdTuples(result))
        return PostgresOutcome(rows: rows, command: tag.split(separator: " ").first.map(String.init) ?? tag, rowCount: Int(counted))
    }

    /// A value in PostgreSQL's text form, read as its column's kind.
    private static func value(_ text: UnsafeBufferPointer<UInt8>, kind: PostgresColumnKind) -> SQLValue? {
        switch kind {
        case .integer: Int64(String(decoding: text, as: UTF8.self)).map { .integer($0) }
        case .real, .numeric: Double(String(decoding: text, as: UTF8.self)).map { .real($0) }
        case .text: .text(String(decoding: text, as: UTF8.self))
        case .bytes: PostgresHex.bytes(text).map { .blob($0) }
        case .boolean: text.count == 1 && (text[0] == UInt8(ascii: "t") || text[0] == UInt8(ascii: "f"))
            ? .integer(text[0] == UInt8(ascii: "t") ? 1 : 0) : nil
        case .void: .null
        }
    }

    /// Names for the types a statement most often returns uncast, for the refusal; others by number.
    private static func typeName(_ oid: Oid) -> String {
        switch oid {
        case 1082: "date"
        case 1083: "time"
        case 1114: "timestamp"
        case 1184: "timestamptz"
        case 1186: "interval"
        case 114: "json"
        case 3802: "jsonb"
        case 2950: "uuid"
        case 869: "inet"
        case 26: "oid"
        default: "oid \(oid)"
        }
    }

    private static func message(of connection: OpaquePointer) -> String {
        String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
