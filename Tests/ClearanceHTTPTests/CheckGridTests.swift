@testable import ClearanceApp
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The check page's grid: a tile per asset with its thumbnail and verdict, paged beyond the
/// newest 48, filtered by verdict or reason, with a review link where a person must decide;
/// and the DPO dashboard's pictures and file names instead of hashes.
@Suite("Check grid and DPO pictures")
struct CheckGridTests {
    struct Tile {
        let sha256: String
        let label: String
        let cleared: Bool
        let html: String
    }

    /// The grid's tiles, in order.
    static func tiles(_ html: String) -> [Tile] {
        html.components(separatedBy: "<li class=\"tile ").dropFirst().compactMap { rest in
            let tile = String(rest.prefix { $0 != "\u{0}" }).components(separatedBy: "</li>\n").first ?? ""
            guard let start = tile.range(of: "data-asset=\""), let label = CheckPageListingTests.listed(tile).first else { return nil }
            return Tile(sha256: String(tile[start.upperBound...].prefix(64)), label: label, cleared: tile.hasPrefix("cleared"), html: tile)
        }
    }

    static func page(_ client: some TestClientProtocol, _ uri: String, _ fixture: ServiceFixture) async throws -> String {
        let response = try await client.execute(uri: uri, method: .get, headers: fixture.headers(.editor))
        #expect(response.status == .ok, "\(uri)")
        return response.text
    }

    @Test("every tile shows its verdict for the channel, a server-made thumbnail, and a review link where a person must decide")
    func tilesAndVerdicts() async throws {
        let fixture = try ServiceFixture()
        let all = try fixture.service.ledger.ledger.allAssetHashes()
        let verdicts = try Dictionary(uniqueKeysWithValues: fixture.service.assets.check(storedAssets: all, channel: "facebook", at: nil)
            .map { ($0.sha256, $0.verdict) })
        try await fixture.application().test(.router) { client in
            let html = try await Self.page(client, "/check?channel=facebook", fixture)
            let tiles = Self.tiles(html)
            #expect(tiles.count == 14)
            #expect(html.contains("Showing 1–14 of 14, newest first, with each verdict for facebook."))
            for tile in tiles {
                let verdict = try #require(verdicts[tile.sha256])
                #expect(tile.cleared == verdict.cleared, "\(tile.label)")
                for code in Set(verdict.reasons.map(\.code.rawValue)) {
                    #expect(tile.html.contains("<li>\(code)</li>"), "\(tile.label) lacks \(code)")
                }
                let needsReview = verdict.reasons.contains { [.notReviewed, .unidentifiedPerson, .ambiguousPerson, .unknownPerson].contains($0.code) }
                #expect(tile.html.contains("href=\"/review?asset=\(tile.sha256)#\(tile.sha256)\"") == needsReview, "\(tile.label)")
                if tile.label.hasSuffix(".mp4") {
                    #expect(!tile.html.contains("<img"), "a video has no thumbnail")
                } else {
                    #expect(tile.html.contains("<img src=\"/assets/\(tile.sha256)/thumbnail?size=320\""), "\(tile.label)")
                }
                #expect(!tile.html.contains("/file\""))
            }
            let labels = Dictionary(uniqueKeysWithValues: tiles.map { ($0.label, $0) })
            for name in ["crowd.jpg", "sam-tombola.jpg", "visitor.jpg"] {
                #expect(labels[name]?.html.contains("/review?asset=") == true, "\(name) needs a review")
            }
        }
        // A withdrawal is blocked, but it is not a reviewer's question.
        _ = try fixture.service.ledger.withdraw(fixture.amiraConsent, receivedVia: "email", recordedBy: "test", note: nil)
        try await fixture.application().test(.router) { client in
            let stage = Self.tiles(try await Self.page(client, "/check?channel=facebook", fixture)).first { $0.label == "amira-stage.jpg" }
            #expect(stage?.html.contains("<li>consent-withdrawn</li>") == true)
            #expect(stage?.html.contains("/review?asset=") == false)
        }
    }

    @Test("filters keep the cleared, the blocked, or those blocked for one reason")
    func filters() async throws {
        let fixture = try ServiceFixture()
        let all = try fixture.service.ledger.ledger.allAssetHashes()
        let results = try fixture.service.assets.check(storedAssets: all, channel: "facebook", at: nil)
        try await fixture.application().test(.router) { client in
            let cleared = Self.tiles(try await Self.page(client, "/check?channel=facebook&show=cleared", fixture))
            #expect(Set(cleared.map(\.sha256)) == Set(results.filter(\.verdict.cleared).map(\.sha256)))
            #expect(!cleared.isEmpty && cleared.allSatisfy(\.cleared))
            let blocked = Self.tiles(try await Self.page(client, "/check?channel=facebook&show=blocked", fixture))
            #expect(Set(blocked.map(\.sha256)) == Set(results.filter { !$0.verdict.cleared }.map(\.sha256)))
            #expect(!blocked.isEmpty && blocked.allSatisfy { !$0.cleared })
            // Each reason the register gives, as its own filter: exactly the assets it blocks.
            let codes = Set(results.flatMap { $0.verdict.reasons.map(\.code) })
            #expect(codes.count >= 3)
            for code in codes {
                let shown = Self.tiles(try await Self.page(client, "/check?channel=facebook&show=\(code.rawValue)", fixture))
                #expect(Set(shown.map(\.sha256)) == Set(results.filter { $0.verdict.reasons.contains { $0.code == code } }.map(\.sha256)),
                        "\(code)")
            }
            let unknown = try await Self.page(client, "/check?channel=facebook&show=service-user&q=amira", fixture)
            #expect(Self.tiles(unknown).isEmpty)
            #expect(unknown.contains("No photo or video has a name containing “amira” and matches this filter."))
            // The chosen filter and channel stay chosen in the form.
            #expect(unknown.contains("<option value=\"service-user\" selected>"))
            #expect(unknown.contains("<option value=\"facebook\" selected>"))
            // An unknown filter or channel shows everything for the first channel, not an error.
            let odd = try await Self.page(client, "/check?channel=%3Cb%3E&show=%3Cscript%3E&page=-4", fixture)
            #expect(Self.tiles(odd).count == 14)
            #expect(!odd.contains("<script>") && !odd.contains("<b>"))
        }
    }

    @Test("the grid pages beyond the newest 48, each asset on exactly one page")
    func paging() async throws {
        let fixture = try ServiceFixture()
        let folder = fixture.directory.appendingPathComponent("event")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let bytes = try Data(contentsOf: ServiceFixture.samplePhotos.appendingPathComponent("empty-hall.jpg"))
        for i in 0..<50 {
            // Distinct bytes after the end of the picture: distinct assets, the same pixels.
            try (bytes + Data("\(i)".utf8)).write(to: folder.appendingPathComponent(String(format: "hall-%02d.jpg", i)))
        }
        _ = try fixture.service.assets.ingest([folder.path])
        let total = try fixture.service.ledger.ledger.allAssetHashes().count
        #expect(total == 64)
        try await fixture.application().test(.router) { client in
            let first = try await Self.page(client, "/check?channel=website", fixture)
            #expect(Self.tiles(first).count == 48)
            #expect(first.contains("Showing 1–48 of 64"))
            #expect(first.contains("Page 1 of 2"))
            #expect(first.contains("href=\"/check?channel=website&amp;page=2\" rel=\"next\""))
            let second = try await Self.page(client, "/check?channel=website&page=2", fixture)
            #expect(Self.tiles(second).count == 16)
            #expect(second.contains("Showing 49–64 of 64"))
            #expect(second.contains("href=\"/check?channel=website\" rel=\"prev\""))
            let pages = Self.tiles(first).map(\.sha256) + Self.tiles(second).map(\.sha256)
            let everyAsset = Set(try fixture.service.ledger.ledger.allAssetHashes())
            #expect(pages.count == 64 && Set(pages) == everyAsset)
            // Past the end: the last page.
            #expect(Self.tiles(try await Self.page(client, "/check?channel=website&page=9", fixture)).count == 16)
            // Paging a filtered, searched grid keeps the filter and the search in its links.
            let filtered = try await Self.page(client, "/check?channel=website&show=not-reviewed&q=hall", fixture)
            #expect(Self.tiles(filtered).count == 48)
            #expect(filtered.contains("Showing 1–48 of 51"), "the 50 copies and empty-hall.jpg, none reviewed")
            #expect(filtered.contains("href=\"/check?channel=website&amp;q=hall&amp;show=not-reviewed&amp;page=2\""))
        }
    }

    /// The text a reader sees: the page without its tags.
    static func visibleText(_ html: String) -> String {
        html.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
    }

    @Test("the DPO dashboard shows blocked assets and takedowns as pictures with file names, never hashes")
    func dashboardPictures() async throws {
        let fixture = try ServiceFixture()
        let amiraStage = try fixture.sha(of: "amira-stage.jpg")
        let folder = fixture.directory.appendingPathComponent("published").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = try fixture.service.assets.export([amiraStage], channel: "facebook", to: folder, postURL: "https://example.org/post/1", by: "test")
        _ = try fixture.service.ledger.withdraw(fixture.amiraConsent, receivedVia: "email", recordedBy: "test", note: nil)
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/dpo?channel=facebook", method: .get, headers: fixture.headers(.dpo))
            #expect(response.status == .ok)
            let html = response.text
            let text = Self.visibleText(html)
            #expect(text.range(of: "[0-9a-f]{64}", options: .regularExpression) == nil, "a hash is shown as text")
            // The takedown: the picture, its file name and the person's name.
            #expect(html.contains("<img src=\"/assets/\(amiraStage)/thumbnail?size=320\""))
            #expect(text.contains("amira-stage.jpg") && text.contains("Amira Khan"))
            // Blocked assets, each a picture with its file name and reasons.
            let visitor = try fixture.sha(of: "visitor.jpg")
            #expect(html.contains("<img src=\"/assets/\(visitor)/thumbnail?size=320\""))
            #expect(text.contains("visitor.jpg") && text.contains("unknown-person"))
        }
    }
}
