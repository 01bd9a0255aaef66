import ClearanceCore
import Foundation
import GRDB
@testable import Ledger
import Testing

/// A PostgreSQL ledger database for the integrity suites: the register copied in once with
/// `copy --to postgres://…`, and each edit made on a database created from it as a template
/// (a file copy on the server, much faster than copying the rows again).
struct PostgresStoreUnderTest: StoreUnderTest {
    let address: PostgresAddress
    let keyPath: String

    static let server: PostgresAddress? = ProcessInfo.processInfo.environment["CLEARANCE_TEST_POSTGRES"]
        .flatMap { $0.isEmpty ? nil : try? PostgresAddress(parsing: $0) }

    /// Tables a PostgreSQL ledger has beside the SQLite file's: the accounts (the `.users` file
    /// there, not ledger records: `verify` does not derive them) and the schema version.
    static let accountTables: Set<String> = ["clearance_schema", "users", "api_tokens", "sessions", "withdrawal_links",
                                             "account_events", "event_links", "pending_consents"]

    private static func admin() throws -> PostgresStore {
        try PostgresStore(address: try #require(server), maximumConnections: 1)
    }

    private static func newName() -> String {
        "clearance_integrity_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// The SQLite ledger at `path` (with `path.key`) copied into a new database.
    static func copying(sqlite path: String) throws -> PostgresStoreUnderTest {
        let server = try #require(server)
        let name = newName()
        let admin = try admin()
        defer { admin.close() }
        try admin.executeOutsideTransaction("CREATE DATABASE \(name)")
        let store = PostgresStoreUnderTest(address: server.naming(database: name), keyPath: path + ".key")
        do {
            _ = try Ledger.open(at: path, forWriting: false).copy(to: store.address, accountsFrom: nil)
        } catch {
            store.remove()
            throw error
        }
        return store
    }

    func copy() throws -> PostgresStoreUnderTest {
        let name = Self.newName()
        let admin = try Self.admin()
        defer { admin.close() }
        try admin.executeOutsideTransaction("CREATE DATABASE \(name) TEMPLATE \(address.database)")
        return PostgresStoreUnderTest(address: address.naming(database: name), keyPath: keyPath)
    }

    func remove() {
        guard let admin = try? Self.admin() else { return }
        defer { admin.close() }
        try? admin.executeOutsideTransaction("DROP DATABASE IF EXISTS \(address.database) WITH (FORCE)")
    }

    private func withStore<T>(_ body: (PostgresStore) throws -> T) throws -> T {
        let store = try PostgresStore(address: address, maximumConnections: 1)
        defer { store.close() }
        return try body(store)
    }

    func tables() throws -> [TableShape] {
        try withStore { store in
            try store.read { db in
                let names = try db.fetchValues(String.self, """
                    SELECT table_name::text FROM information_schema.tables
                    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name
                    """)
                return try names.filter { !Self.accountTables.contains($0) }.map { name in
                    let columns = try db.fetchValues(String.self, """
                        SELECT column_name::text FROM information_schema.columns
                        WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position
                        """, [name])
                    let key = try db.fetchValues(String.self, """
                        SELECT a.attname::text FROM pg_index i
                        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                        WHERE i.indrelid = ?::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)
                        """, [name])
                    return TableShape(name: name, columns: columns, key: key)
                }
            }
        }
    }

    func rows(of shape: TableShape) throws -> [[DatabaseValue]] {
        try withStore { store in
            try store.read { db in
                let columns = shape.columns.map { "\"\($0)\"" }.joined(separator: ", ")
                let order = shape.key.map { "\"\($0)\"" }.joined(separator: ", ")
                return try db.fetchAll("SELECT \(columns) FROM \"\(shape.name)\" ORDER BY \(order)").map { row in
                    row.values.map(SQLiteSession.databaseValue)
                }
            }
        }
    }

    func execute(_ sql: String, _ arguments: [DatabaseValue]) throws {
        _ = try withStore { store in
            try store.write { db in
                try db.execute(sql, SQLArguments(arguments.map(SQLiteSession.sqlValue)))
            }
        }
    }

    func fingerprint(of table: String) throws -> String {
        try withStore { store in
            try store.read { db in
                try db.fetchValues(String.self, "SELECT row_to_json(t)::text FROM \"\(table)\" t").sorted().joined(separator: "\n")
            }
        }
    }

    func open() throws -> Ledger { try Ledger.open(in: address, keyPath: keyPath, forWriting: false) }

    /// PostgreSQL's text cannot hold a NUL: the edit is refused, as it should be.
    func appendingHiddenBytes(to column: String) -> String { "\"\(column)\" || chr(0) || 'hidden'" }

    func insertReplacing(into table: String, columns: [String]) -> String {
        let names = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let key = (try? tables().first { $0.name == table }?.key) ?? nil ?? []
        let updates = columns.filter { !key.contains($0) }.map { "\"\($0)\" = excluded.\"\($0)\"" }.joined(separator: ", ")
        return "INSERT INTO \"\(table)\" (\(names)) VALUES (\(marks)) ON CONFLICT (\(key.map { "\"\($0)\"" }.joined(separator: ", "))) DO UPDATE SET \(updates)"
    }
}

/// The mutation suite on PostgreSQL: the same edits generated from the schema and the rows,
/// a few of each kind per table (every edit, as on SQLite, would take the best part of an hour
/// here), each on a fresh copy. No edit may clear a blocked asset, and `verify` must name it.
// Serialized: a database is created from the template only while nothing else is connected to it.
@Suite(.serialized, .enabled(if: PostgresStoreUnderTest.server != nil, "CLEARANCE_TEST_POSTGRES is not set (run under scripts/postgres-cluster.sh)"))
struct PostgresMutationSuiteTests {
    static let base = Result { try PostgresStoreUnderTest.copying(sqlite: try MutationSuiteTests.register.get().path) }

    /// Every ledger table of a PostgreSQL ledger: SQLite's but its migration list and the person
    /// keys, which are files beside the instance key (`PersonKeyFolderTests` edits those).
    static let tables = MutationSuiteTests.tables.filter { $0 != "grdb_migrations" && $0 != "person_keys" }

    @Test func everyLedgerTableIsListed() throws {
        #expect(try Self.base.get().tables().map(\.name) == Self.tables)
    }

    /// `CLEARANCE_TEST_EVERY_EDIT=1` takes every edit, as on SQLite (the best part of an hour).
    static let everyEdit = ProcessInfo.processInfo.environment["CLEARANCE_TEST_EVERY_EDIT"] == "1"

    @Test(arguments: tables)
    func noEditClearsABlockedAssetAndVerifyNamesIt(table: String) throws {
        let register = try MutationSuiteTests.register.get()
        let base = try Self.base.get()
        let baseline = register.verdicts()
        let shape = try #require(try base.tables().first { $0.name == table })
        let context = MutationSuiteTests.Context(
            register: register, table: table, baseline: baseline, blocked: baseline.filter { !$0.value.isEmpty },
            lastSeq: Int64(try register.ledger.eventCount()),
            usedReferences: Set(try register.ledger.consents(of: try #require(register.offlinePerson), includingPrivateDetails: false)
                .map { [$0.reference.description.databaseValue] }))
        var taken: [Mutation.Kind: Int] = [:]
        let sample = try MutationCatalog.mutations(of: base, table: shape, assets: register.hashes.values.sorted()).filter { mutation in
            taken[mutation.kind, default: 0] += 1
            return Self.everyEdit || taken[mutation.kind]! <= 2
        }
        var outcome = MutationSuiteTests.Outcome()
        for mutation in sample { try MutationSuiteTests.check(mutation, on: base, context, &outcome) }
        #expect(outcome.applied > 0 || table == "verification_runs", "\(table): no edit applied")
        print("PostgreSQL mutations of \(table): \(outcome.applied) applied and checked, \(outcome.refused) refused, \(outcome.unchanged) changed nothing")
    }
}
