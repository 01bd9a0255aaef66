import ClearanceCore
import Foundation
@testable import Ledger
import Testing

/// The rows a check reads for every person and asset are read by hand (`init(row:)`), not
/// decoded. Each must read any row exactly as decoding it does: the same record, or the same
/// error. The rows start as the ledger wrote them, then are edited as someone with the database
/// might edit them: values of another kind, NULLs, columns dropped, repeated, added or reordered.
@Suite struct SQLRecordReadingTests {
    /// Real rows of each table, from a ledger with a person, a consent, a withdrawn consent and an
    /// asset with a face detection.
    static func writtenRows() throws -> (TemporaryLedger, [String: [SQLRow]]) {
        let temporary = try TemporaryLedger()
        let ledger = temporary.ledger
        try ledger.write { tx in
            let ada = try tx.addPerson(PersonalData(name: "Ada Lovelace", email: "ada@example.org"), roles: PersonRoles(staff: true))
            _ = try tx.recordConsent(person: ada, terms: TemporaryLedger.terms(guardian: "mother"), details: ConsentPrivateDetails())
            let withdrawn = try tx.recordConsent(person: ada, terms: TemporaryLedger.terms(channels: ["print"]), details: ConsentPrivateDetails())
            try tx.withdraw(withdrawn, receivedVia: "self-service", recordedBy: "ada", note: "no more print")
        }
        let record = AssetRecord(sha256: SHA256Hex.of(Data("a group photo".utf8)), kind: "image", format: "jpeg", readable: true,
                                 error: nil, capturedAt: "2025-06-01T10:00:00", width: 4000, height: 3000, orientation: 6,
                                 faceRegions: 2, releaseStatus: "released", documentID: "xmp.did:1", originalDocumentID: nil,
                                 derivedFrom: nil)
        let faces = FaceDetectionFacts(detector: "yunet-2023mar/1", faces: [
            FoundFace(number: 1, box: FaceBox(x: 0.1, y: 0.2, w: 0.1, h: 0.12), score: 0.93),
        ], failure: nil)
        _ = try ledger.storeAssets([AssetIngestItem(record: record, mentions: [], path: "/photos/group.jpg", faces: faces)])
        var rows: [String: [SQLRow]] = [:]
        for table in ["people", "consents", "assets", "face_detections"] {
            rows[table] = try temporary.rows("SELECT * FROM \(table)")
        }
        return (temporary, rows)
    }

    @Test func rowsAsWrittenReadTheSameByHandAsDecoded() throws {
        let (_, rows) = try Self.writtenRows()
        #expect(rows["people"]?.count == 1 && rows["consents"]?.count == 2 && rows["assets"]?.count == 1
                && rows["face_detections"]?.count == 1)
        for row in rows["people"] ?? [] { #expect(try PersonRow(row: row) == PersonRow(decoding: row)) }
        for row in rows["consents"] ?? [] { #expect(try ConsentRow(row: row) == ConsentRow(decoding: row)) }
        for row in rows["assets"] ?? [] { #expect(try AssetRow(row: row) == AssetRow(decoding: row)) }
        for row in rows["face_detections"] ?? [] { #expect(try FaceDetectionRow(row: row) == FaceDetectionRow(decoding: row)) }
        // What was written and withdrawn is all there: no column was skipped.
        let withdrawn = try #require(rows["consents"]?.map(ConsentRow.init(row:)).first { $0.withdrawnAt != nil })
        #expect(withdrawn.withdrawalNote != nil && withdrawn.withdrawnBy == "ada" && withdrawn.withdrawnSeq != nil)
    }

    @Test func editedRowsReadTheSameByHandAsDecoded() throws {
        let (_, rows) = try Self.writtenRows()
        var random = RowEditMixer(seed: 0x5EED_0F_C0_1A)
        var outcomes: [String: (read: Int, refused: Int)] = [:]
        for round in 0..<4_000 {
            for (table, written) in rows {
                guard let original = written.randomElement(using: &random) else { continue }
                let row = Self.edited(original, &random)
                let agreed: Bool?
                switch table {
                case "people": agreed = Self.agree(PersonRow.self, row)
                case "consents": agreed = Self.agree(ConsentRow.self, row)
                case "assets": agreed = Self.agree(AssetRow.self, row)
                case "face_detections": agreed = Self.agree(FaceDetectionRow.self, row)
                default: agreed = nil
                }
                guard let read = agreed else {
                    Issue.record("round \(round), \(table): the two readings differ for \(row)")
                    return
                }
                outcomes[table, default: (0, 0)].read += read ? 1 : 0
                outcomes[table, default: (0, 0)].refused += read ? 0 : 1
            }
        }
        // Both outcomes came up often for every table, so both were compared.
        for (table, outcome) in outcomes {
            #expect(outcome.read > 400 && outcome.refused > 400, "\(table): \(outcome)")
        }
        #expect(outcomes.count == 4)
    }

    /// true: both read the same record; false: both refused with the same error; nil: they differ.
    static func agree<Record: SQLRecord & Equatable>(_ type: Record.Type, _ row: SQLRow) -> Bool? {
        let byHand = Result { try Record(row: row) }
        let decoded = Result { try Record(decoding: row) }
        switch (byHand, decoded) {
        case (.success(let hand), .success(let decoded)): return hand == decoded ? true : nil
        case (.failure(let hand), .failure(let decoded)):
            return String(reflecting: hand) == String(reflecting: decoded) ? false : nil
        default: return nil
        }
    }

    /// The row with a few edits: a value of another kind or NULL in some column, a column
    /// dropped, repeated, added or moved. About half the edited rows still read.
    static func edited(_ row: SQLRow, _ random: inout RowEditMixer) -> SQLRow {
        var columns = Array(zip(row.columns, row.values))
        for index in columns.indices where random.next() % UInt64(columns.count * 3) == 0 {
            columns[index].1 = value(&random)
        }
        switch random.next() % 10 {
        case 0: columns.remove(at: Int(random.next() % UInt64(columns.count)))
        case 1:
            // SQL allows two columns of one name; the first is read.
            let copied = columns[Int(random.next() % UInt64(columns.count))]
            columns.insert((copied.0, value(&random)), at: Int(random.next() % UInt64(columns.count + 1)))
        case 2: columns.append(("added_by_hand", value(&random)))
        case 3: columns.shuffle(using: &random)
        default: break
        }
        return SQLRow(columns: columns.map(\.0), values: columns.map(\.1))
    }

    /// A value of any kind.
    static func value(_ random: inout RowEditMixer) -> SQLValue {
        switch random.next() % 5 {
        case 0: .null
        case 1: .integer(Int64(bitPattern: random.next()) >> (random.next() % 64))
        case 2: .real(Double(bitPattern: random.next()))
        case 3: .text(String(repeating: "é\u{0}x", count: Int(random.next() % 4)))
        default: .blob(Data((0..<(random.next() % 6)).map { _ in UInt8(truncatingIfNeeded: random.next()) }))
        }
    }
}

/// A seeded generator (SplitMix64), so that a failing round can be run again.
struct RowEditMixer: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
