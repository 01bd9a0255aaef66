@testable import ClearanceApp
import ClearanceCore
import Ledger
@testable import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Hostile text never becomes markup, and every page carries one strict Content-Security-Policy
/// that it can live with: no inline script, no inline event handler, no inline style.
@Suite("Page security: escaping, templates, Content-Security-Policy")
struct PageSecurityTests {
    static let hostile = "x\"\u{301} autofocus onfocus=alert(1) data-pwned=\"\u{301}"
    /// `hostile` as it must appear in a page. (Kept out of `#expect`, whose expansion of a literal
    /// with a quote and a combining mark does not compile: the same flaw, in the macro.)
    static let escaped = "x&quot;\u{301} autofocus onfocus=alert(1) data-pwned=&quot;\u{301}"
    static let rawQuote = "\"\u{301} autofocus"
    static let mark: Unicode.Scalar = "\u{301}"

    @Test("a template set without a page's template, with a missing partial or an unescaped tag fails at start")
    func templatesAreCheckedAtStart() throws {
        _ = try PageTemplates()
        var missingPage = PageTemplates.embedded
        missingPage["check"] = nil
        #expect(throws: TemplateError.self) { try PageTemplates(sources: missingPage) }
        var missingPartial = PageTemplates.embedded
        missingPartial["foot"] = nil
        #expect(throws: TemplateError.self) { try PageTemplates(sources: missingPartial) }
        for unescaped in ["{{{text}}}", "{{& text}}"] {
            var raw = PageTemplates.embedded
            raw["message"] = Array("{{> head}}<p>\(unescaped)</p>{{> foot}}".utf8)
            #expect(throws: TemplateError.self) { try PageTemplates(sources: raw) }
        }
        var broken = PageTemplates.embedded
        broken["home"] = Array("{{#user}}never closed".utf8)
        #expect(throws: TemplateError.self) { try PageTemplates(sources: broken) }
    }

    @Test("an empty value is none: no link to nowhere, and the text meant for its absence is shown")
    func emptyValuesAreAbsent() throws {
        let templates = try PageTemplates(sources: PageTemplates.embedded.merging(
            ["message": Array("{{#link}}<a href=\"{{link}}\">post</a>{{/link}}{{^link}}<p>{{text}}</p>{{/link}}{{#rows}}<i>{{#a}}[{{a}}]{{/a}}</i>{{/rows}}".utf8)],
            uniquingKeysWith: { $1 }))
        let html = templates.render(.message, ["title": "t", "link": "", "text": "not a web address",
                                               "rows": [["a": ""], ["a": "x"]] as [[String: Any]]])
        #expect(!html.contains("href=\"\""))
        #expect(html.contains("<p>not a web address</p>"))
        #expect(html.contains("<i></i><i>[x]</i>"))
        let linked = templates.render(.message, ["title": "t", "link": "https://example.org/p", "text": "unused"])
        #expect(linked.contains("<a href=\"https://example.org/p\">post</a>") && !linked.contains("unused"))
    }

    @Test("every template escapes by Unicode scalar, partials included")
    func templatesEscapeByScalar() throws {
        let pages = try PageTemplates()
        let html = pages.render(.message, ["title": Self.hostile, "text": "<img src=x onerror=alert(2)>" + Self.hostile,
                                           "link": ["href": "/", "label": Self.hostile]])
        #expect(!html.contains(Self.rawQuote))
        #expect(html.unicodeScalars.contains(Self.mark), "the combining mark itself is kept, as text")
        #expect(html.contains(Self.escaped))
        #expect(html.contains("&lt;img src=x onerror=alert(2)&gt;"))
        // The title goes through the head partial, which starts over with Mustache's own content type.
        #expect(html.contains("<title>" + Self.escaped))
    }

    @Test("the login page echoes a hostile account name as text, attribute closed")
    func loginEchoIsEscaped() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        try await fixture.application().test(.router) { client in
            let page = try await client.execute(uri: "/login", method: .get)
            let token = try #require(SessionTests.hidden("csrf", in: page.text))
            let cookie = try #require(SessionTests.cookieValue(SessionTests.cookies(page)["clearance_login"]))
            let answer = try await client.execute(uri: "/login", method: .post,
                                                  headers: SessionTests.formHeaders(cookie: "clearance_login=\(cookie)"),
                                                  body: SessionTests.form([("csrf", token), ("name", Self.hostile), ("password", "whatever-it-is")]))
            #expect(answer.status == .unauthorized)
            let value = try #require(answer.text.range(of: "id=\"name\" name=\"name\" value=\"").map {
                String(answer.text[$0.upperBound...].unicodeScalars.prefix(while: { $0 != "\"" }))
            })
            #expect(value == Self.escaped)
            #expect(answer.headers[.contentSecurityPolicy] == SecurityHeadersMiddleware.pagePolicy)
        }
    }

    /// Signs each role in; answers the session cookie per role (nil: anonymous).
    static func cookies(_ client: some TestClientProtocol, _ fixture: ServiceFixture) async throws -> [(Role?, String?)] {
        var result: [(Role?, String?)] = [(nil, nil)]
        for role in Role.allCases {
            let signed = try await SessionTests.signIn(client, name: "the-\(role.rawValue)", password: fixture.passwords[role]!)
            #expect(signed.cookie != nil, "\(role) signs in")
            result.append((role, signed.cookie))
        }
        return result
    }

    @Test("every page, for every role: the strict policy and the other headers, and nothing inline for it to forbid")
    func everyPageCarriesThePolicy() async throws {
        let fixture = try ServiceFixture()
        let link = try fixture.service.accounts.store.addEventLink(secret: "event-link-secret-for-the-page-walk", event: "Page walk fair", by: "test")
        let pending = try fixture.service.accounts.store.addPendingConsent(linkID: link.id, form: "name=Ola%20Nowak&channels=website", limit: 10)
        let withdrawal = try fixture.service.accounts.issueWithdrawalSecret(for: try #require(ConsentReference(parsing: fixture.amiraConsent)))
        let renewal = LinkSecret.generate()
        try fixture.service.ledger.ledger.write { tx in
            try tx.addNoticeLink(secretSHA256: LinkSecret.sha256(renewal), purpose: .renew,
                                 consent: try #require(ConsentReference(parsing: fixture.amiraConsent)),
                                 expiresAt: Timestamp(millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch + 86_400_000))
        }
        let pages = ["/", "/login", "/capture", "/self-service", "/self-service/pending/\(pending)", "/check", "/check?q=amira",
                     "/check?show=blocked&channel=facebook", "/review", "/to-find",
                     "/dpo", "/dpo?q=amira", "/dpo/people/\(fixture.amira)", "/withdraw/\(withdrawal)", "/self/\(link.secret)",
                     "/renew/\(renewal)", "/renew/not-a-renewal-link-0000000000"]
        try await fixture.live { client in
            var htmlPages = 0
            for (role, cookie) in try await Self.cookies(client, fixture) {
                for path in pages {
                    var headers = HTTPFields()
                    if let cookie { headers[.cookie] = cookie }
                    let response = try await client.execute(uri: path, method: .get, headers: headers)
                    let who = "\(role?.rawValue ?? "anonymous") \(path)"
                    #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(who)")
                    #expect(response.headers[.init("Referrer-Policy")!] == "no-referrer", "\(who)")
                    #expect(response.headers[.init("X-Frame-Options")!] == "DENY", "\(who)")
                    guard response.headers[.contentType]?.hasPrefix("text/html") == true else { continue }
                    htmlPages += 1
                    let policy = try #require(response.headers[.contentSecurityPolicy], "\(who) has no policy")
                    for directive in ["default-src 'none'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "base-uri 'none'",
                                      "frame-ancestors 'none'", "form-action 'self'", "img-src 'self' data:"] {
                        #expect(policy.contains(directive), "\(who): \(directive)")
                    }
                    #expect(!policy.contains("unsafe"), "\(who)")
                    Self.expectNothingInline(response.text, who)
                }
            }
            #expect(htmlPages >= 30)
        }
    }

    /// What the policy forbids: inline script, event handler attributes, `javascript:` URLs,
    /// `<style>` elements and `style` attributes.
    static func expectNothingInline(_ html: String, _ who: String) {
        #expect(!html.contains("<style"), "\(who): <style>")
        #expect(html.range(of: #"\sstyle\s*="#, options: .regularExpression) == nil, "\(who): style attribute")
        #expect(html.range(of: #"\son[a-z]+\s*="#, options: [.regularExpression, .caseInsensitive]) == nil, "\(who): event handler")
        #expect(html.range(of: #"<script(?![^>]*\ssrc="/static/[^"]+")"#, options: .regularExpression) == nil, "\(who): inline script")
        // Every page has its stylesheet and page.js, by their versioned links.
        #expect(html.contains("<link rel=\"stylesheet\" href=\"/static/clearance.css?v="), "\(who): stylesheet")
        #expect(html.contains("<script src=\"/static/page.js?v="), "\(who): page.js")
        #expect(!html.lowercased().contains("javascript:"), "\(who): javascript: URL")
        #expect(!html.contains("<svg"), "\(who): inline SVG (QR codes are images)")
        #expect(!html.contains("href=\"\"") && !html.contains("src=\"\""), "\(who): a link to nowhere")
    }

    @Test("the stylesheet and scripts are served with their types; a versioned link is cached for a year, others revalidate")
    func staticAssets() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        try await fixture.application().test(.router) { client in
            let home = try await client.execute(uri: "/login", method: .get)
            let links = home.text.components(separatedBy: "\"/static/").dropFirst().map { "/static/" + $0.prefix(while: { $0 != "\"" }) }
            #expect(links.contains(where: { $0.hasPrefix("/static/clearance.css?v=") }))
            #expect(links.contains(where: { $0.hasPrefix("/static/page.js?v=") }))
            for link in links {
                let asset = try await client.execute(uri: link, method: .get)
                #expect(asset.status == .ok, "\(link)")
                #expect(asset.headers[.cacheControl] == "public, max-age=31536000, immutable", "\(link)")
                #expect(asset.headers[.contentType] == (link.contains(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8"))
                #expect(asset.headers[.xContentTypeOptions] == "nosniff")
                let etag = try #require(asset.headers[.eTag])
                let again = try await client.execute(uri: link, method: .get, headers: [.ifNoneMatch: etag])
                #expect(again.status == .notModified)
                #expect(again.body.readableBytes == 0)
            }
            let unversioned = try await client.execute(uri: "/static/capture.js", method: .get)
            #expect(unversioned.status == .ok)
            #expect(unversioned.headers[.cacheControl] == "no-cache")
            #expect(unversioned.text.contains("signature"))
            let stale = try await client.execute(uri: "/static/capture.js?v=0000000000000000", method: .get)
            #expect(stale.headers[.cacheControl] == "no-cache")
            for missing in ["/static/nothing.js", "/static/..%2FPackage.swift", "/static/openapi.json"] {
                #expect(try await client.execute(uri: missing, method: .get).status == .notFound, "\(missing)")
            }
        }
    }
}
