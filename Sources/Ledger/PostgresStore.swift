import Dispatch
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// A ledger database on a PostgreSQL server: transactions for the ledger's synchronous code,
/// each on a connection of its own.
///
/// Writes go through postgres-nio; read transactions through `reads`, libpq unless asked
/// otherwise, which answers a check's short reads sooner (README, "Several servers").
///
/// Connections are pooled, simply: up to `maximumConnections` open at once, of both clients
/// together (a caller beyond that waits for one to be returned), idle ones kept for the next
/// transaction. A transaction owns its connection from BEGIN to COMMIT, so nothing is shared
/// while in use and the lock only guards the idle lists. Do not open a transaction from inside
/// another on the same store: with every connection taken, the inner one would wait for the
/// outer one forever.
///
/// Losing the server surfaces as `DatabaseUnavailable`; the connection it happened on is
/// dropped, and the next transaction connects afresh. An idle connection found dead at BEGIN
/// (the server restarted in between, say) is replaced at once, since nothing was sent on it yet.
///
/// The calls block their thread until the server answers, so they must not be made on one of
/// postgres-nio's event loops, nor from Swift concurrency's cooperative threads.
public final class PostgresStore: Sendable {
    public let address: PostgresAddress
    public let maximumConnections: Int
    /// The client read transactions go through.
    public let reads: PostgresClient

    private let configuration: PostgresConnection.Configuration
    private let eventLoops: any EventLoopGroup
    private let logger: Logger
    /// The tables' column types, read once, for the reads a check fetches together.
    let columnTypes = PostgresColumnTypes()
    let counters = PostgresLinkCounters()
    private let idle = NIOLockedValueBox(Idle())
    /// One permit per connection that may be in use at once.
    private let permits: DispatchSemaphore

    private struct Idle {
        var links: [PostgresClient: [any PostgresLink]] = [:]
        /// Connections open and in a transaction.
        var inUse = 0
        var closed = false
        var lastID = 0

        var count: Int { links.values.reduce(0) { $0 + $1.count } }
    }

    /// Connects once straight away, so that a wrong address, login or database is reported
    /// when the store is opened rather than at its first use.
    public init(address: PostgresAddress, maximumConnections: Int = 4, reads: PostgresClient = .libpq) throws {
        precondition(maximumConnections >= 1, "a store needs at least one connection")
        self.address = address
        self.maximumConnections = maximumConnections
        self.reads = reads
        self.permits = DispatchSemaphore(value: maximumConnections)
        self.eventLoops = MultiThreadedEventLoopGroup.singleton
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
        let first = try connect(.postgresNIO)
        idle.withLockedValue { $0.links[.postgresNIO, default: []].append(first) }
    }

    deinit {
        close()
    }

    /// One READ COMMITTED transaction: BEGIN, `body`, COMMIT; ROLLBACK when `body` throws.
    /// Appends take their lock (`pg_advisory_xact_lock`) as a statement of their own and read the
    /// chain's head after it, which READ COMMITTED makes see every earlier append.
    @discardableResult
    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(.postgresNIO, begin: "BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE", body)
    }

    /// One REPEATABLE READ, READ ONLY transaction: every statement in `body` sees the same
    /// snapshot, whatever commits meanwhile.
    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(reads, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", body)
    }

    /// Runs one statement outside any transaction, for what PostgreSQL refuses inside one
    /// (CREATE DATABASE, DROP DATABASE, VACUUM); such statements take no arguments.
    func executeOutsideTransaction(_ sql: String) throws {
        let statement = try PostgresStatement(sql)
        let (link, _) = try acquire(.postgresNIO)
        var reusable = false
        defer { release(link, as: .postgresNIO, reusable: reusable) }
        do {
            _ = try link.run(statement.sql, [], as: sql, committing: false)
            reusable = true
        } catch {
            reusable = !(error is DatabaseUnavailable)
            throw error
        }
    }

    /// Closes the idle connections and refuses new transactions; one in progress finishes and
    /// its connection is closed when it ends.
    public func close() {
        let links = idle.withLockedValue { idle in
            idle.closed = true
            defer { idle.links = [:] }
            return idle.links.values.flatMap { $0 }
        }
        for link in links { link.close() }
    }

    /// How many times this store's connections have waited on the server.
    var roundTrips: Int { counters.roundTrips }

    // MARK: - Transactions

    private func transaction<T>(_ client: PostgresClient, begin: String, _ body: (any SQLSession) throws -> T) throws -> T {
        let acquired = try acquire(client)
        var link = acquired.link
        var reusable = false
        defer { release(link, as: client, reusable: reusable) }

        let readOnly = begin.contains("READ ONLY")
        var session = PostgresSession(link: link, isReadOnlySnapshot: readOnly, columnTypes: columnTypes)
        do {
            _ = try session.run(begin, [], as: begin)
        } catch is DatabaseUnavailable where acquired.pooled {
            // Went away while idle: nothing was done on it, so another connection is as good.
            link.close()
            link = try connect(client)
            session = PostgresSession(link: link, isReadOnlySnapshot: readOnly, columnTypes: columnTypes)
            _ = try session.run(begin, [], as: begin)
        }

        let value: T
        do {
            value = try body(session)
        } catch {
            if !(error is DatabaseUnavailable) {
                do {
                    _ = try session.run("ROLLBACK", [], as: "ROLLBACK")
                    reusable = true
                } catch {
                    // The connection failed too; it is dropped (`reusable` stays false).
                }
            }
            throw error
        }

        let commit = try session.run("COMMIT", [], as: "COMMIT", committing: true)
        reusable = true
        // A statement that failed inside the transaction aborts it in PostgreSQL (unlike
        // SQLite), even when `body` caught the error and went on; COMMIT then rolls back and
        // says so only in its command tag. Silently losing the writes is not an option.
        guard commit.command == "COMMIT" else {
            throw PostgresStatementError(
                sqlState: "25P02",
                message: "the transaction was rolled back, not committed: a statement in it failed, and in PostgreSQL that ends the transaction even when the error was caught",
                statement: "COMMIT")
        }
        return value
    }

    /// A connection of `client` for one transaction: an idle one if there is one, else a new
    /// one, after closing an idle one of the other client when that many are open.
    private func acquire(_ client: PostgresClient) throws -> (link: any PostgresLink, pooled: Bool) {
        permits.wait()
        while true {
            let taken: (link: (any PostgresLink)?, surplus: (any PostgresLink)?)
            do {
                taken = try idle.withLockedValue { idle in
                    guard !idle.closed else { throw DatabaseUnavailable("the store has been closed") }
                    idle.inUse += 1
                    if let link = idle.links[client]?.popLast() { return (link, nil) }
                    // A permit is ours, so fewer than the maximum are in use; of the idle ones,
                    // the other client's make way for the new connection.
                    guard idle.inUse + idle.count > maximumConnections else { return (nil, nil) }
                    let other = idle.links.first { $0.key != client && !$0.value.isEmpty }?.key
                    return (nil, other.flatMap { idle.links[$0]?.popLast() })
                }
            } catch {
                permits.signal()
                throw error
            }
            taken.surplus?.close()
            guard let link = taken.link else { break }
            if !link.isClosed { return (link, true) }
            link.close()
            idle.withLockedValue { $0.inUse -= 1 }
        }
        do {
            return (try connect(client), false)
        } catch {
            idle.withLockedValue { $0.inUse -= 1 }
            permits.signal()
            throw error
        }
    }

    private func release(_ link: any PostgresLink, as client: PostgresClient, reusable: Bool) {
        let kept = idle.withLockedValue { idle in
            idle.inUse -= 1
            guard reusable, !idle.closed, !link.isClosed else { return false }
            idle.links[client, default: []].append(link)
            return true
        }
        if !kept { link.close() }
        permits.signal()
    }

    private func connect(_ client: PostgresClient) throws -> any PostgresLink {
        switch client {
        case .libpq:
            return try LibpqLink(address: address, counters: counters)
        case .postgresNIO:
            let id = idle.withLockedValue { idle in
                idle.lastID += 1
                return idle.lastID
            }
            do {
                let connection = try PostgresConnection.connect(on: eventLoops.next(), configuration: configuration, id: id, logger: logger).wait()
                return NIOPostgresLink(connection: connection, logger: logger, counters: counters)
            } catch {
                throw connectionRefusal(error)
            }
        }
    }

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
