// Publications and takedowns as the ledger holds them; defined here so that the layers above
// ClearanceApp never name a store type.
import Foundation

/// A publication with the row id that takedown items point at.
public struct StoredPublication: Hashable, Sendable {
    public var id: Int64
    public var record: PublicationRecord

    public init(id: Int64, record: PublicationRecord) {
        self.id = id
        self.record = record
    }
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

    public init(id: Int64, publication: StoredPublication, person: PersonID, cause: Cause, consent: ConsentReference? = nil,
                kind: Kind, openedAt: Timestamp, dueOn: CalendarDate? = nil, doneAt: Timestamp? = nil,
                doneBy: String? = nil, doneNote: String? = nil) {
        self.id = id
        self.publication = publication
        self.person = person
        self.cause = cause
        self.consent = consent
        self.kind = kind
        self.openedAt = openedAt
        self.dueOn = dueOn
        self.doneAt = doneAt
        self.doneBy = doneBy
        self.doneNote = doneNote
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
