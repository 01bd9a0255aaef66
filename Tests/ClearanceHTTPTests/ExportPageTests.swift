@testable import ClearanceApp
import ClearanceCore
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

/// The editor's zip download from the check page, and the DPO dashboard built on the reports.
@Suite("Check page export and DPO dashboard")
struct ExportPageTests {
    @Test("the check page outlines named faces and offers the cleared copies as a zip, recorded as publications")
    func checkPageExport() async throws {
        let fixture = try ServiceFixture()
        let amiraStage = try fixture.sha(of: "amira-stage.jpg")
        let tom = try fixture.sha(of: "tom-raffle.jpg")
        try await fixture.application().test(.router) { client in
            let cookie = try #require(try await SessionTests.signIn(client, name: "the-editor",
                                                                    password: fixture.passwords[.editor]!).cookie)
            let page = try await client.execute(uri: "/check", method: .get, headers: [.cookie: cookie])
            let csrf = try #require(SessionTests.hidden("csrf", in: page.text))
            let checked = try await client.execute(uri: "/check", method: .post, headers: SessionTests.formHeaders(cookie: cookie),
                                                   body: SessionTests.form([("csrf", csrf), ("channel", "facebook"),
                                                                            ("assets", amiraStage), ("assets", tom)]))
            #expect(checked.status == .ok)
            // Amira's face, outlined and named: the MWG region (centre 0.5215, 0.272; 0.215 × 0.198) as
            // a box from its top-left corner, in percent of the picture (check.js places it: the
            // page's policy allows no style attribute).
            #expect(checked.text.contains("<div class=\"face\" data-x=\"41.40\" data-y=\"17.30\" data-w=\"21.50\" data-h=\"19.80\"><span>Amira Khan</span></div>"),
                    "\(checked.text)")
            #expect(checked.text.contains("action=\"/check/export\""))
            #expect(checked.text.contains("Download the 1 cleared"))

            // Without the form's CSRF token: refused, nothing recorded.
            let forged = try await client.execute(uri: "/check/export", method: .post, headers: SessionTests.formHeaders(cookie: cookie),
                                                  body: SessionTests.form([("channel", "facebook"), ("assets", amiraStage)]))
            #expect(forged.status == .forbidden)
            #expect(try fixture.service.ledger.ledger.publications(of: amiraStage).isEmpty)

            let download = try await client.execute(uri: "/check/export", method: .post, headers: SessionTests.formHeaders(cookie: cookie),
                                                    body: SessionTests.form([("csrf", csrf), ("channel", "facebook"), ("assets", amiraStage),
                                                                             ("assets", tom), ("postURL", "")]))
            #expect(download.status == .ok)
            #expect(download.headers[.contentDisposition] == "attachment; filename=\"cleared-facebook.zip\"")
            #expect(Set(try DPOAPITests.unzip(download.body).keys) == ["amira-stage.jpg"])
            #expect(try fixture.service.ledger.ledger.publications(of: amiraStage).map(\.by) == ["the-editor"])

            // Nothing cleared: the page again, with the reason, and nothing recorded.
            let none = try await client.execute(uri: "/check/export", method: .post, headers: SessionTests.formHeaders(cookie: cookie),
                                                body: SessionTests.form([("csrf", csrf), ("channel", "facebook"), ("assets", tom)]))
            #expect(none.status == .conflict)
            #expect(none.text.contains("nothing was exported"))
            #expect(try fixture.service.ledger.ledger.publications(of: tom).isEmpty)
        }
    }

    @Test("the dashboard shows the reports of `clearance report` and the open takedowns")
    func dashboardUsesReports() async throws {
        let fixture = try ServiceFixture()
        let amiraStage = try fixture.sha(of: "amira-stage.jpg")
        let folder = fixture.directory.appendingPathComponent("published").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = try fixture.service.assets.export([amiraStage], channel: "facebook", to: folder, postURL: nil, by: "test")
        let withdrawal = try fixture.service.ledger.withdraw(fixture.amiraConsent, receivedVia: "email", recordedBy: "test", note: nil)
        let takedown = try #require(withdrawal.impact.takedowns.first)
        let today = Timestamp.now.utcDate
        let blocked = try Reports(fixture.service.ledger).blocked(channel: "website", at: today)
        try await fixture.application().test(.router) { client in
            let cookie = try #require(try await SessionTests.signIn(client, name: "the-dpo", password: fixture.passwords[.dpo]!).cookie)
            let page = try await client.execute(uri: "/dpo?channel=website", method: .get, headers: [.cookie: cookie])
            #expect(page.status == .ok)
            #expect(page.text.contains("1 open, <span class=\"\">0 overdue</span>"))
            #expect(page.text.contains(TakedownOutput.label(takedown)))
            for id in ["report-expiring", "report-ages", "report-blocked", "report-retention"] {
                #expect(page.text.contains("id=\"\(id)\""), "\(id) missing")
            }
            // The blocked report's caption and per-reason counts, as the operation gives them.
            #expect(page.text.contains(blocked.caption.replacingOccurrences(of: "&", with: "&amp;")))
            for count in blocked.counts {
                #expect(page.text.contains("<tr><th>\(count.key)</th><td>\(count.count)</td></tr>"), "\(count.key)")
            }
        }
    }
}
