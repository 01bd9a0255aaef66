import ClearanceApp
import ClearanceCore
import Foundation
@testable import Ledger
import Testing

/// A check on PostgreSQL fetches what it needs ahead: the asset's rows with the snapshot's name,
/// then every name, id and consent reference it carries with everyone those list. So it waits
/// on the server as often for an asset naming twelve people as for one naming one, and answers
/// exactly as the same ledger in SQLite does.
@Suite(.enabled(if: PostgresStoreUnderTest.server != nil, "CLEARANCE_TEST_POSTGRES is not set (run under scripts/postgres-cluster.sh)"))
struct PostgresCheckRoundTripTests {
    /// A SQLite ledger with twelve people, and five assets: one naming one of them, one naming
    /// all twelve (eight by name, two by person id, two by consent reference), one naming a
    /// withdrawn person and a stranger, an edited copy of the first, and one naming person 1
    /// that a reviewer said shows person 5 too.
    final class Register {
        let directory: URL
        let path: String
        var hashes: [String: String] = [:]

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("roundtrips-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            path = directory.appendingPathComponent("clearance.db").path
            let ledger = try Ledger.create(at: path)
            let operations = LedgerOperations(ledger: ledger, configuration: .standard)
            var mentions: [AssetMention] = []
            var withdrawn: ConsentReference?
            var ids: [PersonID] = []
            for number in 1...12 {
                let name = "Round Trip Person \(number)"
                let id = try operations.addPerson(PersonRequest(name: name, born: "1980-01-01"))
                ids.append(id)
                var request = ConsentRequest(person: id.description, channels: "social,website,print")
                request.given = "2025-01-01"
                request.recordedBy = "Officer Priya Shah"
                let reference = try operations.recordConsent(request)
                switch number {
                case 9, 10: mentions.append(AssetMention(source: "iptc-person-details", label: nil, identifiers: [id.description], region: nil))
                case 11, 12: mentions.append(AssetMention(source: "plus-model-release", label: nil, identifiers: [reference.description], region: nil))
                default: mentions.append(AssetMention(source: "mwg-region", label: name, identifiers: [], region: [0.05 * Double(number), 0.2, 0.04, 0.05]))
                }
                if number == 12 { withdrawn = reference }
            }
            // "copy" is an edit of "one" that names nobody itself: it inherits the original's people.
            let items = [("one", Array(mentions.prefix(1))), ("twelve", mentions),
                         ("withdrawn", [mentions[11], AssetMention(source: "iptc-person-in-image", label: "Nobody Known", identifiers: [], region: nil)]),
                         ("copy", []), ("reviewed", Array(mentions.prefix(1)))]
            for (name, _) in items { hashes[name] = SHA256Hex.of(Data("round trip asset \(name)".utf8)) }
            _ = try ledger.storeAssets(items.map { name, mentions in
                AssetIngestItem(record: AssetRecord(sha256: hashes[name]!, kind: "image", format: "jpeg", readable: true, error: nil,
                                                    capturedAt: "2026-07-04T14:03:21+01:00", width: 4000, height: 3000, orientation: 1,
                                                    faceRegions: mentions.filter { $0.region != nil }.count, releaseStatus: nil,
                                                    documentID: name == "one" ? "xmp.did:round-trip-one" : nil,
                                                    originalDocumentID: name == "copy" ? "xmp.did:round-trip-one" : nil, derivedFrom: nil),
                                mentions: mentions, path: "/photos/fair/\(name).jpg", faces: nil)
            })
            try ledger.review(hashes["reviewed"]!, reviews: [AssetReview(action: .person, person: ids[4], by: "Editor Sam Lee", at: .now)],
                              faces: [], by: "Editor Sam Lee")
            _ = try operations.withdraw(withdrawn!.description, receivedVia: "email", recordedBy: "DPO Dana Hale", note: nil)
            try ledger.checkpoint()
        }

        deinit { try? FileManager.default.removeItem(at: directory) }
    }

    @Test func aCheckWaitsAsOftenForTwelvePeopleAsForOne() throws {
        let register = try Register()
        let copy = try PostgresStoreUnderTest.copying(sqlite: register.path)
        defer { copy.remove() }
        let sqlite = try Ledger.open(at: register.path, forWriting: false)

        // The same verdicts, reasons and people from both stores, on every channel.
        for channel in ["facebook", "website", "print"] {
            let hashes = register.hashes.values.sorted()
            let expected = try AssetOperations(LedgerOperations(ledger: sqlite, configuration: .standard))
                .check(storedAssets: hashes, channel: channel, at: nil)
            let postgres = try copy.open()
            let answered = try AssetOperations(LedgerOperations(ledger: postgres, configuration: .standard))
                .check(storedAssets: hashes, channel: channel, at: nil)
            #expect(answered.map(\.verdict) == expected.map(\.verdict), "\(channel)")
            #expect(answered.map(\.people) == expected.map(\.people), "\(channel)")
        }
        let twelve = try AssetOperations(LedgerOperations(ledger: sqlite, configuration: .standard))
            .check(storedAssets: [register.hashes["twelve"]!], channel: "facebook", at: nil)[0]
        #expect(twelve.people.count == 12 && !twelve.verdict.cleared, "person 12 withdrew, so the asset naming all twelve is blocked")
        let copied = try AssetOperations(LedgerOperations(ledger: sqlite, configuration: .standard))
            .check(storedAssets: [register.hashes["copy"]!, register.hashes["one"]!], channel: "facebook", at: nil)
        #expect(copied[0].people.count == 1 && copied[0].people == copied[1].people, "the copy shows whom its original shows")

        // Each asset checked first on a ledger of its own: nothing remembered, nothing prepared.
        func roundTrips(of name: String, times: Int) throws -> [Int] {
            let ledger = try copy.open()
            let operations = AssetOperations(LedgerOperations(ledger: ledger, configuration: .standard))
            return try (0..<times).map { _ in
                let before = try #require(ledger.postgresRoundTrips)
                _ = try operations.check(storedAssets: [register.hashes[name]!], channel: "facebook", at: nil)
                return try #require(ledger.postgresRoundTrips) - before
            }
        }
        let one = try roundTrips(of: "one", times: 40)
        let all = try roundTrips(of: "twelve", times: 40)
        // The copy's document index entry and its original's rows come in one statement more
        // (they came in two: the entry, then the original's rows).
        let edited = try roundTrips(of: "copy", times: 40)
        // The column types, once per store; for the asset's rows, then the names, ids and
        // references with the people they list (the server finds those): a statement prepared
        // and run. BEGIN goes out with the first and COMMIT after the last, neither waited for.
        #expect(one[0] == 5, "cold check of one person: \(one[0]) round trips")
        #expect(all[0] == one[0], "twelve people: \(all[0]) round trips, one person: \(one[0])")
        #expect(edited[0] == one[0] + 2, "an edited copy: \(edited[0]) round trips, its original: \(one[0])")
        // Asked again: the asset's rows with the snapshot's name, when nothing was committed on
        // the server since (the memo is kept per snapshot). Other tests' writes to their own
        // databases move the cluster's snapshot too, and the memo then starts afresh (the
        // names and people again, their statement prepared by now: 2), so the fewest of
        // the warm checks is the one that shows it; while others write without a pause, more
        // rounds of 39 are asked, up to five. A copy's check waits once more when its memo
        // starts afresh: its originals' statement.
        var warmOne = Array(one.dropFirst()), warmAll = Array(all.dropFirst()), warmCopy = Array(edited.dropFirst())
        for _ in 1..<5 where !(warmOne.min() == 1 && warmAll.min() == 1 && warmCopy.min() == 1) {
            warmOne += try roundTrips(of: "one", times: 40).dropFirst()
            warmAll += try roundTrips(of: "twelve", times: 40).dropFirst()
            warmCopy += try roundTrips(of: "copy", times: 40).dropFirst()
        }
        #expect(warmOne.min() == 1 && warmAll.min() == 1 && warmCopy.min() == 1,
                "warm checks: \(warmOne.min() ?? 0), \(warmAll.min() ?? 0) and \(warmCopy.min() ?? 0) round trips at best")
        #expect([warmOne, warmAll].allSatisfy { $0.allSatisfy { (1...2).contains($0) } } && warmCopy.allSatisfy { (1...3).contains($0) })
    }

    /// A check sends its names statement as soon as the asset's rows are in, guessed from them
    /// (mentions, and the people reviews and face decisions name) before they are confirmed,
    /// so the server reads while the check confirms the asset; the check then waits for it
    /// once, and reads nothing more when the guess held. An edited copy, whose originals name
    /// people too, sends its originals' statement first, guessed from its own rows, and then
    /// the names the copy and its originals carry, guessed from theirs: each goes while the
    /// check confirms what came before.
    @Test func aCheckSendsItsNamesBeforeItHasConfirmedTheAsset() throws {
        let register = try Register()
        let copy = try PostgresStoreUnderTest.copying(sqlite: register.path)
        defer { copy.remove() }
        let sqlite = AssetOperations(LedgerOperations(ledger: try Ledger.open(at: register.path, forWriting: false), configuration: .standard))
        // Cold, on a ledger of its own each: the same five round trips as ever (column types,
        // then each statement prepared and run), the edited copy two more for its originals'.
        // A statement sent ahead counts only once its answers are used.
        for (name, sentAhead, roundTrips) in [("one", 1, 5), ("twelve", 1, 5), ("reviewed", 1, 5), ("withdrawn", 1, 5), ("copy", 2, 7)] {
            let ledger = try copy.open()
            let operations = AssetOperations(LedgerOperations(ledger: ledger, configuration: .standard))
            let trips = try #require(ledger.postgresRoundTrips), sent = try #require(ledger.postgresStatementsSentAhead)
            let answered = try operations.check(storedAssets: [register.hashes[name]!], channel: "facebook", at: nil)
            #expect(try #require(ledger.postgresStatementsSentAhead) - sent == sentAhead, "\(name): statements sent ahead")
            #expect(try #require(ledger.postgresRoundTrips) - trips == roundTrips, "\(name): round trips")
            let expected = try sqlite.check(storedAssets: [register.hashes[name]!], channel: "facebook", at: nil)
            #expect(answered.map(\.verdict) == expected.map(\.verdict) && answered.map(\.people) == expected.map(\.people), "\(name)")
        }
        let reviewed = try sqlite.check(storedAssets: [register.hashes["reviewed"]!], channel: "facebook", at: nil)[0]
        #expect(reviewed.people.count == 2, "the reviewer's person counts as well as the one named")
    }

    /// A check fetches ahead with the same statements whatever the asset names: twelve people
    /// or one, by name, id or consent reference, known or not. So each connection prepares and
    /// plans each statement once; a new text cost its check a round trip to prepare it and
    /// milliseconds to plan it, and those checks were the slowest 1% in the `postgres` bench.
    @Test func aCheckUsesTheSameStatementsWhateverTheAssetNames() throws {
        let register = try Register()
        let copy = try PostgresStoreUnderTest.copying(sqlite: register.path)
        defer { copy.remove() }
        let ledger = try copy.open()
        let store = try #require(ledger.store as? PostgresStore)
        let operations = AssetOperations(LedgerOperations(ledger: ledger, configuration: .standard))
        var texts: [String: Set<String>] = [:]
        for name in ["twelve", "copy", "one", "withdrawn"] {
            _ = try operations.check(storedAssets: [register.hashes[name]!], channel: "facebook", at: nil)
            texts[name] = Set(store.columnTypes.statements.withLock { $0.values })
        }
        // The asset's rows with the snapshot's name, then the names, ids and references with
        // the people they list; the copy adds its originals' statement.
        #expect(texts["twelve"]?.count == 2, "\(texts["twelve"]?.count ?? 0) statements for the asset naming twelve")
        #expect(texts["copy"]?.count == 3, "\(texts["copy"]?.count ?? 0) statements once an edited copy is checked too")
        #expect(texts["withdrawn"] == texts["copy"] && texts["one"] == texts["copy"],
                "one name, or a name and a consent reference: \((texts["withdrawn"] ?? []).subtracting(texts["copy"] ?? []).count) new statements")
    }

    /// The server finds whom a name index entry lists, and which originals a document index
    /// entry lists, by a pattern, not as `Ledger.stringList` reads them, and a check guesses the
    /// names to send ahead from an asset's rows before it has confirmed them, all only to fetch
    /// rows ahead: whatever an edited entry or row holds, a check answers as on SQLite, and
    /// whatever was missed is read when asked. Each asset is also checked alone, first, as the
    /// first read of its snapshot, which is when its names are sent ahead.
    @Test func editedIndexEntriesAnswerAsOnSQLite() throws {
        let register = try Register()
        let postgres = try PostgresStoreUnderTest.copying(sqlite: register.path)
        defer { postgres.remove() }
        let hashes = register.hashes.values.sorted()
        let edits = ["'not json ' || C", "C || C", "'[]'", "replace(C, '\"]', '\",\"P-0000-0000-0\"]')",
                     "replace(C, '\"', '\\\"')", "replace(C, '\"', '\"\"')"]
        let cases = edits.map { ("name_index", "people", $0) } + [("name_index", "people", "replace(people, 'P-', '\\u0050-')")]
            + edits.map { ("document_index", "assets", $0) }
            + [("mentions", "label", "'Round Trip Person 3'"), ("mentions", "identifiers", "'[]'"), ("reviews", "person_id", "NULL"),
               ("assets", "original_document_id", "NULL"),
               // The copy's row points at another original, or at one with no entry: the copy's
               // statements sent ahead are guessed from the edited row, the originals from its events.
               ("assets", "original_document_id", "case when C is null then null else 'xmp.did:round-trip-none' end"),
               ("assets", "document_id", "case when C is null then null else 'xmp.did:round-trip-moved' end"),
               ("assets", "derived_from", "'xmp.did:round-trip-one'")]
        for (table, column, edit) in cases {
            let update = "UPDATE \(table) SET \(column) = \(edit.replacingOccurrences(of: "C", with: column))"
            let sqlite = try SQLiteStore.copying(register.path)
            defer { sqlite.remove() }
            let edited = try postgres.copy()
            defer { edited.remove() }
            for store in [sqlite, edited] as [any StoreUnderTest] {
                try store.execute(update, [])
            }
            let checking = AssetOperations(LedgerOperations(ledger: try sqlite.open(), configuration: .standard))
            let answeringLedger = try edited.open()
            let answering = AssetOperations(LedgerOperations(ledger: answeringLedger, configuration: .standard))
            // Each alone first: an asset whose linking a ledger remembers sends nothing ahead.
            for batch in hashes.map({ [$0] }) + [hashes] {
                if batch.count > 1 {
                    #expect(try #require(answeringLedger.postgresStatementsSentAhead) > 0, "\(update): names were sent ahead")
                }
                let expected = try checking.check(storedAssets: batch, channel: "facebook", at: nil)
                let answered = try answering.check(storedAssets: batch, channel: "facebook", at: nil)
                #expect(answered.map(\.verdict) == expected.map(\.verdict), "\(update), \(batch.count) asset(s)")
                #expect(answered.map(\.people) == expected.map(\.people), "\(update), \(batch.count) asset(s)")
                if batch.count > 1 {
                    #expect(expected.contains { $0.verdict.reasons.contains { $0.code == .recordTampered } }, "\(update): the edit is noticed")
                }
            }
        }
    }
}
