import ClearanceCore
import Foundation

extension Ledger {
    /// Every publication of `sha256`, oldest first, as its signed events say (a row deleted
    /// behind Clearance's back does not hide one).
    public func storedPublications(of sha256: String) throws -> [StoredPublication] {
        try store.read { db in
            try Self.storedAsset(sha256, including: .publications, db: db, ledger: self)?.publications ?? []
        }
    }

    /// Every takedown item, oldest first; `person` limits them to one person's.
    public func takedowns(person: PersonID? = nil) throws -> [TakedownItem] {
        try store.read { db in
            var sql = "SELECT * FROM takedowns"
            var arguments = SQLArguments()
            if let person {
                sql += " WHERE person_id = ?"
                arguments = [person.description]
            }
            sql += " ORDER BY id"
            return try db.fetchAll(TakedownRow.self, sql, arguments).compactMap { row in
                // The publication's row, or its signed event when the row is missing.
                let publication = try db.fetchOne(PublicationRow.self, key: [row.publicationID])
                    ?? Self.publicationFromEvent(row.publicationID, db: db, publicKey: instance.publicKey)
                return publication.flatMap { Self.takedown(row, publication: $0.publication) }
            }
        }
    }

    public func takedown(_ id: Int64) throws -> TakedownItem? {
        try takedowns().first { $0.id == id }
    }

    /// Closes an open takedown, recording who and when. Refuses an unknown id, a print notice
    /// (nothing can be taken down) and an item already closed.
    public func closeTakedown(_ id: Int64, by: String, note: String, at: Timestamp = .now) throws {
        try write { tx in try tx.closeTakedown(id, by: by, note: note, at: at) }
    }

    static func takedown(_ row: TakedownRow, publication: StoredPublication) -> TakedownItem? {
        guard let person = PersonID(parsing: row.personID), let cause = TakedownItem.Cause(rawValue: row.cause),
              let kind = TakedownItem.Kind(rawValue: row.kind) else { return nil }
        return TakedownItem(id: row.id, publication: publication, person: person, cause: cause,
                            consent: row.consentRef.flatMap(ConsentReference.init(parsing:)), kind: kind,
                            openedAt: Timestamp(millisecondsSinceEpoch: row.openedAt),
                            dueOn: row.dueOn.flatMap(CalendarDate.init(parsing:)),
                            doneAt: row.doneAt.map(Timestamp.init(millisecondsSinceEpoch:)),
                            doneBy: row.doneBy, doneNote: row.doneNote)
    }
}
