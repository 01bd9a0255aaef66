import Foundation
import GRDB

/// The reference for the ledger benchmark: plain single-row INSERTs, each committed on its own,
/// with exactly the ledger's connection settings (WAL, synchronous=FULL, secure_delete).
public enum PlainInsertReference {
    /// Inserts rows of `payloadBytes` random bytes for about `seconds`; returns rows per second.
    public static func rowsPerSecond(databasePath: String, payloadBytes: Int, seconds: Double) throws -> (rows: Int, perSecond: Double) {
        let queue = try DatabaseQueue(path: databasePath, configuration: LedgerDatabase.configuration())
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE rows (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, payload BLOB NOT NULL)")
        }
        let payload = Data((0..<payloadBytes).map { _ in UInt8.random(in: 0...255) })
        let start = DispatchTime.now().uptimeNanoseconds
        var rows = 0
        var elapsed = 0.0
        repeat {
            try queue.write { db in
                try db.execute(sql: "INSERT INTO rows (created_at, payload) VALUES (?, ?)", arguments: [rows, payload])
            }
            rows += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        return (rows, Double(rows) / elapsed)
    }
}
