import ClearanceCore
import Foundation
import GRDB
import LedgerSchema

/// Where `copy` writes rows: a new SQLite file, or an empty PostgreSQL database (and it reads
/// from either). The copy itself
/// (what is read, in which order, and how each event is checked) is the same for both.
protocol LedgerCopyDestination {
    /// The tables the destination's schema has, each with its columns in order.
    func tables() throws -> [String: [String]]
    /// The migrations its schema was made by, in order.
    func migrations() throws -> [String]
    /// One row, each value exactly as stored in the source (storage class and bytes).
    func insert(into table: String, columns: [String], values: [ExactStoredValue]) throws
}

/// A stored SQLite value with its storage class, text kept as its bytes: SQLite hands text back
/// only up to the first NUL, and a copy must hold what the source holds, not what reads the same.
enum ExactStoredValue {
    case null
    case integer(Int64)
    case real(Double)
    case text(Data)
    case blob(Data)
}

/// Which tables of a source a copy takes: in PostgreSQL the accounts (a SQLite ledger's
/// `.users` file) and the schema version sit beside the ledger's tables in one database.
enum CopiedPart {
    case ledger
    case accounts
}

/// Reads tables exactly, from either store: every column as itself; from SQLite also its
/// `typeof` and its bytes (text is kept past any NUL).
enum ExactRows {
    static func columns(_ db: any SQLSession, _ table: String) throws -> [String] {
        switch db.dialect {
        case .sqlite:
            return try db.fetchValues(String.self, "SELECT name FROM pragma_table_info(?) ORDER BY cid", [table])
        case .postgresql:
            return try db.fetchValues(String.self, """
                SELECT column_name::text FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position
                """, [table])
        }
    }

    /// The ordinary tables of a database, without SQLite's own, the migration list and (in
    /// PostgreSQL) the other part's tables.
    static func tables(_ db: any SQLSession, part: CopiedPart = .ledger) throws -> [String: [String]] {
        let names: [String]
        switch db.dialect {
        case .sqlite:
            names = try db.fetchValues(String.self, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .filter { !$0.hasPrefix("sqlite_") && $0 != "grdb_migrations" }
        case .postgresql:
            let accounts = PostgresSchema.accountTables
            names = try db.fetchValues(String.self, """
                SELECT table_name::text FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name
                """).filter { $0 != "clearance_schema" && (part == .accounts) == accounts.contains($0) }
        }
        var found: [String: [String]] = [:]
        for name in names { found[name] = try columns(db, name) }
        return found
    }

    /// The migrations the source was made by; a PostgreSQL ledger's schema is all of this
    /// version's, folded into one.
    static func migrations(_ db: any SQLSession, part: CopiedPart = .ledger) throws -> [String] {
        switch db.dialect {
        case .sqlite:
            guard try db.fetchOne("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'grdb_migrations'") != nil else { return [] }
            return try db.fetchValues(String.self, "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        case .postgresql:
            guard try db.fetchValues(String.self, "SELECT version FROM clearance_schema") == [LedgerSchema.postgresqlVersion] else {
                return ["(another version's PostgreSQL schema)"]
            }
            return part == .ledger ? LedgerSchema.migrations.map(\.identifier) : UserStore.migrator().migrations
        }
    }

    /// Calls `body` with each row of `table` (filtered by `filter`, e.g. a WHERE and ORDER BY).
    static func forEach(_ db: any SQLSession, table: String, columns: [String], filter: String = "",
                        arguments: SQLArguments = [], _ body: ([ExactStoredValue]) throws -> Void) throws {
        guard db.dialect == .sqlite else {
            // PostgreSQL's columns hold only their declared type, and its text no NUL.
            let selection = columns.map { "\"\($0)\"" }.joined(separator: ", ")
            try db.forEachRow("SELECT \(selection) FROM \"\(table)\" \(filter)", arguments) { row in
                try body(row.values.map { value in
                    switch value {
                    case .null: .null
                    case .integer(let number): .integer(number)
                    case .real(let number): .real(number)
                    case .text(let text): .text(Data(text.utf8))
                    case .blob(let bytes): .blob(bytes)
                    }
                })
            }
            return
        }
        let selection = columns.map { "\"\($0)\", typeof(\"\($0)\"), CAST(\"\($0)\" AS BLOB)" }.joined(separator: ", ")
        try db.forEachRow("SELECT \(selection) FROM \"\(table)\" \(filter)", arguments) { row in
            var values: [ExactStoredValue] = []
            values.reserveCapacity(columns.count)
            for index in columns.indices {
                let value = row.values[index * 3]
                let type: String = row[index * 3 + 1] ?? "?"
                let bytes: Data? = row[index * 3 + 2]
                switch (type, value) {
                case ("null", _): values.append(.null)
                case ("integer", .integer(let number)): values.append(.integer(number))
                case ("real", .real(let number)): values.append(.real(number))
                case ("text", _): values.append(.text(bytes ?? Data()))
                case ("blob", _): values.append(.blob(bytes ?? Data()))
                default: throw LedgerError.corrupt("\(table): a value of type \(type) reads back as \(value.kind)")
                }
            }
            try body(values)
        }
    }
}

/// A new SQLite file, written in one transaction (foreign keys checked at its commit).
struct SQLiteCopyDestination: LedgerCopyDestination {
    let db: Database

    func tables() throws -> [String: [String]] { try ExactRows.tables(SQLiteSession(db)) }
    func migrations() throws -> [String] { try ExactRows.migrations(SQLiteSession(db)) }

    func insert(into table: String, columns: [String], values: [ExactStoredValue]) throws {
        // A text value goes in as the bytes it had, past any NUL.
        let placeholders = values.map { if case .text = $0 { "CAST(? AS TEXT)" } else { "?" } }.joined(separator: ", ")
        let names = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let statement = try db.cachedStatement(sql: "INSERT INTO \"\(table)\" (\(names)) VALUES (\(placeholders))")
        try statement.execute(arguments: StatementArguments(values.map { value -> DatabaseValue in
            switch value {
            case .null: .null
            case .integer(let number): number.databaseValue
            case .real(let number): number.databaseValue
            case .text(let bytes), .blob(let bytes): bytes.databaseValue
            }
        }))
    }
}

/// Copying every row of a source database to a destination with the same schema.
enum TableCopy {
    /// Refuses a source whose tables or migrations this version does not know: nothing is left
    /// behind unnoticed.
    static func checkSchemas(source: any SQLSession, part: CopiedPart = .ledger, destination: some LedgerCopyDestination,
                             what: String) throws -> [String: [String]] {
        let sourceTables = try ExactRows.tables(source, part: part)
        if let legacy = sourceTables.keys.sorted().first(where: { $0.hasPrefix("legacy_") }) {
            throw LedgerError.invalid("\(what) still holds rows an earlier version wrote (\(legacy)); open it once with its key file to bind them, then copy it")
        }
        let destinationTables = try destination.tables()
        for (table, columns) in sourceTables.sorted(by: { $0.key < $1.key }) {
            guard let wanted = destinationTables[table] else {
                throw LedgerError.invalid("\(what) has a table this version does not know: \(table)")
            }
            guard Set(wanted) == Set(columns) else {
                throw LedgerError.invalid("\(what): the columns of \(table) are not the ones this version makes")
            }
        }
        let sourceMigrations = try ExactRows.migrations(source, part: part), destinationMigrations = try destination.migrations()
        guard sourceMigrations == destinationMigrations else {
            throw LedgerError.invalid("\(what) was made by other migrations (\(sourceMigrations.joined(separator: ", "))) than this version's")
        }
        return sourceTables
    }

    static func copy(_ table: String, columns: [String], from source: any SQLSession, to destination: some LedgerCopyDestination,
                     filter: String = "", arguments: SQLArguments = []) throws -> Int {
        var count = 0
        try ExactRows.forEach(source, table: table, columns: columns, filter: filter, arguments: arguments) { values in
            try destination.insert(into: table, columns: columns, values: values)
            count += 1
        }
        return count
    }
}

extension Ledger {
    /// `copy --to PATH`: the ledger, row for row and byte for byte, into a new SQLite file (and
    /// the accounts into `PATH.users`). Every event is checked as it is copied — sequence, link,
    /// hash, signature, MAC when the key file is readable, the rules of each event — and the copy
    /// stops at the first that fails; the finished copy is verified in full and must end on the
    /// same hash. All of it is read in one read transaction, so servers can go on writing.
    public func copy(to address: StoreAddress, accountsFrom accounts: String?,
                     progress: ((_ events: Int, _ total: Int) -> Void)? = nil) throws -> StoreCopyReport {
        if case .postgres(let url) = address {
            return try copy(to: PostgresAddress(parsing: url), accountsFrom: accounts, progress: progress)
        }
        let target = try address.sqlitePath(for: "copy")
        // A PostgreSQL ledger's accounts are in its database: they come along to `PATH.users`.
        let accountsTarget = accounts == nil && !isInPostgreSQL ? nil : UserStore.defaultPath(forDatabase: target)
        try StagedFile.refuseExisting(target)
        if let accountsTarget { try StagedFile.refuseExisting(accountsTarget) }
        let ledgerFile = try StagedFile(target: target)
        let accountsFile = try accountsTarget.map { try StagedFile(target: $0) }
        defer { ledgerFile.discard(); accountsFile?.discard() }

        let key = try? InstanceKey.read(from: keyPath)
        let macKey = key?.publicKey == instance.publicKey ? key?.macKey : nil
        let lastHash: Data? = try {
            let destination = try LedgerDatabase.open(path: ledgerFile.staging)
            defer { try? destination.close() }
            return try store.read { source in
                try destination.write { db in
                    // Rows go in table by table; references between them are checked at commit.
                    try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
                    for table in LegacyRows.tables { try db.execute(sql: "DROP TABLE IF EXISTS \(table)") }
                    let sink = SQLiteCopyDestination(db: db)
                    let tables = try TableCopy.checkSchemas(source: source, destination: sink, what: path)
                    let hash = try Self.copyRows(tables, from: source, to: sink, publicKey: instance.publicKey, macKey: macKey,
                                                 progress: progress)
                    if case .folder(let folder) = personKeys {
                        // A PostgreSQL ledger's keys are files: into the copy's table go those of
                        // the people not erased (a key left by a registration that did not commit
                        // belongs to nobody).
                        let keys = try folder.keys()
                        for id in try source.fetchValues(String.self, "SELECT id FROM people WHERE erased_at IS NULL ORDER BY id") {
                            guard let key = keys[id] else { continue }
                            try sink.insert(into: "person_keys", columns: ["person_id", "key"], values: [.text(Data(id.utf8)), .blob(key)])
                        }
                    }
                    return hash
                }
            }
        }()
        let verification = try Self.verifyCopy(at: ledgerFile.staging, keyPath: keyPath)
        guard verification.lastHash == lastHash else {
            throw LedgerError.corrupt("the copy does not end on the source's last hash")
        }
        if let accountsFile {
            if isInPostgreSQL {
                try store.read { source in try UserStore.copy(from: source, to: accountsFile.staging) }
            } else if let accounts {
                try UserStore.copy(from: accounts, to: accountsFile.staging)
            }
        }
        try ledgerFile.publish()
        do { try accountsFile?.publish() } catch {
            unlink(target)
            throw error
        }
        return StoreCopyReport(path: target, accountsPath: accountsTarget, verification: verification)
    }

    /// The instance row, the events window by window (each window checked by the same replay
    /// `verify` runs before it is written), then every other table.
    static func copyRows(_ tables: [String: [String]], from source: any SQLSession, to sink: some LedgerCopyDestination,
                                 publicKey: Data, macKey: EventMACKey?,
                                 progress: ((Int, Int) -> Void)?) throws -> Data? {
        guard let instanceColumns = tables["instance"], let eventColumns = tables["events"] else {
            throw LedgerError.invalid("the source is not a Clearance ledger")
        }
        _ = try TableCopy.copy("instance", columns: instanceColumns, from: source, to: sink)
        let total = try source.fetchValue(Int.self, "SELECT count(*) FROM events") ?? 0
        var replay = ChainReplay(publicKey: publicKey, macKey: macKey)
        var after: Int64 = 0
        while true {
            var window: [StoredEvents.Read] = []
            try source.forEachRow(StoredEvents.sql("WHERE seq > ? ORDER BY seq LIMIT \(ChainReplay.windowSize)", dialect: source.dialect),
                                  [after]) { row in window.append(StoredEvents.read(row)) }
            guard let last = window.last?.seq else {
                if window.isEmpty { break }
                throw LedgerError.corrupt("event after \(after): \(String(describing: window.last))")
            }
            replay.apply(window)
            if let problem = replay.problems.first {
                throw LedgerError.corrupt("event \(problem.event.map(String.init) ?? "?") \(problem.message); nothing was copied")
            }
            _ = try TableCopy.copy("events", columns: eventColumns, from: source, to: sink,
                                   filter: "WHERE seq > ? AND seq <= ? ORDER BY seq", arguments: [after, last])
            after = last
            progress?(replay.count, total)
        }
        for (table, columns) in tables.sorted(by: { $0.key < $1.key }) where table != "instance" && table != "events" {
            // Versions in the order they were recorded: each refers only to an earlier one.
            _ = try TableCopy.copy(table, columns: columns, from: source, to: sink, filter: table == "consents" ? "ORDER BY recorded_seq" : "")
        }
        return replay.count > 0 ? replay.previousHash : nil
    }
}

extension UserStore {
    /// The accounts file's rows into a new accounts file at `path`, made by this version's migrations.
    static func copy(from source: String, to path: String) throws {
        let from = try SQLiteFiles.openExisting(source, what: "a Clearance accounts file")
        defer { try? from.close() }
        try from.read { source in try copy(from: SQLiteSession(source), to: path) }
    }

    /// The accounts tables of `source` (an accounts file, or a PostgreSQL ledger's database)
    /// into a new accounts file at `path`.
    static func copy(from source: any SQLSession, to path: String) throws {
        let store = try UserStore(path: path)
        guard let database = store.database else { throw LedgerError.invalid("copy makes SQLite files only") }
        defer { try? database.close() }
        try database.write { db in
            try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
            let sink = SQLiteCopyDestination(db: db)
            let tables = try TableCopy.checkSchemas(source: source, part: .accounts, destination: sink, what: "the accounts")
            for (table, columns) in tables.sorted(by: { $0.key < $1.key }) {
                _ = try TableCopy.copy(table, columns: columns, from: source, to: sink)
            }
        }
    }
}
