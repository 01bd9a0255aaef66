import ClearanceCore
import Foundation

/// The reads a check makes, all inside one read transaction with prepared statements reused:
/// a batch check then sees one consistent state of the ledger and does not pay for a transaction
/// and a statement compilation per question. Valid only inside `Ledger.snapshot`.
public struct LedgerSnapshot {
    let db: any SQLSession
    let ledger: Ledger

    /// An object kept with this database connection and handed back to later snapshots for as
    /// long as the ledger is unchanged (see `ConnectionMemos`): the place for answers derived
    /// from what this snapshot reads, so a server answering many checks works each out once.
    public func memo<Memo: AnyObject>(_ make: () -> Memo) throws -> Memo {
        try ledger.memos.memo(for: db, make: make)
    }

    /// The asset as its signed events say, with the rows checked against them (see
    /// `StoredAsset.problems`). `withPublications` also reads and confirms its publications and
    /// takedown items.
    public func asset(_ sha256: String, withPublications: Bool = false) throws -> StoredAsset? {
        try Ledger.storedAsset(sha256, including: withPublications ? .publications : [], db: db, ledger: ledger)
    }

    /// Assets whose xmpMM:DocumentID is one of `documentIDs` (the originals of an edited copy),
    /// through the document index.
    public func assets(withDocumentIDs documentIDs: [String]) throws -> DocumentLookup {
        try Ledger.documentLookup(documentIDs, db: db, ledger: ledger)
    }

    /// People (not erased) whose name or alias folds to `key`, from a confirmed index entry.
    public func personIDs(named key: NameKey) throws -> NameLookup {
        try Ledger.nameLookup(key, db: db, ledger: ledger)
    }

    public func consentHolder(_ reference: ConsentReference) throws -> PersonID? {
        try Ledger.consentHolder(reference, db: db)
    }

    /// Whether `id` was ever registered (erased people included), without decrypting anyone.
    public func personExists(_ id: PersonID) throws -> Bool {
        try Ledger.personExists(id, db: db)
    }

    /// What the gate needs about a person: nil when unknown or erased. A person whose records
    /// do not match their own signed events (a row edited, deleted or inserted in SQL, a key
    /// that no longer opens their data) is returned with `recordTampered` set, so the gate
    /// blocks whatever else it knows.
    public func standing(_ id: PersonID) throws -> PersonStanding? {
        let confirmation = try ledger.confirmPerson(id, db: db)
        guard let row = confirmation.person else {
            // No row: unknown, unless events say the person was registered.
            return try Ledger.personExists(id, db: db) ? PersonStanding(id: id, recordTampered: true) : nil
        }
        guard row.erasedAt == nil else {
            return confirmation.intact ? nil : PersonStanding(id: id, roles: row.roles, recordTampered: true)
        }
        let key = try ledger.personKeys.key(of: id.description, db: db)
        guard let data = try ledger.personalData(of: row, key: key, db: db),
              let rows = confirmation.consents, let consents = try? rows.map({ try ledger.record(for: $0, key: nil) }) else {
            return PersonStanding(id: id, roles: row.roles, recordTampered: true)
        }
        return PersonStanding(id: id, displayName: data.name, roles: row.roles, dateOfBirth: data.dateOfBirth,
                              consents: consents, tampered: confirmation.unverified,
                              recordTampered: !confirmation.intact)
    }
}

extension Ledger {
    /// Runs `body` in one read transaction. The snapshot must not outlive `body`.
    public func snapshot<T>(_ body: (LedgerSnapshot) throws -> T) throws -> T {
        try store.read { db in try body(LedgerSnapshot(db: db, ledger: self)) }
    }
}
