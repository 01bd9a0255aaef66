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
        try store.write { db in
            let insertedID = try db.insertReturningID("INSERT INTO event_links (secret, event, created_by, created_at) VALUES (?, ?, ?, ?) RETURNING id", [secret, event, by, now.millisecondsSinceEpoch])
            return EventLinkRecord(id: insertedID, secret: secret, event: event, createdBy: by, createdAt: now)
        }
    }

    /// The link with this secret, when it is still open.
    public func openEventLink(secret: String) throws -> EventLinkRecord? {
        try store.read { db in
            try db.fetchOne("SELECT * FROM event_links WHERE secret = ? AND closed_at IS NULL", [secret]).map(Self.eventLink)
        }
    }

    public func openEventLinks() throws -> [EventLinkRecord] {
        try store.read { db in
            try db.fetchAll("SELECT * FROM event_links WHERE closed_at IS NULL ORDER BY created_at DESC, id DESC")
                .map(Self.eventLink)
        }
    }

    /// Stops new submissions; those already held stay for an officer to decide.
    public func closeEventLink(id: Int64, at now: Timestamp = .now) throws {
        try store.write { db in
            try db.execute("UPDATE event_links SET closed_at = ? WHERE id = ? AND closed_at IS NULL", [now.millisecondsSinceEpoch, id])
        }
    }

    /// Holds a submission; refused when the link is closed or already holds `limit` undecided ones.
    public func addPendingConsent(linkID: Int64, form: String, limit: Int, at now: Timestamp = .now) throws -> Int64 {
        try store.write { db in
            guard try db.fetchOne("SELECT 1 FROM event_links WHERE id = ? AND closed_at IS NULL", [linkID]) != nil else {
                throw LedgerError.invalid("this event's self-service form is closed")
            }
            let held = try db.fetchValue(Int.self, "SELECT count(*) FROM pending_consents WHERE event_link_id = ?", [linkID]) ?? 0
            guard held < limit else { throw LedgerError.invalid("too many forms are waiting for an officer; please ask one") }
            let insertedID = try db.insertReturningID("INSERT INTO pending_consents (event_link_id, form, submitted_at) VALUES (?, ?, ?) RETURNING id", [linkID, form, now.millisecondsSinceEpoch])
            return insertedID
        }
    }

    /// Held forms, oldest first; `limit` and `offset` page through them.
    public func pendingConsents(limit: Int = .max, offset: Int = 0) throws -> [PendingConsentRecord] {
        try store.read { db in
            try db.fetchAll(Self.pendingQuery + " ORDER BY pending_consents.submitted_at, pending_consents.id LIMIT ? OFFSET ?", [min(limit, Int(Int64.max)), max(offset, 0)]).map(Self.pending)
        }
    }

    public func pendingConsentCount() throws -> Int {
        try store.read { db in try db.fetchValue(Int.self, "SELECT count(*) FROM pending_consents") ?? 0 }
    }

    public func pendingConsent(id: Int64) throws -> PendingConsentRecord? {
        try store.read { db in
            try db.fetchOne(Self.pendingQuery + " WHERE pending_consents.id = ?", [id]).map(Self.pending)
        }
    }

    /// Confirmed (the consent is then in the ledger) or rejected: either way the held copy of
    /// the person's details goes.
    public func removePendingConsent(id: Int64) throws {
        try store.write { db in
            try db.execute("DELETE FROM pending_consents WHERE id = ?", [id])
        }
    }

    static let pendingQuery = """
        SELECT pending_consents.id AS pending_id, pending_consents.form, pending_consents.submitted_at, event_links.*
        FROM pending_consents JOIN event_links ON event_links.id = pending_consents.event_link_id
        """

    static func eventLink(_ row: SQLRow) -> EventLinkRecord {
        EventLinkRecord(id: row["id"], secret: row["secret"], event: row["event"], createdBy: row["created_by"],
                        createdAt: Timestamp(millisecondsSinceEpoch: row["created_at"]),
                        closedAt: (row["closed_at"] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:)))
    }

    static func pending(_ row: SQLRow) -> PendingConsentRecord {
        PendingConsentRecord(id: row["pending_id"], link: eventLink(row), form: row["form"],
                             submittedAt: Timestamp(millisecondsSinceEpoch: row["submitted_at"]))
    }
}
