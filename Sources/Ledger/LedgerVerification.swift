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
        var macKey: EventMACKey?
        if FileManager.default.fileExists(atPath: keyPath) {
            let key = try InstanceKey.read(from: keyPath)
            if key.publicKey != instance.publicKey {
                report.problem = .init(table: "instance", message: "the public key does not match the key file \(keyPath)")
                return report
            }
            macKey = key.macKey
        }
        try database.read { db in
            var replay = ChainReplay(publicKey: instance.publicKey, macKey: macKey)
            let rows = try Row.fetchCursor(db, sql: """
                SELECT seq, kind, person_id, consent_ref, created_at, payload, prev_hash, hash, signature, mac
                FROM events ORDER BY seq
                """)
            var window: [RawEvent] = []
            window.reserveCapacity(ChainReplay.windowSize)
            while let row = try rows.next() {
                window.append(RawEvent(row))
                if window.count == ChainReplay.windowSize {
                    if !replay.apply(window) { break }
                    window.removeAll(keepingCapacity: true)
                }
            }
            if replay.problem == nil, !window.isEmpty { _ = replay.apply(window) }
            report.problem = replay.problem
            report.events = replay.count
            report.lastHash = replay.count > 0 ? replay.previousHash : nil
            guard report.problem == nil else { return }

            report.problem = try DerivedTableCheck(db: db, expected: replay.store, indexKey: instance.indexKey).run()
            report.people = replay.store.people.count
            report.erasedPeople = replay.store.people.values.filter { $0.erasedAt != nil }.count
            report.consents = replay.store.consents.count
        }
        return report
    }
}

/// One row of `events` with its columns checked for type; nil fields had the wrong type.
private struct RawEvent: Sendable {
    var seq: Int64?
    var kind: String?
    var personID: String?
    var consentReference: String?
    var consentReferenceIsValid: Bool
    var createdAt: Int64?
    var payload: Data?
    var previousHash: Data?
    var hash: Data?
    var signature: Data?
    /// NULL for events written before MACs existed.
    var mac: DatabaseValue

    init(_ row: Row) {
        seq = Int64.fromDatabaseValue(row["seq"])
        kind = String.fromDatabaseValue(row["kind"])
        personID = String.fromDatabaseValue(row["person_id"])
        let referenceValue: DatabaseValue = row["consent_ref"]
        consentReference = String.fromDatabaseValue(referenceValue)
        consentReferenceIsValid = referenceValue.isNull || consentReference != nil
        createdAt = Int64.fromDatabaseValue(row["created_at"])
        payload = Data.fromDatabaseValue(row["payload"])
        previousHash = Data.fromDatabaseValue(row["prev_hash"])
        hash = Data.fromDatabaseValue(row["hash"])
        signature = Data.fromDatabaseValue(row["signature"])
        mac = row["mac"]
    }
}

/// Replays the events in windows: within a window, sequence, links, hashes, signatures and
/// payload decoding are checked on all cores (each needs only its own row and the previous
/// row's stored hash); then the events are applied to the derived state in order.
private struct ChainReplay {
    static let windowSize = 8192
    let publicKey: Data
    /// With the key file at hand, each event's MAC must match too.
    let macKey: EventMACKey?
    var previousHash: Data
    var count = 0
    var store = MemoryStore()
    var problem: LedgerVerification.Problem?

    init(publicKey: Data, macKey: EventMACKey?) {
        self.publicKey = publicKey
        self.macKey = macKey
        previousHash = EventChain.genesisHash(publicKey: publicKey)
    }

    private enum Checked: Sendable {
        case good(LedgerEvent, seq: Int64, createdAt: Int64)
        case bad(String)
    }

    /// False (with `problem` set) when the window holds a bad event.
    mutating func apply(_ window: [RawEvent]) -> Bool {
        let firstSeq = Int64(count + 1)
        let results = Mutex<[Checked?]>(Array(repeating: nil, count: window.count))
        let chunkSize = 256
        let chunks = (window.count + chunkSize - 1) / chunkSize
        let previousOfWindow = previousHash, publicKey = self.publicKey, macKey = self.macKey
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = chunk * chunkSize ..< min(window.count, (chunk + 1) * chunkSize)
            var local: [Checked] = []
            local.reserveCapacity(range.count)
            for index in range {
                let previous = index == 0 ? previousOfWindow : window[index - 1].hash
                local.append(Self.check(window[index], expectedSeq: firstSeq + Int64(index),
                                        previousHash: previous, publicKey: publicKey, macKey: macKey))
            }
            results.withLock { all in
                for (offset, result) in local.enumerated() { all[range.lowerBound + offset] = result }
            }
        }
        let checked = results.withLock { $0 }
        for (index, result) in checked.enumerated() {
            let seq = firstSeq + Int64(index)
            switch result {
            case .good(let event, _, let createdAt):
                do {
                    try Projection.apply(event, seq: seq, at: createdAt, to: &store)
                } catch {
                    problem = .init(event: seq, message: "not allowed at this point: \(error)")
                    return false
                }
                previousHash = window[index].hash ?? previousHash
                count += 1
            case .bad(let message):
                problem = .init(event: seq, message: message)
                return false
            case nil:
                problem = .init(event: seq, message: "was not checked")
                return false
            }
        }
        return true
    }

    private static func check(_ raw: RawEvent, expectedSeq: Int64, previousHash: Data?, publicKey: Data,
                              macKey: EventMACKey?) -> Checked {
        guard let seq = raw.seq else { return .bad("sequence number is not an integer") }
        guard seq == expectedSeq else {
            return .bad(seq > expectedSeq ? "missing: the next event found is \(seq) (an event was deleted or renumbered)"
                                          : "out of order: found \(seq) (an event was inserted or renumbered)")
        }
        guard let kind = raw.kind, let personID = raw.personID, raw.consentReferenceIsValid,
              let createdAt = raw.createdAt, let payload = raw.payload, let storedPrevious = raw.previousHash,
              let hash = raw.hash, let signature = raw.signature else {
            return .bad("a column is missing or has the wrong type (the row was edited)")
        }
        guard let previousHash, storedPrevious == previousHash else {
            return .bad("does not link to the previous event (an event before it was edited, deleted or reordered)")
        }
        let computed = EventChain.hash(previousHash: storedPrevious, seq: seq, kind: kind, personID: personID,
                                       consentReference: raw.consentReference, createdAt: createdAt, payload: payload)
        guard computed == hash else { return .bad("contents do not match its hash (the event was edited)") }
        guard InstanceKey.isValid(signature: signature, hash: hash, publicKey: publicKey) else {
            return .bad("signature does not match the instance key")
        }
        if let macKey, !raw.mac.isNull {
            guard let mac = Data.fromDatabaseValue(raw.mac), macKey.isValid(mac, for: hash) else {
                return .bad("MAC does not match its hash (the row was edited)")
            }
        }
        guard let event = LedgerEvent.decode(kind: kind, payload: payload) else {
            return .bad("payload does not decode as \(kind)")
        }
        guard event.person.description == personID, event.consentReference?.description == raw.consentReference else {
            return .bad("subject columns disagree with the payload")
        }
        return .good(event, seq: seq, createdAt: createdAt)
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
