import ClearanceCore
import Foundation
import GRDB

/// An asset as stored: what its file said when it was ingested.
public struct AssetRecord: Hashable, Sendable {
    public var sha256: String
    public var kind: String?
    public var format: String?
    public var readable: Bool
    public var error: String?
    public var capturedAt: String?
    public var width: Int?
    public var height: Int?
    public var orientation: Int?
    public var faceRegions: Int
    public var releaseStatus: String?
    public var documentID: String?
    public var originalDocumentID: String?
    public var derivedFrom: String?

    public init(sha256: String, kind: String?, format: String?, readable: Bool, error: String?,
                capturedAt: String?, width: Int?, height: Int?, orientation: Int?, faceRegions: Int,
                releaseStatus: String?, documentID: String?, originalDocumentID: String?, derivedFrom: String?) {
        self.sha256 = sha256
        self.kind = kind
        self.format = format
        self.readable = readable
        self.error = error
        self.capturedAt = capturedAt
        self.width = width
        self.height = height
        self.orientation = orientation
        self.faceRegions = faceRegions
        self.releaseStatus = releaseStatus
        self.documentID = documentID
        self.originalDocumentID = originalDocumentID
        self.derivedFrom = derivedFrom
    }
}

/// One person an asset's metadata mentions (a name, identifiers, a region, or some of these).
public struct AssetMention: Hashable, Sendable, Codable {
    public var source: String
    public var label: String?
    public var identifiers: [String]
    /// x, y, w, h as fractions of the displayed image.
    public var region: [Double]?

    public init(source: String, label: String?, identifiers: [String], region: [Double]?) {
        self.source = source
        self.label = label
        self.identifiers = identifiers
        self.region = region
    }
}

/// A manual review of an asset (`clearance tag`).
public struct AssetReview: Hashable, Sendable {
    public enum Action: String, Sendable, CaseIterable {
        case person, notPerson = "not-person", noPeople = "no-people", serviceUsers = "service-users"
    }
    public var action: Action
    public var person: PersonID?
    public var by: String
    public var at: Timestamp

    public init(action: Action, person: PersonID?, by: String, at: Timestamp) {
        self.action = action
        self.person = person
        self.by = by
        self.at = at
    }
}

/// An asset with everything the gate needs to know about it.
public struct StoredAsset: Hashable, Sendable {
    public var record: AssetRecord
    public var mentions: [AssetMention]
    public var reviews: [AssetReview]
    public var paths: [String]
}

/// An export, recorded when the file was written.
public struct PublicationRecord: Hashable, Sendable {
    public var sha256: String
    public var outputSHA256: String
    public var channel: Channel
    public var path: String
    public var postURL: String?
    public var consents: [ConsentReference]
    public var by: String
    public var at: Timestamp

    public init(sha256: String, outputSHA256: String, channel: Channel, path: String, postURL: String?,
                consents: [ConsentReference], by: String, at: Timestamp) {
        self.sha256 = sha256
        self.outputSHA256 = outputSHA256
        self.channel = channel
        self.path = path
        self.postURL = postURL
        self.consents = consents
        self.by = by
        self.at = at
    }
}

extension Ledger {
    /// Stores a batch of ingested files in one transaction. An asset already known keeps its
    /// stored facts (same bytes, same facts) and only gains the path. Returns, per item,
    /// whether the asset was new.
    public func storeAssets(_ batch: [(record: AssetRecord, mentions: [AssetMention], path: String)],
                            at: Timestamp = .now) throws -> [Bool] {
        let index = nameIndex
        return try database.write { db in
            try batch.map { item in
                let known = try Bool.fetchOne(db, sql: "SELECT 1 FROM assets WHERE sha256 = ?", arguments: [item.record.sha256]) ?? false
                if !known {
                    let r = item.record
                    try db.execute(sql: """
                        INSERT INTO assets (sha256, kind, format, readable, error, captured_at, width, height, orientation,
                            face_regions, release_status, document_id, original_document_id, derived_from, ingested_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [r.sha256, r.kind, r.format, r.readable, r.error, r.capturedAt, r.width, r.height,
                                         r.orientation, r.faceRegions, r.releaseStatus, r.documentID,
                                         r.originalDocumentID, r.derivedFrom, at.millisecondsSinceEpoch])
                    for (ordinal, mention) in item.mentions.enumerated() {
                        try db.execute(sql: """
                            INSERT INTO mentions (sha256, ordinal, source, label, name_digest, identifiers, region)
                            VALUES (?, ?, ?, ?, ?, ?, ?)
                            """, arguments: [r.sha256, ordinal, mention.source, mention.label,
                                             mention.label.flatMap(NameKey.init).map(index.digest),
                                             try Self.json(mention.identifiers), try mention.region.map(Self.json)])
                    }
                }
                try db.execute(sql: """
                    INSERT INTO asset_paths (sha256, path, seen_at) VALUES (?, ?, ?)
                    ON CONFLICT (sha256, path) DO UPDATE SET seen_at = excluded.seen_at
                    """, arguments: [item.record.sha256, item.path, at.millisecondsSinceEpoch])
                return !known
            }
        }
    }

    public func asset(_ sha256: String) throws -> StoredAsset? {
        try database.read { db in try Self.storedAsset(sha256, db: db) }
    }

    /// The asset last seen at `path`, if any.
    public func asset(atPath path: String) throws -> StoredAsset? {
        try database.read { db in
            guard let sha = try String.fetchOne(db, sql: "SELECT sha256 FROM asset_paths WHERE path = ? ORDER BY seen_at DESC LIMIT 1",
                                                arguments: [path]) else { return nil }
            return try Self.storedAsset(sha, db: db)
        }
    }

    /// Assets whose xmpMM:DocumentID is one of `documentIDs` (the originals of an edited copy).
    public func assets(withDocumentIDs documentIDs: [String]) throws -> [StoredAsset] {
        guard !documentIDs.isEmpty else { return [] }
        return try database.read { db in try Self.assets(withDocumentIDs: documentIDs, db: db) }
    }

    static func assets(withDocumentIDs documentIDs: [String], db: Database) throws -> [StoredAsset] {
        guard !documentIDs.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: documentIDs.count).joined(separator: ", ")
        return try String.fetchAll(db, sql: "SELECT sha256 FROM assets WHERE document_id IN (\(marks)) ORDER BY sha256",
                                   arguments: StatementArguments(documentIDs))
            .compactMap { try storedAsset($0, db: db) }
    }

    public func assetCount() throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM assets") ?? 0 }
    }

    /// Every asset's hash, in a stable order.
    public func allAssetHashes() throws -> [String] {
        try database.read { db in try String.fetchAll(db, sql: "SELECT sha256 FROM assets ORDER BY ingested_at, sha256") }
    }

    /// The newest `limit` assets (by ingest time) with the path each was last seen at, and how
    /// many match in all: what a page lists for picking. `matching` keeps assets one of whose
    /// paths contains it, case-insensitively for ASCII; `%`, `_` and `\` in it are literal.
    public func assetListing(matching text: String?, limit: Int) throws -> (assets: [(sha256: String, path: String?)], total: Int) {
        let pattern = text.map { "%" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%" }
        let filter = "(?1 IS NULL OR EXISTS (SELECT 1 FROM asset_paths p WHERE p.sha256 = a.sha256 AND p.path LIKE ?1 ESCAPE '\\'))"
        return try database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT a.sha256, (SELECT p.path FROM asset_paths p WHERE p.sha256 = a.sha256 ORDER BY p.seen_at DESC, p.path LIMIT 1) AS path
                FROM assets a WHERE \(filter) ORDER BY a.ingested_at DESC, a.sha256 LIMIT ?2
                """, arguments: [pattern, limit])
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM assets a WHERE \(filter)", arguments: [pattern]) ?? 0
            return (rows.map { ($0["sha256"], $0["path"]) }, total)
        }
    }

    /// Appends manual reviews of one asset, all or none.
    public func addReviews(_ reviews: [AssetReview], to sha256: String) throws {
        try database.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM assets WHERE sha256 = ?", arguments: [sha256]) ?? false else {
                throw LedgerError.invalid("unknown asset: \(sha256)")
            }
            for review in reviews {
                try db.execute(sql: "INSERT INTO reviews (sha256, action, person_id, by, at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [sha256, review.action.rawValue, review.person?.description, review.by,
                                           review.at.millisecondsSinceEpoch])
            }
        }
    }

    public func recordPublication(_ publication: PublicationRecord) throws {
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO publications (sha256, output_sha256, channel, path, post_url, consents, by, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [publication.sha256, publication.outputSHA256, publication.channel.name, publication.path,
                                 publication.postURL, try Self.json(publication.consents.map(\.description)),
                                 publication.by, publication.at.millisecondsSinceEpoch])
        }
    }

    public func publications(of sha256: String) throws -> [PublicationRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM publications WHERE sha256 = ? ORDER BY id", arguments: [sha256]).map { row in
                let consents = (try? JSONDecoder().decode([String].self, from: Data((row["consents"] as String? ?? "[]").utf8))) ?? []
                return PublicationRecord(sha256: row["sha256"], outputSHA256: row["output_sha256"], channel: Channel(row["channel"]),
                                         path: row["path"], postURL: row["post_url"],
                                         consents: consents.compactMap(ConsentReference.init(parsing:)),
                                         by: row["by"], at: Timestamp(millisecondsSinceEpoch: row["at"]))
            }
        }
    }

    static func storedAsset(_ sha256: String, db: Database) throws -> StoredAsset? {
        // Prepared statements are reused: a batch check asks these four questions for every asset.
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM assets WHERE sha256 = ?"), arguments: [sha256]) else { return nil }
        let record = AssetRecord(sha256: row["sha256"], kind: row["kind"], format: row["format"], readable: row["readable"],
                                 error: row["error"], capturedAt: row["captured_at"], width: row["width"], height: row["height"],
                                 orientation: row["orientation"], faceRegions: row["face_regions"],
                                 releaseStatus: row["release_status"], documentID: row["document_id"],
                                 originalDocumentID: row["original_document_id"], derivedFrom: row["derived_from"])
        let decoder = JSONDecoder()
        let mentions = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM mentions WHERE sha256 = ? ORDER BY ordinal"), arguments: [sha256]).map { m in
            AssetMention(source: m["source"], label: m["label"],
                         identifiers: (try? decoder.decode([String].self, from: Data((m["identifiers"] as String? ?? "[]").utf8))) ?? [],
                         region: (m["region"] as String?).flatMap { try? decoder.decode([Double].self, from: Data($0.utf8)) })
        }
        let reviews = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM reviews WHERE sha256 = ? ORDER BY id"), arguments: [sha256]).compactMap { r -> AssetReview? in
            guard let action = AssetReview.Action(rawValue: r["action"]) else { return nil }
            return AssetReview(action: action, person: (r["person_id"] as String?).flatMap(PersonID.init(parsing:)),
                               by: r["by"], at: Timestamp(millisecondsSinceEpoch: r["at"]))
        }
        let paths = try String.fetchAll(db.cachedStatement(sql: "SELECT path FROM asset_paths WHERE sha256 = ? ORDER BY seen_at DESC, path"),
                                        arguments: [sha256])
        return StoredAsset(record: record, mentions: mentions, reviews: reviews, paths: paths)
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

extension Ledger {
    /// People (not erased) whose name or alias has this index digest: ids only, nothing decrypted.
    static func personIDs(digest: Data, db: Database) throws -> [PersonID] {
        try String.fetchAll(db.cachedStatement(sql: """
            SELECT people.id FROM name_index JOIN people ON people.id = name_index.person_id
            WHERE name_index.digest = ? AND people.erased_at IS NULL ORDER BY people.added_seq
            """), arguments: [digest]).compactMap(PersonID.init(parsing:))
    }

    /// Whose consent `reference` is, any version and state.
    static func consentHolder(_ reference: ConsentReference, db: Database) throws -> PersonID? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT person_id FROM consents WHERE reference = ?"),
                            arguments: [reference.description]).flatMap(PersonID.init(parsing:))
    }

    /// Consents of `person` whose events do not verify: the stored hash is not the hash of the
    /// row's own fields and predecessor, or the event is not authentic (its MAC, else its
    /// signature, does not match). The gate treats such a consent as no consent
    /// (`record-tampered`). `bySignature` ignores the MACs, for statements that say the
    /// signed record is intact (a subject access pack).
    public func unverifiedConsents(of person: PersonID, bySignature: Bool = false) throws -> Set<ConsentReference> {
        try database.read { db in try unverifiedConsents(of: person, bySignature: bySignature, db: db) }
    }

    /// Replays the person's own events (hashes, MACs or signatures, then the same projection rules
    /// that wrote the tables) and compares the result with the stored rows. A consent is
    /// unverified when one of its events fails, or its stored row differs from the replay (an
    /// edit made straight in SQL). A person row that differs (a flag flipped, say) taints all of
    /// their consents, since the gate acts on that row.
    func unverifiedConsents(of person: PersonID, bySignature: Bool = false, db: Database) throws -> Set<ConsentReference> {
        var bad = Set<ConsentReference>()
        var replayed = MemoryStore()
        var personEventsGood = true
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM events WHERE person_id = ? ORDER BY seq"),
                                    arguments: [person.description])
        for row in rows {
            let reference = (row["consent_ref"] as String?).flatMap(ConsentReference.init(parsing:))
            let hash = EventChain.hash(previousHash: row["prev_hash"], seq: row["seq"], kind: row["kind"],
                                       personID: row["person_id"], consentReference: row["consent_ref"],
                                       createdAt: row["created_at"], payload: row["payload"])
            let stored: Data = row["hash"]
            let authentic = hash == stored
                && isAuthentic(hash: stored, mac: bySignature ? nil : row["mac"], signature: row["signature"])
            guard authentic, let event = LedgerEvent.decode(kind: row["kind"], payload: row["payload"]),
                  (try? Projection.apply(event, seq: row["seq"], at: row["created_at"], to: &replayed)) != nil else {
                if let reference { bad.insert(reference) } else { personEventsGood = false }
                continue
            }
        }
        let storedConsents = try ConsentRow.fetchAll(db.cachedStatement(sql: "SELECT * FROM consents WHERE person_id = ?"),
                                                     arguments: [person.description])
        let storedPerson = try PersonRow.fetchOne(db.cachedStatement(sql: "SELECT * FROM people WHERE id = ?"),
                                                  arguments: [person.description])
        let personIntact = personEventsGood && storedPerson == replayed.people[person.description]
        for row in storedConsents {
            guard let reference = ConsentReference(parsing: row.reference) else { continue }
            if !personIntact || replayed.consents[row.reference] != row { bad.insert(reference) }
        }
        return bad
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

extension LedgerTransaction {
    /// Blanks the names that ingested files' metadata gave for `person` (found through the name
    /// index, so no name is needed), leaving the mark "erased person", which links to no one:
    /// the gate then reports an unknown person. Call before `erase`, which deletes the index rows. A
    /// namesake's mentions are blanked too; their photos then need a manual tag, the safe way round.
    public mutating func forgetMentions(of person: PersonID) throws {
        try db.execute(sql: """
            UPDATE mentions SET label = NULL, name_digest = NULL, identifiers = '["erased person"]'
            WHERE name_digest IN (SELECT digest FROM name_index WHERE person_id = ?)
            """, arguments: [person.description])
    }
}
