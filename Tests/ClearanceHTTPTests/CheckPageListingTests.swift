@testable import ClearanceApp
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

/// Which assets the editor's check page offers: the newest first, a search by file or folder
/// name, and never losing a tick.
@Suite("Check page listing")
struct CheckPageListingTests {
    /// The labels of the page's tick boxes, in order.
    static func listed(_ html: String) -> [String] {
        html.components(separatedBy: "<input type=\"checkbox\" name=\"assets\"").dropFirst().compactMap { rest in
            guard let end = rest.range(of: "> "), let close = rest.range(of: "</label>") else { return nil }
            return String(rest[end.upperBound..<close.lowerBound])
        }
    }

    @Test("the ledger lists the newest assets first, counts all matches, and takes the search text literally")
    func ledgerListing() async throws {
        let fixture = try ServiceFixture()
        let ledger = fixture.service.ledger.ledger
        let folder = fixture.directory.appendingPathComponent("later").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // A new picture (the visitor's bytes and two more), ingested after the samples.
        let later = folder + "/100%_done.jpg"
        let bytes = try Data(contentsOf: ServiceFixture.samplePhotos.appendingPathComponent("visitor.jpg")) + Data([0, 0])
        try bytes.write(to: URL(fileURLWithPath: later))
        try await Task.sleep(for: .milliseconds(5))
        _ = try fixture.service.assets.ingest([later])

        let all = try ledger.assetListing(matching: nil, limit: 5)
        #expect(all.total == 15)
        #expect(all.assets.count == 5)
        #expect(all.assets.first?.path == later, "the newest first")
        let everything = try ledger.assetListing(matching: nil, limit: 100)
        #expect(everything.assets.count == 15)
        #expect(Set(everything.assets.map(\.sha256)) == Set(try ledger.allAssetHashes()))

        let amira = try ledger.assetListing(matching: "AMIRA", limit: 100)
        #expect(Set(amira.assets.compactMap { $0.path.map { ($0 as NSString).lastPathComponent } })
                == ["amira-stage.jpg", "amira-stage-crop.jpg", "amira-and-leo.jpg"])
        #expect(amira.total == 3)
        // `%` and `_` are letters here, not wildcards.
        #expect(try ledger.assetListing(matching: "100%_", limit: 100).assets.map(\.path) == [later])
        #expect(try ledger.assetListing(matching: "1_0", limit: 100).total == 0)
        #expect(try ledger.assetListing(matching: "%", limit: 100).total == 1)
    }

    @Test("the page searches by name and keeps ticked assets the search leaves out")
    func pageSearch() async throws {
        let fixture = try ServiceFixture()
        let tom = try fixture.sha(of: "tom-raffle.jpg")
        try await fixture.application().test(.router) { client in
            let cookie = try #require(try await SessionTests.signIn(client, name: "the-editor",
                                                                    password: fixture.passwords[.editor]!).cookie)
            let page = try await client.execute(uri: "/check", method: .get, headers: [.cookie: cookie])
            #expect(Self.listed(page.text).count == 14)
            let csrf = try #require(SessionTests.hidden("csrf", in: page.text))

            let found = try await client.execute(uri: "/check?q=amira", method: .get, headers: [.cookie: cookie])
            #expect(Set(Self.listed(found.text)) == ["amira-stage.jpg", "amira-stage-crop.jpg", "amira-and-leo.jpg"])
            #expect(found.text.contains("value=\"amira\""))

            let none = try await client.execute(uri: "/check?q=nobody-here", method: .get, headers: [.cookie: cookie])
            #expect(Self.listed(none.text).isEmpty)
            #expect(none.text.contains("No photo or video has a name containing “nobody-here”."))

            // Tom's photo was ticked, then the list narrowed to Amira: it stays, ticked, at the top.
            let checked = try await client.execute(uri: "/check", method: .post, headers: SessionTests.formHeaders(cookie: cookie),
                                                   body: SessionTests.form([("csrf", csrf), ("channel", "facebook"), ("q", "amira"),
                                                                            ("assets", tom)]))
            #expect(checked.status == .ok)
            #expect(Self.listed(checked.text).first == "tom-raffle.jpg")
            #expect(Self.listed(checked.text).count == 4)
            #expect(checked.text.contains("value=\"\(tom)\" checked"))
            #expect(checked.text.contains("Blocked for facebook"))
        }
    }
}
