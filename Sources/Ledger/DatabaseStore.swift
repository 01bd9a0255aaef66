import ClearanceCore
import Foundation

/// What a mention row holds beyond its binding: the clear name and identifiers, their digest
/// for erasure, and the commitment's salt. Written beside the `asset.ingested` event.
struct MentionDetail: Sendable {
    var label: String?
    var identifiers: String
    var salt: Data
    var nameDigest: Data?
}

/// Derived rows read and written inside a write transaction.
struct DatabaseStore: DerivedStore {
    let db: any SQLSession
    /// The clear parts of the mentions of the asset being ingested, by ordinal.
    var mentionDetails: [MentionDetail] = []
    /// To read a publication from its signed event when its row is missing.
    var publicKey: Data?
    /// The event being applied, already in `events`.
    var appending: Int64 = .max

    func personRow(_ id: PersonID) throws -> PersonRow? {
        try PersonRow.find(db, id: id.description)
    }
    func consentRow(_ reference: ConsentReference) throws -> ConsentRow? {
        try ConsentRow.find(db, reference: reference.description)
    }
    func consentRows(of person: PersonID) throws -> [ConsentRow] {
        try db.fetchAll(ConsentRow.self, "SELECT * FROM consents WHERE person_id = ? ORDER BY recorded_seq", [person.description])
    }
    func insert(_ row: PersonRow) throws { try db.insert(row) }
    func update(_ row: PersonRow) throws { try db.update(row) }
    func insert(_ row: ConsentRow) throws { try db.insert(row) }
    func update(_ row: ConsentRow) throws { try db.update(row) }

    func instanceIsBound() throws -> Bool {
        try db.fetchValue(Bool.self, "SELECT 1 FROM events WHERE kind IN ('ledger.created', 'ledger.upgraded') AND seq < ? LIMIT 1", [appending]) ?? false
    }
    func bindInstance(_ binding: LedgerEvent.InstanceBinding, seq: Int64) {}
    func personStanding(_ id: PersonID) throws -> (registered: Bool, erased: Bool)? {
        guard let row = try personRow(id) else { return (false, false) }
        return (true, row.erasedAt != nil)
    }
    func assetRow(_ sha256: String) throws -> AssetRow? {
        try db.fetchOne(AssetRow.self, "SELECT * FROM assets WHERE sha256 = ?", [sha256])
    }
    func insert(_ row: AssetRow, mentions: [MentionBinding]) throws {
        guard mentionDetails.count == mentions.count else {
            throw LedgerError.io("ingest of \(row.sha256) lost the names of its mentions")
        }
        try db.insert(row)
        for (binding, detail) in zip(mentions, mentionDetails) {
            try db.insert(MentionRow(sha256: row.sha256, ordinal: binding.ordinal, source: binding.source, label: detail.label,
                           nameDigest: detail.nameDigest, identifiers: detail.identifiers, region: binding.region,
                           salt: detail.salt))
        }
    }
    func rememberedMentions(of sha256: String) throws -> Set<Int> {
        Set(try db.fetchValues(Int.self, "SELECT ordinal FROM mentions WHERE sha256 = ? AND salt IS NOT NULL", [sha256]))
    }
    func forgetMentions(_ ordinals: [Int], of sha256: String) throws {
        for ordinal in ordinals {
            try db.execute("""
                UPDATE mentions SET label = NULL, name_digest = NULL, identifiers = ?, salt = NULL
                WHERE sha256 = ? AND ordinal = ?
                """, [MentionRow.forgottenIdentifiers, sha256, ordinal])
        }
    }
    func insert(_ row: ReviewRow) throws { try db.insert(row) }
    /// The row, or when it is missing (deleted behind Clearance's back) what the signed
    /// `asset.published` event says: a withdrawal still opens a takedown for it.
    func publicationRow(_ id: Int64) throws -> PublicationRow? {
        if let row = try db.fetchOne(PublicationRow.self, key: [id]) { return row }
        guard let publicKey else { return nil }
        return try Ledger.publicationFromEvent(id, db: db, publicKey: publicKey)
    }
    func insert(_ row: PublicationRow) throws { try db.insert(row) }
    func takedownRow(_ id: Int64) throws -> TakedownRow? { try db.fetchOne(TakedownRow.self, key: [id]) }
    func takedownExists(publication: Int64, person: String) throws -> Bool {
        try db.fetchValue(Bool.self, "SELECT 1 FROM takedowns WHERE publication_id = ? AND person_id = ?", [publication, person]) ?? false
    }
    func insert(_ row: TakedownRow) throws { try db.insert(row) }
    func update(_ row: TakedownRow) throws { try db.update(row) }
    func faceDetectionRow(_ id: Int64) throws -> FaceDetectionRow? { try db.fetchOne(FaceDetectionRow.self, key: [id]) }
    func insert(_ row: FaceDetectionRow) throws { try db.insert(row) }
    func insert(_ row: FaceDecisionRow) throws { try db.insert(row) }
}
