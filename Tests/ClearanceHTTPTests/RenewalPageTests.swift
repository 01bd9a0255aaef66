@testable import ClearanceApp
import ClearanceCore
import ClearanceHTTP
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

/// `/renew/{secret}`, reached from a real renewal reminder (queued by the notice pass, opened
/// from the outbox as a sender would): the secret is stored only as its SHA-256, the form is
/// bounded, refusals change nothing and leave the link usable, a renewal uses it up and queues
/// its receipt in the same transaction, and a guardian cannot renew for someone now old enough.
@Suite("The renewal page")
struct RenewalPageTests {
    /// The samples' configuration with notices on (the mail server is never called here).
    static func noticesFixture() throws -> ServiceFixture {
        let samples = ServiceFixture.repositoryRoot.appendingPathComponent("samples/config.json")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: samples)) as? [String: Any])
        object["smtp"] = ["url": "smtp://127.0.0.1:1", "from": "consent@riverside.example"]
        object["publicURL"] = "https://consent.riverside.example"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("renewal-config-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: object).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let configuration = try ClearanceConfiguration.load(path: path.path)
        return try ServiceFixture(settings: { $0.configuration = configuration }, ingestSamples: false)
    }

    static func day(_ offset: Int) -> String {
        CalendarDate(daysSinceEpoch: Timestamp.now.utcDate.daysSinceEpoch + offset).description
    }

    /// Queues what is due today and opens the reminders as a sender would; answers each
    /// reminder's `/renew/…` path by the consent it is about.
    static func reminders(_ fixture: ServiceFixture) throws -> [String: String] {
        _ = try Notices(fixture.service.ledger).queueDue(on: Timestamp.now.utcDate, at: .now)
        let claimed = try fixture.service.ledger.ledger.claimDueNotices(now: .now, claimID: "test", limit: 100)
        var paths: [String: String] = [:]
        for notice in claimed where notice.kind == .renewal {
            let text = try #require(notice.content?.text)
            let path = try #require(text.range(of: #"/renew/[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(text[$0]) })
            paths[String(notice.key.dropFirst("renewal:".count))] = path
        }
        return paths
    }

    /// The file as anyone could read it (the ledger's own SQL stays in Ledger).
    func rows(_ fixture: ServiceFixture, _ sql: String) throws -> [[String]] {
        try DatabaseQueue(path: fixture.databasePath).read { db in
            try Row.fetchAll(db, sql: sql).map { row in row.databaseValues.map { $0.isNull ? "NULL" : String(describing: $0.storage.value ?? "") } }
        }
    }

    @Test("from the reminder to a new version: hashed single-use secret, bounded form, refusals change nothing")
    func renewal() async throws {
        let fixture = try Self.noticesFixture()
        var request = ConsentRequest(person: fixture.amira, channels: "facebook,website")
        request.event = "Riverside summer fair 2026"
        request.expires = Self.day(10)
        let ending = try fixture.service.ledger.recordConsent(request)
        let path = try #require(try Self.reminders(fixture)[ending.description])
        let secret = String(path.dropFirst("/renew/".count))
        #expect(secret.utf8.count >= 43, "256 random bits")

        // Only the SHA-256 of the secret is in the file.
        let database = try Data(contentsOf: URL(fileURLWithPath: fixture.databasePath))
        #expect(database.range(of: Data(secret.utf8)) == nil)
        #expect(try rows(fixture, "SELECT secret_sha256, purpose, consent_ref FROM notice_links WHERE purpose = 'renew'")
                == [[LinkSecret.sha256(secret), "renew", ending.description]])

        let consentsBefore = try fixture.service.ledger.consents(person: nil).count
        try await fixture.application().test(.router) { client in
            let page = try await client.execute(uri: path, method: .get)
            #expect(page.status == .ok)
            #expect(page.text.contains(ending.description) && page.text.contains("id=\"renew\""))
            #expect(!page.text.contains("Amira"), "no name on a page reached by a forwardable link")

            // Refused, each leaving the link as it was and writing nothing.
            let form = SessionTests.formHeaders(cookie: nil)
            let huge = try await client.execute(uri: path, method: .post, headers: form,
                                                body: SessionTests.form([("channels", String(repeating: "w", count: 9_000))]))
            #expect(huge.status == .contentTooLarge)
            let json = try await client.execute(uri: path, method: .post, headers: [.contentType: "application/json"],
                                                body: ByteBuffer(string: #"{"channels": ["website"]}"#))
            #expect(json.status == .unsupportedMediaType)
            let none = try await client.execute(uri: path, method: .post, headers: form, body: SessionTests.form([("other", "x")]))
            #expect(none.status == .badRequest)
            #expect(none.text.contains("Tick at least one channel"))
            let foreign = try await client.execute(uri: path, method: .post, headers: form,
                                                   body: SessionTests.form([("channels", "website"), ("channels", "tiktok")]))
            #expect(foreign.status == .badRequest)
            #expect(foreign.text.contains("only keep channels the consent had"))
            let hostile = "x\"\u{301} onfocus=alert(1)"
            let injected = try await client.execute(uri: path, method: .post, headers: form, body: SessionTests.form([("channels", hostile)]))
            #expect(injected.status == .badRequest)
            #expect(!injected.text.contains("onfocus=alert"), "what was sent is not shown back")
            #expect(try fixture.service.ledger.consents(person: nil).count == consentsBefore)

            let renewed = try await client.execute(uri: path, method: .post, headers: form, body: SessionTests.form([("channels", "website")]))
            #expect(renewed.status == .ok)
            let newReference = try #require(SelfServiceTests.between(renewed.text, "id=\"new-reference\">", "<"))
            let consent = try fixture.service.ledger.consent(newReference)
            #expect(consent.terms.method == .renewalLink)
            #expect(consent.terms.channels.map(\.name) == ["website"])
            #expect(consent.terms.givenAt == Timestamp.now.utcDate)
            #expect(consent.terms.expiresAt == fixture.service.ledger.configuration.policy.defaultExpiry(givenAt: Timestamp.now.utcDate))
            #expect(try fixture.service.ledger.consent(ending.description).state == .superseded)
            #expect(renewed.text.contains("A receipt follows by email"))
            // Its receipt was queued with it; the link is used up in the same transaction.
            #expect(try rows(fixture, "SELECT state FROM outbox WHERE notice_key = 'receipt:\(newReference)'") == [["queued"]])
            #expect(try rows(fixture, "SELECT used_at IS NOT NULL FROM notice_links WHERE purpose = 'renew'") == [["1"]])

            // Once.
            let again = try await client.execute(uri: path, method: .post, headers: form, body: SessionTests.form([("channels", "website")]))
            #expect(again.status == .notFound)
            let reopened = try await client.execute(uri: path, method: .get)
            #expect(reopened.status == .notFound)
            #expect(reopened.text.contains("not valid any more"))
            let unknown = try await client.execute(uri: "/renew/" + LinkSecret.generate(), method: .get)
            #expect(unknown.status == .notFound)
            let junk = try await client.execute(uri: "/renew/%3Cscript%3E", method: .get)
            #expect(junk.status == .notFound)
        }
    }

    @Test("with notices on, the tablet form queues the receipt in the consent's transaction, and refuses an address it cannot mail")
    func captureQueuesTheReceipt() async throws {
        let fixture = try Self.noticesFixture()
        let signature = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("strokes".utf8)).base64EncodedString()
        try await fixture.application().test(.router) { client in
            let cookie = try #require(try await SessionTests.signIn(client, name: "the-officer", password: fixture.passwords[.officer]!).cookie)
            let formPage = try await client.execute(uri: "/capture", method: .get, headers: [.cookie: cookie])
            let csrf = try #require(SessionTests.hidden("csrf", in: formPage.text))
            let fields: [(String, String)] = [
                ("csrf", csrf), ("event", "Riverside summer fair 2026"), ("formVersion", "1"), ("name", "Nina Park"),
                ("born", "1988-05-01"), ("channels", "website"), ("signature", "data:image/png;base64," + signature),
            ]
            let accented = try await client.execute(uri: "/capture", method: .post, headers: SessionTests.formHeaders(cookie: cookie),
                                                    body: SessionTests.form(fields + [("email", "nina@exämple.org")]))
            #expect(accented.status == .badRequest)
            #expect(accented.text.contains("Receipts go only to plain addresses"))
            #expect(try fixture.service.ledger.findPeople("Nina Park").isEmpty)

            let recorded = try await client.execute(uri: "/capture", method: .post, headers: SessionTests.formHeaders(cookie: cookie),
                                                    body: SessionTests.form(fields + [("email", "nina@example.org")]))
            #expect(recorded.status == .created)
            let reference = try #require(SelfServiceTests.between(recorded.text, "id=\"reference\">", "<"))
            #expect(try rows(fixture, "SELECT kind, state, consent_ref FROM outbox WHERE notice_key = 'receipt:\(reference)'")
                    == [["receipt", "queued", reference]])
        }
    }

    @Test("a guardian's consent for someone who has reached the age of consent: no reminder, and the link does not renew it")
    func grownUp() async throws {
        let fixture = try Self.noticesFixture()
        // Thirteen and a half: the guardian consented when the child was twelve.
        let born = CalendarDate(daysSinceEpoch: Timestamp.now.utcDate.daysSinceEpoch - 365 * 13 - 180)
        let teen = try fixture.service.ledger.addPerson(PersonRequest(name: "Leo Grown", born: born.description, email: "parent@example.org"))
        var request = ConsentRequest(person: teen.description, channels: "website")
        request.given = born.adding(years: 12).description
        request.expires = Self.day(10)
        request.guardianName = "Ingrid Grown"
        request.guardianRelationship = "mother"
        let reference = try fixture.service.ledger.recordConsent(request)
        #expect(try Self.reminders(fixture)[reference.description] == nil, "the guardian gets no renewal reminder")

        // A link made before the birthday still opens, but only to say why it cannot renew.
        let secret = LinkSecret.generate()
        try fixture.service.ledger.ledger.write { tx in
            try tx.addNoticeLink(secretSHA256: LinkSecret.sha256(secret), purpose: .renew, consent: reference,
                                 expiresAt: Timestamp(millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch + 86_400_000))
        }
        try await fixture.application().test(.router) { client in
            let page = try await client.execute(uri: "/renew/" + secret, method: .get)
            #expect(page.status == .ok)
            #expect(page.text.contains("id=\"grown-up\""))
            #expect(!page.text.contains("id=\"renew\""))
            let post = try await client.execute(uri: "/renew/" + secret, method: .post, headers: SessionTests.formHeaders(cookie: nil),
                                                body: SessionTests.form([("channels", "website")]))
            #expect(post.status == .badRequest)
            #expect(try fixture.service.ledger.consent(reference.description).state == .active)
        }
    }
}
