import Foundation
import GRDB
import Ledger

/// The store-specific part of the integrity suites: copying a ledger, reading its shape and
/// rows, and running SQL on it behind Clearance's back, as someone with the database file
/// would. Everything else in the suites is written against this protocol, so that the same
/// suites can run on a PostgreSQL store once there is one (a second conformance).
protocol StoreUnderTest {
    /// A fresh, independent copy of the ledger (and its key), to edit.
    func copy() throws -> Self
    /// Deletes the copy.
    func remove()
    func tables() throws -> [TableShape]
    /// Every row of `table`, each as its column values in `shape.columns` order, in key order.
    func rows(of shape: TableShape) throws -> [[DatabaseValue]]
    /// Runs one statement; throws if the store refuses it (a constraint).
    func execute(_ sql: String, _ arguments: [DatabaseValue]) throws
    /// The exact contents of a table (types and bytes), to tell whether an edit changed anything.
    func fingerprint(of table: String) throws -> String
    /// The ledger on this copy, opened as the command line opens it (the key file beside it).
    func open() throws -> Ledger
    /// SQL for "this text value, then a NUL, then more": bytes that a reader stopping at the
    /// first NUL does not see.
    func appendingHiddenBytes(to column: String) -> String
    /// SQL inserting one row (a placeholder per column), replacing any row with the same key.
    func insertReplacing(into table: String, columns: [String]) -> String
}

struct TableShape: Sendable {
    var name: String
    var columns: [String]
    var key: [String]
    var integerKey: Bool { key.count == 1 && ["id", "seq"].contains(key[0]) }
    /// The column naming the asset a row belongs to, if any.
    var assetColumn: String? { columns.first { $0 == "sha256" || $0 == "asset" } }
}

/// A SQLite ledger file and its key, in a directory of its own.
struct SQLiteStore: StoreUnderTest {
    let directory: URL
    var path: String { directory.appendingPathComponent("clearance.db").path }

    /// Copies `path` (checkpointed, with `path.key` beside it) into a new directory.
    static func copying(_ source: String) throws -> SQLiteStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = SQLiteStore(directory: directory)
        try FileManager.default.copyItem(atPath: source, toPath: store.path)
        try FileManager.default.copyItem(atPath: source + ".key", toPath: store.path + ".key")
        return store
    }

    func copy() throws -> SQLiteStore { try Self.copying(path) }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    private func queue() throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        // A scratch copy: no need to wait for the disk on every edit.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    func tables() throws -> [TableShape] {
        try queue().read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
                .map { name in
                    let info = try Row.fetchAll(db, sql: "PRAGMA table_info(\(name))")
                    let key = info.filter { ($0["pk"] as Int? ?? 0) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }
                    return TableShape(name: name, columns: info.map { $0["name"] }, key: key.map { $0["name"] })
                }
        }
    }

    func rows(of shape: TableShape) throws -> [[DatabaseValue]] {
        try queue().read { db in
            let columns = shape.columns.map { "\"\($0)\"" }.joined(separator: ", ")
            let order = shape.key.map { "\"\($0)\"" }.joined(separator: ", ")
            return try Row.fetchAll(db, sql: "SELECT \(columns) FROM \"\(shape.name)\" ORDER BY \(order)").map { row in
                (0..<shape.columns.count).map { row[$0] as DatabaseValue }
            }
        }
    }

    func execute(_ sql: String, _ arguments: [DatabaseValue]) throws {
        try queue().write { db in try db.execute(sql: sql, arguments: StatementArguments(arguments)) }
    }

    func fingerprint(of table: String) throws -> String {
        try queue().read { db in
            let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String }
            let parts = columns.map { "typeof(\"\($0)\") || ':' || hex(CAST(\"\($0)\" AS BLOB))" }.joined(separator: " || '|' || ")
            return try String.fetchAll(db, sql: "SELECT \(parts) FROM \"\(table)\"").sorted().joined(separator: "\n")
        }
    }

    func open() throws -> Ledger { try Ledger.open(at: path, forWriting: false) }

    func appendingHiddenBytes(to column: String) -> String { "\"\(column)\" || x'00' || 'hidden'" }

    func insertReplacing(into table: String, columns: [String]) -> String {
        let names = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        return "INSERT OR REPLACE INTO \"\(table)\" (\(names)) VALUES (\(marks))"
    }
}
