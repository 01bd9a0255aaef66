import ClearanceApp
import ClearanceCore
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

/// Self-service consent: the event's QR code, the attendee's own form, the officer's confirmation.
@Suite("Self-service consent")
struct SelfServiceTests {
    static func between(_ text: String, _ start: String, _ end: Character) -> String? {
        text.range(of: start).map { String(text[$0.upperBound...].prefix(while: { $0 != end })) }
    }

    @Test("an attendee's form from the event QR code waits until an officer confirms it, then is recorded like the tablet form")
    func qrFormConfirm() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let signature = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("phone strokes".utf8)).base64EncodedString()
        let consentsBefore = try fixture.service.ledger.consents(person: nil).count
        try await fixture.application().test(.router) { client in
            let cookie = try #require(try await SessionTests.signIn(client, name: "the-officer",
                                                                    password: fixture.passwords[.officer]!).cookie)
            let empty = try await client.execute(uri: "/self-service", method: .get, headers: [.cookie: cookie])
            #expect(empty.status == .ok)
            let csrf = try #require(SessionTests.hidden("csrf", in: empty.text))
            // Without the page's CSRF token no code is opened.
            let forged = try await client.execute(uri: "/self-service", method: .post, headers: SessionTests.formHeaders(cookie: cookie),
                                                  body: SessionTests.form([("event", "Forged fair")]))
            #expect(forged.status == .forbidden)
            #expect(try fixture.service.accounts.store.openEventLinks().isEmpty)

            let opened = try await client.execute(uri: "/self-service", method: .post, headers: SessionTests.formHeaders(cookie: cookie),
                                                  body: SessionTests.form([("csrf", csrf), ("event", "Library open day 2026")]))
            #expect(opened.status == .seeOther)
            let page = try await client.execute(uri: "/self-service", method: .get, headers: [.cookie: cookie])
            #expect(SessionTests.qrCodes(in: page.text).count == 1, "the event's QR code")
            let url = try #require(Self.between(page.text, "class=\"self-link\" href=\"", "\""))
            let path = try #require(URL(string: url)?.path)
            #expect(path.hasPrefix("/self/"))

            // The attendee, on their own phone, with no account.
            let form = try await client.execute(uri: path, method: .get)
            #expect(form.status == .ok)
            #expect(form.text.contains("Library open day 2026"))
            #expect(form.text.contains("action=\"\(path)\""))
            let fields: [(String, String)] = [
                ("formVersion", "1"), ("name", "Ola Nowak"), ("born", "1985-02-03"), ("channels", "website"),
                ("email", "ola@example.org"), ("signature", "data:image/png;base64," + signature),
                // Whatever else is sent is not kept: the event comes from the link.
                ("event", "Some other event"), ("role", "admin"),
            ]
            let missing = try await client.execute(uri: path, method: .post, headers: SessionTests.formHeaders(cookie: nil),
                                                   body: SessionTests.form(fields.filter { $0.0 != "channels" }))
            #expect(missing.status == .badRequest)
            #expect(missing.text.contains("Tick at least one channel"))
            let sent = try await client.execute(uri: path, method: .post, headers: SessionTests.formHeaders(cookie: nil),
                                                body: SessionTests.form(fields))
            #expect(sent.status == .accepted)
            // Held, not recorded.
            #expect(try fixture.service.ledger.findPeople("Ola Nowak").isEmpty)
            #expect(try fixture.service.ledger.consents(person: nil).count == consentsBefore)
            let held = try fixture.service.accounts.store.pendingConsents()
            #expect(held.count == 1)
            #expect(held.first?.form.contains("role=") == false)
            #expect(held.first?.form.contains("event=") == false)

            // Another role cannot see or confirm it.
            let editor = try #require(try await SessionTests.signIn(client, name: "the-editor", password: fixture.passwords[.editor]!).cookie)
            let id = try #require(held.first?.id)
            #expect(try await client.execute(uri: "/self-service/pending/\(id)", method: .get, headers: [.cookie: editor]).status == .forbidden)

            let listing = try await client.execute(uri: "/self-service", method: .get, headers: [.cookie: cookie])
            #expect(listing.text.contains("Ola Nowak"))
            let review = try await client.execute(uri: "/self-service/pending/\(id)", method: .get, headers: [.cookie: cookie])
            #expect(review.status == .ok)
            #expect(review.text.contains("src=\"data:image/png;base64,"))
            let confirmed = try await client.execute(uri: "/self-service/pending/\(id)/confirm", method: .post,
                                                     headers: SessionTests.formHeaders(cookie: cookie),
                                                     body: SessionTests.form([("csrf", csrf)]))
            #expect(confirmed.status == .created)
            #expect(confirmed.text.contains("id=\"withdrawal-link\""))
            let reference = try #require(Self.between(confirmed.text, "id=\"reference\">", "<"))
            let consent = try fixture.service.ledger.consent(reference)
            #expect(consent.state == .active)
            #expect(consent.terms.event == "Library open day 2026")
            #expect(consent.terms.recordedBy == "the-officer")
            #expect(consent.terms.channels.map(\.name) == ["website"])
            #expect(consent.terms.signatureSHA256 == SHA256Hex.of(try #require(Data(base64Encoded: signature))))
            #expect(try fixture.service.ledger.findPeople("Ola Nowak").count == 1)
            // The held copy is gone; confirming twice finds nothing.
            #expect(try fixture.service.accounts.store.pendingConsents().isEmpty)
            let again = try await client.execute(uri: "/self-service/pending/\(id)/confirm", method: .post,
                                                 headers: SessionTests.formHeaders(cookie: cookie),
                                                 body: SessionTests.form([("csrf", csrf)]))
            #expect(again.status == .notFound)
            #expect(try fixture.service.ledger.consents(person: nil).count == consentsBefore + 1)
        }
    }

    @Test("rejecting deletes the held form; a closed or made-up code takes no forms")
    func rejectAndClose() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let link = try fixture.service.accounts.store.addEventLink(secret: "event-secret-for-the-test-0001", event: "Quiz night",
                                                                   by: "the-officer")
        let signature = "data:image/png;base64," + Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2]).base64EncodedString()
        let fields: [(String, String)] = [("name", "Pat Lee"), ("ageBand", "adult"), ("channels", "website"), ("signature", signature)]
        try await fixture.application().test(.router) { client in
            let sent = try await client.execute(uri: "/self/\(link.secret)", method: .post, headers: SessionTests.formHeaders(cookie: nil),
                                                body: SessionTests.form(fields))
            #expect(sent.status == .accepted)
            let notPNG = try await client.execute(uri: "/self/\(link.secret)", method: .post, headers: SessionTests.formHeaders(cookie: nil),
                                                  body: SessionTests.form(fields.filter { $0.0 != "signature" } + [("signature", "data:image/png;base64,AAAA")]))
            #expect(notPNG.status == .unsupportedMediaType)
            let held = try fixture.service.accounts.store.pendingConsents()
            #expect(held.count == 1)
            let id = try #require(held.first?.id)

            let cookie = try #require(try await SessionTests.signIn(client, name: "the-dpo", password: fixture.passwords[.dpo]!).cookie)
            let page = try await client.execute(uri: "/self-service", method: .get, headers: [.cookie: cookie])
            let csrf = try #require(SessionTests.hidden("csrf", in: page.text))
            let rejected = try await client.execute(uri: "/self-service/pending/\(id)/reject", method: .post,
                                                    headers: SessionTests.formHeaders(cookie: cookie), body: SessionTests.form([("csrf", csrf)]))
            #expect(rejected.status == .seeOther)
            #expect(try fixture.service.accounts.store.pendingConsents().isEmpty)
            #expect(try fixture.service.ledger.findPeople("Pat Lee").isEmpty)

            let closed = try await client.execute(uri: "/self-service/links/\(link.id)/close", method: .post,
                                                  headers: SessionTests.formHeaders(cookie: cookie), body: SessionTests.form([("csrf", csrf)]))
            #expect(closed.status == .seeOther)
            #expect(try await client.execute(uri: "/self/\(link.secret)", method: .get).status == .notFound)
            let late = try await client.execute(uri: "/self/\(link.secret)", method: .post, headers: SessionTests.formHeaders(cookie: nil),
                                                body: SessionTests.form(fields))
            #expect(late.status == .notFound)
            #expect(try await client.execute(uri: "/self/made-up-secret", method: .get).status == .notFound)
            #expect(try fixture.service.accounts.store.pendingConsents().isEmpty)
        }
    }
}
