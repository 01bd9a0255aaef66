import ClearanceApp
import ClearanceCore
@testable import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The public self-service form holds what a consent form needs, no more, and the officers'
/// list of waiting forms comes a page at a time.
@Suite("Bounded input on public forms")
struct BoundedInputTests {
    static let png = "data:image/png;base64," + Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("strokes".utf8)).base64EncodedString()

    static func fields(name: String = "Ola Nowak", signature: String = png) -> [(String, String)] {
        [("formVersion", "1"), ("name", name), ("born", "1985-02-03"), ("channels", "website"), ("signature", signature)]
    }

    @Test("over-long fields, a huge signature or a huge body are refused and nothing is held")
    func selfServiceCaps() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let link = try fixture.service.accounts.store.addEventLink(secret: "bounded-input-event-link-secret", event: "Open day", by: "test")
        try await fixture.application().test(.router) { client in
            func send(_ fields: [(String, String)]) async throws -> TestResponse {
                try await client.execute(uri: "/self/\(link.secret)", method: .post, headers: SessionTests.formHeaders(cookie: nil),
                                         body: SessionTests.form(fields))
            }
            let long = try await send(Self.fields(name: String(repeating: "N", count: 201)))
            #expect(long.status == .badRequest)
            #expect(long.text.contains("At most 200 characters"))
            #expect(!long.text.contains(String(repeating: "N", count: 201)), "what was too long is not shown again")
            // One Character, ten thousand scalars: counted as ten thousand.
            let marks = try await send(Self.fields(name: "e" + String(repeating: "\u{301}", count: 10_000)))
            #expect(marks.status == .badRequest)
            let control = try await send(Self.fields(name: "Ola\u{1B}[2J Nowak"))
            #expect(control.status == .badRequest)
            #expect(control.text.contains("control characters"))
            let bigSignature = "data:image/png;base64," + Data(count: 300 << 10).base64EncodedString()
            #expect(try await send(Self.fields(signature: bigSignature)).status == .badRequest)
            let manyFields = Self.fields() + (0..<40).map { ("extra\($0)", String(repeating: "x", count: 2000)) }
            #expect(try await send(manyFields).status == .badRequest, "more than 64 KiB of fields")
            let huge = try await send(Self.fields(name: String(repeating: "N", count: 4 << 20)))
            #expect(huge.status == .contentTooLarge, "4 MiB is not even read")
            #expect(try fixture.service.accounts.store.pendingConsentCount() == 0)
            #expect(try await send(Self.fields()).status == .accepted)
            #expect(try fixture.service.accounts.store.pendingConsentCount() == 1)
        }
    }

    @Test("the officers' list of waiting forms is paged, fifty at a time, oldest first")
    func pendingListIsPaged() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let link = try fixture.service.accounts.store.addEventLink(secret: "paging-event-link-secret-000", event: "Open day", by: "test")
        for i in 1...120 {
            _ = try fixture.service.accounts.store.addPendingConsent(linkID: link.id, form: "name=Person%20\(i)&channels=website",
                                                                     limit: 500, at: Timestamp(millisecondsSinceEpoch: Int64(i) * 1000))
        }
        try await fixture.application().test(.router) { client in
            let cookie = try #require(try await SessionTests.signIn(client, name: "the-officer", password: fixture.passwords[.officer]!).cookie)
            func names(_ page: String) async throws -> (rows: [String], text: String) {
                let response = try await client.execute(uri: "/self-service\(page)", method: .get, headers: [.cookie: cookie])
                #expect(response.status == .ok)
                let rows = response.text.components(separatedBy: "<td>Person ").dropFirst().map { String($0.prefix(while: { $0 != "<" })) }
                return (rows, response.text)
            }
            let first = try await names("")
            #expect(first.rows == (1...50).map(String.init))
            #expect(first.text.contains("120 waiting; showing 1–50"))
            #expect(first.text.contains("href=\"/self-service?page=2\""))
            #expect(!first.text.contains("rel=\"prev\""))
            let last = try await names("?page=3")
            #expect(last.rows == (101...120).map(String.init))
            #expect(last.text.contains("href=\"/self-service?page=2\" rel=\"prev\""))
            #expect(!last.text.contains("rel=\"next\""))
            #expect(try await names("?page=99").rows == (101...120).map(String.init), "past the end: the last page")
            #expect(try await client.execute(uri: "/self-service?page=abc", method: .get, headers: [.cookie: cookie]).status == .badRequest)
        }
    }
}
