import ClearanceCore
import Foundation
import GRDB

enum SelfServiceTables {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE event_links (
                id INTEGER PRIMARY KEY,
                secret TEXT NOT NULL UNIQUE,
                event TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                closed_at INTEGER
            );
            CREATE TABLE pending_consents (
                id INTEGER PRIMARY KEY,
                event_link_id INTEGER NOT NULL REFERENCES event_links(id) ON DELETE CASCADE,
                form TEXT NOT NULL,
                submitted_at INTEGER NOT NULL
            );
            CREATE INDEX pending_consents_link ON pending_consents(event_link_id);
            """)
    }
}

extension UserStore {
    public func addEventLink(secret: String, event: String, by: String, at now: Timestamp = .now) throws -> EventLinkRecord {
        try database.write { db in
            try db.execute(sql: "INSERT INTO event_links (secret, event, created_by, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [secret, event, by, now.millisecondsSinceEpoch])
            return EventLinkRecord(id: db.lastInsertedRowID, secret: secret, event: event, createdBy: by, createdAt: now)
        }
    }

    /// The link with this secret, when it is still open.
    public func openEventLink(secret: String) throws -> EventLinkRecord? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM event_links WHERE secret = ? AND closed_at IS NULL",
                             arguments: [secret]).map(Self.eventLink)
        }
    }

    public func openEventLinks() throws -> [EventLinkRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM event_links WHERE closed_at IS NULL ORDER BY created_at DESC, id DESC")
                .map(Self.eventLink)
        }
    }

    /// Stops new submissions; those already held stay for an officer to decide.
    public func closeEventLink(id: Int64, at now: Timestamp = .now) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE event_links SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                           arguments: [now.millisecondsSinceEpoch, id])
        }
    }

    /// Holds a submission; refused when the link is closed or already holds `limit` undecided ones.
    public func addPendingConsent(linkID: Int64, form: String, limit: Int, at now: Timestamp = .now) throws -> Int64 {
        try database.write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM event_links WHERE id = ? AND closed_at IS NULL", arguments: [linkID]) != nil else {
                throw LedgerError.invalid("this event's self-service form is closed")
            }
            let held = try Int.fetchOne(db, sql: "SELECT count(*) FROM pending_consents WHERE event_link_id = ?", arguments: [linkID]) ?? 0
            guard held < limit else { throw LedgerError.invalid("too many forms are waiting for an officer; please ask one") }
            try db.execute(sql: "INSERT INTO pending_consents (event_link_id, form, submitted_at) VALUES (?, ?, ?)",
                           arguments: [linkID, form, now.millisecondsSinceEpoch])
            return db.lastInsertedRowID
        }
    }

    /// Held forms, oldest first; `limit` and `offset` page through them.
    public func pendingConsents(limit: Int = .max, offset: Int = 0) throws -> [PendingConsentRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: Self.pendingQuery + " ORDER BY pending_consents.submitted_at, pending_consents.id LIMIT ? OFFSET ?",
                             arguments: [min(limit, Int(Int64.max)), max(offset, 0)]).map(Self.pending)
        }
    }

    public func pendingConsentCount() throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pending_consents") ?? 0 }
    }

    public func pendingConsent(id: Int64) throws -> PendingConsentRecord? {
        try database.read { db in
            try Row.fetchOne(db, sql: Self.pendingQuery + " WHERE pending_consents.id = ?", arguments: [id]).map(Self.pending)
        }
    }

    /// Confirmed (the consent is then in the ledger) or rejected: either way the held copy of
    /// the person's details goes.
    public func removePendingConsent(id: Int64) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM pending_consents WHERE id = ?", arguments: [id])
        }
    }

    static let pendingQuery = """
        SELECT pending_consents.id AS pending_id, pending_consents.form, pending_consents.submitted_at, event_links.*
        FROM pending_consents JOIN event_links ON event_links.id = pending_consents.event_link_id
        """

    static func eventLink(_ row: Row) -> EventLinkRecord {
        EventLinkRecord(id: row["id"], secret: row["secret"], event: row["event"], createdBy: row["created_by"],
                        createdAt: Timestamp(millisecondsSinceEpoch: row["created_at"]),
                        closedAt: (row["closed_at"] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:)))
    }

    static func pending(_ row: Row) -> PendingConsentRecord {
        PendingConsentRecord(id: row["pending_id"], link: eventLink(row), form: row["form"],
                             submittedAt: Timestamp(millisecondsSinceEpoch: row["submitted_at"]))
    }
}
