@testable import ClearanceApp
import ClearanceCore
import Foundation
import Testing

/// The notice pass on a real ledger file, with a mail server that is not there (nothing listens
/// on 127.0.0.1 port 1: every send fails for real, as with the server down). What arrives, and
/// exactly once, is `tests/notices/notices_smtp.py`'s, against a real SMTP server.
@Suite("The notice pass")
struct NoticePassTests {
    final class Workspace {
        let directory: URL
        let operations: LedgerOperations

        init(digest: String = "daily") throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("notices-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let database = directory.appendingPathComponent("clearance.db").path
            _ = try LedgerOperations.initialise(databasePath: database)
            let config = directory.appendingPathComponent("config.json")
            try Data("""
                {"smtp": {"url": "smtp://127.0.0.1:1", "from": "consent@council.example"},
                 "publicURL": "https://consent.council.example", "dpoEmail": "dpo@council.example",
                 "digest": "\(digest)", "renewalNoticeDays": 30}
                """.utf8).write(to: config)
            operations = try LedgerOperations.open(databasePath: database, configuration: try ClearanceConfiguration.load(path: config.path),
                                                   forWriting: true)
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        var notices: Notices { get throws { try Notices(operations) } }
    }

    static let today = Timestamp.now.utcDate
    static func day(_ offset: Int) -> CalendarDate { CalendarDate(daysSinceEpoch: today.daysSinceEpoch + offset) }
    static func minutes(_ count: Int64, after time: Timestamp) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: time.millisecondsSinceEpoch + count * 60_000)
    }

    @Test("back-off: 5 minutes after the first failure, doubling, at most a day")
    func backOffSchedule() {
        let start = Timestamp(millisecondsSinceEpoch: 0)
        let waits = [1, 2, 3, 4, 8, 9, 10, 40, 1_000].map { Notices.retryAt(after: $0, from: start).millisecondsSinceEpoch / 60_000 }
        #expect(waits == [5, 10, 20, 40, 640, 1_280, 1_440, 1_440, 1_440])
    }

    @Test("a weekly digest is keyed by the Monday of its ISO week")
    func weeklyKey() throws {
        let workspace = try Workspace(digest: "weekly")
        let notices = try workspace.notices
        for (day, monday) in [("2026-06-01", "2026-06-01"), ("2026-06-03", "2026-06-01"), ("2026-06-07", "2026-06-01"),
                              ("2026-06-08", "2026-06-08"), ("2027-01-01", "2026-12-28")] {
            #expect(notices.digestKey(on: try #require(CalendarDate(parsing: day))) == "digest:week-of-\(monday)")
        }
        #expect(try Workspace(digest: "daily").notices.digestKey(on: Self.today) == "digest:\(Self.today)")
        #expect(try Workspace(digest: "off").notices.digestKey(on: Self.today) == nil)
    }

    @Test("a pass queues what is due once however often it runs; a failed send waits out its back-off and counts its attempts")
    func idempotentPassAndBackOff() throws {
        let workspace = try Workspace()
        let operations = workspace.operations
        let notices = try workspace.notices
        let adult = try operations.addPerson(PersonRequest(name: "Amira Haddad", born: "1990-04-12", email: "amira@example.org"))
        var ending = ConsentRequest(person: adult.description, channels: "website")
        ending.expires = Self.day(20).description
        let endingReference = try operations.recordConsent(ending)
        var later = ConsentRequest(person: adult.description, channels: "print")
        later.expires = Self.day(60).description
        _ = try operations.recordConsent(later)
        // A child with a guardian's consent who turns 13 in ten days; another in two months.
        let soon = try operations.addPerson(PersonRequest(name: "Leo Ørsted", born: Self.day(10).adding(years: -13).description,
                                                          email: "parent@example.org"))
        let notYet = try operations.addPerson(PersonRequest(name: "Mia Ørsted", born: Self.day(60).adding(years: -13).description,
                                                            email: "parent@example.org"))
        for child in [soon, notYet] {
            var request = ConsentRequest(person: child.description, channels: "website")
            request.guardianName = "Ingrid Ørsted"
            request.guardianRelationship = "mother"
            _ = try operations.recordConsent(request)
        }
        let receipts = try operations.outbox().map(\.key)
        #expect(receipts.count == 4 && receipts.allSatisfy { $0.hasPrefix("receipt:") }, "each consent queued its receipt")

        let now = Timestamp.now
        let first = try notices.queueDue(on: Self.today, at: now)
        #expect(first == [.renewal: 1, .reconsent: 1, .digest: 1])
        let keys = try operations.outbox().map(\.key)
        #expect(keys.contains("renewal:\(endingReference)"))
        #expect(keys.contains("reconsent:\(soon):\(Self.day(10))"))
        #expect(keys.contains("digest:\(Self.today)"))
        // Again, the same day or the next: nothing new (the next day brings only its digest).
        #expect(try notices.queueDue(on: Self.today, at: now).isEmpty)
        #expect(try notices.queueDue(on: Self.day(1), at: now) == [.digest: 1])
        #expect(try operations.outbox().count == keys.count + 1)

        // The server is not there: every notice fails, is kept, and waits 5 minutes.
        let run = try notices.run(day: Self.day(1), now: now)
        #expect(run.sent.isEmpty)
        #expect(run.failed.count == keys.count + 1)
        #expect(run.needsAttention)
        #expect(run.failed.allSatisfy { !$0.reason.contains("@") }, "no address in what is kept about a failure")
        let afterFirst = try operations.outbox()
        #expect(afterFirst.allSatisfy { $0.state == "queued" && $0.attempts == 1 && $0.lastError != nil })
        #expect(afterFirst.allSatisfy { $0.nextAttemptAt >= Self.minutes(5, after: now) && $0.nextAttemptAt < Self.minutes(6, after: .now) })
        // Inside the back-off nothing is tried; after it, a second attempt, then 10 minutes.
        let waiting = try notices.run(day: Self.day(1), now: Self.minutes(4, after: now))
        #expect(waiting.failed.isEmpty && waiting.waiting == afterFirst.count && waiting.needsAttention)
        let retried = try notices.run(day: Self.day(1), now: Self.minutes(6, after: .now))
        #expect(retried.failed.count == afterFirst.count)
        let afterSecond = try operations.outbox()
        #expect(afterSecond.allSatisfy { $0.attempts == 2 && $0.nextAttemptAt >= Self.minutes(16, after: now) })
        #expect(try operations.outboxCounts().backlog == afterFirst.count)
    }

    @Test("the digest names no one: references, ids and counts")
    func digestNamesNoOne() throws {
        let workspace = try Workspace()
        let operations = workspace.operations
        let person = try operations.addPerson(PersonRequest(name: "Amira Haddad", born: Self.day(15).adding(years: -18).description,
                                                            email: "amira@example.org"))
        var request = ConsentRequest(person: person.description, channels: "website")
        request.expires = Self.day(5).description
        request.guardianName = "Ingrid Haddad"
        request.guardianRelationship = "mother"
        request.given = Self.day(-400).description
        let reference = try operations.recordConsent(request)
        _ = try operations.withdraw(reference.description, receivedVia: "email", recordedBy: "DPO", note: "Amira asked by phone")
        var again = ConsentRequest(person: person.description, channels: "print")
        again.expires = Self.day(5).description
        again.guardianName = "Ingrid Haddad"
        again.guardianRelationship = "mother"
        let active = try operations.recordConsent(again)

        let dpo = try #require(try workspace.notices.settings.dpoEmail)
        let content = try NoticeDigest(notices: try workspace.notices).content(on: Self.today, at: .now, to: dpo)
        #expect(content.to == "dpo@council.example")
        for text in [content.text, content.html, content.subject] {
            #expect(!text.contains("Amira") && !text.contains("Haddad") && !text.contains("amira@") && !text.contains("phone"))
        }
        #expect(content.text.contains("verify passes"))
        #expect(content.text.contains("\(active) of \(person) ends on \(Self.day(5))"))
        #expect(content.text.contains("\(person) turns 18 on \(Self.day(15))"))
        #expect(content.text.contains("\(reference) of \(person)"), "the withdrawal since the last digest")
        #expect(try operations.lastVerification()?.intact == true, "the digest's verify is kept for /metrics")
    }
}
