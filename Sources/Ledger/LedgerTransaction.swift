import ClearanceCore
import Foundation

/// Appends events inside one write transaction, keeping the chain tip and the derived tables
/// up to date as it goes.
public struct LedgerTransaction {
    let db: any SQLSession
    let key: InstanceKey
    let instance: Ledger.InstanceRecord
    let personKeys: PersonKeys
    /// People erased in this transaction, whose keys kept outside the database go once it commits.
    private(set) var erasedPeople: [PersonID] = []
    private(set) var lastSeq: Int64
    private(set) var lastHash: Data
    private var generator = SystemRandomNumberGenerator()
    /// The advisory lock every PostgreSQL write transaction takes ("Clearance" in ASCII, cut to 64 bits).
    static let appendLock: Int64 = 0x436C_6561_7261_6E63

    init(db: any SQLSession, key: InstanceKey, instance: Ledger.InstanceRecord, personKeys: PersonKeys) throws {
        self.db = db
        self.key = key
        self.instance = instance
        self.personKeys = personKeys
        if db.dialect == .postgresql {
            // Several servers may write at once: each write transaction queues here, until the
            // one before it commits or rolls back, so it reads the tip that commit left and its
            // sequence numbers follow on with no gap. Released with the transaction.
            _ = try db.fetchOne("SELECT pg_advisory_xact_lock(?)", [Self.appendLock])
        }
        if let row = try db.fetchOne("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"),
           let seq = row["seq"] as Int64?, let hash = row["hash"] as Data? {
            lastSeq = seq
            lastHash = hash
        } else {
            lastSeq = 0
            lastHash = EventChain.genesisHash(publicKey: instance.publicKey)
        }
    }

    /// Signs, chains and stores one event, then updates the derived tables. A rule violation
    /// throws and the whole transaction rolls back. `mentionDetails` are the clear parts of an
    /// ingested asset's mentions, which the event only commits to.
    @discardableResult
    mutating func append(_ event: LedgerEvent, at: Timestamp, mentionDetails: [MentionDetail] = []) throws -> Int64 {
        let payload = try event.canonicalPayload()
        let seq = lastSeq + 1
        let createdAt = at.millisecondsSinceEpoch
        let hash = EventChain.hash(previousHash: lastHash, seq: seq, kind: event.kind,
                                   personID: event.person?.description,
                                   consentReference: event.consentReference?.description, asset: event.asset,
                                   createdAt: createdAt, payload: payload)
        let signature = try key.sign(hash)
        try db.execute("""
            INSERT INTO events (seq, kind, person_id, consent_ref, asset, created_at, payload, prev_hash, hash, signature, mac)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [seq, event.kind, event.person?.description, event.consentReference?.description, event.asset,
                             createdAt, payload, lastHash, hash, signature, key.macKey.mac(of: hash)])
        var store = DatabaseStore(db: db, mentionDetails: mentionDetails, publicKey: instance.publicKey, appending: seq)
        try Projection.apply(event, seq: seq, at: createdAt, to: &store)
        lastSeq = seq
        lastHash = hash
        return seq
    }

    // MARK: Operations

    /// Registers a person; their personal data is stored only encrypted under a new key of their own.
    public mutating func addPerson(_ data: PersonalData, roles: PersonRoles, at: Timestamp = .now) throws -> PersonID {
        var id = PersonID.random(using: &generator)
        while try PersonRow.exists(db, id: id.description) { id = PersonID.random(using: &generator) }
        let keyBytes = PersonalDataSeal.newKey()
        let sealed = try PersonalDataSeal(keyBytes: keyBytes, person: id).seal(data)
        try append(.personAdded(.init(person: id, roles: roles, sealed: sealed)), at: at)
        try personKeys.add(keyBytes, for: id, db: db)
        for digest in NameIndex(keyBytes: instance.indexKey).digests(for: data) {
            var people = try nameIndexEntry(digest)
            people.insert(id.description)
            try setNameIndexEntry(digest, people: people)
        }
        return id
    }

    /// Records a consent (a new version of `supersedes` when given) and returns its new reference.
    public mutating func recordConsent(person: PersonID, terms: ConsentTerms, details: ConsentPrivateDetails,
                                       supersedes: ConsentReference? = nil, at: Timestamp = .now) throws -> ConsentReference {
        // `verify` holds every offline consent to its capture id and reservation.
        guard terms.method != .tabletOffline else {
            throw LedgerError.invalid("a tablet-offline consent is recorded only with the capture id and reservation the tablet sent")
        }
        let seal = try personSeal(person)
        var version = 1
        if let supersedes {
            guard let previous = try ConsentRow.find(db, reference: supersedes.description) else {
                throw LedgerError.unknownConsent(supersedes.description)
            }
            version = previous.version + 1
        }
        var reference = ConsentReference.random(using: &generator)
        // A reference reserved for a tablet's offline captures is not free either.
        while try ConsentRow.exists(db, reference: reference.description) || isReserved(reference) {
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
        guard let row = try ConsentRow.find(db, reference: reference.description),
              let person = PersonID(parsing: row.personID) else {
            throw LedgerError.unknownConsent(reference.description)
        }
        if row.state == ConsentState.withdrawn.rawValue { throw LedgerError.alreadyWithdrawn(reference) }
        let sealedNote = try note.map { try personSeal(person).seal($0) }
        try append(.consentWithdrawn(.init(reference: reference, person: person, receivedVia: receivedVia,
                                           recordedBy: recordedBy, sealedNote: sealedNote)), at: at)
    }

    /// Records the erasure, blanks the names ingested files gave for the person (one
    /// `asset.mentions-forgotten` event per asset), and destroys the person's key and their
    /// name-index entries. Call `Ledger.checkpoint()` after the commit so no old page survives in
    /// the WAL.
    ///
    /// Mentions are found by the digests of the person's names and aliases, so a namesake's
    /// mentions are blanked too; their photos then need a manual tag, the safe way round.
    public mutating func erase(_ person: PersonID, at: Timestamp = .now) throws -> [ConsentReference] {
        guard let row = try PersonRow.find(db, id: person.description) else {
            throw LedgerError.unknownPerson(person.description)
        }
        guard row.erasedAt == nil else { throw LedgerError.personErased(person) }
        let seal = try personSeal(person)
        guard let sealed = row.sealed, let data = seal.open(PersonalData.self, from: sealed) else {
            throw LedgerError.corrupt("cannot open the personal data of \(person) (run `clearance verify`)")
        }
        let digests = NameIndex(keyBytes: instance.indexKey).digests(for: data)
        let references = try db.fetchValues(String.self, "SELECT reference FROM consents WHERE person_id = ? ORDER BY reference", [person.description]).compactMap(ConsentReference.init(parsing:))
        try append(.personErased(.init(person: person, consents: references)), at: at)
        var forgotten: [String: [Int]] = [:]
        for digest in digests.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let rows = try db.fetchAll("SELECT sha256, ordinal FROM mentions WHERE name_digest = ? AND salt IS NOT NULL", [digest])
            for row in rows { forgotten[row["sha256"], default: []].append(row["ordinal"]) }
        }
        for (sha256, ordinals) in forgotten.sorted(by: { $0.key < $1.key }) {
            try append(.mentionsForgotten(.init(asset: sha256, person: person, ordinals: Array(Set(ordinals)).sorted())), at: at)
        }
        try personKeys.remove(person, db: db)
        erasedPeople.append(person)
        for digest in digests {
            var people = try nameIndexEntry(digest)
            people.remove(person.description)
            try setNameIndexEntry(digest, people: people)
        }
        try dropNotices(of: person)
        return references
    }

    func personSeal(_ person: PersonID) throws -> PersonalDataSeal {
        guard let row = try PersonRow.find(db, id: person.description) else {
            throw LedgerError.unknownPerson(person.description)
        }
        guard row.erasedAt == nil,
              let keyBytes = try personKeys.key(of: person.description, db: db) else {
            throw LedgerError.personErased(person)
        }
        return PersonalDataSeal(keyBytes: keyBytes, person: person)
    }
}
