import ClearanceCore
import PostgresNIO

/// The PostgreSQL server could not be reached, or the connection to it was lost: neither the
/// caller's input nor a damaged ledger, and worth retrying (the web service answers 503). The
/// store drops the connection, and its next call connects afresh.
///
/// A separate type rather than a `LedgerError` case while `LedgerError.swift` is being reworked
/// for issue 16; it is meant to become one (`unavailable`, not an input error).
public struct DatabaseUnavailable: ServiceUnavailable, Sendable, Equatable {
    public let reason: String
    /// True when the connection was lost while COMMIT was on its way: the transaction may or may
    /// not have been committed, and only reading the database again tells.
    public let outcomeUnknown: Bool

    public init(_ reason: String, outcomeUnknown: Bool = false) {
        self.reason = reason
        self.outcomeUnknown = outcomeUnknown
    }

    public var description: String {
        "the PostgreSQL database is unavailable: \(reason)"
            + (outcomeUnknown ? " (while committing: the change may or may not have been saved)" : "")
    }
}

/// A statement PostgreSQL refused, or one this session refused before sending it (several
/// statements in one string, an unclosed quote, a column of a type no `SQLValue` holds).
///
/// Carries the statement as written but never its arguments, which may be personal data; for
/// the same reason the server's DETAIL line (`Key (name)=(…) already exists`) is left out.
public struct PostgresStatementError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The SQLSTATE the server gave (`23505` for a unique violation, …); nil when refused here.
    public let sqlState: String?
    public let message: String
    public let statement: String

    public init(sqlState: String?, message: String, statement: String) {
        self.sqlState = sqlState
        self.message = message
        self.statement = statement
    }

    public var isUniqueViolation: Bool { sqlState == "23505" }

    public var description: String {
        "PostgreSQL statement failed: \(message)\(sqlState.map { " (SQLSTATE \($0))" } ?? ""): \(statement)"
    }
}

/// Turns postgres-nio's errors into the ledger's. `PSQLError`'s own description is deliberately
/// blank (it may carry bound values), so what is kept is picked out here: the SQLSTATE and the
/// server's message, or what went wrong with the connection.
enum PostgresErrors {
    static func translate(_ error: any Error, statement: String, committing: Bool = false) -> any Error {
        switch error {
        case is DatabaseUnavailable, is PostgresStatementError, is LedgerError:
            return error
        case let error as PSQLError:
            if error.code == .server, let sqlState = error.serverInfo?[.sqlState] {
                let message = error.serverInfo?[.message] ?? "no message"
                if isConnectionLoss(sqlState: sqlState) {
                    return DatabaseUnavailable("the server ended the connection: \(message) (SQLSTATE \(sqlState))",
                                               outcomeUnknown: committing)
                }
                return PostgresStatementError(sqlState: sqlState, message: message, statement: statement)
            }
            if let reason = connectionLoss(error) {
                return DatabaseUnavailable(reason, outcomeUnknown: committing)
            }
            return PostgresStatementError(sqlState: nil, message: "postgres-nio: \(error.code)", statement: statement)
        case let error as PostgresDecodingError:
            return PostgresStatementError(
                sqlState: nil,
                message: "column \"\(error.columnName)\" of type \(error.postgresType) could not be read (\(error.code))",
                statement: statement)
        default:
            return error
        }
    }

    /// Class 08 (connection exception), and the server shutting down or terminating the
    /// session (57P01 admin_shutdown, which `pg_terminate_backend` sends; 57P02; 57P03).
    static func isConnectionLoss(sqlState: String) -> Bool {
        sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState)
    }

    /// What happened to the connection, when the error is about the connection.
    static func connectionLoss(_ error: PSQLError) -> String? {
        switch error.code {
        case .serverClosedConnection: "the server closed the connection"
        case .clientClosedConnection: "the connection was closed"
        case .uncleanShutdown: "the connection ended uncleanly"
        case .connectionError: "the connection failed" + (error.underlying.map { ": \($0)" } ?? "")
        case .sslUnsupported: "the server does not offer TLS, which sslmode requires"
        case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest: "TLS could not be set up"
        default: nil
        }
    }
}
