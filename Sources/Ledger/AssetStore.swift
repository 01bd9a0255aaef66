import ClearanceCore
import Foundation

extension Ledger {
    /// Stores a batch of ingested files in one transaction. A new asset is bound by a signed
    /// `asset.ingested` event; an asset already known keeps its stored facts (same bytes, same
    /// facts) and only gains the path. Returns, per item, whether the asset was new.
    public func storeAssets(_ batch: [AssetIngestItem], at: Timestamp = .now) throws -> [Bool] {
        try write { tx in try batch.map { try tx.ingest($0, at: at) } }
    }

    public func asset(_ sha256: String) throws -> StoredAsset? {
        try store.read { db in try Self.storedAsset(sha256, db: db, ledger: self) }
    }

    /// The asset last seen at `path`, if any.
    public func asset(atPath path: String) throws -> StoredAsset? {
        try store.read { db in
            guard let sha = try db.fetchValue(String.self, "SELECT sha256 FROM asset_paths WHERE path = ? ORDER BY seen_at DESC LIMIT 1", [path]) else { return nil }
            return try Self.storedAsset(sha, db: db, ledger: self)
        }
    }

    public func assetCount() throws -> Int {
        try store.read { db in try db.fetchValue(Int.self, "SELECT count(*) FROM assets") ?? 0 }
    }

    /// Every asset's hash, in a stable order: every asset with a row, and any whose signed
    /// events remain after its row was deleted (so that a walk of the register still meets it).
    public func allAssetHashes() throws -> [String] {
        try store.read { db in
            let stored = try db.fetchValues(String.self, "SELECT sha256 FROM assets ORDER BY ingested_at, sha256")
            let known = Set(stored)
            // NOT EXISTS, not NOT IN: PostgreSQL plans NOT IN over a subquery too large for its
            // memory as a nested loop (minutes over 100,000 assets); both plan this as an anti-join.
            let orphaned = try db.fetchValues(String.self, """
                SELECT DISTINCT e.asset FROM events e WHERE e.kind = 'asset.ingested' AND e.asset IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.sha256 = e.asset) ORDER BY e.asset
                """).filter { !known.contains($0) }
            return stored + orphaned
        }
    }

    /// The newest `limit` assets (by ingest time) after skipping `offset`, with the path each was last seen at, and how
    /// many match in all: what a page lists for picking. `matching` keeps assets one of whose
    /// paths contains it, case-insensitively for ASCII; `%`, `_` and `\` in it are literal.
    public func assetListing(matching text: String?, limit: Int, offset: Int = 0) throws -> (assets: [(sha256: String, path: String?)], total: Int) {
        let pattern = text.map { "%" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%" }
        return try store.read { db in
            // SQLite's LIKE ignores ASCII case; PostgreSQL's needs ILIKE for that.
            let like = db.dialect == .postgresql ? "ILIKE" : "LIKE"
            let filter = "(CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM asset_paths p WHERE p.sha256 = a.sha256 AND p.path \(like) ? ESCAPE '\\'))"
            let rows = try db.fetchAll("""
                SELECT a.sha256, (SELECT p.path FROM asset_paths p WHERE p.sha256 = a.sha256 ORDER BY p.seen_at DESC, p.path LIMIT 1) AS path
                FROM assets a WHERE \(filter) ORDER BY a.ingested_at DESC, a.sha256 LIMIT ? OFFSET ?
                """, [pattern, pattern, limit, max(0, offset)])
            let total = try db.fetchValue(Int.self, "SELECT count(*) FROM assets a WHERE \(filter)", [pattern, pattern]) ?? 0
            return (rows.map { ($0["sha256"], $0["path"]) }, total)
        }
    }

    /// Appends manual reviews of one asset, all or none, each a signed `asset.reviewed` event.
    public func addReviews(_ reviews: [AssetReview], to sha256: String) throws {
        try write { tx in try tx.addReviews(reviews, to: sha256) }
    }

    /// Stores a run of the face detector over a stored asset (`asset.faces-detected`).
    @discardableResult
    public func recordFaceDetection(_ facts: FaceDetectionFacts, of sha256: String, at: Timestamp = .now) throws -> Int64 {
        try write { tx in try tx.recordFaceDetection(facts, of: sha256, at: at) }
    }

    /// Appends reviews and face decisions about one asset in one transaction, all or none.
    public func review(_ sha256: String, reviews: [AssetReview], faces: [(face: Int, detection: Int64, decision: FaceDecision)],
                       by: String, at: Timestamp = .now) throws {
        try write { tx in
            if !reviews.isEmpty { try tx.addReviews(reviews, to: sha256) }
            for decided in faces {
                try tx.decideFace(decided.face, of: decided.detection, asset: sha256, decision: decided.decision, by: by, at: at)
            }
        }
    }

    /// The assets a face has ever been decided `not-registered` in, by their `face.decided`
    /// events (not by the derived rows, which a hand edit could delete): where the people-to-find
    /// list looks. The payload is canonical JSON, so the decision's word is in its bytes; a
    /// reviewer's name holding the word only adds an asset to look at. Each is read again through
    /// `asset(_:)`, which authenticates its events and confirms its rows, before anything is shown.
    public func assetsEverDecidedNotRegistered() throws -> [String] {
        try store.read { db in
            let holds = db.dialect == .postgresql
                ? "position(convert_to('\"not-registered\"', 'UTF8') in payload) > 0"
                : "instr(payload, CAST('\"not-registered\"' AS BLOB)) > 0"
            return try db.fetchValues(String.self, """
                SELECT DISTINCT asset FROM events
                WHERE kind = 'face.decided' AND asset IS NOT NULL AND \(holds)
                ORDER BY asset
                """)
        }
    }

    /// Which of these assets are already stored (or have signed events): what ingest need not
    /// read again.
    public func knownAssets(_ hashes: [String]) throws -> Set<String> {
        try store.read { db in
            var known = Set<String>()
            for sha256 in hashes {
                if try db.fetchValue(Bool.self, "SELECT 1 FROM events WHERE asset = ? LIMIT 1", [sha256]) ?? false {
                    known.insert(sha256)
                }
            }
            return known
        }
    }

    /// Records an export as a signed `asset.published` event.
    public func recordPublication(_ publication: PublicationRecord) throws {
        try write { tx in _ = try tx.recordPublication(publication) }
    }

    /// The asset's publications, as its signed events say.
    public func publications(of sha256: String) throws -> [PublicationRecord] {
        try storedPublications(of: sha256).map(\.record)
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// `json(faces)`, written by hand when every number prints as a plain decimal (as a
    /// detector's fractions do): every check replays an asset's detection, and the encoder was a
    /// twentieth of its CPU. Anything else (an exponent, say) goes through the encoder.
    static func json(faces: [LedgerEvent.FacePayload]) throws -> String {
        var objects: [String] = []
        for face in faces {
            guard let h = plainDecimal(face.h), let score = plainDecimal(face.score), let w = plainDecimal(face.w),
                  let x = plainDecimal(face.x), let y = plainDecimal(face.y) else { return try json(faces) }
            var t = ""
            if let time = face.t {
                guard let plain = plainDecimal(time) else { return try json(faces) }
                t = #","t":"# + plain
            }
            // Sorted keys, as the encoder's `.sortedKeys` writes them.
            objects.append(#"{"h":"# + h + #","score":"# + score + t + #","w":"# + w + #","x":"# + x + #","y":"# + y + "}")
        }
        return "[" + objects.joined(separator: ",") + "]"
    }

    /// A finite double as `JSONEncoder` writes it when that is a plain decimal: its shortest
    /// round-tripping digits, without a trailing `.0`. Nil for anything with an exponent.
    private static func plainDecimal(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        var text = value.description
        guard !text.utf8.contains(UInt8(ascii: "e")) else { return nil }
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}

extension Ledger {
    /// Whether an event with this stored hash was written by this instance: by its MAC when
    /// there is one and the key is at hand, else by its signature. A MAC that does not match
    /// falls back to the signature, so a damaged MAC costs time, never a wrong answer.
    func isAuthentic(hash: Data, mac: Data?, signature: Data) -> Bool {
        if let macKey, let mac, macKey.isValid(mac, for: hash) { return true }
        return VerifiedSignatures.isValid(signature: signature, hash: hash, publicKey: instance.publicKey)
    }
}

