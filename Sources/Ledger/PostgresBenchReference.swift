import Foundation
import Synchronization

/// What the PostgreSQL benchmark needs of the store: scratch databases, and its reference of
/// plain single-row INSERTs committed one by one from several connections at once.
public enum PostgresBenchReference {
    /// Creates an empty database on the server `server` names, runs `body` with its address
    /// and drops it afterwards, whatever `body` did.
    public static func withScratchDatabase<T>(server: String, _ body: (PostgresAddress) throws -> T) throws -> T {
        let base = try PostgresAddress(parsing: server)
        let name = "clearance_bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try PostgresStore(address: base, maximumConnections: 1)
        defer { admin.close() }
        try admin.executeOutsideTransaction("CREATE DATABASE \(name)")
        defer { try? admin.executeOutsideTransaction("DROP DATABASE \(name) WITH (FORCE)") }
        return try body(base.naming(database: name))
    }

    /// `writers` connections each inserting rows of `payloadBytes` random bytes, one transaction
    /// a row, for about `seconds`; answers the rows inserted and the rate of all together.
    public static func rowsPerSecond(address: PostgresAddress, writers: Int, payloadBytes: Int,
                                     seconds: Double) throws -> (rows: Int, perSecond: Double) {
        let setup = try PostgresStore(address: address, maximumConnections: 1)
        defer { setup.close() }
        try setup.write { db in
            try db.execute("CREATE TABLE plain_rows (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, created_at BIGINT NOT NULL, payload BYTEA NOT NULL)")
        }
        let payload = Data((0..<payloadBytes).map { _ in UInt8.random(in: 0...255) })
        let stores = try (0..<writers).map { _ in try PostgresStore(address: address, maximumConnections: 1) }
        defer { stores.forEach { $0.close() } }
        let counts = Mutex([Int](repeating: 0, count: writers))
        let failure = Mutex<(any Error)?>(nil)
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            var rows = 0
            do {
                while Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < seconds {
                    try stores[writer].write { db in
                        try db.execute("INSERT INTO plain_rows (created_at, payload) VALUES (?, ?)", [rows, payload])
                    }
                    rows += 1
                }
            } catch {
                failure.withLock { $0 = error }
            }
            counts.withLock { $0[writer] = rows }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let rows = counts.withLock { $0.reduce(0, +) }
        return (rows, Double(rows) / elapsed)
    }

    /// Milliseconds for a read transaction that waits `waits` times on statements that do
    /// nothing (`SELECT 1`) through the ledger's own store, BEGIN and COMMIT sent as a check's
    /// are: what the waits alone cost, from the same client, beside a check that made as many.
    public static func emptyReadLatency(waits: Int, in ledger: Ledger) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try ledger.store.read { db in
            for _ in 0..<waits { _ = try db.fetchOne("SELECT 1", []) }
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    /// The server's `shared_buffers`, and the blocks it has read for this database from outside
    /// them (the page cache or the disk) since its statistics began (`pg_stat_database`): a
    /// check that waits on the disk shows there, not in the client's CPU.
    public static func serverReads(in ledger: Ledger) throws -> (sharedBuffers: String, blocksRead: Int64) {
        try ledger.store.read { db in
            (try db.fetchValue(String.self, "SHOW shared_buffers", []) ?? "?",
             try db.fetchValue(Int64.self, "SELECT blks_read FROM pg_stat_database WHERE datname = current_database()", []) ?? 0)
        }
    }

    /// Plain reads of the rows a check of each asset relies on, as `PlainReadReference` does on
    /// SQLite: milliseconds per asset, each in a read transaction of its own.
    public static func readLatencies(of hashes: [String], in ledger: Ledger) throws -> [Double] {
        try hashes.map { sha256 in
            let start = DispatchTime.now().uptimeNanoseconds
            try ledger.store.read { db in
                _ = try db.fetchOne("SELECT * FROM assets WHERE sha256 = ?", [sha256])
                for mention in try db.fetchAll("SELECT * FROM mentions WHERE sha256 = ? ORDER BY ordinal", [sha256]) {
                    guard let digest = mention["name_digest"] as Data? else { continue }
                    let listed = try db.fetchValue(String.self, "SELECT people FROM name_index WHERE digest = ?", [digest]) ?? "[]"
                    for id in Ledger.stringList(listed) ?? [] {
                        _ = try db.fetchOne("SELECT * FROM people WHERE id = ?", [id])
                        _ = try db.fetchAll("SELECT * FROM consents WHERE person_id = ?", [id])
                    }
                }
            }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
    }
}
