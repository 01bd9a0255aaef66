import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// The reads `fetchTogether` sends, prepared once on each connection (a named statement).
///
/// Sent unnamed, each is parsed and planned again at every call, and planning a read of eight
/// tables at once cost the server more than running it (0.47 ms to bind, 0.26 ms to execute,
/// for an asset's reads, in the server's log). Prepared, PostgreSQL plans it once, a generic
/// plan (the store's connections set `plan_cache_mode = force_generic_plan`). Only statements
/// whose arguments are all text or bytes are prepared: the server infers each parameter's type
/// from the column it is compared with, and text and bytes go across as they are for either.
final class PostgresPreparedReads: Sendable {
    /// Statements kept per connection; past it, reads go unnamed as before. A check asks a few
    /// dozen shapes (how many people, names and consents an asset carries).
    static let capacity = 128

    private let prepared = Mutex<[ObjectIdentifier: [String: PreparedQuery]]>([:])

    /// Sends `sql` with `arguments` through a statement prepared on the session's connection,
    /// without waiting for its rows (preparing it, the first time, is waited for); nil when the
    /// statement is not one to prepare, or this connection has too many.
    func start(_ sql: String, _ arguments: SQLArguments, session: PostgresSession) throws -> PostgresAnswer<[PostgresRow]>? {
        var binds: [PostgresData] = []
        for value in arguments.values {
            switch value {
            case .text(let text):
                guard !text.utf8.contains(0) else { return nil }
                binds.append(PostgresData(string: text))
            case .blob(let bytes): binds.append(PostgresData(bytes: [UInt8](bytes)))
            default: return nil
            }
        }
        let connection = session.connection
        let key = ObjectIdentifier(connection)
        var statement = prepared.withLock { $0[key]?[sql] }
        if statement == nil {
            guard prepared.withLock({ ($0[key]?.count ?? 0) < Self.capacity }) else { return nil }
            let text = try PostgresStatement(sql)
            guard text.placeholderCount == binds.count else { return nil }
            statement = try session.onConnection(as: sql) { connection.prepare(query: text.sql) }
            prepared.withLock { $0[key, default: [:]][sql] = statement }
        }
        guard let statement else { return nil }
        let values = binds
        return session.start { statement.execute(values) }
    }

    /// How many statements are prepared, on all connections.
    var count: Int { prepared.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    /// Forgets what was prepared on a connection that is being let go (another may later have
    /// the same identity).
    func forget(_ connection: PostgresConnection) {
        _ = prepared.withLock { $0.removeValue(forKey: ObjectIdentifier(connection)) }
    }
}
