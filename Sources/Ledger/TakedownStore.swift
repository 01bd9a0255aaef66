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
    public var publicationID: Int64
    public var person: PersonID
    public var cause: TakedownItem.Cause
    public var consent: ConsentReference?
    public var kind: TakedownItem.Kind
    public var dueOn: CalendarDate?

    public init(publicationID: Int64, person: PersonID, cause: TakedownItem.Cause, consent: ConsentReference?,
                kind: TakedownItem.Kind, dueOn: CalendarDate?) {
        self.publicationID = publicationID
        self.person = person
        self.cause = cause
        self.consent = consent
        self.kind = kind
        self.dueOn = dueOn
    }
}

extension Ledger {
    /// Every publication of `sha256`, oldest first, with its row id.
    public func storedPublications(of sha256: String) throws -> [StoredPublication] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM publications WHERE sha256 = ? ORDER BY id", arguments: [sha256])
                .map(Self.storedPublication)
        }
    }

    /// Every takedown item, oldest first; `person` limits them to one person's.
    public func takedowns(person: PersonID? = nil) throws -> [TakedownItem] {
        try database.read { db in
            var sql = """
                SELECT takedowns.*, publications.sha256 AS p_sha256, publications.output_sha256 AS p_output_sha256,
                       publications.channel AS p_channel, publications.path AS p_path, publications.post_url AS p_post_url,
                       publications.consents AS p_consents, publications.by AS p_by, publications.at AS p_at
                FROM takedowns JOIN publications ON publications.id = takedowns.publication_id
                """
            var arguments = StatementArguments()
            if let person {
                sql += " WHERE takedowns.person_id = ?"
                arguments = [person.description]
            }
            sql += " ORDER BY takedowns.id"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap(Self.takedown)
        }
    }

    public func takedown(_ id: Int64) throws -> TakedownItem? {
        try takedowns().first { $0.id == id }
    }

    /// Closes an open takedown, recording who and when. Refuses an unknown id, a print notice
    /// (nothing can be taken down) and an item already closed.
    public func closeTakedown(_ id: Int64, by: String, note: String, at: Timestamp = .now) throws {
        try database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT kind, done_at FROM takedowns WHERE id = ?", arguments: [id]) else {
                throw LedgerError.invalid("unknown takedown: T-\(id)")
            }
            guard (row["kind"] as String?) == TakedownItem.Kind.takedown.rawValue else {
                throw LedgerError.invalid("T-\(id) is a print or press publication: it cannot be recalled, only not reprinted")
            }
            guard (row["done_at"] as Int64?) == nil else { throw LedgerError.invalid("T-\(id) is already done") }
            try db.execute(sql: "UPDATE takedowns SET done_at = ?, done_by = ?, done_note = ? WHERE id = ?",
                           arguments: [at.millisecondsSinceEpoch, by, note, id])
        }
    }

    static func storedPublication(_ row: Row) -> StoredPublication {
        storedPublication(row, prefix: "")
    }

    static func storedPublication(_ row: Row, prefix: String) -> StoredPublication {
        let consentsText: String = row[prefix + "consents"] ?? "[]"
        let consents = (try? JSONDecoder().decode([String].self, from: Data(consentsText.utf8))) ?? []
        let record = PublicationRecord(sha256: row[prefix + "sha256"], outputSHA256: row[prefix + "output_sha256"],
                                       channel: Channel(row[prefix + "channel"] as String? ?? ""),
                                       path: row[prefix + "path"], postURL: row[prefix + "post_url"],
                                       consents: consents.compactMap(ConsentReference.init(parsing:)),
                                       by: row[prefix + "by"], at: Timestamp(millisecondsSinceEpoch: row[prefix + "at"]))
        return StoredPublication(id: prefix.isEmpty ? row["id"] : row["publication_id"], record: record)
    }

    static func takedown(_ row: Row) -> TakedownItem? {
        guard let person = (row["person_id"] as String?).flatMap(PersonID.init(parsing:)),
              let cause = (row["cause"] as String?).flatMap(TakedownItem.Cause.init(rawValue:)),
              let kind = (row["kind"] as String?).flatMap(TakedownItem.Kind.init(rawValue:)) else { return nil }
        return TakedownItem(id: row["id"], publication: storedPublication(row, prefix: "p_"), person: person, cause: cause,
                            consent: (row["consent_ref"] as String?).flatMap(ConsentReference.init(parsing:)), kind: kind,
                            openedAt: Timestamp(millisecondsSinceEpoch: row["opened_at"]),
                            dueOn: (row["due_on"] as String?).flatMap(CalendarDate.init(parsing:)),
                            doneAt: (row["done_at"] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:)),
                            doneBy: row["done_by"], doneNote: row["done_note"])
    }
}

extension LedgerTransaction {
    /// Opens takedown items in the same transaction as the withdrawal or erasure that caused
    /// them, so one is never recorded without the other. An item already open for the same
    /// publication and person is kept as it is.
    public mutating func openTakedowns(_ requests: [TakedownRequest], at: Timestamp) throws {
        for request in requests {
            try db.execute(sql: """
                INSERT INTO takedowns (publication_id, person_id, cause, consent_ref, kind, opened_at, due_on)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (publication_id, person_id) DO NOTHING
                """, arguments: [request.publicationID, request.person.description, request.cause.rawValue,
                                 request.consent?.description, request.kind.rawValue, at.millisecondsSinceEpoch,
                                 request.dueOn?.description])
        }
    }
}
