import ClearanceCore
import Foundation
import GRDB
import Testing
@testable import Ledger

/// The outbox (`Migrations/0007_outbox.sql`) on a real SQLite file: notices are queued in the
/// transaction of what caused them, sealed with the person's key, claimed by one sender at a
/// time, marked sent only by the claim's holder, retried after a back-off, left in doubt when
/// their fate is unknown, and dropped when their person is erased.
@Suite struct OutboxTests {
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_780_000_000_000)

    static func at(minutes: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: t0.millisecondsSinceEpoch + minutes * 60_000)
    }

    static func content(_ to: String = "alice@example.org", name: String = "Alice Ávila") -> NoticeContent {
        NoticeContent(to: to, toName: name, subject: "Your photo consent", text: "Dear \(name)", html: "<p>Dear \(name)</p>")
    }

    /// A person with a consent and its receipt, queued in one transaction.
    func personWithReceipt(_ temporary: TemporaryLedger) throws -> (PersonID, ConsentReference) {
        try temporary.ledger.write { tx in
            let person = try tx.addPerson(PersonalData(name: "Alice Ávila", email: "alice@example.org"), roles: PersonRoles())
            let reference = try tx.recordConsent(person: person, terms: TemporaryLedger.terms(), details: ConsentPrivateDetails())
            try tx.queueNotice(key: "receipt:\(reference)", kind: .receipt, person: person, consent: reference,
                               content: Self.content(), at: Self.t0)
            return (person, reference)
        }
    }

    func rows(_ temporary: TemporaryLedger) throws -> [SQLRow] {
        try temporary.rows("SELECT * FROM outbox ORDER BY id")
    }

    @Test(arguments: TestStore.available)
    func aNoticeIsQueuedWithWhatCausedItAndSealed(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        let (person, reference) = try personWithReceipt(temporary)
        let stored = try #require(try rows(temporary).first)
        #expect(stored["notice_key"] == "receipt:\(reference)")
        #expect(stored["person_id"] == person.description)
        #expect(stored["state"] == "queued")
        let message: Data = stored["message"]
        // Sealed: neither the address nor the name is in the file in clear.
        #expect(message.range(of: Data("alice@example.org".utf8)) == nil)
        #expect(message.range(of: Data("Alice".utf8)) == nil)
        #expect(message.range(of: Data("Dear".utf8)) == nil)

        // A transaction that fails after queueing leaves neither the consent nor the notice.
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try temporary.ledger.write { tx in
                let again = try tx.recordConsent(person: person, terms: TemporaryLedger.terms(channels: ["print"]),
                                                 details: ConsentPrivateDetails())
                try tx.queueNotice(key: "receipt:\(again)", kind: .receipt, person: person, consent: again, content: Self.content())
                throw Refused()
            }
        }
        #expect(try rows(temporary).count == 1)
        #expect(try temporary.ledger.consents(of: person).count == 1)
    }

    @Test(arguments: TestStore.available)
    func aKeyIsQueuedOnceWhateverHappensToIt(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        let (person, reference) = try personWithReceipt(temporary)
        let again = try temporary.ledger.write { tx in
            try tx.queueNotice(key: "receipt:\(reference)", kind: .receipt, person: person, consent: reference, content: Self.content())
        }
        #expect(again == false)
        #expect(try temporary.ledger.write { tx in try tx.noticeQueued(key: "receipt:\(reference)") })
        // Still once after it was sent: a pass run again never queues it anew.
        let claimed = try #require(try temporary.ledger.claimDueNotices(now: Self.t0, claimID: "sender-a").first)
        try temporary.ledger.markNoticeSent(claimed, at: Self.t0)
        let afterSending = try temporary.ledger.write { tx in
            try tx.queueNotice(key: "receipt:\(reference)", kind: .receipt, person: person, consent: reference, content: Self.content())
        }
        #expect(afterSending == false)
        #expect(try rows(temporary).count == 1)
    }

    @Test(arguments: TestStore.available)
    func oneSenderHoldsAClaimAndOnlyItCanMarkTheNotice(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        _ = try personWithReceipt(temporary)
        let notice = try #require(try temporary.ledger.claimDueNotices(now: Self.t0, claimID: "sender-a").first)
        #expect(notice.content == Self.content(), "the claim opens the sealed message")
        #expect(notice.attempts == 0)
        // A second sender finds nothing to claim.
        #expect(try temporary.ledger.claimDueNotices(now: Self.at(minutes: 60), claimID: "sender-b").isEmpty)
        let counts = try temporary.ledger.outboxCounts(now: Self.t0)
        #expect(counts.sending == 1 && counts.backlog == 1)

        // Someone else's claim id marks nothing.
        let forged = ClaimedNotice(id: notice.id, key: notice.key, kind: notice.kind, attempts: 0, claimID: "sender-b", content: nil)
        #expect(try temporary.ledger.markNoticeSent(forged, at: Self.t0) == false)
        #expect(try temporary.ledger.markNoticeFailed(forged, error: "x", retryAt: Self.t0, drop: false) == false)
        #expect(try rows(temporary)[0]["state"] == "sending")

        #expect(try temporary.ledger.markNoticeSent(notice, at: Self.at(minutes: 1)))
        let sent = try rows(temporary)[0]
        #expect(sent["state"] == "sent")
        #expect(sent["attempts"] == 1)
        #expect(sent["sent_at"] == Self.at(minutes: 1).millisecondsSinceEpoch)
        #expect(sent["claim_id"] == nil as String?)
        // Marked once: a repeated mark (a retry of the write) changes nothing.
        #expect(try temporary.ledger.markNoticeSent(notice, at: Self.at(minutes: 2)) == false)
        #expect(try temporary.ledger.claimDueNotices(now: Self.at(minutes: 600), claimID: "sender-c").isEmpty)
        #expect(try temporary.ledger.outboxCounts(now: Self.t0) == OutboxCounts(sent: 1))
    }

    @Test(arguments: TestStore.available)
    func aFailureWaitsOutItsBackOff(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        _ = try personWithReceipt(temporary)
        let first = try #require(try temporary.ledger.claimDueNotices(now: Self.t0, claimID: "a").first)
        #expect(try temporary.ledger.markNoticeFailed(first, error: "Failed to connect to server", retryAt: Self.at(minutes: 5), drop: false))
        let waiting = try rows(temporary)[0]
        #expect(waiting["state"] == "queued")
        #expect(waiting["attempts"] == 1)
        #expect(waiting["last_error"] == "Failed to connect to server")
        #expect(try temporary.ledger.outboxCounts(now: Self.at(minutes: 4)) == OutboxCounts(waiting: 1))
        // Not before the back-off ends…
        #expect(try temporary.ledger.claimDueNotices(now: Self.at(minutes: 4), claimID: "b").isEmpty)
        // …and then again, counting attempts.
        let second = try #require(try temporary.ledger.claimDueNotices(now: Self.at(minutes: 5), claimID: "b").first)
        #expect(second.attempts == 1)
        #expect(try temporary.ledger.markNoticeSent(second, at: Self.at(minutes: 5)))
        #expect(try rows(temporary)[0]["attempts"] == 2)
        #expect(try rows(temporary)[0]["last_error"] == nil as String?)

        // A notice that can never go (no valid address) is dropped for good.
        let (_, reference) = try temporary.ledger.write { tx -> (PersonID, ConsentReference) in
            let person = try tx.addPerson(PersonalData(name: "Bob"), roles: PersonRoles())
            let reference = try tx.recordConsent(person: person, terms: TemporaryLedger.terms(), details: ConsentPrivateDetails())
            try tx.queueNotice(key: "receipt:\(reference)", kind: .receipt, person: person, consent: reference,
                               content: Self.content("not an address", name: "Bob"), at: Self.t0)
            return (person, reference)
        }
        let bad = try #require(try temporary.ledger.claimDueNotices(now: Self.at(minutes: 6), claimID: "c").first)
        #expect(bad.key == "receipt:\(reference)")
        try temporary.ledger.markNoticeFailed(bad, error: "the recipient's address is not one Clearance sends to",
                                              retryAt: Self.at(minutes: 11), drop: true)
        #expect(try temporary.ledger.claimDueNotices(now: Self.at(minutes: 6_000), claimID: "d").isEmpty)
        #expect(try temporary.ledger.outboxCounts(now: Self.t0) == OutboxCounts(sent: 1, dropped: 1))
    }

    @Test(arguments: TestStore.available)
    func aNoticeInDoubtIsReportedAndOnlyReleasedByHand(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        _ = try personWithReceipt(temporary)
        let notice = try #require(try temporary.ledger.claimDueNotices(now: Self.t0, claimID: "a").first)
        // A live claim is neither in doubt nor releasable: its sender may still be talking to the server.
        #expect(try temporary.ledger.noticesInDoubt(claimedBefore: Self.t0).isEmpty)
        #expect(try temporary.ledger.releaseNotice(notice.id, claimedBefore: Self.t0, at: Self.t0) == false)
        // Its sender stopped: an old claim is in doubt, and stays out of the queue.
        #expect(try temporary.ledger.noticesInDoubt(claimedBefore: Self.at(minutes: 10)).map(\.id) == [notice.id])
        #expect(try temporary.ledger.claimDueNotices(now: Self.at(minutes: 6_000), claimID: "b").isEmpty)
        // Released by the operator: queued again, sent by the next sender.
        #expect(try temporary.ledger.releaseNotice(notice.id, claimedBefore: Self.at(minutes: 10), at: Self.at(minutes: 11)))
        #expect(try temporary.ledger.releaseNotice(notice.id, claimedBefore: Self.at(minutes: 10), at: Self.at(minutes: 11)) == false,
                "only a notice in doubt can be released")
        let again = try #require(try temporary.ledger.claimDueNotices(now: Self.at(minutes: 11), claimID: "b").first)
        // The sender that stopped cannot mark it any more.
        #expect(try temporary.ledger.markNoticeSent(notice, at: Self.at(minutes: 12)) == false)
        #expect(try temporary.ledger.markNoticeSent(again, at: Self.at(minutes: 12)))

        // Marked in doubt by its own sender (no answer after the whole message): reported at once.
        let (_, second) = try personWithReceipt(temporary)
        let claimed = try #require(try temporary.ledger.claimDueNotices(now: Self.at(minutes: 20), claimID: "c").first)
        #expect(claimed.key == "receipt:\(second)")
        #expect(try temporary.ledger.markNoticeInDoubt(claimed, error: "Operation timed out"))
        let doubted = try temporary.ledger.noticesInDoubt(claimedBefore: Self.t0)
        #expect(doubted.map(\.id) == [claimed.id])
        #expect(doubted.first?.lastError == "in doubt: Operation timed out")
        #expect(doubted.first?.attempts == 1)
        #expect(try temporary.ledger.claimDueNotices(now: Self.at(minutes: 6_000), claimID: "d").isEmpty)
        #expect(try temporary.ledger.releaseNotice(claimed.id, claimedBefore: Self.t0, at: Self.at(minutes: 21)))
    }

    @Test(arguments: TestStore.available)
    func erasureDropsTheNoticesItMakesUnreadable(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        let (person, _) = try personWithReceipt(temporary)
        let sent = try #require(try temporary.ledger.claimDueNotices(now: Self.t0, claimID: "a").first)
        try temporary.ledger.markNoticeSent(sent, at: Self.t0)
        try temporary.ledger.write { tx in
            try tx.queueNotice(key: "renewal:x", kind: .renewal, person: person, consent: nil, content: Self.content(), at: Self.t0)
            try tx.queueNotice(key: "digest:2026-05-28", kind: .digest, person: nil, consent: nil,
                               content: Self.content("dpo@example.org", name: "DPO"), at: Self.t0)
        }
        _ = try temporary.ledger.write { tx in try tx.erase(person) }
        let after = try rows(temporary)
        #expect(after.map { $0["state"] as String } == ["sent", "dropped", "queued"])
        #expect(after.map { ($0["message"] as Data).isEmpty } == [true, true, false], "the erased person's messages are gone")
        #expect(after[1]["last_error"] == "the person was erased")
        // What was sent, when, stays listed; only the digest (no one's data) is still to send.
        let claimed = try temporary.ledger.claimDueNotices(now: Self.at(minutes: 1), claimID: "b", limit: 10)
        #expect(claimed.map(\.key) == ["digest:2026-05-28"])
    }

    @Test(arguments: TestStore.available)
    func aNoticeWhoseSealNoLongerOpensIsDroppedNotSent(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        let (person, _) = try personWithReceipt(temporary)
        // The key gone by any road (here: deleted behind the ledger's back) leaves ciphertext that opens for no one.
        try temporary.deleteKey(of: person)
        #expect(try temporary.ledger.claimDueNotices(now: Self.t0, claimID: "a").isEmpty)
        #expect(try rows(temporary)[0]["state"] == "dropped")
    }

    @Test(arguments: TestStore.available)
    func renewalLinksWorkOnceAndUntilTheyExpire(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        let (_, reference) = try personWithReceipt(temporary)
        let expires = Self.at(minutes: 60)
        try temporary.ledger.write { tx in
            try tx.addNoticeLink(secretSHA256: "renew-hash", purpose: .renew, consent: reference, expiresAt: expires, at: Self.t0)
            try tx.addNoticeLink(secretSHA256: "withdraw-hash", purpose: .withdraw, consent: reference, expiresAt: nil, at: Self.t0)
        }
        #expect(try temporary.ledger.noticeLink(secretSHA256: "renew-hash", purpose: .renew, at: Self.t0) == reference)
        #expect(try temporary.ledger.noticeLink(secretSHA256: "renew-hash", purpose: .withdraw, at: Self.t0) == nil)
        #expect(try temporary.ledger.noticeLink(secretSHA256: "renew-hash", purpose: .renew, at: expires) == nil)
        // Used in a transaction that fails: still usable.
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try temporary.ledger.write { tx in
                try tx.useRenewalLink(secretSHA256: "renew-hash", consent: reference, at: Self.t0)
                throw Refused()
            }
        }
        #expect(try temporary.ledger.noticeLink(secretSHA256: "renew-hash", purpose: .renew, at: Self.t0) == reference)
        try temporary.ledger.write { tx in try tx.useRenewalLink(secretSHA256: "renew-hash", consent: reference, at: Self.t0) }
        #expect(try temporary.ledger.noticeLink(secretSHA256: "renew-hash", purpose: .renew, at: Self.t0) == nil)
        #expect(throws: LedgerError.self) {
            try temporary.ledger.write { tx in try tx.useRenewalLink(secretSHA256: "renew-hash", consent: reference, at: Self.t0) }
        }
        // A withdrawal link has no end.
        #expect(try temporary.ledger.noticeLink(secretSHA256: "withdraw-hash", purpose: .withdraw, at: Self.at(minutes: 10_000_000)) == reference)
    }

    /// A ledger made before migration 0007: its consents keep every row and column through the
    /// rebuild that lets `method` be 'renewal-link', and the chain still verifies.
    @Test func theMigrationKeepsEveryConsent() throws {
        let temporary = try TemporaryLedger()
        let (alice, _, references) = try temporary.populate()
        // Put the file back as 0006 left it: the old CHECK, no outbox tables, 0007 not applied.
        try temporary.tamper("""
            DROP TABLE outbox; DROP TABLE notice_links; DROP TABLE verification_runs;
            CREATE TABLE consents_old AS SELECT * FROM consents;
            DROP TABLE consents;
            CREATE TABLE consents (
                reference TEXT PRIMARY KEY, person_id TEXT NOT NULL REFERENCES people(id),
                version INTEGER NOT NULL CHECK (version >= 1), supersedes TEXT REFERENCES consents(reference),
                superseded_by TEXT, state TEXT NOT NULL CHECK (state IN ('active', 'withdrawn', 'superseded', 'erased')),
                channels TEXT NOT NULL, purposes TEXT NOT NULL, event TEXT, form_version TEXT NOT NULL,
                method TEXT NOT NULL CHECK (method IN ('tablet', 'paper', 'qr', 'verbal')), recorded_by TEXT NOT NULL,
                given_at TEXT NOT NULL, expires_at TEXT NOT NULL, guardian_relationship TEXT, signature_sha256 TEXT,
                sealed BLOB, recorded_seq INTEGER NOT NULL REFERENCES events(seq), recorded_at INTEGER NOT NULL,
                withdrawn_at INTEGER, withdrawal_via TEXT, withdrawn_by TEXT, withdrawal_note BLOB,
                withdrawn_seq INTEGER REFERENCES events(seq), erased_at INTEGER) WITHOUT ROWID;
            INSERT INTO consents SELECT * FROM consents_old; DROP TABLE consents_old;
            CREATE INDEX consents_by_person ON consents(person_id);
            DELETE FROM grdb_migrations WHERE identifier = '0007_outbox';
            """)
        let before = try DatabaseQueue(path: temporary.path).read { try Row.fetchAll($0, sql: "SELECT * FROM consents ORDER BY reference") }
        #expect(before.count == 3)
        let ledger = try Ledger.open(at: temporary.path, forWriting: true)
        let after = try DatabaseQueue(path: temporary.path).read { db in
            (try Row.fetchAll(db, sql: "SELECT * FROM consents ORDER BY reference"),
             try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'consents'") ?? "")
        }
        #expect(after.0 == before)
        #expect(after.1.contains("'renewal-link'"))
        #expect(try ledger.verify().problem == nil)
        // And a renewal by link can now be stored.
        var terms = TemporaryLedger.terms(channels: ["website"])
        terms.method = .renewalLink
        let renewed = try ledger.write { tx in
            try tx.recordConsent(person: alice, terms: terms, details: ConsentPrivateDetails(), supersedes: references[2])
        }
        #expect(try ledger.consent(renewed)?.terms.method == .renewalLink)
        #expect(try ledger.verify().problem == nil)
    }

    @Test(arguments: TestStore.available)
    func verificationRunsAreKept(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        #expect(try temporary.ledger.lastVerification() == nil)
        let first = VerificationRun(at: Self.t0, intact: true, events: 6, problem: nil)
        let second = VerificationRun(at: Self.at(minutes: 1), intact: false, events: 7, problem: "event 3: hash")
        try temporary.ledger.recordVerification(first)
        try temporary.ledger.recordVerification(second)
        #expect(try temporary.ledger.lastVerification() == second)
    }
}
