import ClearanceCore
import Foundation
import GRDB

/// Appends events inside one write transaction, keeping the chain tip and the derived tables
/// up to date as it goes.
public struct LedgerTransaction {
    let db: Database
    let key: InstanceKey
    let instance: Ledger.InstanceRecord
    private(set) var lastSeq: Int64
    private(set) var lastHash: Data
    private var generator = SystemRandomNumberGenerator()

    init(db: Database, key: InstanceKey, instance: Ledger.InstanceRecord) throws {
        self.db = db
        self.key = key
        self.instance = instance
        if let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"),
           let seq = row["seq"] as Int64?, let hash = row["hash"] as Data? {
            lastSeq = seq
            lastHash = hash
        } else {
            lastSeq = 0
            lastHash = EventChain.genesisHash(publicKey: instance.publicKey)
        }
    }

    /// Signs, chains and stores one event, then updates the derived tables. A rule violation
    /// throws and the whole transaction rolls back.
    @discardableResult
    mutating func append(_ event: LedgerEvent, at: Timestamp) throws -> Int64 {
        let payload = try event.canonicalPayload()
        let seq = lastSeq + 1
        let createdAt = at.millisecondsSinceEpoch
        let hash = EventChain.hash(previousHash: lastHash, seq: seq, kind: event.kind,
                                   personID: event.person.description,
                                   consentReference: event.consentReference?.description,
                                   createdAt: createdAt, payload: payload)
        let signature = try key.sign(hash)
        try db.execute(sql: """
            INSERT INTO events (seq, kind, person_id, consent_ref, created_at, payload, prev_hash, hash, signature, mac)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [seq, event.kind, event.person.description, event.consentReference?.description,
                             createdAt, payload, lastHash, hash, signature, key.macKey.mac(of: hash)])
        var store = DatabaseStore(db: db)
        try Projection.apply(event, seq: seq, at: createdAt, to: &store)
        lastSeq = seq
        lastHash = hash
        return seq
    }

    // MARK: Operations

    /// Registers a person; their personal data is stored only encrypted under a new key of their own.
    public mutating func addPerson(_ data: PersonalData, roles: PersonRoles, at: Timestamp = .now) throws -> PersonID {
        var id = PersonID.random(using: &generator)
        while try PersonRow.exists(db, key: id.description) { id = PersonID.random(using: &generator) }
        let keyBytes = PersonalDataSeal.newKey()
        let sealed = try PersonalDataSeal(keyBytes: keyBytes, person: id).seal(data)
        try append(.personAdded(.init(person: id, roles: roles, sealed: sealed)), at: at)
        try db.execute(sql: "INSERT INTO person_keys (person_id, key) VALUES (?, ?)", arguments: [id.description, keyBytes])
        for digest in NameIndex(keyBytes: instance.indexKey).digests(for: data) {
            try db.execute(sql: "INSERT INTO name_index (digest, person_id) VALUES (?, ?)",
                           arguments: [digest, id.description])
        }
        return id
    }

    /// Records a consent (a new version of `supersedes` when given) and returns its new reference.
    public mutating func recordConsent(person: PersonID, terms: ConsentTerms, details: ConsentPrivateDetails,
                                       supersedes: ConsentReference? = nil, at: Timestamp = .now) throws -> ConsentReference {
        let seal = try personSeal(person)
        var version = 1
        if let supersedes {
            guard let previous = try ConsentRow.fetchOne(db, key: supersedes.description) else {
                throw LedgerError.unknownConsent(supersedes.description)
            }
            version = previous.version + 1
        }
        var reference = ConsentReference.random(using: &generator)
        // A reference reserved for a tablet's offline captures is not free either.
        while try ConsentRow.exists(db, key: reference.description) || isReserved(reference) {
            reference = ConsentReference.random(using: &generator)
        }
        let event = LedgerEvent.ConsentRecorded(reference: reference, person: person, version: version,
                                                supersedes: supersedes, terms: terms, sealed: try seal.seal(details))
        try append(.consentRecorded(event), at: at)
        return reference
    }

    /// Marks a consent withdrawn; it stays in the ledger.
    public mutating func withdraw(_ reference: ConsentReference, receivedVia: String, recordedBy: String,
                                  note: String? = nil, at: Timestamp = .now) throws {
        guard let row = try ConsentRow.fetchOne(db, key: reference.description),
              let person = PersonID(parsing: row.personID) else {
            throw LedgerError.unknownConsent(reference.description)
        }
        if row.state == ConsentState.withdrawn.rawValue { throw LedgerError.alreadyWithdrawn(reference) }
        let sealedNote = try note.map { try personSeal(person).seal($0) }
        try append(.consentWithdrawn(.init(reference: reference, person: person, receivedVia: receivedVia,
                                           recordedBy: recordedBy, sealedNote: sealedNote)), at: at)
    }

    /// Records the erasure and destroys the person's key and name-index rows. Call
    /// `Ledger.checkpoint()` after the commit so no old page survives in the WAL.
    public mutating func erase(_ person: PersonID, at: Timestamp = .now) throws -> [ConsentReference] {
        guard let row = try PersonRow.fetchOne(db, key: person.description) else {
            throw LedgerError.unknownPerson(person.description)
        }
        guard row.erasedAt == nil else { throw LedgerError.personErased(person) }
        let references = try String.fetchAll(db, sql: "SELECT reference FROM consents WHERE person_id = ? ORDER BY reference",
                                             arguments: [person.description]).compactMap(ConsentReference.init(parsing:))
        try append(.personErased(.init(person: person, consents: references)), at: at)
        try db.execute(sql: "DELETE FROM person_keys WHERE person_id = ?", arguments: [person.description])
        try db.execute(sql: "DELETE FROM name_index WHERE person_id = ?", arguments: [person.description])
        return references
    }

    func personSeal(_ person: PersonID) throws -> PersonalDataSeal {
        guard let row = try PersonRow.fetchOne(db, key: person.description) else {
            throw LedgerError.unknownPerson(person.description)
        }
        guard row.erasedAt == nil,
              let keyBytes = try Data.fetchOne(db, sql: "SELECT key FROM person_keys WHERE person_id = ?",
                                               arguments: [person.description]) else {
            throw LedgerError.personErased(person)
        }
        return PersonalDataSeal(keyBytes: keyBytes, person: person)
    }
}
