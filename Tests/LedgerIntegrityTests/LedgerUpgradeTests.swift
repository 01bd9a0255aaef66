import ClearanceApp
import ClearanceCore
import Foundation
import GRDB
import Ledger
import Testing

/// A ledger written by the previous version (`Fixtures/v4-ledger`, made by
/// `scripts/make-v4-ledger-fixture.sh` with the binary of commit 8e83870: the samples, two
/// tags, two exports, a withdrawal whose takedown was closed, an erasure) still opens and
/// verifies, gives the same verdicts, and has its unsigned rows bound once.
@Suite struct LedgerUpgradeTests {
    static let fixture = Bundle.module.url(forResource: "Fixtures/v4-ledger/ledger", withExtension: "sqlite")!

    struct ExpectedVerdict: Decodable {
        var asset: String
        var file: String
        var cleared: Bool
        var codes: [String]
    }

    private func copyOfFixture() throws -> SQLiteStore {
        try SQLiteStore.copying(Self.fixture.path)
    }

    private func verdicts(_ ledger: Ledger, hashes: [String]) throws -> [String: [String]] {
        let assets = AssetOperations(LedgerOperations(ledger: ledger, configuration: .standard))
        var result: [String: [String]] = [:]
        for sha in hashes {
            let verdict = try assets.check(storedAssets: [sha], channel: "facebook", at: CalendarDate(parsing: "2026-12-01"))[0].verdict
            result[sha] = Set(verdict.reasons.map(\.code.rawValue)).sorted()
        }
        return result
    }

    @Test func theUpgradeBindsEveryRowOnceAndVerdictsStayTheSame() throws {
        let expected = try JSONDecoder().decode([ExpectedVerdict].self, from: Data(contentsOf: Self.fixture
            .deletingLastPathComponent().appendingPathComponent("verdicts-facebook.json")))
        let store = try copyOfFixture()
        defer { store.remove() }
        // An event from before MACs existed: the upgrade gives it one, as its signature holds.
        try store.execute("UPDATE events SET mac = NULL WHERE seq = 2", [])

        let ledger = try store.open()
        let report = try ledger.verify()
        #expect(report.isIntact, "\(report.problems)")
        #expect(report.events == 17 + 14 + 3 + 2 + 2 + 1, "17 earlier events; 14 assets, 3 reviews, 2 publications, a takedown opened and closed; the upgrade")
        #expect(report.assets == 14)
        // The same, but for faces (issue 13): that version never looked for faces, so a picture
        // nobody reviewed now also waits for a person to look at it (or for `faces --redetect`).
        var wanted: [String: [String]] = [:]
        for verdict in expected {
            let reviewed = try !(ledger.asset(verdict.asset)?.reviews.isEmpty ?? true)
            let waits = !reviewed && !verdict.codes.contains("unreadable-media")
            wanted[verdict.asset] = Set(verdict.codes + (waits ? ["not-reviewed"] : [])).sorted()
        }
        #expect(try verdicts(ledger, hashes: expected.map(\.asset)) == wanted)

        // What was recorded then keeps its people, times and words.
        let takedown = try #require(try ledger.takedowns().first)
        #expect(takedown.id == 1 && takedown.isDone && takedown.doneNote == "Post removed" && takedown.doneBy == "DPO Sam Okafor")
        #expect(takedown.openedAt < Timestamp.now && takedown.publication.record.by == "Editor Ben Cole")
        let joan = try #require(expected.first { $0.file == "joan-garden.jpg" })
        let reviews = try #require(try ledger.asset(joan.asset)).reviews
        #expect(reviews.map(\.action) == [.serviceUsers] && reviews[0].by == "DPO Sam Okafor")

        // Once: opening again adds nothing.
        #expect(try store.open().eventCount() == report.events)
        let upgraded = try GRDB.DatabaseQueue(path: store.path).read { db in
            try String.fetchAll(db, sql: "SELECT CAST(payload AS TEXT) FROM events WHERE kind = 'ledger.upgraded'")
        }
        #expect(upgraded.count == 1)
        #expect(upgraded.first?.contains(#""adopted":{"assets":14,"publications":2,"reviews":3,"skipped":0,"takedowns":1}"#) == true,
                "\(upgraded)")
    }

    @Test func withoutTheKeyFileTheOldRowsAreNotTrusted() throws {
        let store = try copyOfFixture()
        defer { store.remove() }
        try FileManager.default.removeItem(atPath: store.path + ".key")
        let ledger = try store.open()
        let report = try ledger.verify()
        #expect(report.problems.contains { $0.table == "legacy_assets" }, "\(report.problems)")
        let hashes = try GRDB.DatabaseQueue(path: store.path).read { db in try String.fetchAll(db, sql: "SELECT sha256 FROM legacy_assets") }
        #expect(hashes.count == 14)
        for (sha, codes) in try verdicts(ledger, hashes: hashes) {
            #expect(codes.contains("record-tampered"), "\(sha): \(codes)")
        }
    }
}
