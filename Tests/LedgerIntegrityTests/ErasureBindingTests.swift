import ClearanceApp
import ClearanceCore
import Foundation
import GRDB
import Ledger
import Testing

/// Erasure and the binding of what ingest read: the names files gave for the person leave the
/// file (row, salt and digest), the signed ingest event kept only a salted commitment, and the
/// chain still verifies.
@Suite struct ErasureBindingTests {
    @Test func namesInFilesAreForgottenAndTheChainStillVerifies() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("erasure-binding-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("clearance.db").path
        let ledger = try Ledger.create(at: path)
        let operations = LedgerOperations(ledger: ledger, configuration: .standard)
        let name = "Philippa Quenby-Marchetti", alias = "Pippa Q-M"
        let person = try operations.addPerson(PersonRequest(name: name, aliases: [alias]))
        let kept = try operations.addPerson(PersonRequest(name: "Kept Person"))
        let sha = SHA256Hex.of(Data("a picture of Philippa".utf8))
        let record = AssetRecord(sha256: sha, kind: "image", format: "jpeg", readable: true, error: nil, capturedAt: nil,
                                 width: 10, height: 10, orientation: 1, faceRegions: 2, releaseStatus: nil,
                                 documentID: nil, originalDocumentID: nil, derivedFrom: nil)
        let mentions = [AssetMention(source: "mwg-region", label: name, identifiers: [], region: [0.1, 0.1, 0.2, 0.2]),
                        AssetMention(source: "iptc-person-in-image", label: alias.uppercased(), identifiers: [], region: nil),
                        AssetMention(source: "mwg-region", label: "Kept Person", identifiers: [], region: [0.5, 0.1, 0.2, 0.2])]
        // The detector found the two faces the regions name.
        let faces = FaceDetectionFacts(detector: "yunet-2023mar/1", faces: [
            FoundFace(number: 1, box: FaceBox(x: 0.11, y: 0.11, w: 0.18, h: 0.18), score: 0.92),
            FoundFace(number: 2, box: FaceBox(x: 0.51, y: 0.11, w: 0.18, h: 0.18), score: 0.9),
        ], failure: nil)
        _ = try ledger.storeAssets([AssetIngestItem(record: record, mentions: mentions, path: "/photos/fair.jpg", faces: faces)])

        func raw() -> Data {
            ["", "-wal"].reduce(into: Data()) { bytes, suffix in
                if let data = FileManager.default.contents(atPath: path + suffix) { bytes.append(data) }
            }
        }
        #expect(raw().range(of: Data(name.utf8)) != nil, "before erasure the mention holds the name")

        _ = try operations.erase(person.description)

        let bytes = raw()
        for text in [name, alias, alias.uppercased(), name.lowercased()] {
            #expect(bytes.range(of: Data(text.utf8)) == nil, "found \(text)")
        }
        let stored = try #require(try ledger.asset(sha))
        #expect(stored.isConfirmed, "\(stored.problems)")
        #expect(stored.mentions.map(\.label) == [nil, nil, "Kept Person"])
        #expect(stored.mentions[0].identifiers == ["erased person"] && stored.mentions[0].region != nil)
        let salts = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT salt, name_digest FROM mentions WHERE sha256 = ? ORDER BY ordinal", arguments: [sha])
        }
        #expect(salts.map { $0["salt"] == nil } == [true, true, false], "the salts of the forgotten names are gone")
        let report = try ledger.verify()
        #expect(report.isIntact, "\(report.problems)")
        let kinds = try DatabaseQueue(path: path).read { db in try String.fetchAll(db, sql: "SELECT kind FROM events ORDER BY seq") }
        #expect(kinds.suffix(2) == ["person.erased", "asset.mentions-forgotten"])

        let check = try AssetOperations(operations).check(storedAssets: [sha], channel: "website", at: nil)[0].verdict
        #expect(Set(check.reasons.map(\.code)) == [.unknownPerson, .noConsent], "\(check.reasons)")
        #expect(try ledger.people(named: "kept person").map(\.id) == [kept])
    }
}
