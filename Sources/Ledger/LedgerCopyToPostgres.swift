import ClearanceCore
import Foundation
import GRDB
import LedgerSchema

/// An empty PostgreSQL database as `copy`'s destination, inside the copy's one write
/// transaction: the schema is laid out first, references are checked at commit.
struct PostgresCopyDestination: LedgerCopyDestination {
    let db: any SQLSession
    /// Where the copied ledger's person keys go: they are never rows in PostgreSQL.
    let personKeys: PersonKeyFolder

    func tables() throws -> [String: [String]] {
        var found: [String: [String]] = ["person_keys": ["person_id", "key"]]
        for row in try db.fetchAll("""
            SELECT table_name::text AS name, column_name::text AS column FROM information_schema.columns
            WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position
            """) {
            found[row["name"] as String? ?? "", default: []].append(row["column"] as String? ?? "")
        }
        return found
    }

    /// The PostgreSQL schema is this version's SQLite migrations folded into one.
    func migrations() throws -> [String] { LedgerSchema.migrations.map(\.identifier) }

    func insert(into table: String, columns: [String], values: [ExactStoredValue]) throws {
        if table == "person_keys" {
            let row = Dictionary(zip(columns, values), uniquingKeysWith: { first, _ in first })
            guard case .text(let idBytes)? = row["person_id"], let person = PersonID(parsing: String(decoding: idBytes, as: UTF8.self)),
                  case .blob(let key)? = row["key"], key.count == 32 else {
                throw LedgerError.invalid("person_keys holds a row that is not a person's key; run `clearance verify` on the source")
            }
            try personKeys.write(key, for: person)
            return
        }
        let arguments = try values.enumerated().map { index, value -> SQLValue in
            switch value {
            case .null: return .null
            case .integer(let number): return .integer(number)
            case .real(let number): return .real(number)
            case .blob(let bytes): return .blob(bytes)
            case .text(let bytes):
                // PostgreSQL's text holds valid UTF-8 without NUL; a SQLite value that is not is
                // an edited row, which `verify` on the source names. Nothing is copied then.
                guard let text = String(validating: bytes, as: UTF8.self), !bytes.contains(0) else {
                    throw LedgerError.invalid("\(table).\(columns[index]) holds text PostgreSQL cannot store (a NUL or invalid UTF-8); run `clearance verify` on the source")
                }
                return .text(text)
            }
        }
        let names = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        try db.execute("INSERT INTO \"\(table)\" (\(names)) VALUES (\(marks))", SQLArguments(arguments))
    }

    /// Identity columns given explicit values leave their sequences behind: move each past the
    /// largest id copied, so the next row a server adds gets a new one.
    func advanceIdentities() throws {
        for row in try db.fetchAll("""
            SELECT table_name::text AS name, column_name::text AS column FROM information_schema.columns
            WHERE table_schema = current_schema() AND is_identity = 'YES'
            """) {
            let table: String = row["name"] ?? "", column: String = row["column"] ?? ""
            _ = try db.fetchOne("""
                SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT max("\(column)") FROM "\(table)"), 0) + 1, false)
                """, [table, column])
        }
    }
}

extension Ledger {
    /// `copy --to postgres://…`: this SQLite ledger and its accounts into an empty PostgreSQL
    /// database, in one transaction: the schema, the events window by window (each checked by
    /// the replay `verify` runs before it is written), every other table, the accounts. Nothing
    /// is left in the database when any of it fails. The copy is then verified with this
    /// ledger's key and must end on the same hash. The key itself is not copied: every server
    /// of the new ledger uses this one (`--key`). The person keys go to a new folder beside it,
    /// which is removed again when the copy fails.
    public func copy(to address: PostgresAddress, accountsFrom accounts: String?,
                     progress: ((_ events: Int, _ total: Int) -> Void)? = nil) throws -> StoreCopyReport {
        let source = try sqliteFile(for: "copy")
        let key = try? InstanceKey.read(from: keyPath)
        let macKey = key?.publicKey == instance.publicKey ? key?.macKey : nil
        let accountsFile = try accounts.map { try SQLiteFiles.openExisting($0, what: "a Clearance accounts file") }
        defer { try? accountsFile?.close() }
        let folder = PersonKeyFolder.beside(keyPath: keyPath)
        let store = try PostgresStore(address: address, maximumConnections: 1)
        defer { store.close() }
        try folder.create()
        var finished = false
        defer { if !finished { folder.removeNew() } }
        let lastHash: Data? = try source.read { sqliteRows in
            let ledgerRows = SQLiteSession(sqliteRows)
            return try store.write { db in
                try Ledger.layOutSchema(db, in: address)
                try db.execute("SET CONSTRAINTS ALL DEFERRED")
                let sink = PostgresCopyDestination(db: db, personKeys: folder)
                let tables = try TableCopy.checkSchemas(source: ledgerRows, destination: sink, what: path)
                let hash = try Self.copyRows(tables, from: ledgerRows, to: sink, publicKey: instance.publicKey, macKey: macKey,
                                             progress: progress)
                if let accountsFile {
                    try accountsFile.read { accountFile in
                        let accountRows = SQLiteSession(accountFile)
                        let accountTables = try TableCopy.checkSchemas(source: accountRows, destination: AccountTables(sink: sink),
                                                                       what: accounts ?? "the accounts")
                        for (table, columns) in accountTables.sorted(by: { $0.key < $1.key }) {
                            _ = try TableCopy.copy(table, columns: columns, from: accountRows, to: sink)
                        }
                    }
                }
                try sink.advanceIdentities()
                return hash
            }
        }
        let copied = try Ledger.open(in: address, keyPath: keyPath, forWriting: false)
        defer { (copied.store as? PostgresStore)?.close() }
        let verification = try copied.verify()
        guard verification.lastHash == lastHash, verification.isIntact else {
            throw LedgerError.corrupt("the copy in \(address) does not verify or does not end on the source's last hash")
        }
        finished = true
        return StoreCopyReport(path: address.description, accountsPath: accounts == nil ? nil : address.description,
                               verification: verification)
    }
}

/// The accounts file's migrations are its own; in PostgreSQL its tables sit beside the ledger's.
private struct AccountTables: LedgerCopyDestination {
    let sink: PostgresCopyDestination
    func tables() throws -> [String: [String]] { try sink.tables() }
    func migrations() throws -> [String] { UserStore.migrator().migrations }
    func insert(into table: String, columns: [String], values: [ExactStoredValue]) throws {
        try sink.insert(into: table, columns: columns, values: values)
    }
}
