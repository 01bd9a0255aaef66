import ClearanceCore
import Dispatch
import Foundation
import GRDB
import Synchronization

/// What `verify` found: counts and the chain head when intact, or the first problem.
public struct LedgerVerification: Sendable {
    public var events = 0
    public var people = 0
    public var erasedPeople = 0
    public var consents = 0
    /// SHA-256 of the last event; worth writing down elsewhere, since it pins the whole history.
    public var lastHash: Data?
    public var problem: Problem?

    public struct Problem: Sendable, CustomStringConvertible {
        /// The first bad event, when the chain itself is broken.
        public var event: Int64?
        /// The derived table holding a bad row, when the chain is intact but a table disagrees.
        public var table: String?
        public var message: String

        public var description: String {
            if let event { return "event \(event): \(message)" }
            if let table { return "\(table): \(message)" }
            return message
        }
    }

    public var isIntact: Bool { problem == nil }
}

extension Ledger {
    /// Replays the whole chain: sequence, links, hashes, signatures and the rules of each event;
    /// then rebuilds the derived tables in memory and compares them row by row with the file.
    public func verify() throws -> LedgerVerification {
        var report = LedgerVerification()
        if FileManager.default.fileExists(atPath: keyPath) {
            let key = try InstanceKey.read(from: keyPath)
            if key.publicKey != instance.publicKey {
                report.problem = .init(table: "instance", message: "the public key does not match the key file \(keyPath)")
                return report
            }
        }
        try database.read { db in
            var replay = ChainReplay(publicKey: instance.publicKey)
            let rows = try Row.fetchCursor(db, sql: """
                SELECT seq, kind, person_id, consent_ref, created_at, payload, prev_hash, hash, signature
                FROM events ORDER BY seq
                """)
            while let row = try rows.next() {
                if !replay.apply(row) { break }
            }
            let signatureProblem = replay.firstBadSignature()
            if let signatureProblem, signatureProblem.event ?? .max < replay.problem?.event ?? .max {
                report.problem = signatureProblem
            } else {
                report.problem = replay.problem
            }
            report.events = replay.count
            report.lastHash = replay.previousHash
            guard report.problem == nil else { return }

            report.problem = try DerivedTableCheck(db: db, expected: replay.store, indexKey: instance.indexKey).run()
            report.people = replay.store.people.count
            report.erasedPeople = replay.store.people.values.filter { $0.erasedAt != nil }.count
            report.consents = replay.store.consents.count
        }
        return report
    }
}

/// Walks the events in order, stopping at the first broken link.
private struct ChainReplay {
    let publicKey: Data
    var previousHash: Data
    var count = 0
    var store = MemoryStore()
    var problem: LedgerVerification.Problem?
    var hashes: [Data] = []
    var signatures: [Data] = []

    init(publicKey: Data) {
        self.publicKey = publicKey
        previousHash = EventChain.genesisHash(publicKey: publicKey)
    }

    /// False (with `problem` set) at the first bad event.
    mutating func apply(_ row: Row) -> Bool {
        let expected = Int64(count + 1)
        func fail(_ message: String, at seq: Int64? = nil) -> Bool {
            problem = .init(event: seq ?? expected, message: message)
            return false
        }
        guard let seq = Int64.fromDatabaseValue(row["seq"]) else { return fail("sequence number is not an integer") }
        guard seq == expected else {
            return fail(seq > expected ? "missing: the next event found is \(seq) (an event was deleted or renumbered)"
                                       : "out of order: found \(seq) (an event was inserted or renumbered)")
        }
        guard let kind = String.fromDatabaseValue(row["kind"]),
              let personID = String.fromDatabaseValue(row["person_id"]),
              let createdAt = Int64.fromDatabaseValue(row["created_at"]),
              let payload = Data.fromDatabaseValue(row["payload"]),
              let storedPrevious = Data.fromDatabaseValue(row["prev_hash"]),
              let hash = Data.fromDatabaseValue(row["hash"]),
              let signature = Data.fromDatabaseValue(row["signature"]) else {
            return fail("a column is missing or has the wrong type (the row was edited)")
        }
        let referenceValue: DatabaseValue = row["consent_ref"]
        let reference = String.fromDatabaseValue(referenceValue)
        guard referenceValue.isNull || reference != nil else { return fail("consent reference has the wrong type") }
        guard storedPrevious == previousHash else {
            return fail("does not link to the previous event (an event before it was edited, deleted or reordered)")
        }
        let computed = EventChain.hash(previousHash: storedPrevious, seq: seq, kind: kind, personID: personID,
                                       consentReference: reference, createdAt: createdAt, payload: payload)
        guard computed == hash else { return fail("contents do not match its hash (the event was edited)") }
        guard let event = LedgerEvent.decode(kind: kind, payload: payload) else {
            return fail("payload does not decode as \(kind)")
        }
        guard event.person.description == personID, event.consentReference?.description == reference else {
            return fail("subject columns disagree with the payload")
        }
        do {
            try Projection.apply(event, seq: seq, at: createdAt, to: &store)
        } catch {
            return fail("not allowed at this point: \(error)")
        }
        hashes.append(hash)
        signatures.append(signature)
        previousHash = hash
        count += 1
        return true
    }

    /// Checks signatures on all cores; the first failing event, if any.
    func firstBadSignature() -> LedgerVerification.Problem? {
        let total = hashes.count
        guard total > 0 else { return nil }
        let chunkSize = 2048
        let chunks = (total + chunkSize - 1) / chunkSize
        let firstBad = Mutex<Int?>(nil)
        let hashes = self.hashes, signatures = self.signatures, publicKey = self.publicKey
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            for index in chunk * chunkSize ..< min(total, (chunk + 1) * chunkSize) {
                if !InstanceKey.isValid(signature: signatures[index], hash: hashes[index], publicKey: publicKey) {
                    firstBad.withLock { current in current = min(current ?? .max, index) }
                    return
                }
            }
        }
        guard let index = firstBad.withLock({ $0 }) else { return nil }
        return .init(event: Int64(index + 1), message: "signature does not match the instance key")
    }
}

/// Compares the derived tables in the file with the state rebuilt from events.
private struct DerivedTableCheck {
    let db: Database
    let expected: MemoryStore
    let indexKey: Data

    func run() throws -> LedgerVerification.Problem? {
        if let problem = try compare(table: "people", key: "id", expected: expected.people.mapValues { try $0.databaseDictionary }) {
            return problem
        }
        if let problem = try compare(table: "consents", key: "reference",
                                     expected: expected.consents.mapValues { try $0.databaseDictionary }) {
            return problem
        }
        return try checkKeysAndIndex()
    }

    private func compare(table: String, key: String, expected: [String: [String: DatabaseValue]]) throws -> LedgerVerification.Problem? {
        var seen = Set<String>()
        let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(table) ORDER BY \(key)")
        while let row = try rows.next() {
            let id = String.fromDatabaseValue(row[key]) ?? "\(row[key] as DatabaseValue)"
            guard let wanted = expected[id] else {
                return .init(table: table, message: "row \(id) is not backed by any event (inserted)")
            }
            seen.insert(id)
            for (column, value) in row {
                guard let wantedValue = wanted[column] else {
                    return .init(table: table, message: "row \(id) has an unexpected column \(column)")
                }
                if wantedValue.storage != value.storage {
                    return .init(table: table, message: "row \(id) column \(column) differs from the events (edited)")
                }
            }
        }
        if let missing = expected.keys.sorted().first(where: { !seen.contains($0) }) {
            return .init(table: table, message: "row \(missing) is missing (deleted)")
        }
        return nil
    }

    /// Exactly the people not erased hold a key, each key opens its person's data, and the name
    /// index holds exactly the digests of their names and aliases.
    private func checkKeysAndIndex() throws -> LedgerVerification.Problem? {
        var keys: [String: Data] = [:]
        let keyRows = try Row.fetchCursor(db, sql: "SELECT person_id, key FROM person_keys ORDER BY person_id")
        while let row = try keyRows.next() {
            guard let id = String.fromDatabaseValue(row["person_id"]), let key = Data.fromDatabaseValue(row["key"]) else {
                return .init(table: "person_keys", message: "a row has the wrong types (edited)")
            }
            keys[id] = key
        }
        let index = NameIndex(keyBytes: indexKey)
        var wantedDigests = Set<[Data]>()
        for (id, person) in expected.people.sorted(by: { $0.key < $1.key }) {
            if person.erasedAt != nil {
                if keys[id] != nil { return .init(table: "person_keys", message: "\(id) is erased but still has a key") }
                continue
            }
            guard let key = keys[id] else { return .init(table: "person_keys", message: "key of \(id) is missing (deleted)") }
            guard let personID = PersonID(parsing: id), let sealed = person.sealed,
                  let data = PersonalDataSeal(keyBytes: key, person: personID).open(PersonalData.self, from: sealed) else {
                return .init(table: "person_keys", message: "key of \(id) does not open their data (edited)")
            }
            for digest in index.digests(for: data) { wantedDigests.insert([digest, Data(id.utf8)]) }
        }
        if let extra = keys.keys.sorted().first(where: { expected.people[$0] == nil }) {
            return .init(table: "person_keys", message: "key for unknown person \(extra) (inserted)")
        }
        var foundDigests = Set<[Data]>()
        let indexRows = try Row.fetchCursor(db, sql: "SELECT digest, person_id FROM name_index")
        while let row = try indexRows.next() {
            guard let digest = Data.fromDatabaseValue(row["digest"]), let id = String.fromDatabaseValue(row["person_id"]) else {
                return .init(table: "name_index", message: "a row has the wrong types (edited)")
            }
            let entry = [digest, Data(id.utf8)]
            guard wantedDigests.contains(entry) else {
                return .init(table: "name_index", message: "an entry for \(id) matches none of their names (inserted or edited)")
            }
            foundDigests.insert(entry)
        }
        if let missing = wantedDigests.subtracting(foundDigests).first {
            return .init(table: "name_index", message: "an entry for \(String(decoding: missing[1], as: UTF8.self)) is missing (deleted)")
        }
        return nil
    }
}
