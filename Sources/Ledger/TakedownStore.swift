import ClearanceCore
import Foundation
import GRDB

/// A publication with the row id that takedown items point at.
public struct StoredPublication: Hashable, Sendable {
    public var id: Int64
    public var record: PublicationRecord
}

/// One thing to remove (or, for print and press, never to reprint) because someone's consent ended.
public struct TakedownItem: Hashable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Remove the post; due by `dueOn`.
        case takedown
        /// Print and press cannot be recalled: do not reprint.
        case doNotReprint = "do-not-reprint"
    }

    public enum Cause: String, Sendable, CaseIterable {
        case withdrawal, erasure
    }

    public var id: Int64
    public var publication: StoredPublication
    public var person: PersonID
    public var cause: Cause
    public var consent: ConsentReference?
    public var kind: Kind
    public var openedAt: Timestamp
    public var dueOn: CalendarDate?
    public var doneAt: Timestamp?
    public var doneBy: String?
    public var doneNote: String?

    public var isDone: Bool { doneAt != nil }

    /// Open and past its due day on `date`.
    public func isOverdue(on date: CalendarDate) -> Bool {
        guard kind == .takedown, doneAt == nil, let dueOn else { return false }
        return date > dueOn
    }
}

/// A takedown item to open: which publication, whose consent ended, and how.
public struct TakedownRequest: Hashable, Sendable {
    /// The published asset.
    public var asset: String
    public var publicationID: Int64
    public var person: PersonID
    public var cause: TakedownItem.Cause
    public var consent: ConsentReference?
    public var kind: TakedownItem.Kind
    public var dueOn: CalendarDate?

    public init(asset: String, publicationID: Int64, person: PersonID, cause: TakedownItem.Cause, consent: ConsentReference?,
                kind: TakedownItem.Kind, dueOn: CalendarDate?) {
        self.asset = asset
        self.publicationID = publicationID
        self.person = person
        self.cause = cause
        self.consent = consent
        self.kind = kind
        self.dueOn = dueOn
    }
}

extension Ledger {
    /// Every publication of `sha256`, oldest first, as its signed events say (a row deleted
    /// behind Clearance's back does not hide one).
    public func storedPublications(of sha256: String) throws -> [StoredPublication] {
        try database.read { db in
            try Self.storedAsset(sha256, including: .publications, db: db, ledger: self)?.publications ?? []
        }
    }

    /// Every takedown item, oldest first; `person` limits them to one person's.
    public func takedowns(person: PersonID? = nil) throws -> [TakedownItem] {
        try database.read { db in
            var sql = "SELECT * FROM takedowns"
            var arguments = StatementArguments()
            if let person {
                sql += " WHERE person_id = ?"
                arguments = [person.description]
            }
            sql += " ORDER BY id"
            return try TakedownRow.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
                // The publication's row, or its signed event when the row is missing.
                let publication = try PublicationRow.fetchOne(db, key: row.publicationID)
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
