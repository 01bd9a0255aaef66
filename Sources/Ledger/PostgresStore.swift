import Dispatch
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// A ledger database on a PostgreSQL server: transactions for the ledger's synchronous code,
/// each on a connection of its own.
///
/// Connections are pooled, simply: up to `maximumConnections` at once (a caller beyond that
/// waits for one to be returned), idle ones kept for the next transaction. A transaction owns its
/// connection from BEGIN to COMMIT, so nothing is shared while in use and the lock only guards
/// the idle list. Do not open a transaction from inside another on the same store: with every
/// connection taken, the inner one would wait for the outer one forever.
///
/// Losing the server surfaces as `DatabaseUnavailable`; the connection it happened on is
/// dropped, and the next transaction connects afresh. An idle connection found dead before
/// anything was answered on it (the server restarted in between, say) is replaced at once.
///
/// The calls block their thread on postgres-nio's event loops (`.wait()`), so they must not be
/// made on one of those loops, nor from Swift concurrency's cooperative threads.
public final class PostgresStore: Sendable {
    public let address: PostgresAddress
    public let maximumConnections: Int

    private let configuration: PostgresConnection.Configuration
    private let eventLoops: any EventLoopGroup
    private let logger: Logger
    /// The tables' column types, read once, for the reads a check fetches together.
    let columnTypes = PostgresColumnTypes()
    let preparedReads = PostgresPreparedReads()
    let roundTrips = PostgresRoundTrips()
    private let idle = NIOLockedValueBox(Idle())
    /// One permit per connection that may be open at once.
    private let permits: DispatchSemaphore

    private struct Idle {
        var connections: [PostgresConnection] = []
        var closed = false
        var lastID = 0
    }

    /// Connects once straight away, so that a wrong address, login or database is reported
    /// when the store is opened rather than at its first use.
    public convenience init(address: PostgresAddress, maximumConnections: Int = 4) throws {
        try self.init(address: address, maximumConnections: maximumConnections, eventLoops: MultiThreadedEventLoopGroup.singleton)
    }

    /// `eventLoops`: where the connections run; the tests give a group of their own to count
    /// what a transaction asks of its loop.
    init(address: PostgresAddress, maximumConnections: Int = 4, eventLoops: any EventLoopGroup) throws {
        precondition(maximumConnections >= 1, "a store needs at least one connection")
        self.address = address
        self.maximumConnections = maximumConnections
        self.permits = DispatchSemaphore(value: maximumConnections)
        self.eventLoops = eventLoops
        var logger = Logger(label: "clearance.postgres")
        // postgres-nio's own log lines would go to standard output, which is the command line's
        // data; everything worth knowing reaches the caller as a thrown error instead.
        logger.logLevel = .critical
        self.logger = logger

        var configuration = PostgresConnection.Configuration(
            host: address.host, port: address.port, username: address.user, password: address.password,
            database: address.database, tls: try Self.tls(address.tlsMode))
        configuration.options.additionalStartupParameters = [("application_name", "clearance")]
        self.configuration = configuration

        permits.wait()
        defer { permits.signal() }
        let first = try connect()
        idle.withLockedValue { $0.connections.append(first) }
    }

    deinit {
        close()
    }

    /// One READ COMMITTED transaction: BEGIN, `body`, COMMIT; ROLLBACK when `body` throws.
    /// Appends take their lock (`pg_advisory_xact_lock`) as a statement of their own and read the
    /// chain's head after it, which READ COMMITTED makes see every earlier append.
    @discardableResult
    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE", body)
    }

    /// One REPEATABLE READ, READ ONLY transaction: every statement in `body` sees the same
    /// snapshot, whatever commits meanwhile.
    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", body)
    }

    /// Runs one statement outside any transaction, for what PostgreSQL refuses inside one
    /// (CREATE DATABASE, DROP DATABASE, VACUUM); such statements take no arguments.
    func executeOutsideTransaction(_ sql: String) throws {
        let statement = try PostgresStatement(sql)
        let bindings = try PostgresSession.bindings([], for: statement, sql: sql)
        let (connection, _) = try acquire()
        var reusable = false
        defer { release(connection, reusable: reusable) }
        do {
            _ = try PostgresSession(connection: connection, logger: logger).run(statement.sql, bindings, as: sql)
            reusable = true
        } catch {
            reusable = !(error is DatabaseUnavailable)
            throw error
        }
    }

    /// Closes the idle connections and refuses new transactions; one in progress finishes and
    /// its connection is closed when it ends.
    public func close() {
        let connections = idle.withLockedValue { idle in
            idle.closed = true
            defer { idle.connections = [] }
            return idle.connections
        }
        for connection in connections {
            preparedReads.forget(connection)
            try? connection.close().wait()
        }
    }

    // MARK: - Transactions

    /// A read-only transaction does not wait for its BEGIN or its COMMIT: BEGIN goes out just
    /// ahead of the first statement and is confirmed with its answer, and COMMIT goes out as the
    /// connection returns to the pool (the next transaction on it queues behind). Nothing is
    /// lost if that COMMIT fails, as nothing was written; each wait saved is a hand-over between
    /// threads that a check would otherwise pay for.
    private func transaction<T>(begin: String, _ body: (any SQLSession) throws -> T) throws -> T {
        var (connection, pooled) = try acquire()
        var reusable = false
        defer { release(connection, reusable: reusable) }

        let readOnly = begin.contains("READ ONLY")
        while true {
            let session = PostgresSession(connection: connection, logger: logger, isReadOnlySnapshot: readOnly, columnTypes: columnTypes,
                                          preparedReads: preparedReads, roundTrips: roundTrips)
            let value: T
            do {
                if readOnly {
                    session.beginAhead(begin)
                } else {
                    _ = try session.run(begin, PostgresBindings(), as: begin)
                }
                value = try body(session)
            } catch is DatabaseUnavailable where pooled && session.answered == 0 {
                // The idle connection went away (the server restarted in between, say) before
                // anything was answered on it, so another connection is as good: the read runs
                // again there, and a write's body has not started.
                preparedReads.forget(connection)
                try? connection.close().wait()
                connection = try connect()
                pooled = false
                continue
            } catch {
                if !(error is DatabaseUnavailable) {
                    do {
                        _ = try session.run("ROLLBACK", PostgresBindings(), as: "ROLLBACK")
                        reusable = true
                    } catch {
                        // The connection failed too; it is dropped (`reusable` stays false).
                    }
                }
                throw error
            }

            if readOnly {
                _ = session.send("COMMIT")
                reusable = true
                return value
            }
            let commit = try session.run("COMMIT", PostgresBindings(), as: "COMMIT", committing: true)
            reusable = true
            // A statement that failed inside the transaction aborts it in PostgreSQL (unlike
            // SQLite), even when `body` caught the error and went on; COMMIT then rolls back and
            // says so only in its command tag. Silently losing the writes is not an option.
            guard commit.metadata.command == "COMMIT" else {
                throw PostgresStatementError(
                    sqlState: "25P02",
                    message: "the transaction was rolled back, not committed: a statement in it failed, and in PostgreSQL that ends the transaction even when the error was caught",
                    statement: "COMMIT")
            }
            return value
        }
    }

    /// A connection for one transaction: an idle one if there is one, else a new one.
    private func acquire() throws -> (PostgresConnection, pooled: Bool) {
        permits.wait()
        while true {
            let taken: PostgresConnection?
            do {
                taken = try idle.withLockedValue { idle in
                    guard !idle.closed else { throw DatabaseUnavailable("the store has been closed") }
                    return idle.connections.popLast()
                }
            } catch {
                permits.signal()
                throw error
            }
            guard let connection = taken else { break }
            if !connection.isClosed { return (connection, true) }
            preparedReads.forget(connection)
            try? connection.close().wait()
        }
        do {
            return (try connect(), false)
        } catch {
            permits.signal()
            throw error
        }
    }

    private func release(_ connection: PostgresConnection, reusable: Bool) {
        let kept = idle.withLockedValue { idle in
            guard reusable, !idle.closed, !connection.isClosed else { return false }
            idle.connections.append(connection)
            return true
        }
        // postgres-nio asserts that a connection is closed before it is let go.
        if !kept {
            preparedReads.forget(connection)
            try? connection.close().wait()
        }
        permits.signal()
    }

    private func connect() throws -> PostgresConnection {
        let id = idle.withLockedValue { idle in
            idle.lastID += 1
            return idle.lastID
        }
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(on: eventLoops.next(), configuration: configuration, id: id, logger: logger).wait()
        } catch {
            throw connectionRefusal(error)
        }
        do {
            _ = try PostgresSession(connection: connection, logger: logger).run(Self.planCacheMode, PostgresBindings(), as: Self.planCacheMode)
        } catch {
            try? connection.close().wait()
            throw error
        }
        return connection
    }

    /// Generic plans for the statements prepared on a connection (only `PostgresPreparedReads`
    /// prepares; everything else goes unnamed and is planned at each call anyway). The default
    /// plans each shape of fetch-ahead read anew the first five times, a few milliseconds each
    /// for the larger ones, and the dozens of shapes a check asks made that the slowest checks'
    /// time. A statement once per connection, not a start-up parameter, which a connection
    /// pooler in between may refuse.
    static let planCacheMode = "SET plan_cache_mode = force_generic_plan"

    /// Why connecting failed: a login or database the server does not know is the address's
    /// fault (an input error); anything else means the server cannot be reached now.
    private func connectionRefusal(_ error: any Error) -> any Error {
        let server = "\(address.host):\(address.port)"
        if let error = error as? PSQLError, error.code == .server, let sqlState = error.serverInfo?[.sqlState] {
            let message = error.serverInfo?[.message] ?? "no message"
            switch sqlState {
            case "28P01", "28000":
                return LedgerError.invalid("PostgreSQL at \(server) refused the login of \(address.user): \(message)")
            case "3D000":
                return LedgerError.invalid("PostgreSQL at \(server) has no database \(address.database): \(message)")
            default:
                return DatabaseUnavailable("cannot connect to PostgreSQL at \(server): \(message) (SQLSTATE \(sqlState))")
            }
        }
        if let error = error as? PSQLError {
            switch error.code {
            case .authMechanismRequiresPassword:
                return LedgerError.invalid("PostgreSQL at \(server) asks for a password and the address gives none")
            case .sslUnsupported:
                return LedgerError.invalid("PostgreSQL at \(server) does not offer TLS, which sslmode=\(address.tlsMode.rawValue) asks for")
            case .unsupportedAuthMechanism, .saslError:
                return LedgerError.invalid("PostgreSQL at \(server) asks for a login method Clearance cannot use (\(error.code))")
            default:
                let reason = PostgresErrors.connectionLoss(error) ?? "\(error.code)"
                return DatabaseUnavailable("cannot connect to PostgreSQL at \(server): \(reason)")
            }
        }
        return DatabaseUnavailable("cannot connect to PostgreSQL at \(server): \(error)")
    }

    /// libpq's meaning of each `sslmode`: `prefer` and `require` encrypt without checking the
    /// certificate, `verify-full` checks it and the host name.
    private static func tls(_ mode: PostgresAddress.TLSMode) throws -> PostgresConnection.Configuration.TLS {
        switch mode {
        case .disable:
            return .disable
        case .prefer, .require:
            var unverified = TLSConfiguration.makeClientConfiguration()
            unverified.certificateVerification = .none
            let context = try NIOSSLContext(configuration: unverified)
            return mode == .prefer ? .prefer(context) : .require(context)
        case .verifyFull:
            return .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }
}

/// How many times a store's sessions have waited on the server: each statement, prepared
/// statement and a write's BEGIN or COMMIT is one wait (a read's BEGIN and COMMIT are sent
/// without one, `PostgresStore.transaction`). For the bench and the tests that hold a
/// check to its few round trips.
final class PostgresRoundTrips: Sendable {
    private let count = Atomic<Int>(0)
    private let sentAhead = Atomic<Int>(0)

    func add() { count.add(1, ordering: .relaxed) }

    /// A statement sent before its answers were needed (`LedgerSnapshot.sendAhead`), counted
    /// when they are used; its wait is counted as any other's.
    func addSentAhead() { sentAhead.add(1, ordering: .relaxed) }

    var total: Int { count.load(ordering: .relaxed) }

    var totalSentAhead: Int { sentAhead.load(ordering: .relaxed) }
}
