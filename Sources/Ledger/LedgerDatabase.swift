import ClearanceCore
import Foundation
import GRDB
import LedgerSchema

/// Opening the SQLite file: WAL, foreign keys, full sync (an acknowledged commit survives a
/// crash or power cut), and secure_delete so deleted keys are overwritten with zeros.
enum LedgerDatabase {
    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // Set here rather than with GRDB's `.wal` option, which lowers synchronous to NORMAL
            // and writes to the file on every open.
            guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else {
                throw LedgerError.io("cannot switch \(db.description) to WAL mode")
            }
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        return configuration
    }

    /// One connection, or with `concurrentReads` a pool (one writer, readers in parallel under
    /// WAL) so that checks answered by a server run on every core instead of queueing.
    static func open(path: String, concurrentReads: Bool = false) throws -> any DatabaseWriter {
        let queue: any DatabaseWriter = concurrentReads
            ? try DatabasePool(path: path, configuration: configuration())
            : try DatabaseQueue(path: path, configuration: configuration())
        let migrator = migrator()
        // Migrating an up-to-date file would still touch its header; a read-only command must not.
        if try !queue.read(migrator.hasCompletedMigrations) {
            try migrator.migrate(queue)
        }
        return queue
    }

    /// Applies `Migrations/*.sql` in order; the SQL is embedded in the binary.
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in LedgerSchema.migrations {
            migrator.registerMigration(migration.identifier) { db in
                try db.execute(sql: migration.sql)
            }
        }
        return migrator
    }

    /// Empties the WAL into the main file and truncates it to zero bytes, so old page images
    /// (for example of an erased key) do not linger in `-wal`.
    static func checkpoint(_ queue: any DatabaseWriter) throws {
        try queue.writeWithoutTransaction { db in
            _ = try db.checkpoint(.truncate)
        }
    }
}
