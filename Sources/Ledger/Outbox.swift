import ClearanceCore
import Foundation

/// What a notice is (`Migrations/0007_outbox.sql`).
public enum NoticeKind: String, Sendable, CaseIterable, Codable {
    case receipt, renewal, reconsent, digest
}

/// A composed message waiting in the outbox. For a person's notice it is stored only sealed
/// with that person's key.
public struct NoticeContent: Codable, Sendable, Equatable {
    public var to: String
    public var toName: String?
    public var subject: String
    public var text: String
    public var html: String

    public init(to: String, toName: String?, subject: String, text: String, html: String) {
        self.to = to
        self.toName = toName
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// A notice claimed for sending. `content` is nil when it no longer opens (the person was erased).
public struct ClaimedNotice: Sendable {
    public let id: Int64
    public let key: String
    public let kind: NoticeKind
    public let attempts: Int
    public let claimID: String
    public let content: NoticeContent?
}

/// A notice as listed (never its content).
public struct OutboxEntry: Sendable, Hashable {
    public let id: Int64
    public let key: String
    public let kind: NoticeKind
    public let state: String
    public let attempts: Int
    public let queuedAt: Timestamp
    public let nextAttemptAt: Timestamp
    public let claimedAt: Timestamp?
    public let sentAt: Timestamp?
    public let lastError: String?
}

public enum NoticeLinkPurpose: String, Sendable { case withdraw, renew }

extension LedgerTransaction {
    /// Queues a notice in this transaction, sealed with `person`'s key when given. Returns false
    /// (and changes nothing) when a notice with the same key was ever queued.
    @discardableResult
    public mutating func queueNotice(key: String, kind: NoticeKind, person: PersonID?, consent: ConsentReference?,
                                     content: NoticeContent, at: Timestamp = .now) throws -> Bool {
        let message = try person.map { try personSeal($0).seal(content) } ?? JSONEncoder().encode(content)
        let mac = self.key.rowMACKey.mac(.notice(key: key, kind: kind.rawValue, person: person?.description, consent: consent?.description,
                                                 message: message, queuedAt: at.millisecondsSinceEpoch))
        let changed = try db.execute("""
            INSERT INTO outbox (notice_key, kind, person_id, consent_ref, message, queued_at, mac, state, next_attempt_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?) ON CONFLICT DO NOTHING
            """, [key, kind.rawValue, person?.description, consent?.description, message,
                             at.millisecondsSinceEpoch, mac, at.millisecondsSinceEpoch])
        return changed == 1
    }

    /// In the erasure's transaction: the person's notices not yet sent are dropped, and every
    /// notice of theirs loses its sealed message (the key that opened it is being destroyed;
    /// with `secure_delete` the bytes are overwritten). What was sent when stays listed.
    func dropNotices(of person: PersonID) throws {
        try db.execute("""
            UPDATE outbox SET state = 'dropped', last_error = 'the person was erased'
            WHERE person_id = ? AND state = 'queued'
            """, [person.description])
        // Emptied messages are sealed again, so what stays listed still verifies.
        for row in try db.fetchAll("SELECT id, notice_key, kind, consent_ref, queued_at FROM outbox WHERE person_id = ?", [person.description]) {
            let mac = key.rowMACKey.mac(.notice(key: row["notice_key"], kind: row["kind"], person: person.description,
                                                consent: row["consent_ref"], message: Data(), queuedAt: row["queued_at"]))
            try db.execute("UPDATE outbox SET message = ?, mac = ? WHERE id = ?", [Data(), mac, row["id"] as Int64])
        }
    }

    public func noticeQueued(key: String) throws -> Bool {
        try db.fetchValue(Bool.self, "SELECT EXISTS (SELECT 1 FROM outbox WHERE notice_key = ?)", [key]) ?? false
    }

    /// Stores the hash of a link's secret; the secret itself goes only into the (sealed) notice.
    public func addNoticeLink(secretSHA256: String, purpose: NoticeLinkPurpose, consent: ConsentReference,
                              expiresAt: Timestamp?, at: Timestamp = .now) throws {
        let mac = key.rowMACKey.mac(.noticeLink(secretSHA256: secretSHA256, purpose: purpose.rawValue, consent: consent.description,
                                                createdAt: at.millisecondsSinceEpoch, expiresAt: expiresAt?.millisecondsSinceEpoch))
        try db.execute("""
            INSERT INTO notice_links (secret_sha256, purpose, consent_ref, created_at, expires_at, mac) VALUES (?, ?, ?, ?, ?, ?)
            """, [secretSHA256, purpose.rawValue, consent.description, at.millisecondsSinceEpoch,
                             expiresAt?.millisecondsSinceEpoch, mac])
    }

    /// Uses up a renewal link: it must exist, be unused and unexpired. Rolled back with the
    /// transaction if the renewal fails, so a refused renewal leaves the link usable.
    public func useRenewalLink(secretSHA256: String, consent: ConsentReference, at: Timestamp = .now) throws {
        guard let row = try db.fetchOne("SELECT * FROM notice_links WHERE secret_sha256 = ?", [secretSHA256]),
              Ledger.isGenuineLink(row, key: key.rowMACKey) else {
            throw LedgerError.invalid("this renewal link has been used or has expired")
        }
        let changed = try db.execute("""
            UPDATE notice_links SET used_at = ?
            WHERE secret_sha256 = ? AND purpose = 'renew' AND consent_ref = ? AND used_at IS NULL AND expires_at > ?
            """, [at.millisecondsSinceEpoch, secretSHA256, consent.description, at.millisecondsSinceEpoch])
        guard changed == 1 else { throw LedgerError.invalid("this renewal link has been used or has expired") }
    }
}

extension Ledger {
    /// Claims up to `limit` due notices for one sender: each row moves from `queued` to
    /// `sending` with `claimID` in one transaction, so two servers never send the same notice.
    /// A notice whose person was erased no longer opens and is dropped here. A sender claims
    /// one at a time, so that if it stops, at most the notice it was sending is left in doubt.
    public func claimDueNotices(now: Timestamp, claimID: String, limit: Int = 1) throws -> [ClaimedNotice] {
        // Nothing is sent that cannot be confirmed as queued by Clearance itself.
        guard let rowMACKey else { throw LedgerError.missingKey(keyPath) }
        return try store.write { db in
            let rows = try db.fetchAll("""
                SELECT id, notice_key, kind, person_id, consent_ref, message, queued_at, mac, attempts FROM outbox
                WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
                """, [now.millisecondsSinceEpoch, limit])
            var claimed: [ClaimedNotice] = []
            for row in rows {
                let id: Int64 = row["id"]
                guard let mac = row["mac"] as Data?,
                      rowMACKey.isValid(mac, for: .notice(key: row["notice_key"], kind: row["kind"], person: row["person_id"],
                                                          consent: row["consent_ref"], message: row["message"], queuedAt: row["queued_at"])) else {
                    try db.execute("""
                        UPDATE outbox SET state = 'dropped', last_error = 'fails its MAC: not queued by Clearance (verify names it)'
                        WHERE id = ? AND state = 'queued'
                        """, [id])
                    continue
                }
                guard let kind = NoticeKind(rawValue: row["kind"]) else { continue }
                var content: NoticeContent?
                let message: Data = row["message"]
                if let personText: String = row["person_id"] {
                    if let person = PersonID(parsing: personText), let key = try personKeys.key(of: personText, db: db) {
                        content = PersonalDataSeal(keyBytes: key, person: person).open(NoticeContent.self, from: message)
                    }
                } else {
                    content = try? JSONDecoder().decode(NoticeContent.self, from: message)
                }
                guard content != nil else {
                    try db.execute("""
                        UPDATE outbox SET state = 'dropped', last_error = 'the person was erased: the notice no longer opens'
                        WHERE id = ? AND state = 'queued'
                        """, [id])
                    continue
                }
                let changed = try db.execute("UPDATE outbox SET state = 'sending', claim_id = ?, claimed_at = ? WHERE id = ? AND state = 'queued'", [claimID, now.millisecondsSinceEpoch, id])
                guard changed == 1 else { continue }
                claimed.append(ClaimedNotice(id: id, key: row["notice_key"], kind: kind, attempts: row["attempts"],
                                             claimID: claimID, content: content))
            }
            return claimed
        }
    }

    /// After the server accepted the message. False when this sender no longer holds the claim
    /// (nothing is changed then).
    @discardableResult
    public func markNoticeSent(_ notice: ClaimedNotice, at: Timestamp) throws -> Bool {
        try store.write { db in
            let changed = try db.execute("""
                UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, claim_id = NULL, last_error = NULL
                WHERE id = ? AND state = 'sending' AND claim_id = ?
                """, [at.millisecondsSinceEpoch, notice.id, notice.claimID])
            return changed == 1
        }
    }

    /// After a refusal or no connection: back to the queue until `retryAt`, or dropped for good.
    /// `error` is kept in clear (it is listed and put in the digest): never an address or a name.
    @discardableResult
    public func markNoticeFailed(_ notice: ClaimedNotice, error: String, retryAt: Timestamp, drop: Bool) throws -> Bool {
        try store.write { db in
            let changed = try db.execute("""
                UPDATE outbox SET state = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
                                  claim_id = NULL, claimed_at = NULL
                WHERE id = ? AND state = 'sending' AND claim_id = ?
                """, [drop ? "dropped" : "queued", retryAt.millisecondsSinceEpoch, String(error.prefix(500)),
                                 notice.id, notice.claimID])
            return changed == 1
        }
    }

    /// The whole message was handed over but no answer came (the connection dropped or timed
    /// out after the end of DATA): the server may have it. It stays `sending`, claimed, and is
    /// reported as in doubt at once, never retried by itself.
    @discardableResult
    public func markNoticeInDoubt(_ notice: ClaimedNotice, error: String) throws -> Bool {
        try store.write { db in
            let changed = try db.execute("""
                UPDATE outbox SET attempts = attempts + 1, last_error = ?
                WHERE id = ? AND state = 'sending' AND claim_id = ?
                """, ["in doubt: " + String(error.prefix(480)), notice.id, notice.claimID])
            return changed == 1
        }
    }

    /// Notices that may or may not have been delivered: marked in doubt by their sender, or
    /// claimed before `claimedBefore` by a sender that never recorded the server's answer.
    public func noticesInDoubt(claimedBefore: Timestamp) throws -> [OutboxEntry] {
        try outboxEntries(states: ["sending"]).filter {
            $0.lastError != nil || ($0.claimedAt?.millisecondsSinceEpoch ?? 0) < claimedBefore.millisecondsSinceEpoch
        }
    }

    /// Puts a notice in doubt back in the queue: the operator's decision, since it may have
    /// been delivered. A claim younger than `claimedBefore` and not marked in doubt belongs to a
    /// sender that may still be talking to the server, and is not released.
    public func releaseNotice(_ id: Int64, claimedBefore: Timestamp, at: Timestamp) throws -> Bool {
        try store.write { db in
            let changed = try db.execute("""
                UPDATE outbox SET state = 'queued', claim_id = NULL, claimed_at = NULL, next_attempt_at = ?,
                                  last_error = 'released by the operator after an interrupted send'
                WHERE id = ? AND state = 'sending' AND (last_error IS NOT NULL OR claimed_at < ?)
                """, [at.millisecondsSinceEpoch, id, claimedBefore.millisecondsSinceEpoch])
            return changed == 1
        }
    }

    public func outboxEntries(states: Set<String>? = nil) throws -> [OutboxEntry] {
        try store.read { db in
            try db.fetchAll("SELECT * FROM outbox ORDER BY id").compactMap { row -> OutboxEntry? in
                let state: String = row["state"]
                guard states?.contains(state) ?? true, let kind = NoticeKind(rawValue: row["kind"]) else { return nil }
                return OutboxEntry(id: row["id"], key: row["notice_key"], kind: kind, state: state, attempts: row["attempts"],
                                   queuedAt: Timestamp(millisecondsSinceEpoch: row["queued_at"]),
                                   nextAttemptAt: Timestamp(millisecondsSinceEpoch: row["next_attempt_at"]),
                                   claimedAt: (row["claimed_at"] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:)),
                                   sentAt: (row["sent_at"] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:)),
                                   lastError: row["last_error"])
            }
        }
    }

    public func outboxCounts(now: Timestamp) throws -> OutboxCounts {
        try store.read { db in
            var counts = OutboxCounts()
            for row in try db.fetchAll("""
                SELECT state, next_attempt_at <= ? AS due, COUNT(*) AS n FROM outbox GROUP BY state, due
                """, [now.millisecondsSinceEpoch]) {
                let n: Int = row["n"]
                switch row["state"] as String {
                case "queued": if row["due"] as Bool { counts.due += n } else { counts.waiting += n }
                case "sending": counts.sending += n
                case "sent": counts.sent += n
                default: counts.dropped += n
                }
            }
            return counts
        }
    }

    /// When the last digest was queued: its "withdrawals since" starts there.
    public func lastNoticeQueued(kind: NoticeKind) throws -> Timestamp? {
        try store.read { db in
            try db.fetchValue(Int64.self, "SELECT MAX(queued_at) FROM outbox WHERE kind = ?", [kind.rawValue])
                .map(Timestamp.init(millisecondsSinceEpoch:))
        }
    }

    /// The consent a link's secret stands for, if the link is still good for `purpose`.
    public func noticeLink(secretSHA256: String, purpose: NoticeLinkPurpose, at: Timestamp) throws -> ConsentReference? {
        guard let rowMACKey else { return nil }
        return try store.read { db in
            try db.fetchOne("""
                SELECT * FROM notice_links WHERE secret_sha256 = ? AND purpose = ?
                  AND (purpose = 'withdraw' OR (used_at IS NULL AND expires_at > ?))
                """, [secretSHA256, purpose.rawValue, at.millisecondsSinceEpoch])
                .flatMap { Self.isGenuineLink($0, key: rowMACKey) ? ConsentReference(parsing: $0["consent_ref"]) : nil }
        }
    }

    /// A link row as Clearance wrote it: one inserted or edited by hand opens nothing.
    static func isGenuineLink(_ row: SQLRow, key: RowMACKey) -> Bool {
        guard let mac = row["mac"] as Data? else { return false }
        return key.isValid(mac, for: .noticeLink(secretSHA256: row["secret_sha256"], purpose: row["purpose"], consent: row["consent_ref"],
                                                 createdAt: row["created_at"], expiresAt: row["expires_at"]))
    }

    public func recordVerification(_ run: VerificationRun) throws {
        guard let rowMACKey else { throw LedgerError.missingKey(keyPath) }
        let mac = rowMACKey.mac(.verificationRun(at: run.at.millisecondsSinceEpoch, intact: run.intact, events: Int64(run.events),
                                                 problem: run.problem))
        try store.write { db in
            try db.execute("INSERT INTO verification_runs (at, intact, events, problem, mac) VALUES (?, ?, ?, ?, ?)", [run.at.millisecondsSinceEpoch, run.intact, run.events, run.problem, mac])
        }
    }

    public func lastVerification() throws -> VerificationRun? {
        // The newest run whose MAC holds: an "intact" inserted by hand is never shown.
        guard let rowMACKey else { return nil }
        return try store.read { db in
            for row in try db.fetchAll("SELECT * FROM verification_runs ORDER BY id DESC") {
                let run = VerificationRun(at: Timestamp(millisecondsSinceEpoch: row["at"]), intact: row["intact"], events: row["events"],
                                          problem: row["problem"])
                if let mac = row["mac"] as Data?, rowMACKey.isValid(mac, for: .verificationRun(at: row["at"], intact: run.intact,
                                                                                              events: Int64(run.events), problem: run.problem)) {
                    return run
                }
            }
            return nil
        }
    }
}
