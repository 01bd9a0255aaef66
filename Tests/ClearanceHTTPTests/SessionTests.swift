import ClearanceApp
import ClearanceCore
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

/// A browser's view: sign in, forms with CSRF tokens, consent capture, the receipt and the
/// person's own withdrawal link.
@Suite("Sessions and pages")
struct SessionTests {
    /// Values of `Set-Cookie` by cookie name, with their attributes.
    static func cookies(_ response: TestResponse) -> [String: String] {
        var result: [String: String] = [:]
        for header in response.headers[values: .setCookie] {
            let name = String(header.prefix(while: { $0 != "=" }))
            result[name] = header
        }
        return result
    }

    static func cookieValue(_ header: String?) -> String? {
        header.map { String($0.split(separator: ";")[0].split(separator: "=", maxSplits: 1).last ?? "") }
    }

    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix(while: { $0 != "\"" }))
    }

    /// The SVG documents of the page's QR codes: `<img class="qr">` with a `data:` URL.
    static func qrCodes(in html: String) -> [String] {
        html.components(separatedBy: "class=\"qr\"").dropFirst().compactMap { rest in
            guard let start = rest.range(of: "src=\"data:image/svg+xml;base64,") else { return nil }
            let base64 = rest[start.upperBound...].prefix(while: { $0 != "\"" })
            return Data(base64Encoded: String(base64)).map { String(decoding: $0, as: UTF8.self) }
        }.filter { $0.hasPrefix("<svg") }
    }

    static func form(_ fields: [(String, String)]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return ByteBuffer(string: fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&"))
    }

    static func formHeaders(cookie: String?) -> HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = "application/x-www-form-urlencoded"
        if let cookie { fields[.cookie] = cookie }
        return fields
    }

    /// Signs in through the login form; answers the session cookie header value.
    static func signIn(_ client: some TestClientProtocol, name: String, password: String) async throws -> (status: HTTPResponse.Status, cookie: String?) {
        let page = try await client.execute(uri: "/login", method: .get)
        let token = try #require(hidden("csrf", in: page.text))
        let loginCookie = try #require(cookieValue(cookies(page)["clearance_login"]))
        let response = try await client.execute(uri: "/login", method: .post,
                                                headers: formHeaders(cookie: "clearance_login=\(loginCookie)"),
                                                body: form([("csrf", token), ("name", name), ("password", password)]))
        return (response.status, cookieValue(cookies(response)["clearance_session"]).map { "clearance_session=\($0)" })
    }

    @Test("signing in sets a Secure, HttpOnly, SameSite=Strict session cookie; wrong passwords are refused and rate-limited")
    func signInAndThrottle() async throws {
        let fixture = try ServiceFixture(settings: { $0.loginAttemptLimit = 3 }, ingestSamples: false)
        try await fixture.application().test(.router) { client in
            let page = try await client.execute(uri: "/login", method: .get)
            let session = try await client.execute(uri: "/login", method: .post,
                                                   headers: Self.formHeaders(cookie: "clearance_login=" + (Self.cookieValue(Self.cookies(page)["clearance_login"]) ?? "")),
                                                   body: Self.form([("csrf", Self.hidden("csrf", in: page.text) ?? ""), ("name", "the-officer"),
                                                                    ("password", fixture.passwords[.officer]!)]))
            #expect(session.status == .seeOther)
            let cookie = try #require(Self.cookies(session)["clearance_session"])
            for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
                #expect(cookie.contains(attribute), "session cookie lacks \(attribute)")
            }
            // Without the login form's own token, no sign-in (another site cannot sign a browser in).
            let forged = try await client.execute(uri: "/login", method: .post, headers: Self.formHeaders(cookie: nil),
                                                  body: Self.form([("name", "the-officer"), ("password", fixture.passwords[.officer]!)]))
            #expect(forged.status == .forbidden)
            #expect(Self.cookies(forged)["clearance_session"] == nil)

            for _ in 0..<3 {
                #expect(try await Self.signIn(client, name: "the-editor", password: "wrong-password-123").status == .unauthorized)
            }
            // Now even the right password waits: guessing cannot continue at speed.
            let blocked = try await Self.signIn(client, name: "the-editor", password: fixture.passwords[.editor]!)
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.cookie == nil)
            // Other accounts are not affected.
            #expect(try await Self.signIn(client, name: "the-dpo", password: fixture.passwords[.dpo]!).status == .seeOther)
        }
    }

    @Test("an expired session is no session: 401 from the API, the login page for pages")
    func expiredSession() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let user = try #require(try fixture.service.accounts.store.user(named: "the-dpo"))
        let started = try fixture.service.accounts.startSession(for: user, lifetime: .seconds(3600),
                                                                 now: Timestamp(millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch - 7_200_000))
        let headers: HTTPFields = [.cookie: "clearance_session=\(started.cookieValue)"]
        try await fixture.application().test(.router) { client in
            #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: headers).status == .unauthorized)
            let page = try await client.execute(uri: "/dpo", method: .get, headers: headers)
            #expect(page.status == .found)
            #expect(page.headers[.location] == "/login")
        }
    }

    @Test("officer records a consent on the tablet form; the receipt's QR link lets the person withdraw without an account")
    func captureReceiptWithdraw() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let consentsBefore = try fixture.service.ledger.consents(person: nil).count
        let signature = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("drawn strokes".utf8)).base64EncodedString()
        try await fixture.application().test(.router) { client in
            let signedIn = try await Self.signIn(client, name: "the-officer", password: fixture.passwords[.officer]!)
            let cookie = try #require(signedIn.cookie)
            var headers = HTTPFields()
            headers[.cookie] = cookie
            let formPage = try await client.execute(uri: "/capture", method: .get, headers: headers)
            #expect(formPage.status == .ok)
            let csrf = try #require(Self.hidden("csrf", in: formPage.text))
            let fields: [(String, String)] = [
                ("event", "Riverside summer fair 2026"), ("formVersion", "photo-consent-v3"), ("name", "Nina Park"),
                ("born", "2018-05-01"), ("channels", "website"), ("channels", "facebook"),
                ("guardianName", "Jo Park"), ("guardianRelationship", "mother"),
                ("signature", "data:image/png;base64," + signature),
            ]

            // Missing CSRF token: refused, nothing written.
            let noToken = try await client.execute(uri: "/capture", method: .post, headers: Self.formHeaders(cookie: cookie),
                                                   body: Self.form(fields))
            #expect(noToken.status == .forbidden)
            // A child without a guardian: the error is shown beside the guardian fields, nothing written.
            let noGuardian = try await client.execute(uri: "/capture", method: .post, headers: Self.formHeaders(cookie: cookie),
                                                      body: Self.form([("csrf", csrf)] + fields.filter { !$0.0.hasPrefix("guardian") }))
            #expect(noGuardian.status == .badRequest)
            #expect(noGuardian.text.contains("A child needs a parent or guardian"))
            #expect(noGuardian.text.contains("value=\"Nina Park\""), "what was typed is kept")
            #expect(try fixture.service.ledger.findPeople("Nina Park").isEmpty)
            #expect(try fixture.service.ledger.consents(person: nil).count == consentsBefore)

            let receipt = try await client.execute(uri: "/capture", method: .post, headers: Self.formHeaders(cookie: cookie),
                                                   body: Self.form([("csrf", csrf)] + fields))
            #expect(receipt.status == .created)
            #expect(Self.qrCodes(in: receipt.text).count == 1, "receipt has a QR code")
            let reference = try #require(receipt.text.range(of: "id=\"reference\">").map {
                String(receipt.text[$0.upperBound...].prefix(while: { $0 != "<" }))
            })
            let consent = try fixture.service.ledger.consent(reference)
            #expect(consent.state == .active)
            #expect(consent.terms.method == .tablet)
            #expect(consent.terms.recordedBy == "the-officer")
            #expect(consent.terms.guardianRelationship == "mother")
            #expect(consent.terms.signatureSHA256 == SHA256Hex.of(try #require(Data(base64Encoded: signature))))
            let link = try #require(receipt.text.range(of: "id=\"withdrawal-link\" href=\"").map {
                String(receipt.text[$0.upperBound...].prefix(while: { $0 != "\"" }))
            })
            let path = try #require(URL(string: link)?.path)
            #expect(path.hasPrefix("/withdraw/"))

            // The person, with no account: sees the consent, withdraws it.
            let page = try await client.execute(uri: path, method: .get)
            #expect(page.status == .ok)
            #expect(page.text.contains(reference))
            #expect(!page.text.contains("Nina Park"), "the link page shows no personal data")
            let done = try await client.execute(uri: path, method: .post)
            #expect(done.status == .ok)
            #expect(done.text.contains("has been withdrawn"))
            #expect(try fixture.service.ledger.consent(reference).state == .withdrawn)
            // A made-up secret finds nothing.
            #expect(try await client.execute(uri: "/withdraw/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", method: .get).status == .notFound)
        }
    }

    @Test("cookie-authenticated API calls that change something need the X-CSRF-Token header")
    func apiCSRF() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        try await fixture.application().test(.router) { client in
            let cookie = try #require(try await Self.signIn(client, name: "the-officer", password: fixture.passwords[.officer]!).cookie)
            let page = try await client.execute(uri: "/capture", method: .get, headers: [.cookie: cookie])
            let csrf = try #require(Self.hidden("csrf", in: page.text))
            var headers: HTTPFields = [.cookie: cookie, .contentType: "application/json"]
            let body = ByteBuffer(string: #"{"name": "Kit Walsh"}"#)
            #expect(try await client.execute(uri: "/api/v1/people", method: .post, headers: headers, body: body).status == .forbidden)
            #expect(try fixture.service.ledger.findPeople("Kit Walsh").isEmpty)
            headers[.init("X-CSRF-Token")!] = csrf
            #expect(try await client.execute(uri: "/api/v1/people", method: .post, headers: headers, body: body).status == .created)
            #expect(try fixture.service.ledger.findPeople("Kit Walsh").count == 1)
        }
    }
}
