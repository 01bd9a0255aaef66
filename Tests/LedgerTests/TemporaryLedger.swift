import ClearanceCore
import Foundation
import GRDB
@testable import Ledger
import Testing

/// The stores the ledger's tests run on: SQLite always, and PostgreSQL too when the tests run
/// inside `scripts/postgres-cluster.sh`.
enum TestStore: String, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgresql

    static var available: [TestStore] { TestServer.address == nil ? [.sqlite] : [.sqlite, .postgresql] }

    var testDescription: String { rawValue }
}

/// A fresh ledger in its own temporary directory (and, on PostgreSQL, its own database), all
/// removed when the value is released.
final class TemporaryLedger {
    let store: TestStore
    let directory: URL
    /// The SQLite file (on PostgreSQL, unused).
    let path: String
    /// The database, on PostgreSQL.
    let address: PostgresAddress?
    let ledger: Ledger
    /// Ledgers opened again on PostgreSQL, whose connections are closed with this value.
    private var opened: [Ledger] = []

    init(on store: TestStore = .sqlite) throws {
        self.store = store
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("clearance.db").path
        switch store {
        case .sqlite:
            address = nil
            ledger = try Ledger.create(at: path)
        case .postgresql:
            let address = try TestServer.createScratchDatabase()
            self.address = address
            do {
                ledger = try Ledger.create(in: address, keyPath: directory.appendingPathComponent("instance.key").path)
            } catch {
                TestServer.drop(address)
                throw error
            }
        }
    }

    deinit {
        for ledger in opened + [ledger] { (ledger.store as? PostgresStore)?.close() }
        if let address { TestServer.drop(address) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The ledger opened afresh, as another process would.
    func reopen(forWriting: Bool = false) throws -> Ledger {
        guard let address else { return try Ledger.open(at: path, forWriting: forWriting) }
        let reopened = try Ledger.open(in: address, keyPath: ledger.keyPath, forWriting: forWriting)
        opened.append(reopened)
        return reopened
    }

    /// Plain SQL on the store, bypassing the ledger API, as someone editing it would, with
    /// references unchecked. `postgresql` is the same edit in PostgreSQL's dialect, when it
    /// differs beyond what `inPostgreSQL` rewrites.
    func tamper(_ sql: String, postgresql: String? = nil, arguments: SQLArguments = []) throws {
        guard let address else {
            var configuration = Configuration()
            configuration.foreignKeysEnabled = false
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.write { db in
                try db.execute(sql: sql, arguments: StatementArguments(arguments.values.map(SQLiteSession.databaseValue)))
            }
            return
        }
        let editor = try PostgresStore(address: TestServer.superuser?.naming(database: address.database) ?? address,
                                       maximumConnections: 1)
        defer { editor.close() }
        try editor.write { db in
            // As the superuser, references are switched off as SQLite's foreign_keys = OFF does;
            // otherwise they are checked only at commit.
            try db.execute(TestServer.superuser == nil ? "SET CONSTRAINTS ALL DEFERRED" : "SET LOCAL session_replication_role = replica")
            for statement in (postgresql ?? Self.inPostgreSQL(sql)).components(separatedBy: ";\n")
            where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                try db.execute(statement, arguments)
            }
        }
    }

    /// SQLite's `randomblob(n)` and `x'…'` blobs in PostgreSQL's words.
    static func inPostgreSQL(_ sql: String) -> String {
        var text = sql
        while let match = text.range(of: #"randomblob\((\d+)\)"#, options: .regularExpression) {
            let count = text[match].dropFirst("randomblob(".count).dropLast()
            text.replaceSubrange(match, with: "decode(repeat('5a', \(count)), 'hex')")
        }
        while let match = text.range(of: #"x'[0-9A-Fa-f]*'"#, options: .regularExpression) {
            let hex = text[match].dropFirst(2).dropLast()
            text.replaceSubrange(match, with: "'\\x\(hex)'::bytea")
        }
        return text
    }

    /// A person's key deleted behind the ledger's back: the row in SQLite, the file beside a
    /// PostgreSQL ledger's key.
    func deleteKey(of person: PersonID) throws {
        if let folder = ledger.personKeysFolder {
            try FileManager.default.removeItem(atPath: folder + "/" + person.description)
        } else {
            try tamper("DELETE FROM person_keys WHERE person_id = ?", arguments: [person.description])
        }
    }

    /// Rows read straight from the store.
    func rows(_ sql: String, _ arguments: SQLArguments = []) throws -> [SQLRow] {
        try ledger.store.read { db in try db.fetchAll(sql, arguments) }
    }

    static func terms(channels: [String] = ["facebook", "website"], given: String = "2025-03-01",
                      expires: String = "2028-03-01", guardian: String? = nil) -> ConsentTerms {
        ConsentTerms(channels: channels.map(Channel.init), purposes: ["council news"], event: "Spring fair",
                     formVersion: "photo-consent-v2", method: .tablet, recordedBy: "Officer Jones",
                     givenAt: CalendarDate(parsing: given)!, expiresAt: CalendarDate(parsing: expires)!,
                     guardianRelationship: guardian, signatureSHA256: nil)
    }

    /// Two people, three consents, one withdrawal, one new version.
    func populate() throws -> (alice: PersonID, bob: PersonID, references: [ConsentReference]) {
        try ledger.write { tx in
            let alice = try tx.addPerson(PersonalData(name: "Alice Ávila", aliases: ["Ali"], email: "alice@example.org"),
                                         roles: PersonRoles(staff: true))
            let bob = try tx.addPerson(PersonalData(name: "Bob Brown", dateOfBirth: CalendarDate(parsing: "1980-05-06")),
                                       roles: PersonRoles(electedMember: true))
            let first = try tx.recordConsent(person: alice, terms: Self.terms(), details: ConsentPrivateDetails())
            let second = try tx.recordConsent(person: bob, terms: Self.terms(), details: ConsentPrivateDetails())
            try tx.withdraw(second, receivedVia: "email", recordedBy: "DPO")
            let third = try tx.recordConsent(person: alice, terms: Self.terms(channels: ["print"]),
                                             details: ConsentPrivateDetails(), supersedes: first)
            return (alice, bob, [first, second, third])
        }
    }
}
