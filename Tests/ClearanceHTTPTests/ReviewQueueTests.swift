@testable import ClearanceApp
import ClearanceCore
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /api/v1/review` (the queue, paged and grouped), `GET /api/v1/review/people` (the register
/// as a reviewer searches it) and the `/review` page over them.
@Suite("Review queue")
struct ReviewQueueTests {
    static func json(_ client: some TestClientProtocol, _ uri: String, _ fixture: ServiceFixture, role: Role = .editor) async throws -> Any {
        let response = try await client.execute(uri: uri, method: .get, headers: fixture.headers(role))
        #expect(response.status == .ok, "\(uri): \(response.status) \(response.text)")
        return try response.json()
    }

    /// The assets of a queue page, in order.
    static func assets(_ page: Any) -> [[String: Any]] {
        ((page as? [String: Any])?["groups"] as? [[String: Any]] ?? []).flatMap { $0["assets"] as? [[String: Any]] ?? [] }
    }

    @Test("the queue holds exactly the assets blocked for a reviewer's reason, grouped by folder and day, newest first")
    func queue() async throws {
        let fixture = try ServiceFixture()
        let all = try fixture.service.ledger.ledger.allAssetHashes()
        let results = try fixture.service.assets.check(storedAssets: all, channel: "facebook", at: nil)
        let waiting = Set(results.filter { $0.verdict.reasons.contains { ReviewQueue.reviewReasons.contains($0.code) } }.map(\.sha256))
        #expect(waiting.count >= 3 && waiting.count < all.count, "some wait, some do not")
        try await fixture.application().test(.router) { client in
            let page = try #require(try await Self.json(client, "/api/v1/review", fixture) as? [String: Any])
            #expect(page["total"] as? Int == waiting.count && page["page"] as? Int == 1 && page["pageCount"] as? Int == 1)
            let groups = try #require(page["groups"] as? [[String: Any]])
            #expect(groups.map { $0["folder"] as? String } == ["photos"], "the samples' folder, not the server's path")
            #expect(groups.map { $0["day"] as? String } == ["2026-07-04"])
            let items = Self.assets(page)
            #expect(Set(items.compactMap { $0["asset"] as? String }) == waiting)
            let times = items.compactMap { $0["capturedAt"] as? String }
            #expect(times == times.sorted(by: >), "newest first")
            for item in items {
                let reasons = Set(item["reasons"] as? [String] ?? [])
                #expect(!reasons.isEmpty && reasons.isSubset(of: Set(ReviewQueue.reviewReasons.map(\.rawValue))))
                #expect((item["file"] as? String)?.contains("/") == false)
            }
            // Deciding a picture takes it off the queue.
            let crowd = try fixture.sha(of: "empty-hall.jpg")
            #expect(items.contains { $0["asset"] as? String == crowd })
            let tagged = try await client.execute(uri: "/api/v1/assets/\(crowd)/tag", method: .post, headers: fixture.headers(.editor, json: true),
                                                  body: ByteBuffer(string: #"{"noPeople": true}"#))
            #expect(tagged.status == .ok)
            let after = Self.assets(try await Self.json(client, "/api/v1/review", fixture))
            #expect(!after.contains { $0["asset"] as? String == crowd } && after.count == items.count - 1)
        }
    }

    @Test("the queue is paged 24 at a time, each asset on one page, folders and days kept apart")
    func paging() async throws {
        let fixture = try ServiceFixture()
        let folder = fixture.directory.appendingPathComponent("library open day")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let bytes = try Data(contentsOf: ServiceFixture.samplePhotos.appendingPathComponent("empty-hall.jpg"))
        for i in 0..<40 { try (bytes + Data("\(i)".utf8)).write(to: folder.appendingPathComponent("hall-\(i).jpg")) }
        _ = try fixture.service.assets.ingest([folder.path])
        try await fixture.application().test(.router) { client in
            let first = try #require(try await Self.json(client, "/api/v1/review", fixture) as? [String: Any])
            let total = try #require(first["total"] as? Int)
            #expect(first["pageSize"] as? Int == 24 && first["pageCount"] as? Int == (total + 23) / 24)
            var seen: [String] = []
            var folders: [String] = []
            for n in 1...(first["pageCount"] as? Int ?? 1) {
                let page = try await Self.json(client, "/api/v1/review?page=\(n)", fixture)
                seen += Self.assets(page).compactMap { $0["asset"] as? String }
                folders += ((page as? [String: Any])?["groups"] as? [[String: Any]] ?? []).compactMap { $0["folder"] as? String }
            }
            #expect(seen.count == total && Set(seen).count == total)
            // One day, two folders, each a run of its own (a page break may split one).
            #expect(Set(folders) == ["library open day", "photos"])
            #expect(folders.firstIndex(of: "photos")! > folders.lastIndex(of: "library open day")!, "folders in order within a day")
            let past = try #require(try await Self.json(client, "/api/v1/review?page=999", fixture) as? [String: Any])
            #expect(past["page"] as? Int == first["pageCount"] as? Int)
            for bad in ["0", "-1", "x", "1.5", "99999999999"] {
                let response = try await client.execute(uri: "/api/v1/review?page=\(bad)", method: .get, headers: fixture.headers(.editor))
                #expect(response.status == .badRequest && response.text.contains("page"), "page=\(bad)")
            }
        }
    }

    @Test("people are found by part of a name, alias or id; namesakes come apart by id and channels; nothing private is shown")
    func people() async throws {
        let fixture = try ServiceFixture()
        let first = try fixture.service.ledger.addPerson(PersonRequest(name: "Sam Taylor", born: "1985-01-01", email: "sam@example.org"))
        let second = try fixture.service.ledger.addPerson(PersonRequest(name: "Sam Taylor", aliases: ["Samantha"], born: "2001-06-15"))
        var consent = ConsentRequest(person: first.description, channels: "facebook,website")
        consent.recordedBy = "test"
        _ = try fixture.service.ledger.recordConsent(consent)
        try await fixture.application().test(.router) { client in
            let sams = try #require(try await Self.json(client, "/api/v1/review/people?q=sam%20tay", fixture) as? [[String: Any]])
            #expect(Set(sams.compactMap { $0["id"] as? String }) == [first.description, second.description])
            let byID = Dictionary(uniqueKeysWithValues: sams.map { ($0["id"] as! String, $0) })
            #expect(byID[first.description]?["channels"] as? [String] == ["facebook", "website"])
            #expect(byID[second.description]?["channels"] as? [String] == [])
            for person in sams { #expect(Set(person.keys) == ["id", "name", "aliases", "channels"], "only what a reviewer may see") }
            let alias = try #require(try await Self.json(client, "/api/v1/review/people?q=SAMANTHA", fixture) as? [[String: Any]])
            #expect(alias.map { $0["id"] as? String } == [second.description])
            let amira = try #require(try await Self.json(client, "/api/v1/review/people?q=Ámi", fixture) as? [[String: Any]])
            #expect(amira.map { $0["name"] as? String } == ["Amira Khan"], "accents and case ignored")
            let id = try #require(try await Self.json(client, "/api/v1/review/people?q=\(first.description.prefix(6))", fixture) as? [[String: Any]])
            #expect(id.first?["id"] as? String == first.description)
            let none = try #require(try await Self.json(client, "/api/v1/review/people?q=", fixture) as? [[String: Any]])
            #expect(none.isEmpty)
            for bad in [String(repeating: "a", count: 201), "a%00b", "%1B%5B31m"] {
                let response = try await client.execute(uri: "/api/v1/review/people?q=\(bad)", method: .get, headers: fixture.headers(.editor))
                #expect(response.status == .badRequest, "\(bad)")
            }
        }
    }

    @Test("the review page lists the queue's pictures with their large thumbnails and opens on the page of a linked asset")
    func page() async throws {
        let fixture = try ServiceFixture()
        let queue = try fixture.service.review.page(1)
        let items = queue.groups.flatMap(\.items)
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/review", method: .get, headers: fixture.headers(.editor))
            #expect(response.status == .ok)
            let html = response.text
            for item in items {
                #expect(html.contains("<article class=\"review-asset\" data-asset=\"\(item.sha256)\""), "\(item.file)")
                if item.kind == "image" { #expect(html.contains("<img src=\"/assets/\(item.sha256)/thumbnail?size=1024\"")) }
            }
            #expect(html.contains("<h2>photos · 2026-07-04</h2>"))
            #expect(html.contains("review.js") && html.contains("<kbd>Enter</kbd>"), "the keys are shown on the page")
            let officer = try await client.execute(uri: "/review", method: .get, headers: fixture.headers(.officer))
            #expect(officer.status == .forbidden)
        }
    }
}
