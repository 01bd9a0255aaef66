import ClearanceCore
import Crypto
import Dispatch
import Foundation
import LedgerSchema
import Synchronization

extension Ledger {
    /// Replays the whole chain (sequence, links, hashes, signatures, MACs, the rules of each
    /// event), rebuilds every derived table in memory and compares it byte for byte with the
    /// file, checks the sealed rows (name index, document index, paths), the instance row and
    /// the schema itself. Every column of every table is covered.
    public func verify() throws -> LedgerVerification {
        var report = LedgerVerification()
        var key: InstanceKey?
        if FileManager.default.fileExists(atPath: keyPath) {
            let read = try InstanceKey.read(from: keyPath)
            if read.publicKey != instance.publicKey {
                report.problems = [.init(table: "instance", message: "the public key does not match the key file \(keyPath)")]
                return report
            }
            key = read
        } else {
            report.unchecked.append("the MACs of events and sealed rows (no key file at \(keyPath))")
        }
        try store.read { db in
            var replay = ChainReplay(publicKey: instance.publicKey, macKey: key?.macKey)
            var window: [StoredEvents.Read] = []
            window.reserveCapacity(ChainReplay.windowSize)
            try db.forEachRow(StoredEvents.sql("ORDER BY seq", dialect: db.dialect), []) { row in
                window.append(StoredEvents.read(row))
                if window.count == ChainReplay.windowSize {
                    replay.apply(window)
                    window.removeAll(keepingCapacity: true)
                }
            }
            if !window.isEmpty { replay.apply(window) }
            report.problems = replay.problems
            report.events = replay.count
            report.lastHash = replay.count > 0 ? replay.previousHash : nil
            guard report.problems.isEmpty else { return }

            var check = DerivedTableCheck(db: db, expected: replay.store, instance: instance, rowMACKey: key?.rowMACKey,
                                          personKeys: personKeys)
            try check.run()
            report.problems = check.problems
            report.people = replay.store.people.count
            report.erasedPeople = replay.store.people.values.filter { $0.erasedAt != nil }.count
            report.consents = replay.store.consents.count
            report.assets = replay.store.assets.count
        }
        return report
    }
}

/// Replays the events in windows: within a window, sequence, links, hashes, signatures, MACs
/// and payload decoding are checked on all cores (each needs only its own row and the previous
/// row's stored hash); then the events are applied to the derived state in order. After the
/// first bad event, later events are still checked on their own (every edited event is named)
/// but no longer applied.
struct ChainReplay {
    static let windowSize = 8192
    /// Enough to name every edit anyone would make by hand, without flooding the report.
    static let maximumProblems = 1000
    let publicKey: Data
    /// With the key file at hand, every event must carry a matching MAC.
    let macKey: EventMACKey?
    var previousHash: Data
    var count = 0
    var store = MemoryStore()
    var problems: [LedgerVerification.Problem] = []
    /// The sequence number the next row should have.
    private var expectedSeq: Int64 = 1

    init(publicKey: Data, macKey: EventMACKey?) {
        self.publicKey = publicKey
        self.macKey = macKey
        previousHash = EventChain.genesisHash(publicKey: publicKey)
    }

    private enum Checked: Sendable {
        case good(LedgerEvent)
        case bad(String)
    }

    mutating func apply(_ window: [StoredEvents.Read]) {
        let results = Mutex<[Checked?]>(Array(repeating: nil, count: window.count))
        let chunkSize = 256
        let chunks = (window.count + chunkSize - 1) / chunkSize
        let publicKey = self.publicKey, macKey = self.macKey
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = chunk * chunkSize ..< min(window.count, (chunk + 1) * chunkSize)
            var local: [Checked] = []
            local.reserveCapacity(range.count)
            for index in range {
                local.append(Self.check(window[index], publicKey: publicKey, macKey: macKey))
            }
            results.withLock { all in
                for (offset, result) in local.enumerated() { all[range.lowerBound + offset] = result }
            }
        }
        let checked = results.withLock { $0 }
        for (index, read) in window.enumerated() {
            guard problems.count < Self.maximumProblems else { return }
            guard case .event(let stored) = read else {
                if case .malformed(let seq, let message) = read {
                    problems.append(.init(event: seq ?? expectedSeq, message: message))
                    if let seq { expectedSeq = seq + 1 }
                }
                continue
            }
            if stored.seq != expectedSeq {
                problems.append(.init(event: min(stored.seq, expectedSeq), message: stored.seq > expectedSeq
                    ? "missing: the next event found is \(stored.seq) (an event was deleted or renumbered)"
                    : "out of order: found \(stored.seq) (an event was inserted or renumbered)"))
            } else if stored.previousHash != previousHash {
                problems.append(.init(event: stored.seq,
                                      message: "does not link to the previous event (an event before it was edited, deleted or reordered)"))
            }
            expectedSeq = stored.seq + 1
            previousHash = stored.hash
            switch checked[index] {
            case .good(let event):
                guard problems.isEmpty else { continue }
                do {
                    try Projection.apply(event, seq: stored.seq, at: stored.createdAt, to: &store)
                    count += 1
                } catch {
                    problems.append(.init(event: stored.seq, message: "not allowed at this point: \(error)"))
                }
            case .bad(let message):
                problems.append(.init(event: stored.seq, message: message))
            case nil:
                problems.append(.init(event: stored.seq, message: "was not checked"))
            }
        }
    }

    /// An event on its own: hash, signature, MAC, payload, subject columns.
    private static func check(_ read: StoredEvents.Read, publicKey: Data, macKey: EventMACKey?) -> Checked {
        guard case .event(let stored) = read else { return .bad("malformed") }
        guard EventChain.hash(of: stored) == stored.hash else { return .bad("contents do not match its hash (the event was edited)") }
        guard InstanceKey.isValid(signature: stored.signature, hash: stored.hash, publicKey: publicKey) else {
            return .bad("signature does not match the instance key")
        }
        if let macKey {
            guard let mac = stored.mac else { return .bad("its MAC is missing (the row was edited)") }
            guard macKey.isValid(mac, for: stored.hash) else { return .bad("MAC does not match its hash (the row was edited)") }
        }
        guard let event = LedgerEvent.decode(kind: stored.kind, payload: stored.payload) else {
            return .bad("payload does not decode as \(stored.kind)")
        }
        guard event.person?.description == stored.personID, event.consentReference?.description == stored.consentReference,
              event.asset == stored.asset else {
            return .bad("subject columns disagree with the payload")
        }
        return .good(event)
    }
}

/// One stored value exactly: its storage class and its bytes (text as UTF-8 bytes, integers as
/// their value), so a value that merely reads back the same does not compare equal.
private enum ExactValue: Equatable {
    case null
    case integer(Int64)
    case real(String)
    case text(Data)
    case blob(Data)

    init(_ value: SQLValue) {
        switch value {
        case .null: self = .null
        case .integer(let v): self = .integer(v)
        case .real(let v): self = .real("\(v)")
        case .text(let v): self = .text(Data(v.utf8))
        case .blob(let v): self = .blob(v)
        }
    }

    /// A stored value as the store hands it back, with a SQLite text value's bytes read
    /// separately (`CAST(c AS BLOB)`, all of them, past any NUL). PostgreSQL's text cannot hold
    /// a NUL, so its bytes are what it reads back as.
    init(stored value: SQLValue, textBytes: Data?) {
        if case .text(let text) = value {
            self = .text(textBytes ?? Data(text.utf8))
        } else {
            self.init(value)
        }
    }

    var text: String? {
        guard case .text(let data) = self else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        return Data(text.utf8) == data ? text : nil
    }

    var blob: Data? {
        guard case .blob(let data) = self else { return nil }
        return data
    }

    var integer: Int64? {
        guard case .integer(let value) = self else { return nil }
        return value
    }

    var isNull: Bool { self == .null }
}

/// Compares every table in the file with the state rebuilt from events, byte for byte.
private struct DerivedTableCheck {
    let db: any SQLSession
    let expected: MemoryStore
    let instance: Ledger.InstanceRecord
    let rowMACKey: RowMACKey?
    let personKeys: PersonKeys
    var problems: [LedgerVerification.Problem] = []

    /// Every table a ledger holds, each checked below. A table not listed here (added by a later
    /// migration, or by hand) is reported: nothing is stored that `verify` does not cover.
    static let coveredTables: Set<String> = [
        "grdb_migrations", "instance", "events", "people", "person_keys", "name_index", "consents", "assets",
        "mentions", "asset_paths", "reviews", "publications", "takedowns", "document_index",
        "reserved_references", "offline_captures", "outbox", "notice_links", "verification_runs",
        "face_detections", "face_decisions",
    ]

    private mutating func problem(_ table: String, _ row: String? = nil, _ message: String) {
        guard problems.count < 1000 else { return }
        problems.append(.init(table: table, row: row, message: message))
    }

    mutating func run() throws {
        try checkSchema()
        try checkInstance()
        try compare(table: "people", key: ["id"], expected: expected.people.mapValues { try $0.columnValues })
        try compare(table: "consents", key: ["reference"], expected: expected.consents.mapValues { try $0.columnValues })
        try checkKeysAndNameIndex()
        try compare(table: "assets", key: ["sha256"], expected: expected.assets.mapValues { try $0.columnValues })
        try checkMentions()
        try compare(table: "reviews", key: ["id"], expected: keyed(expected.reviews))
        try compare(table: "publications", key: ["id"], expected: keyed(expected.publications))
        try compare(table: "takedowns", key: ["id"], expected: keyed(expected.takedowns))
        try compare(table: "face_detections", key: ["id"], expected: keyed(expected.faceDetections))
        try compare(table: "face_decisions", key: ["id"], expected: keyed(expected.faceDecisions))
        try checkDocumentIndex()
        try checkPaths()
        try checkOfflineCapture()
        try checkNotices()
    }

    private func keyed<Record: SQLRecord>(_ rows: [Int64: Record]) throws -> [String: [String: SQLValue]] {
        var result: [String: [String: SQLValue]] = [:]
        for (id, row) in rows { result[String(id)] = try row.columnValues }
        return result
    }

    // MARK: Reading exactly

    private func columns(of table: String) throws -> [String] {
        switch db.dialect {
        case .sqlite:
            return try db.fetchAll("PRAGMA table_info(\(table))").compactMap { $0["name"] as String? }
        case .postgresql:
            return try db.fetchValues(String.self, """
                SELECT column_name::text FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position
                """, [table])
        }
    }

    /// Every row of `table`, each column as its exact value: as the store types it, and for a
    /// SQLite text value all its bytes (only text needs the second read, so numbers and blobs
    /// cost nothing extra).
    private func exactRows(_ table: String, orderBy: String? = nil) throws -> (columns: [String], rows: RowReader) {
        let names = try columns(of: table)
        let plain = names.map { "\"\($0)\"" }.joined(separator: ", ")
        let texts = db.dialect == .sqlite
            ? ", " + names.map { "CASE WHEN typeof(\"\($0)\") = 'text' THEN CAST(\"\($0)\" AS BLOB) END" }.joined(separator: ", ")
            : ""
        let order = orderBy.map { " ORDER BY \($0)" } ?? ""
        return (names, RowReader(try db.fetchAll("SELECT \(plain)\(texts) FROM \"\(table)\"\(order)")))
    }

    private func values(_ row: SQLRow, _ names: [String]) -> [String: ExactValue] {
        var result: [String: ExactValue] = [:]
        for (index, name) in names.enumerated() { result[name] = value(row, index, of: names.count) }
        return result
    }

    private func value(_ row: SQLRow, _ index: Int, of count: Int) -> ExactValue {
        ExactValue(stored: row.values[index], textBytes: row.values.count > count ? row[count + index] : nil)
    }

    /// For messages only.
    private func describe(_ value: ExactValue) -> String {
        switch value {
        case .null: "NULL"
        case .integer(let v): String(v)
        case .real(let v): v
        case .text(let d):
            d.contains(0) ? String(decoding: d, as: UTF8.self).replacingOccurrences(of: "\u{0}", with: "\\0")
                          : String(decoding: d, as: UTF8.self)
        case .blob(let d): "x'" + Hex.lowercase(d.prefix(8)) + (d.count > 8 ? "…" : "") + "'"
        }
    }

    /// Rows against expected values: each row present, unchanged in every column, and no other.
    private mutating func compare(table: String, key: [String], expected: [String: [String: SQLValue]]) throws {
        var seen = Set<String>()
        let (names, rows) = try exactRows(table)
        let keyIndexes = key.compactMap { names.firstIndex(of: $0) }
        while let row = try rows.next() {
            let stored = names.indices.map { value(row, $0, of: names.count) }
            let id = keyIndexes.map { describe(stored[$0]) }.joined(separator: " ")
            guard let wanted = expected[id], !seen.contains(id) else {
                problem(table, id, "is not backed by any event (inserted)")
                continue
            }
            seen.insert(id)
            let differing = names.indices.filter { index in
                guard let value = wanted[names[index]] else { return true }
                return ExactValue(value) != stored[index]
            }.map { names[$0] }
            if !differing.isEmpty {
                problem(table, id, "\(differing.joined(separator: ", ")) differ\(differing.count == 1 ? "s" : "") from the events (edited)")
            }
        }
        for missing in expected.keys.sorted() where !seen.contains(missing) {
            problem(table, missing, "is missing (deleted)")
        }
    }

    // MARK: The schema and the instance

    private mutating func checkSchema() throws {
        switch db.dialect {
        case .sqlite: try checkSQLiteSchema()
        case .postgresql: try checkPostgresSchema()
        }
    }

    private mutating func checkSQLiteSchema() throws {
        for row in try db.fetchAll("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view', 'trigger') ORDER BY name") {
            let type: String = row["type"] ?? "", name: String = row["name"] ?? ""
            if name.hasPrefix("sqlite_") { continue }
            if name.hasPrefix("legacy_") {
                problem(name, nil, "rows an earlier version wrote are not yet bound to the signed ledger (open the ledger once with its key file)")
            } else if type != "table" || !Self.coveredTables.contains(name) {
                problem(name, nil, "a \(type) that is not part of the ledger (added by hand?)")
            }
        }
        let known = LedgerSchema.migrations.map(\.identifier)
        var applied: [String] = []
        let (names, rows) = try exactRows("grdb_migrations", orderBy: "identifier")
        while let row = try rows.next() {
            guard let identifier = values(row, names)["identifier"]?.text, known.contains(identifier) else {
                problem("grdb_migrations", nil, "lists a migration this version does not know")
                continue
            }
            applied.append(identifier)
        }
        if applied != Array(known.prefix(applied.count)) {
            problem("grdb_migrations", nil, "the applied migrations are not the ones this version made")
        }
    }

    /// Tables of a PostgreSQL ledger beyond the SQLite file's: the accounts (the `.users` file
    /// there) and the schema's version. Their rows are not derived from events, so only their
    /// presence is checked here.
    static let postgresOnlyTables: Set<String> = PostgresSchema.accountTables.union(["clearance_schema"])

    private mutating func checkPostgresSchema() throws {
        // Person keys are files beside the instance key, never rows (see `PersonKeys`).
        let covered = Self.coveredTables.subtracting(["grdb_migrations", "person_keys"]).union(Self.postgresOnlyTables)
        for row in try db.fetchAll("""
            SELECT table_type::text AS type, table_name::text AS name FROM information_schema.tables
            WHERE table_schema = current_schema() ORDER BY table_name
            """) {
            let type: String = row["type"] ?? "", name: String = row["name"] ?? ""
            if type != "BASE TABLE" || !covered.contains(name) {
                problem(name, nil, "a \(type == "BASE TABLE" ? "table" : type.lowercased()) that is not part of the ledger (added by hand?)")
            }
        }
        for name in try db.fetchValues(String.self, """
            SELECT DISTINCT trigger_name::text FROM information_schema.triggers
            WHERE trigger_schema = current_schema() ORDER BY 1
            """) {
            problem(name, nil, "a trigger that is not part of the ledger (added by hand?)")
        }
        let versions = try db.fetchValues(String.self, "SELECT version FROM clearance_schema")
        if versions != [LedgerSchema.postgresqlVersion] {
            problem("clearance_schema", nil, "does not say the schema this version made (\(LedgerSchema.postgresqlVersion))")
        }
    }

    private mutating func checkInstance() throws {
        guard let binding = expected.instance?.binding else {
            problem("instance", nil, "is not bound by a ledger.created or ledger.upgraded event")
            return
        }
        let (names, rows) = try exactRows("instance")
        var count = 0
        while let row = try rows.next() {
            count += 1
            let stored = values(row, names)
            if stored["id"]?.integer != 1 { problem("instance", nil, "id is not 1 (edited)") }
            if stored["public_key"]?.blob != instance.publicKey { problem("instance", nil, "public_key differs (edited)") }
            if stored["index_key"]?.blob.map({ Data(SHA256.hash(data: $0)) }) != binding.indexKeyDigest {
                problem("instance", nil, "index_key differs from the digest its binding event recorded (edited)")
            }
            if stored["created_at"]?.integer != binding.instanceCreatedAt {
                problem("instance", nil, "created_at differs from what its binding event recorded (edited)")
            }
        }
        if count != 1 { problem("instance", nil, "holds \(count) rows instead of one") }
    }

    // MARK: Keys and the name index

    /// Exactly the people not erased hold a key, each key opens its person's data, and the name
    /// index holds exactly, for each digest of their names and aliases, the list of them.
    private mutating func checkKeysAndNameIndex() throws {
        var keys: [String: Data] = [:]
        switch personKeys {
        case .table:
            let (keyNames, keyRows) = try exactRows("person_keys")
            while let row = try keyRows.next() {
                let stored = values(row, keyNames)
                guard let id = stored["person_id"]?.text, let key = stored["key"]?.blob, key.count == 32 else {
                    problem("person_keys", stored["person_id"].map(describe), "has a value of the wrong type (edited)")
                    continue
                }
                keys[id] = key
            }
        case .folder(let folder):
            for (id, key) in try folder.keys().sorted(by: { $0.key < $1.key }) {
                guard key.count == 32 else {
                    problem("person_keys", id, "is not a key of 32 bytes (\(folder.path)/\(id) edited)")
                    continue
                }
                keys[id] = key
            }
        }
        let index = NameIndex(keyBytes: instance.indexKey)
        var wanted: [Data: Set<String>] = [:]
        for (id, person) in expected.people.sorted(by: { $0.key < $1.key }) {
            if person.erasedAt != nil {
                if keys[id] != nil {
                    if case .folder(let folder) = personKeys {
                        // Erasure removes the file once it has committed; this one was left behind.
                        problem("person_keys", id, "belongs to an erased person but is still there (remove \(folder.path)/\(id))")
                    } else {
                        problem("person_keys", id, "belongs to an erased person but is still there")
                    }
                }
                continue
            }
            guard let key = keys[id] else {
                problem("person_keys", id, "is missing (deleted)")
                continue
            }
            guard let personID = PersonID(parsing: id), let sealed = person.sealed,
                  let data = PersonalDataSeal(keyBytes: key, person: personID).open(PersonalData.self, from: sealed) else {
                problem("person_keys", id, "does not open the person's data (edited)")
                continue
            }
            for digest in index.digests(for: data) { wanted[digest, default: []].insert(id) }
        }
        // A folder may hold the key of a person whose registration did not commit: it opens nothing.
        if case .table = personKeys {
            for extra in keys.keys.sorted() where expected.people[extra] == nil {
                problem("person_keys", extra, "belongs to no registered person (inserted)")
            }
        }

        let (names, rows) = try exactRows("name_index")
        var seen = Set<Data>()
        while let row = try rows.next() {
            let stored = values(row, names)
            guard let digest = stored["digest"]?.blob, let people = stored["people"], let mac = stored["mac"]?.blob else {
                problem("name_index", nil, "a row has a value of the wrong type (edited)")
                continue
            }
            guard let list = wanted[digest], !seen.contains(digest) else {
                problem("name_index", describe(.blob(digest)), "matches no registered person's name (inserted or edited)")
                continue
            }
            seen.insert(digest)
            if people != .text(Data(try Ledger.jsonList(list.sorted()).utf8)) {
                problem("name_index", describe(.blob(digest)), "does not list exactly the people with that name (edited)")
            }
            if let rowMACKey, case .text(let bytes) = people, !rowMACKey.isValid(mac, for: .nameIndex(digest: digest, people: bytes)) {
                problem("name_index", describe(.blob(digest)), "fails its MAC (edited)")
            }
        }
        for missing in wanted.keys.filter({ !seen.contains($0) }).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            problem("name_index", describe(.blob(missing)), "the entry for a name of \(wanted[missing]!.sorted().joined(separator: ", ")) is missing (deleted)")
        }
    }

    // MARK: Assets

    /// Each mention row against its binding in the `asset.ingested` event: source and region as
    /// signed, name and identifiers by the salted commitment (or blank, when erasure forgot
    /// them), the digest as the label's.
    private mutating func checkMentions() throws {
        var wanted: [String: MentionBinding] = [:]
        for (sha256, bindings) in expected.mentions {
            for binding in bindings { wanted["\(sha256) \(binding.ordinal)"] = binding }
        }
        let index = NameIndex(keyBytes: instance.indexKey)
        var seen = Set<String>()
        let (names, rows) = try exactRows("mentions")
        while let row = try rows.next() {
            let stored = values(row, names)
            guard let sha256 = stored["sha256"]?.text, let ordinal = stored["ordinal"]?.integer else {
                problem("mentions", nil, "a row has a key of the wrong type (edited)")
                continue
            }
            let id = "\(sha256) \(ordinal)"
            guard let binding = wanted[id], !seen.contains(id) else {
                problem("mentions", id, "is not backed by a signed asset.ingested event (inserted or moved)")
                continue
            }
            seen.insert(id)
            guard let source = stored["source"], let label = stored["label"], let digest = stored["name_digest"],
                  let identifiers = stored["identifiers"], let region = stored["region"], let salt = stored["salt"] else {
                problem("mentions", id, "lacks a column")
                continue
            }
            var good = source == .text(Data(binding.source.utf8))
                && region == (binding.region.map { .text(Data($0.utf8)) } ?? .null)
            if binding.forgotten {
                good = good && label.isNull && digest.isNull && salt.isNull
                    && identifiers == .text(Data(MentionRow.forgottenIdentifiers.utf8))
            } else if let saltBytes = salt.blob, saltBytes.count == 16, case .text(let identifierBytes) = identifiers,
                      label.isNull || label.text != nil {
                let commitment = MentionCommitment.make(sha256: sha256, ordinal: Int(ordinal), salt: saltBytes,
                                                        label: label.text.map { Data($0.utf8) }, identifiers: identifierBytes)
                let wantedDigest = label.text.flatMap(NameKey.init).map(index.digest)
                good = good && commitment == binding.commitment
                    && digest == (wantedDigest.map(ExactValue.blob) ?? .null)
                    && (try? JSONDecoder().decode([String].self, from: identifierBytes)) != nil
            } else {
                good = false
            }
            if !good { problem("mentions", id, "differs from its signed commitment (edited)") }
        }
        for missing in wanted.keys.sorted() where !seen.contains(missing) {
            problem("mentions", missing, "is missing (deleted)")
        }
    }

    /// Exactly one entry per document id an asset has or points at, listing the assets having it.
    private mutating func checkDocumentIndex() throws {
        var wanted: [String: Set<String>] = [:]
        for asset in expected.assets.values {
            for reference in asset.documentReferences where wanted[reference] == nil { wanted[reference] = [] }
            if let documentID = asset.documentID { wanted[documentID, default: []].insert(asset.sha256) }
        }
        var seen = Set<String>()
        let (names, rows) = try exactRows("document_index")
        while let row = try rows.next() {
            let stored = values(row, names)
            guard let documentID = stored["document_id"]?.text, let assets = stored["assets"],
                  let mac = stored["mac"]?.blob else {
                problem("document_index", nil, "a row has a value of the wrong type (edited)")
                continue
            }
            guard let list = wanted[documentID], !seen.contains(documentID) else {
                problem("document_index", documentID, "no asset has or points at this document id (inserted or edited)")
                continue
            }
            seen.insert(documentID)
            if assets != .text(Data(try Ledger.jsonList(list.sorted()).utf8)) {
                problem("document_index", documentID, "does not list exactly the assets with that id (edited)")
            }
            if let rowMACKey, case .text(let bytes) = assets,
               !rowMACKey.isValid(mac, for: .documentIndex(documentID: Data(documentID.utf8), assets: bytes)) {
                problem("document_index", documentID, "fails its MAC (edited)")
            }
        }
        for missing in wanted.keys.sorted() where !seen.contains(missing) {
            problem("document_index", missing, "is missing (deleted)")
        }
    }

    /// Paths are not derived from events (a path is a hint, never trusted for a verdict); each
    /// row must belong to an asset and carry its MAC. A deleted path row cannot be noticed, and
    /// changes nothing a check or an export decides.
    private mutating func checkPaths() throws {
        let (names, rows) = try exactRows("asset_paths")
        while let row = try rows.next() {
            let stored = values(row, names)
            guard let sha256 = stored["sha256"]?.text, case .text(let path)? = stored["path"],
                  let seenAt = stored["seen_at"]?.integer, let mac = stored["mac"]?.blob else {
                problem("asset_paths", nil, "a row has a value of the wrong type (edited)")
                continue
            }
            let id = "\(sha256) \(String(decoding: path, as: UTF8.self))"
            if expected.assets[sha256] == nil { problem("asset_paths", id, "belongs to no ingested asset (inserted or moved)") }
            if let rowMACKey, !rowMACKey.isValid(mac, for: .assetPath(sha256: Data(sha256.utf8), path: path, seenAt: seenAt)) {
                problem("asset_paths", id, "fails its MAC (edited or moved)")
            }
        }
    }

    /// The offline-capture tables are not facts the gate relies on and no event carries them, so
    /// they cannot be rebuilt: each row carries a MAC, and is confirmed against the signed
    /// consents. A capture id names a consent made offline, by that officer, for that person,
    /// within its reservation; every offline consent has both rows; a reserved reference is used
    /// only by an offline capture of the officer it was reserved for. (An unused reservation
    /// deleted by hand is the one edit nothing can show, as with `asset_paths`: it changes no
    /// consent and no verdict.)
    private mutating func checkOfflineCapture() throws {
        struct Reservation { var officer: String; var reservedAt: Int64; var expiresAt: Int64 }
        var reservations: [String: Reservation] = [:]
        var (names, rows) = try exactRows("reserved_references")
        while let row = try rows.next() {
            let stored = values(row, names)
            guard let reference = stored["reference"]?.text, let officer = stored["officer"]?.text,
                  let device = stored["device"]?.text, let reservedAt = stored["reserved_at"]?.integer,
                  let expiresAt = stored["expires_at"]?.integer, let mac = stored["mac"]?.blob else {
                problem("reserved_references", nil, "a row has a value of the wrong type (edited)")
                continue
            }
            if let rowMACKey, !rowMACKey.isValid(mac, for: .reservedReference(reference, officer: officer, device: device,
                                                                              reservedAt: reservedAt, expiresAt: expiresAt)) {
                problem("reserved_references", reference, "fails its MAC (edited or inserted)")
            }
            if let consent = expected.consents[reference], consent.method != "tablet-offline" || consent.recordedBy != officer {
                problem("reserved_references", reference, "is used by a consent that was not captured offline by this officer (edited)")
            }
            reservations[reference] = Reservation(officer: officer, reservedAt: reservedAt, expiresAt: expiresAt)
        }
        var captured: Set<String> = []
        (names, rows) = try exactRows("offline_captures")
        while let row = try rows.next() {
            let stored = values(row, names)
            guard let id = stored["capture_id"]?.text, let reference = stored["reference"]?.text,
                  let person = stored["person_id"]?.text, let officer = stored["officer"]?.text,
                  let capturedAt = stored["captured_at"]?.integer, let receivedAt = stored["received_at"]?.integer,
                  let mac = stored["mac"]?.blob else {
                problem("offline_captures", nil, "a row has a value of the wrong type (edited)")
                continue
            }
            if let rowMACKey, !rowMACKey.isValid(mac, for: .offlineCapture(id, reference: reference, person: person, officer: officer,
                                                                           capturedAt: capturedAt, receivedAt: receivedAt)) {
                problem("offline_captures", id, "fails its MAC (edited or inserted)")
            }
            guard let consent = expected.consents[reference] else {
                problem("offline_captures", id, "names consent \(reference), which no event recorded (edited or inserted)")
                continue
            }
            captured.insert(reference)
            if consent.method != "tablet-offline" || consent.personID != person || consent.recordedBy != officer
                || consent.recordedAt != receivedAt {
                problem("offline_captures", id, "does not match consent \(reference) as signed (edited or moved)")
            }
            if let reservation = reservations[reference], reservation.officer != officer || capturedAt > reservation.expiresAt {
                problem("offline_captures", id, "does not fit the reservation of \(reference) (edited)")
            }
        }
        for (reference, consent) in expected.consents where consent.method == "tablet-offline" {
            if !captured.contains(reference) {
                problem("offline_captures", reference, "the consent was captured offline but its capture id is missing (deleted: a resend would be refused as a reused reference)")
            }
            if reservations[reference] == nil {
                problem("reserved_references", reference, "the consent was captured offline but its reservation is missing (deleted)")
            }
        }
    }

    /// The notice tables are the organisation's to-do list, not facts the gate relies on, and no
    /// event carries them: what a row said when written carries a MAC, and each row is confirmed
    /// against the signed state (the person and consent it names exist; an erased person's
    /// messages are empty). The columns a sender updates are outside the MAC, and a deleted row
    /// cannot be told from one never written: either only stops a notice or a link.
    private mutating func checkNotices() throws {
        var (names, rows) = try exactRows("outbox")
        while let row = try rows.next() {
            let stored = values(row, names)
            guard let id = stored["id"]?.integer, let key = stored["notice_key"]?.text, let kind = stored["kind"]?.text,
                  let message = stored["message"]?.blob, let queuedAt = stored["queued_at"]?.integer, let mac = stored["mac"]?.blob,
                  stored["person_id"]?.text != nil || stored["person_id"] == .null,
                  stored["consent_ref"]?.text != nil || stored["consent_ref"] == .null else {
                problem("outbox", nil, "a row has a value of the wrong type (edited)")
                continue
            }
            let person = stored["person_id"]?.text, consent = stored["consent_ref"]?.text
            if let rowMACKey, !rowMACKey.isValid(mac, for: .notice(key: key, kind: kind, person: person, consent: consent,
                                                                   message: message, queuedAt: queuedAt)) {
                problem("outbox", "\(id)", "fails its MAC (edited or inserted: it will not be sent)")
            }
            if !key.hasPrefix(kind + ":") { problem("outbox", "\(id)", "its key does not name its kind (edited)") }
            if let person {
                if let known = expected.people[person] {
                    if known.erasedAt != nil && !message.isEmpty { problem("outbox", "\(id)", "keeps a message for an erased person") }
                } else {
                    problem("outbox", "\(id)", "names a person no event recorded")
                }
            }
            if let consent, expected.consents[consent] == nil { problem("outbox", "\(id)", "names a consent no event recorded") }
        }
        (names, rows) = try exactRows("notice_links")
        while let row = try rows.next() {
            let stored = values(row, names)
            guard let secret = stored["secret_sha256"]?.text, let purpose = stored["purpose"]?.text,
                  let consent = stored["consent_ref"]?.text, let createdAt = stored["created_at"]?.integer,
                  stored["expires_at"]?.integer != nil || stored["expires_at"] == .null, let mac = stored["mac"]?.blob else {
                problem("notice_links", nil, "a row has a value of the wrong type (edited)")
                continue
            }
            let label = String(secret.prefix(12))
            if let rowMACKey, !rowMACKey.isValid(mac, for: .noticeLink(secretSHA256: secret, purpose: purpose, consent: consent,
                                                                       createdAt: createdAt, expiresAt: stored["expires_at"]?.integer)) {
                problem("notice_links", label, "fails its MAC (edited or inserted: the link opens nothing)")
            }
            if expected.consents[consent] == nil { problem("notice_links", label, "names a consent no event recorded") }
        }
        (names, rows) = try exactRows("verification_runs")
        while let row = try rows.next() {
            let stored = values(row, names)
            guard let id = stored["id"]?.integer, let at = stored["at"]?.integer, let intact = stored["intact"]?.integer,
                  let events = stored["events"]?.integer, let mac = stored["mac"]?.blob,
                  stored["problem"]?.text != nil || stored["problem"] == .null else {
                problem("verification_runs", nil, "a row has a value of the wrong type (edited)")
                continue
            }
            if let rowMACKey, !rowMACKey.isValid(mac, for: .verificationRun(at: at, intact: intact == 1, events: events,
                                                                            problem: stored["problem"]?.text)) {
                problem("verification_runs", "\(id)", "fails its MAC (edited or inserted: it is not shown)")
            }
        }
    }
}

extension SQLRecord {
    /// The record's values by column, to hold against what is stored byte for byte.
    var columnValues: [String: SQLValue] {
        get throws { Dictionary(try columns().map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }) }
    }
}

/// The rows of one table, read one at a time by the checks below.
private final class RowReader {
    private var rows: IndexingIterator<[SQLRow]>
    init(_ rows: [SQLRow]) { self.rows = rows.makeIterator() }
    func next() throws -> SQLRow? { rows.next() }
}
