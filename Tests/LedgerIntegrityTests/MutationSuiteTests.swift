import ClearanceApp
import ClearanceCore
import Foundation
import GRDB
import Ledger
import Testing

/// One SQL statement that edits the ledger behind Clearance's back.
struct Mutation: Sendable, CustomStringConvertible {
    enum Kind: String, Sendable {
        case delete = "deleted"
        case move = "value moved to another row"
        case copyOntoAsset = "copied onto another asset"
        case hiddenBytes = "text given a NUL and more bytes"
    }

    var table: String
    var kind: Kind
    /// The column changed, for moves and hidden bytes.
    var column: String? = nil
    var detail: String
    var sql: String
    var arguments: [DatabaseValue]

    var description: String { "\(table): \(kind.rawValue) (\(detail))" }
}

/// Every single-statement edit of the kinds the issue lists, generated from the schema and the
/// rows: each row deleted; each column's value moved onto another row; each row of a table
/// that belongs to an asset copied onto another asset; and each text value given a NUL and
/// hidden bytes after it.
enum MutationCatalog {
    static func mutations(of store: some StoreUnderTest, table shape: TableShape, assets: [String]) throws -> [Mutation] {
        let rows = try store.rows(of: shape)
        let keyIndexes = shape.key.map { shape.columns.firstIndex(of: $0)! }
        let keyClause = shape.key.map { "\"\($0)\" = ?" }.joined(separator: " AND ")
        func key(_ row: [DatabaseValue]) -> [DatabaseValue] { keyIndexes.map { row[$0] } }
        func label(_ row: [DatabaseValue]) -> String { key(row).map { "\($0)".prefix(24) }.joined(separator: " ") }
        var result: [Mutation] = []
        for (index, row) in rows.enumerated() {
            result.append(Mutation(table: shape.name, kind: .delete, detail: "row \(label(row))",
                                   sql: "DELETE FROM \"\(shape.name)\" WHERE \(keyClause)", arguments: key(row)))
            if rows.count > 1 {
                let other = rows[(index + 1) % rows.count]
                for (column, value) in zip(shape.columns, row) where value != other[shape.columns.firstIndex(of: column)!] {
                    result.append(Mutation(table: shape.name, kind: .move, column: column, detail: "\(column) of row \(label(row)) onto row \(label(other))",
                                           sql: "UPDATE \"\(shape.name)\" SET \"\(column)\" = ? WHERE \(keyClause)",
                                           arguments: [value] + key(other)))
                }
            }
            if let assetColumn = shape.assetColumn, let assetIndex = shape.columns.firstIndex(of: assetColumn) {
                let current = String.fromDatabaseValue(row[assetIndex])
                if let target = assets.first(where: { $0 != current }) ?? assets.first {
                    var copied = row
                    copied[assetIndex] = target.databaseValue
                    if shape.integerKey, let keyIndex = keyIndexes.first {
                        let largest = rows.compactMap { Int64.fromDatabaseValue($0[keyIndex]) }.max() ?? 0
                        copied[keyIndex] = (largest + 1).databaseValue
                    }
                    result.append(Mutation(table: shape.name, kind: .copyOntoAsset, detail: "row \(label(row)) onto \(target.prefix(12))",
                                           sql: store.insertReplacing(into: shape.name, columns: shape.columns),
                                           arguments: copied))
                }
            }
            for (column, value) in zip(shape.columns, row) {
                guard case .string = value.storage else { continue }
                result.append(Mutation(table: shape.name, kind: .hiddenBytes, column: column, detail: "\(column) of row \(label(row))",
                                       sql: "UPDATE \"\(shape.name)\" SET \"\(column)\" = \(store.appendingHiddenBytes(to: column)) WHERE \(keyClause)",
                                       arguments: key(row)))
            }
        }
        return result
    }
}

/// On a register with assets, reviews (a DPO's "shows service users" among them), namesakes,
/// a withdrawal and an erasure: no edit leaves a blocked asset cleared by `check`, and
/// `verify` names the table of every edit that changed anything (the exceptions, by design: a
/// deleted `asset_paths` row, which changes no verdict, and the newest migration's row deleted,
/// which the next open runs again, leaving the file as it was).
@Suite struct MutationSuiteTests {
    static let register = Result { try IntegrityRegister() }

    /// Every table of the ledger. `everyTableIsListed` fails when a migration adds one, so a new
    /// table cannot escape the suite.
    static let tables = ["asset_paths", "assets", "consents", "document_index", "events", "face_decisions", "face_detections",
                         "grdb_migrations", "instance", "mentions", "name_index", "notice_links", "offline_captures", "outbox",
                         "people", "person_keys", "publications", "reserved_references", "reviews", "takedowns",
                         "verification_runs"]

    /// The notices' tables: a deleted row only stops a notice or a link, and the columns a sender
    /// updates are outside the rows' MACs (Migrations/0007_outbox.sql). Edits of these change no
    /// verdict; every other edit of the tables must be named by `verify`.
    static let noticeTables: Set<String> = ["outbox", "notice_links", "verification_runs"]
    static let senderColumns: [String: Set<String>] = [
        "outbox": ["state", "attempts", "next_attempt_at", "claim_id", "claimed_at", "sent_at", "last_error"],
        "notice_links": ["used_at"],
    ]

    struct Outcome {
        var applied = 0
        var refused = 0
        var unchanged = 0
    }

    @Test func everyTableIsListed() throws {
        let register = try Self.register.get()
        let store = try SQLiteStore.copying(register.path)
        defer { store.remove() }
        #expect(try store.tables().map(\.name) == Self.tables)
    }

    @Test(arguments: tables)
    func noEditClearsABlockedAssetAndVerifyNamesIt(table: String) throws {
        let register = try Self.register.get()
        let base = try SQLiteStore.copying(register.path)
        defer { base.remove() }
        let baseline = register.verdicts()
        let blocked = baseline.filter { !$0.value.isEmpty }
        #expect(blocked.count > 20 && blocked.count < baseline.count, "the register has cleared and blocked assets")
        let shape = try #require(try base.tables().first { $0.name == table })
        let assets = register.hashes.values.sorted()
        let lastSeq = Int64(try register.ledger.eventCount())
        let usedReferences = Set(try register.ledger.consents(of: try #require(register.offlinePerson), includingPrivateDetails: false)
            .map { [$0.reference.description.databaseValue] })
        var outcome = Outcome()
        let context = Context(register: register, table: table, baseline: baseline, blocked: blocked, lastSeq: lastSeq,
                              usedReferences: usedReferences)
        for mutation in try MutationCatalog.mutations(of: base, table: shape, assets: assets) {
            try Self.check(mutation, on: base, context, &outcome)
        }
        #expect(outcome.applied > 0, "\(table): no edit applied")
        print("mutations of \(table): \(outcome.applied) applied and checked, \(outcome.refused) refused by the schema, \(outcome.unchanged) changed nothing")
    }

    /// What every suite of edits holds a ledger to.
    struct Context {
        let register: IntegrityRegister
        let table: String
        let baseline: [String: Set<String>]
        let blocked: [String: Set<String>]
        let lastSeq: Int64
        let usedReferences: Set<[DatabaseValue]>
    }

    /// Applies one edit to a fresh copy of `base`: no blocked asset may clear, and `verify` must
    /// name the edit (but for the exceptions the suite's comment gives).
    static func check(_ mutation: Mutation, on base: some StoreUnderTest, _ context: Context, _ outcome: inout Outcome) throws {
        let store = try base.copy()
        defer { store.remove() }
        let before = try store.fingerprint(of: context.table)
        do {
            try store.execute(mutation.sql, mutation.arguments)
        } catch {
            outcome.refused += 1
            return
        }
        guard try store.fingerprint(of: context.table) != before else {
            outcome.unchanged += 1
            return
        }
        outcome.applied += 1
        let ledger: Ledger
        do {
            ledger = try store.open()
        } catch {
            return  // Refuses to open: nothing is cleared, and the damage is plain.
        }
        let after = IntegrityRegister.verdicts(of: ledger, hashes: context.register.hashes)
        for (key, codes) in context.blocked {
            #expect(after[key]?.isEmpty == false, "\(mutation): \(key) was blocked (\(codes.sorted())) and is now cleared")
        }
        let report = try ledger.verify()
        if mutation.kind == .delete && context.table == "asset_paths" {
            #expect(after == context.baseline, "\(mutation): a path is a hint and changes no verdict")
            return
        }
        if Self.noticeTables.contains(context.table),
           mutation.kind == .delete || mutation.column.map({ Self.senderColumns[context.table, default: []].contains($0) }) == true {
            #expect(after == context.baseline, "\(mutation): the notices' working state changes no verdict")
            return
        }
        if mutation.kind == .delete && context.table == "grdb_migrations" && report.isIntact {
            // The newest migration (0009, a rebuild of face_decisions that copies its rows)
            // runs again when its row is gone: opening the file puts it back as it was.
            let restored = try store.fingerprint(of: context.table)
            #expect(after == context.baseline && restored == before, "\(mutation): a migration that ran again left the file as it was")
            return
        }
        if mutation.kind == .delete && context.table == "reserved_references" && !context.usedReferences.contains(mutation.arguments) {
            // A reference held by a tablet and never used: nothing signed mentions it.
            #expect(after == context.baseline, "\(mutation): an unused reservation changes no verdict")
            return
        }
        // The newest event deleted leaves a shorter chain that links: the table its rule
        // wrote (its witness) then disagrees, and names the edit.
        let newestEventDeleted = context.table == "events" && mutation.kind == .delete && mutation.arguments == [context.lastSeq.databaseValue]
        #expect(report.problems.contains { $0.table == context.table || (context.table == "events" && $0.event != nil) }
                || (newestEventDeleted && !report.isIntact),
                "\(mutation): verify says \(report.problems.prefix(3).map(\.description))")
    }
}
