import ClearanceCore
import Foundation

extension Ledger {
    public func person(_ id: PersonID) throws -> PersonEntry? {
        try store.read { db in
            try PersonRow.find(db, id: id.description).map { try entry(for: $0, db: db) }
        }
    }

    /// Everyone whose name or an alias folds to the same key as `name` (any case, any accents).
    /// The index entry is confirmed as for a check; without the key file it is read unconfirmed
    /// (this finds people to show or act on, never a verdict).
    public func people(named name: String) throws -> [PersonEntry] {
        guard let key = NameKey(name) else { return [] }
        return try store.read { db in
            let lookup = try Self.nameLookup(key, db: db, ledger: self)
            var ids = lookup.people
            if let problem = lookup.problem {
                guard rowMACKey == nil else { throw LedgerError.corrupt("the name index entry for \"\(name)\" \(problem)") }
                let listed = try db.fetchValue(String.self, "SELECT people FROM name_index WHERE digest = ?", [nameIndex.digest(key)]) ?? "[]"
                ids = (Ledger.stringList(listed) ?? []).compactMap(PersonID.init(parsing:))
            }
            return try ids.compactMap { try PersonRow.find(db, id: $0.description) }
                .sorted { $0.addedSeq < $1.addedSeq }
                .map { try entry(for: $0, db: db) }
        }
    }

    /// Everyone, in the order they were added.
    public func allPeople() throws -> [PersonEntry] {
        try store.read { db in
            let keys = try keysByPerson(db)
            return try db.fetchAll(PersonRow.self, "SELECT * FROM people ORDER BY added_seq").map {
                try entry(for: $0, key: keys[$0.id])
            }
        }
    }

    public func consent(_ reference: ConsentReference) throws -> ConsentRecord? {
        try store.read { db in
            guard let row = try ConsentRow.find(db, reference: reference.description) else { return nil }
            return try record(for: row, key: personKey(row.personID, db: db))
        }
    }

    /// Every version of every consent of `person`, oldest first. Without private details the
    /// guardian name, witness, signature image and note are left nil (nothing is decrypted),
    /// which is all the gate needs.
    public func consents(of person: PersonID, includingPrivateDetails: Bool = true) throws -> [ConsentRecord] {
        try store.read { db in
            let key = includingPrivateDetails ? try personKey(person.description, db: db) : nil
            return try db.fetchAll(ConsentRow.self, "SELECT * FROM consents WHERE person_id = ? ORDER BY recorded_seq", [person.description]).map { try record(for: $0, key: key) }
        }
    }

    /// Every consent, oldest first (see `consents(of:includingPrivateDetails:)`).
    public func allConsents(includingPrivateDetails: Bool = true) throws -> [ConsentRecord] {
        try store.read { db in
            let keys = includingPrivateDetails ? try keysByPerson(db) : [:]
            return try db.fetchAll(ConsentRow.self, "SELECT * FROM consents ORDER BY recorded_seq").map {
                try record(for: $0, key: keys[$0.personID])
            }
        }
    }

    public func eventCount() throws -> Int {
        try store.read { db in try db.fetchValue(Int.self, "SELECT count(*) FROM events") ?? 0 }
    }

    /// Mean size of an event row's payload and hashes, for sizing benchmark reference rows.
    public func averageEventBytes() throws -> Int {
        try store.read { db in
            try db.fetchValue(Int.self, "SELECT CAST(avg(length(payload) + 128) AS INTEGER) FROM events") ?? 0
        }
    }

    // MARK: Decoding rows

    private func keysByPerson(_ db: any SQLSession) throws -> [String: Data] {
        try personKeys.all(db: db)
    }

    private func personKey(_ id: String, db: any SQLSession) throws -> Data? {
        try personKeys.key(of: id, db: db)
    }

    private func entry(for row: PersonRow, db: any SQLSession) throws -> PersonEntry {
        try entry(for: row, key: personKey(row.id, db: db))
    }

    /// Decodes a person row; `key` opens the personal data (required unless erased).
    func entry(for row: PersonRow, key: Data?) throws -> PersonEntry {
        guard let id = PersonID(parsing: row.id) else { throw LedgerError.corrupt("bad person id \(row.id)") }
        var data: PersonalData?
        if row.erasedAt == nil {
            guard let key, let sealed = row.sealed,
                  let opened = PersonalDataSeal(keyBytes: key, person: id).open(PersonalData.self, from: sealed) else {
                throw LedgerError.corrupt("cannot open the personal data of \(id) (run `clearance verify`)")
            }
            data = opened
        }
        return PersonEntry(id: id, roles: row.roles, personalData: data,
                           addedAt: Timestamp(millisecondsSinceEpoch: row.addedAt),
                           erasedAt: row.erasedAt.map(Timestamp.init(millisecondsSinceEpoch:)))
    }

    /// Decodes a consent row; without `key` the private details and note stay nil.
    func record(for row: ConsentRow, key: Data?) throws -> ConsentRecord {
        guard let reference = ConsentReference(parsing: row.reference), let person = PersonID(parsing: row.personID),
              let terms = row.terms, let state = row.consentState else {
            throw LedgerError.corrupt("consent row \(row.reference) does not parse (run `clearance verify`)")
        }
        var details: ConsentPrivateDetails?
        var note: String?
        if state != .erased, let key {
            let seal = PersonalDataSeal(keyBytes: key, person: person)
            details = row.sealed.flatMap { seal.open(ConsentPrivateDetails.self, from: $0) }
            note = row.withdrawalNote.flatMap { seal.open(String.self, from: $0) }
        }
        var withdrawal: Withdrawal?
        if let at = row.withdrawnAt {
            withdrawal = Withdrawal(at: Timestamp(millisecondsSinceEpoch: at), receivedVia: row.withdrawalVia ?? "",
                                    recordedBy: row.withdrawnBy ?? "", note: note)
        }
        return ConsentRecord(reference: reference, person: person, terms: terms, details: details, state: state,
                             version: row.version, supersedes: row.supersedes.flatMap(ConsentReference.init(parsing:)),
                             supersededBy: row.supersededBy.flatMap(ConsentReference.init(parsing:)),
                             recordedAt: Timestamp(millisecondsSinceEpoch: row.recordedAt),
                             withdrawal: withdrawal, erasedAt: row.erasedAt.map(Timestamp.init(millisecondsSinceEpoch:)))
    }
}
