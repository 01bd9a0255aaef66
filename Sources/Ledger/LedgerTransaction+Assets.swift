import ClearanceCore
import Crypto
import Foundation

/// What one ingested file contributes: its facts, the people its metadata mentions, and where
/// it was found.
public struct AssetIngestItem: Sendable {
    public var record: AssetRecord
    public var mentions: [AssetMention]
    public var path: String
    /// What the face detector found, stored with a new asset (never for a known one).
    public var faces: FaceDetectionFacts?

    public init(record: AssetRecord, mentions: [AssetMention], path: String, faces: FaceDetectionFacts? = nil) {
        self.record = record
        self.mentions = mentions
        self.path = path
        self.faces = faces
    }
}

/// One run of the face detector over an asset, as it is stored (`asset.faces-detected`).
public struct FaceDetectionFacts: Hashable, Sendable {
    public var detector: String
    /// Best first (their `number` is ignored: faces are numbered by position); nil when the
    /// detector could not look, and then `failure` says why.
    public var faces: [FoundFace]?
    public var failure: String?
    public var framesExamined: Int?
    public var limitation: String?

    public init(detector: String, faces: [FoundFace]?, failure: String?, framesExamined: Int? = nil, limitation: String? = nil) {
        self.detector = detector
        self.faces = faces
        self.failure = failure
        self.framesExamined = framesExamined
        self.limitation = limitation
    }
}

extension LedgerTransaction {
    // MARK: The instance

    /// Binds the instance row (`created_at`, the index key's digest) into the chain:
    /// `ledger.created` as a new ledger's first event, or `ledger.upgraded` once, when this
    /// version adopts a ledger an earlier one wrote.
    mutating func bindInstance(upgrade adopted: LedgerEvent.AdoptedCounts?, at: Timestamp) throws {
        let binding = LedgerEvent.InstanceBinding(instanceCreatedAt: instance.createdAt,
                                                  indexKeyDigest: Data(SHA256.hash(data: instance.indexKey)),
                                                  adopted: adopted)
        try append(adopted == nil ? .ledgerCreated(binding) : .ledgerUpgraded(binding), at: at)
    }

    // MARK: Assets

    /// Stores one ingested file. A new asset gets an `asset.ingested` event binding its facts and
    /// mentions; a known one (same bytes) gains only the path, if new. Returns whether it was new.
    public mutating func ingest(_ item: AssetIngestItem, at: Timestamp = .now) throws -> Bool {
        try ingest(item, at: at, adoptedFrom: nil, path: true)
    }

    /// `adoptedFrom`: the upgrade binding a row an earlier version wrote then. `path`: whether to
    /// record `item.path`.
    mutating func ingest(_ item: AssetIngestItem, at: Timestamp, adoptedFrom: Int64?, path: Bool) throws -> Bool {
        let sha256 = item.record.sha256
        let rowExists = try db.fetchValue(Bool.self, "SELECT 1 FROM assets WHERE sha256 = ?", [sha256]) ?? false
        // Events without a row: the row was deleted behind Clearance's back. It is not ingested
        // again (verify names the missing row, and checks answer record-tampered).
        let known = try rowExists || db.fetchValue(Bool.self, "SELECT 1 FROM events WHERE asset = ? LIMIT 1", [sha256]) ?? false
        if !known {
            var record = item.record
            for keyPath in [\AssetRecord.kind, \.format, \.error, \.capturedAt, \.releaseStatus, \.documentID,
                            \.originalDocumentID, \.derivedFrom] {
                record[keyPath: keyPath] = record[keyPath: keyPath].map(Ledger.storable)
            }
            let index = NameIndex(keyBytes: instance.indexKey)
            var details: [MentionDetail] = []
            var payloads: [LedgerEvent.MentionPayload] = []
            for (ordinal, mention) in item.mentions.enumerated() {
                let label = mention.label.map(Ledger.storable)
                let identifiers = try Ledger.json(mention.identifiers.map(Ledger.storable))
                let salt = MentionCommitment.newSalt()
                details.append(MentionDetail(label: label, identifiers: identifiers, salt: salt,
                                             nameDigest: label.flatMap(NameKey.init).map(index.digest)))
                payloads.append(.init(source: Ledger.storable(mention.source), region: try mention.region.map(Ledger.json),
                                      commitment: MentionCommitment.make(sha256: sha256, ordinal: ordinal, salt: salt,
                                                                         label: label.map { Data($0.utf8) },
                                                                         identifiers: Data(identifiers.utf8))))
            }
            let event = LedgerEvent.AssetIngested(asset: sha256, facts: .init(record), mentions: payloads, adoptedFrom: adoptedFrom)
            try append(.assetIngested(event), at: at, mentionDetails: details)
            try indexDocuments(of: record)
            if let faces = item.faces { try recordFaceDetection(faces, of: sha256, at: at) }
        }
        if path && (rowExists || !known) { try addPath(Ledger.storable(item.path), of: sha256, at: at) }
        return !known
    }

    /// Records where an asset was seen, once per path, with the row's MAC.
    mutating func addPath(_ path: String, of sha256: String, at: Timestamp) throws {
        let seen = try db.fetchValue(Bool.self, "SELECT 1 FROM asset_paths WHERE sha256 = ? AND path = ?", [sha256, path]) ?? false
        guard !seen else { return }
        let seenAt = at.millisecondsSinceEpoch
        let mac = key.rowMACKey.mac(.assetPath(sha256: Data(sha256.utf8), path: Data(path.utf8), seenAt: seenAt))
        try db.execute("INSERT INTO asset_paths (sha256, path, seen_at, mac) VALUES (?, ?, ?, ?)", [sha256, path, seenAt, mac])
    }

    /// Adds the asset to its document id's entry and makes sure the ids it points at (an edited
    /// copy's original) have one, even if empty.
    mutating func indexDocuments(of record: AssetRecord) throws {
        let references = Set([record.documentID, record.originalDocumentID, record.derivedFrom].compactMap { $0 })
        for documentID in references.sorted() {
            var assets = try documentIndexEntry(documentID) ?? []
            if documentID == record.documentID { assets.insert(record.sha256) }
            try setDocumentIndexEntry(documentID, assets: assets)
        }
    }

    /// Appends manual reviews of one asset, each its own `asset.reviewed` event.
    public mutating func addReviews(_ reviews: [AssetReview], to sha256: String) throws {
        guard try db.fetchValue(Bool.self, "SELECT 1 FROM assets WHERE sha256 = ?", [sha256]) ?? false else {
            throw LedgerError.invalid("unknown asset: \(sha256)")
        }
        for review in reviews {
            try append(.assetReviewed(.init(asset: sha256, action: review.action.rawValue, person: review.person,
                                            by: Ledger.storable(review.by), adoptedFrom: nil)), at: review.at)
        }
    }

    /// Stores one run of the face detector over a stored asset as an `asset.faces-detected`
    /// event; returns its id (the event's sequence number), to which decisions are bound.
    @discardableResult
    public mutating func recordFaceDetection(_ facts: FaceDetectionFacts, of sha256: String, at: Timestamp) throws -> Int64 {
        let failure = facts.faces == nil ? Ledger.storable(facts.failure ?? "the face detector could not look at it") : nil
        let faces = facts.faces?.map { face in
            LedgerEvent.FacePayload(x: face.box.x, y: face.box.y, w: face.box.w, h: face.box.h, score: face.score, t: face.t)
        }
        return try append(.facesDetected(.init(asset: sha256, detector: Ledger.storable(facts.detector), faces: faces,
                                               failure: failure, framesExamined: facts.framesExamined,
                                               limitation: facts.limitation.map(Ledger.storable))), at: at)
    }

    /// Records a decision about face `face` (from 1) of detection `detection` as a signed
    /// `face.decided` event. Earlier decisions stay; this one supersedes them for that face.
    public mutating func decideFace(_ face: Int, of detection: Int64, asset sha256: String, decision: FaceDecision,
                                    by: String, at: Timestamp) throws {
        if let person = decision.person {
            guard let row = try db.fetchOne(PersonRow.self, key: [person.description]) else { throw LedgerError.unknownPerson(person.description) }
            guard row.erasedAt == nil else { throw LedgerError.personErased(person) }
        }
        try append(.faceDecided(.init(asset: sha256, detection: detection, face: face, decision: decision.action,
                                      person: decision.person, by: Ledger.storable(by))), at: at)
    }

    /// Records an export as an `asset.published` event; returns its id (the event's sequence number).
    @discardableResult
    public mutating func recordPublication(_ publication: PublicationRecord) throws -> Int64 {
        try append(.assetPublished(.init(asset: publication.sha256, outputSHA256: publication.outputSHA256,
                                         channel: publication.channel.name, path: Ledger.storable(publication.path),
                                         postURL: publication.postURL.map(Ledger.storable), consents: publication.consents,
                                         by: Ledger.storable(publication.by), adoptedFrom: nil)),
                   at: publication.at)
    }

    // MARK: Takedowns

    /// Opens takedown items in the same transaction as the withdrawal or erasure that caused
    /// them, so one is never recorded without the other. An item already open for the same
    /// publication and person is kept as it is.
    public mutating func openTakedowns(_ requests: [TakedownRequest], at: Timestamp) throws {
        var next = (try db.fetchValue(Int64.self, "SELECT max(id) FROM takedowns") ?? 0) + 1
        for request in requests {
            let open = try db.fetchValue(Bool.self, "SELECT 1 FROM takedowns WHERE publication_id = ? AND person_id = ?", [request.publicationID, request.person.description]) ?? false
            guard !open else { continue }
            try append(.takedownOpened(.init(number: next, asset: request.asset, publication: request.publicationID,
                                             person: request.person, cause: request.cause.rawValue, consent: request.consent,
                                             kind: request.kind.rawValue, dueOn: request.dueOn, adoptedFrom: nil)), at: at)
            next += 1
        }
    }

    /// Closes an open takedown, recording who and when. Refuses an unknown id, a print notice
    /// (nothing can be taken down) and an item already closed.
    public mutating func closeTakedown(_ id: Int64, by: String, note: String, at: Timestamp = .now) throws {
        guard let row = try db.fetchOne(TakedownRow.self, key: [id]) else { throw LedgerError.invalid("unknown takedown: T-\(id)") }
        try append(.takedownClosed(.init(number: id, asset: row.sha256, by: Ledger.storable(by), note: Ledger.storable(note),
                                         adoptedFrom: nil)), at: at)
    }

    // MARK: Sealed index rows

    /// The people listed for a name digest; throws if the row's MAC does not match (the entry
    /// was edited: writing on top of it would launder the edit).
    func nameIndexEntry(_ digest: Data) throws -> Set<String> {
        guard let row = try db.fetchOne("SELECT people, mac FROM name_index WHERE digest = ?", [digest]) else {
            return []
        }
        guard let people = row["people"] as String?, let mac = row["mac"] as Data?,
              key.rowMACKey.isValid(mac, for: .nameIndex(digest: digest, people: Data(people.utf8))),
              let ids = Ledger.stringList(people) else {
            throw LedgerError.corrupt("a name_index entry fails its MAC (run `clearance verify`)")
        }
        return Set(ids)
    }

    func setNameIndexEntry(_ digest: Data, people: Set<String>) throws {
        guard !people.isEmpty else {
            try db.execute("DELETE FROM name_index WHERE digest = ?", [digest])
            return
        }
        let list = try Ledger.jsonList(people.sorted())
        let mac = key.rowMACKey.mac(.nameIndex(digest: digest, people: Data(list.utf8)))
        try db.execute("""
            INSERT INTO name_index (digest, people, mac) VALUES (?, ?, ?)
            ON CONFLICT (digest) DO UPDATE SET people = excluded.people, mac = excluded.mac
            """, [digest, list, mac])
    }

    /// Nil when there is no entry; throws if the entry fails its MAC.
    func documentIndexEntry(_ documentID: String) throws -> Set<String>? {
        guard let row = try db.fetchOne("SELECT assets, mac FROM document_index WHERE document_id = ?", [documentID]) else { return nil }
        guard let assets = row["assets"] as String?, let mac = row["mac"] as Data?,
              key.rowMACKey.isValid(mac, for: .documentIndex(documentID: Data(documentID.utf8), assets: Data(assets.utf8))),
              let hashes = Ledger.stringList(assets) else {
            throw LedgerError.corrupt("the document_index entry for \(documentID) fails its MAC (run `clearance verify`)")
        }
        return Set(hashes)
    }

    func setDocumentIndexEntry(_ documentID: String, assets: Set<String>) throws {
        let list = try Ledger.jsonList(assets.sorted())
        let mac = key.rowMACKey.mac(.documentIndex(documentID: Data(documentID.utf8), assets: Data(list.utf8)))
        try db.execute("""
            INSERT INTO document_index (document_id, assets, mac) VALUES (?, ?, ?)
            ON CONFLICT (document_id) DO UPDATE SET assets = excluded.assets, mac = excluded.mac
            """, [documentID, list, mac])
    }
}

extension Ledger {
    /// A JSON array of strings exactly as `json` writes it; made by hand for the usual case of
    /// ids and hashes (letters, digits, `-`), which need no escaping and are written for every
    /// index entry `verify` checks.
    static func jsonList(_ strings: [String]) throws -> String {
        let plain = strings.allSatisfy { $0.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D } }
        guard plain else { return try json(strings) }
        return "[" + strings.map { "\"\($0)\"" }.joined(separator: ",") + "]"
    }

    /// The strings of a JSON array, for lists `jsonList` wrote: the plain form is read by hand
    /// (a check reads one for every name it looks up), anything else by the JSON decoder.
    static func stringList(_ text: String) -> [String]? {
        let bytes = Array(text.utf8)
        if bytes == Array("[]".utf8) { return [] }
        if bytes.count >= 4, bytes.first == 0x5B, bytes.last == 0x5D {
            let parts = bytes.dropFirst().dropLast().split(separator: 0x2C, omittingEmptySubsequences: false)
            var result: [String] = []
            for part in parts {
                guard part.count >= 2, part.first == 0x22, part.last == 0x22 else { result = []; break }
                let inner = part.dropFirst().dropLast()
                guard inner.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D }) else {
                    result = []
                    break
                }
                result.append(String(decoding: inner, as: UTF8.self))
            }
            if result.count == parts.count { return result }
        }
        return try? JSONDecoder().decode([String].self, from: Data(text.utf8))
    }

    /// Text as the ledger stores it: U+0000 becomes U+FFFD, because SQLite hands TEXT back up to
    /// the first NUL, and a value must read back exactly as it was bound (and hashed).
    static func storable(_ text: String) -> String {
        guard text.unicodeScalars.contains("\u{0}") else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 }))
    }
}
