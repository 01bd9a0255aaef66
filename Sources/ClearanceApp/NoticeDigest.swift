import ClearanceCore
import Foundation
import Ledger
import Mail

/// The DPO's digest: what needs doing soon, what happened since the last one, and whether the
/// ledger verifies. It names no one: references, person ids and counts (the DPO looks them up),
/// so the outbox holds no personal data in clear.
struct NoticeDigest {
    let notices: Notices
    var operations: LedgerOperations { notices.operations }
    var ledger: Ledger { operations.ledger }

    func content(on day: CalendarDate, at now: Timestamp, to dpo: MailAddress) throws -> NoticeContent {
        let window = operations.configuration.renewalNoticeDays
        let until = CalendarDate(daysSinceEpoch: day.daysSinceEpoch + window)
        let verification = try operations.verify()
        let problem = verification.problem?.description
        try ledger.recordVerification(VerificationRun(at: now, intact: problem == nil, events: verification.events, problem: problem))

        let consents = try ledger.allConsents(includingPrivateDetails: false)
        let expiring = consents.filter { $0.state == .active && $0.terms.expiresAt >= day && $0.terms.expiresAt <= until }
            .sorted { ($0.terms.expiresAt, $0.reference) < ($1.terms.expiresAt, $1.reference) }
            .map { "\($0.reference) of \($0.person) ends on \($0.terms.expiresAt) (\($0.terms.channels.map(\.name).joined(separator: ", ")))" }

        var ages: [String] = []
        let milestones = Array(Set([operations.configuration.policy.ageOfConsent, 18])).sorted()
        for person in try ledger.allPeople() {
            guard let born = person.personalData?.dateOfBirth else { continue }
            let held = consents.filter { $0.person == person.id && $0.state == .active && $0.terms.givenByGuardian && !$0.isExpired(on: day) }
            guard !held.isEmpty else { continue }
            for age in milestones {
                let birthday = Reports.birthday(born: born, age: age)
                guard birthday > day, birthday <= until else { continue }
                ages.append("\(person.id) turns \(age) on \(birthday): guardian's consent \(held.map(\.reference.description).joined(separator: ", "))")
            }
        }
        ages.sort()

        let open = try operations.takedowns(.open, on: day)
        let overdue = open.filter { $0.isOverdue(on: day) }.map { "T-\($0.id) due \($0.dueOn.map(\.description) ?? "-") on \($0.publication.record.channel.name) (\($0.person))" }
        let dueSoon = open.filter { !$0.isOverdue(on: day) }.map { "T-\($0.id) due \($0.dueOn.map(\.description) ?? "-") on \($0.publication.record.channel.name) (\($0.person))" }

        let since = try ledger.lastNoticeQueued(kind: .digest)
        let withdrawals = consents.compactMap { consent -> (Timestamp, String)? in
            guard let withdrawal = consent.withdrawal, since.map({ withdrawal.at > $0 }) ?? true else { return nil }
            return (withdrawal.at, "\(consent.reference) of \(consent.person) at \(withdrawal.at) via \(withdrawal.receivedVia)")
        }.sorted { $0.0 < $1.0 }.map(\.1)

        let outbox = try ledger.outboxEntries(states: ["queued", "sending", "dropped"])
        let troubled = outbox.filter { $0.lastError != nil || $0.state == "sending" }
            .map { "#\($0.id) \($0.kind.rawValue) \($0.state), \($0.attempts) attempts: \($0.lastError ?? "claimed at \($0.claimedAt?.description ?? "?")")" }

        let verifyLine = problem.map { "verify FAILS: \($0)" }
            ?? "verify passes: \(verification.events) events, last hash \(verification.lastHash.map { Hex.lowercase($0) } ?? "-")"
        let document = NoticeDocument(
            greeting: "Clearance digest for \(day)",
            paragraphs: [verifyLine,
                         "Looking ahead \(window) days, to \(until). People are named by id: look them up with `clearance person show ID` or on the dashboard."],
            sections: [("Consents ending (\(expiring.count))", expiring),
                       ("Children reaching \(milestones.map(String.init).joined(separator: " or ")) (\(ages.count))", ages),
                       ("Takedowns overdue (\(overdue.count))", overdue),
                       ("Takedowns open, not yet due (\(dueSoon.count))", dueSoon),
                       ("Withdrawals since \(since?.description ?? "the start") (\(withdrawals.count))", withdrawals),
                       ("Notices not delivered (\(troubled.count))", troubled)])
        let subject = "Clearance digest \(day): \(problem == nil ? "ledger intact" : "LEDGER DOES NOT VERIFY"), \(overdue.count) takedowns overdue"
        return document.content(to: dpo.address, toName: dpo.displayName, subject: subject)
    }
}
