import ClearanceCore
import Foundation
import Ledger
import Mail

/// What one notice pass did.
public struct NoticeRun: Sendable {
    /// Newly queued notices by kind.
    public var queued: [NoticeKind: Int] = [:]
    public var sent: [String] = []
    /// Key and reason of each notice the server did not take; they wait for the next run.
    public var failed: [(key: String, reason: String)] = []
    /// Notices that can never be sent (the person was erased, or refused for good).
    public var dropped = 0
    /// Claimed by a sender that stopped before recording the server's answer: perhaps
    /// delivered. Left for the operator (`clearance notify --release ID`), never resent alone.
    public var inDoubt: [OutboxEntry] = []
    /// Queued, not due yet (waiting out a back-off).
    public var waiting = 0

    /// "2 renewal", … in a fixed order.
    public var queuedSummary: [String] {
        NoticeKind.allCases.compactMap { kind in queued[kind].map { "\($0) \(kind.rawValue)" } }
    }

    /// Exit 1 for `notify`: something was not delivered (now or on an earlier run, and is
    /// waiting out its back-off) or needs a decision.
    public var needsAttention: Bool { !failed.isEmpty || !inDoubt.isEmpty || waiting > 0 }
}

/// The notice pass: queue what is due (renewal reminders, guardians of children approaching
/// the age of consent, the DPO's digest), then send every due notice from the outbox.
///
/// Delivery is at most once. A notice is claimed (`sending`, with a claim id) in its own
/// transaction before it is handed to the server and marked `sent` only after the server
/// accepted it. A crash between the two leaves it `sending`: reported as in doubt by every
/// later run and kept out of the queue, because sending it again could tell someone twice
/// and the server may already have it. `clearance notify --release ID` requeues it by hand.
public struct Notices: Sendable {
    public let operations: LedgerOperations
    public let settings: NoticeSettings
    var ledger: Ledger { operations.ledger }
    var configuration: ClearanceConfiguration { operations.configuration }

    /// A claim older than this, still `sending`, belongs to a sender that stopped.
    static let claimTimeout: Int64 = 10 * 60_000

    public init(_ operations: LedgerOperations) throws(InputError) {
        guard let settings = operations.configuration.notices else {
            throw InputError("notices are not configured: add an \"smtp\" section (and \"publicURL\") to --config")
        }
        self.operations = operations
        self.settings = settings
    }

    /// `day` decides what is due (reminders, ages, the digest); `now` is the moment notices
    /// must be due by to be sent.
    /// `stop` is asked before each notice is claimed: the web service's pass ends early when the
    /// server stops, leaving the rest queued.
    public func run(day: CalendarDate, now: Timestamp, progress: (String) -> Void = { _ in },
                    stop: () -> Bool = { false }) throws -> NoticeRun {
        var run = NoticeRun()
        run.queued = try queueDue(on: day, at: now)
        try send(dueBy: now, into: &run, progress: progress, stop: stop)
        return run
    }

    // MARK: Queueing

    public func queueDue(on day: CalendarDate, at now: Timestamp) throws -> [NoticeKind: Int] {
        var queued: [NoticeKind: Int] = [:]
        let renewals = try queueRenewals(on: day, at: now)
        if renewals > 0 { queued[.renewal] = renewals }
        let reconsents = try queueReconsents(on: day, at: now)
        if reconsents > 0 { queued[.reconsent] = reconsents }
        if try queueDigest(on: day, at: now) { queued[.digest] = 1 }
        return queued
    }

    /// Whether notices can go to `address` (plain ASCII mailboxes only; see `MailAddress`).
    public static func canSend(to address: String) -> Bool { MailAddress.isValid(address) }

    func addressee(_ person: PersonEntry?) -> (data: PersonalData, email: String)? {
        guard let data = person?.personalData, let email = data.email, MailAddress.isValid(email) else { return nil }
        return (data, email)
    }

    /// One reminder per consent that ends within `renewalNoticeDays` of `day`, to the address on
    /// the person's record, with a single-use renewal link valid until the consent ends.
    func queueRenewals(on day: CalendarDate, at now: Timestamp) throws -> Int {
        let until = CalendarDate(daysSinceEpoch: day.daysSinceEpoch + configuration.renewalNoticeDays)
        let due = try ledger.allConsents(includingPrivateDetails: true).filter {
            $0.state == .active && $0.terms.expiresAt >= day && $0.terms.expiresAt <= until
        }
        var count = 0
        for consent in due {
            guard let found = addressee(try ledger.person(consent.person)) else { continue }
            let (data, email) = (found.data, found.email)
            // A guardian's consent for a child who reaches the age of consent before it ends is
            // not theirs to renew: the guardian gets the re-consent note instead.
            if consent.terms.givenByGuardian, let born = data.dateOfBirth,
               !configuration.policy.isChild(bornOn: born, on: consent.terms.expiresAt) { continue }
            let key = "renewal:\(consent.reference)"
            let queued = try LedgerOperations.translatingLedgerErrors {
                try ledger.write { tx -> Bool in
                    guard try !tx.noticeQueued(key: key) else { return false }
                    let secret = LinkSecret.generate()
                    // Good until the end of the consent's last day.
                    let expires = Timestamp(millisecondsSinceEpoch: Int64(consent.terms.expiresAt.daysSinceEpoch + 1) * 86_400_000)
                    try tx.addNoticeLink(secretSHA256: LinkSecret.sha256(secret), purpose: .renew, consent: consent.reference,
                                         expiresAt: expires, at: now)
                    let content = NoticeText.renewal(reference: consent.reference, terms: consent.terms, personName: data.name,
                                                     guardianName: consent.details?.guardianName,
                                                     renewalURL: settings.publicURL + "/renew/" + secret,
                                                     contact: configuration.withdrawalContact, to: email)
                    return try tx.queueNotice(key: key, kind: .renewal, person: consent.person, consent: consent.reference,
                                              content: content, at: now)
                }
            }
            if queued { count += 1 }
        }
        return count
    }

    /// To the guardian (the address on the child's record), when a child with a guardian's
    /// consent in force reaches the age of consent within `renewalNoticeDays`.
    func queueReconsents(on day: CalendarDate, at now: Timestamp) throws -> Int {
        let until = CalendarDate(daysSinceEpoch: day.daysSinceEpoch + configuration.renewalNoticeDays)
        let age = configuration.policy.ageOfConsent
        var count = 0
        for person in try ledger.allPeople() {
            guard let found = addressee(person), let born = found.data.dateOfBirth else { continue }
            let (data, email) = (found.data, found.email)
            let birthday = Reports.birthday(born: born, age: age)
            guard birthday > day, birthday <= until else { continue }
            let guardianConsents = try ledger.consents(of: person.id).filter {
                $0.state == .active && $0.terms.givenByGuardian && !$0.isExpired(on: day)
            }
            guard let first = guardianConsents.first else { continue }
            let key = "reconsent:\(person.id):\(birthday)"
            let content = NoticeText.reconsent(childName: data.name, guardianName: first.details?.guardianName, birthday: birthday,
                                               ageOfConsent: age, references: guardianConsents.map(\.reference),
                                               contact: configuration.withdrawalContact, to: email)
            let queued = try LedgerOperations.translatingLedgerErrors {
                try ledger.write { tx in
                    try tx.queueNotice(key: key, kind: .reconsent, person: person.id, consent: first.reference, content: content, at: now)
                }
            }
            if queued { count += 1 }
        }
        return count
    }

    /// The key of the digest that covers `day`: the day itself, or the Monday of its week.
    func digestKey(on day: CalendarDate) -> String? {
        switch settings.digest {
        case .off: return nil
        case .daily: return "digest:\(day)"
        case .weekly:
            // 1970-01-01 was a Thursday: days since epoch + 3, mod 7, counts from Monday.
            let monday = CalendarDate(daysSinceEpoch: day.daysSinceEpoch - ((day.daysSinceEpoch + 3) % 7 + 7) % 7)
            return "digest:week-of-\(monday)"
        }
    }

    func queueDigest(on day: CalendarDate, at now: Timestamp) throws -> Bool {
        guard let key = digestKey(on: day), let dpo = settings.dpoEmail else { return false }
        let already = try ledger.write { tx in try tx.noticeQueued(key: key) }
        guard !already else { return false }
        let content = try NoticeDigest(notices: self).content(on: day, at: now, to: dpo)
        return try LedgerOperations.translatingLedgerErrors {
            try ledger.write { tx in
                try tx.queueNotice(key: key, kind: .digest, person: nil, consent: nil, content: content, at: now)
            }
        }
    }

    // MARK: Sending

    func send(dueBy now: Timestamp, into run: inout NoticeRun, progress: (String) -> Void, stop: () -> Bool) throws {
        let transport = SMTPTransport(settings: settings.smtp)
        let claimID = LinkSecret.generate()
        let droppedBefore = try ledger.outboxCounts(now: now).dropped
        while !stop(), let notice = try ledger.claimDueNotices(now: now, claimID: claimID).first {
            guard let content = notice.content else { continue }
            do {
                let to = try MailAddress(content.to, displayName: content.toName)
                try transport.send(MailMessage(from: settings.smtp.from, to: to, subject: content.subject,
                                               text: content.text, html: content.html))
                try ledger.markNoticeSent(notice, at: .now)
                run.sent.append(notice.key)
                progress("sent \(notice.key)")
            } catch let error as MailError {
                let reason = Self.storedReason(error)
                if case .noAnswer = error {
                    // Perhaps delivered: left claimed, reported below, never sent again by itself.
                    try ledger.markNoticeInDoubt(notice, error: reason)
                    progress("in doubt \(notice.key): \(reason)")
                    continue
                }
                // Only a notice that can never be sent (its address or name cannot be written)
                // is dropped; refusals and silence, even 5xx (a wrong password is one), are
                // tried again.
                var drop = false
                switch error {
                case .badAddress, .headerInjection: drop = true
                default: break
                }
                try ledger.markNoticeFailed(notice, error: reason,
                                            retryAt: Self.retryAt(after: notice.attempts + 1, from: max(now, .now)), drop: drop)
                run.failed.append((notice.key, reason))
                progress("not sent \(notice.key): \(reason)")
            }
        }
        let counts = try ledger.outboxCounts(now: now)
        run.dropped = counts.dropped - droppedBefore
        run.waiting = counts.waiting
        run.inDoubt = try ledger.noticesInDoubt(claimedBefore: Self.staleClaims())
    }

    /// Claims made before this (by the clock, whatever day `--at` judges) belong to a sender
    /// that stopped: a live one answers or gives up within libcurl's time limits, far shorter.
    static func staleClaims() -> Timestamp {
        Timestamp(millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch - claimTimeout)
    }

    /// What is kept in the outbox (in clear, listed, put in the digest) about a failure: never
    /// the address or the name, which the error may quote.
    static func storedReason(_ error: MailError) -> String {
        switch error {
        case .badAddress: "the recipient's address is not one Clearance sends to"
        case .headerInjection(let field): "the \(field) contains a line break or control character"
        default: error.description
        }
    }

    /// 5 minutes after the first failure, doubling, at most a day.
    static func retryAt(after attempts: Int, from now: Timestamp) -> Timestamp {
        let minutes = min(5 << min(attempts - 1, 16), 24 * 60)
        return Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + Int64(minutes) * 60_000)
    }
}

extension Reports {
    /// The day someone born on `born` reaches `age`; a 29 February birthday falls on 1 March in
    /// common years, as `CalendarDate.age(at:)` counts it.
    static func birthday(born: CalendarDate, age: Int) -> CalendarDate {
        let birthday = born.adding(years: age)
        return born.month == 2 && born.day == 29 && !CalendarDate.isLeap(birthday.year) ? day(birthday, plus: 1) : birthday
    }
}

extension LedgerOperations {
    /// The receipt of a consent just recorded in `tx`, with a withdrawal link of its own.
    func queueReceipt(_ tx: inout LedgerTransaction, notices: NoticeSettings, reference: ConsentReference,
                      consent: CheckedConsent, data: PersonalData, email: String) throws {
        guard MailAddress.isValid(email) else { return }
        let secret = LinkSecret.generate()
        try tx.addNoticeLink(secretSHA256: LinkSecret.sha256(secret), purpose: .withdraw, consent: reference, expiresAt: nil)
        let content = NoticeText.receipt(reference: reference, terms: consent.terms, personName: data.name,
                                         guardianName: consent.details.guardianName,
                                         withdrawalURL: notices.publicURL + "/withdraw/" + secret,
                                         contact: configuration.withdrawalContact, to: email)
        try tx.queueNotice(key: "receipt:\(reference)", kind: .receipt, person: consent.person, consent: reference, content: content)
    }

    /// The consent a withdrawal link from a receipt email stands for.
    public func consent(forWithdrawalLink secret: String) throws -> ConsentReference? {
        guard LinkSecret.looksValid(secret) else { return nil }
        return try ledger.noticeLink(secretSHA256: LinkSecret.sha256(secret), purpose: .withdraw, at: .now)
    }

    /// `notify --release ID`.
    public func releaseNotice(_ id: Int64) throws {
        guard try ledger.releaseNotice(id, claimedBefore: Notices.staleClaims(), at: .now) else {
            throw InputError("notice \(id) is not in doubt (only a notice left in 'sending' by an interrupted send can be released)")
        }
    }

    public func outbox() throws -> [OutboxEntry] { try ledger.outboxEntries() }
}

extension LedgerOperations {
    public func outboxCounts() throws -> OutboxCounts { try ledger.outboxCounts(now: .now) }
    public func lastVerification() throws -> VerificationRun? { try ledger.lastVerification() }

    /// `verify`, with its result kept for the digest and `GET /metrics`.
    public func verifyAndRecord() throws -> LedgerVerification {
        let report = try verify()
        try ledger.recordVerification(VerificationRun(at: .now, intact: report.isIntact, events: report.events,
                                                      problem: report.problem?.description))
        return report
    }
}
