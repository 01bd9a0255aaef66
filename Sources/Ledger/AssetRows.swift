import ClearanceCore
import Foundation

/// A row of `assets`, derived from an `asset.ingested` event.
struct AssetRow: Codable, Equatable, Sendable, SQLRecord {
    static let tableName = "assets"
    static let primaryKey = ["sha256"]
    var sha256: String
    var kind: String?
    var format: String?
    var readable: Bool
    var error: String?
    var capturedAt: String?
    var width: Int?
    var height: Int?
    var orientation: Int?
    var faceRegions: Int
    var releaseStatus: String?
    var documentID: String?
    var originalDocumentID: String?
    var derivedFrom: String?
    var ingestedSeq: Int64
    var ingestedAt: Int64

    enum CodingKeys: String, CodingKey {
        case sha256, kind, format, readable, error, width, height, orientation
        case capturedAt = "captured_at"
        case faceRegions = "face_regions"
        case releaseStatus = "release_status"
        case documentID = "document_id"
        case originalDocumentID = "original_document_id"
        case derivedFrom = "derived_from"
        case ingestedSeq = "ingested_seq"
        case ingestedAt = "ingested_at"
    }

    init(_ event: LedgerEvent.AssetIngested, seq: Int64, at: Int64) {
        let f = event.facts
        sha256 = event.asset
        kind = f.kind
        format = f.format
        readable = f.readable
        error = f.error
        capturedAt = f.capturedAt
        width = f.width
        height = f.height
        orientation = f.orientation
        faceRegions = f.faceRegions
        releaseStatus = f.releaseStatus
        documentID = f.documentID
        originalDocumentID = f.originalDocumentID
        derivedFrom = f.derivedFrom
        ingestedSeq = seq
        ingestedAt = event.adoptedFrom ?? at
    }

    var record: AssetRecord {
        AssetRecord(sha256: sha256, kind: kind, format: format, readable: readable, error: error, capturedAt: capturedAt,
                    width: width, height: height, orientation: orientation, faceRegions: faceRegions,
                    releaseStatus: releaseStatus, documentID: documentID, originalDocumentID: originalDocumentID,
                    derivedFrom: derivedFrom)
    }

    /// The document ids this asset has or points at: each needs a `document_index` entry.
    var documentReferences: Set<String> {
        Set([documentID, originalDocumentID, derivedFrom].compactMap { $0 })
    }
}

extension LedgerEvent.AssetFactsPayload {
    init(_ record: AssetRecord) {
        self.init(kind: record.kind, format: record.format, readable: record.readable, error: record.error,
                  capturedAt: record.capturedAt, width: record.width, height: record.height,
                  orientation: record.orientation, faceRegions: record.faceRegions,
                  releaseStatus: record.releaseStatus, documentID: record.documentID,
                  originalDocumentID: record.originalDocumentID, derivedFrom: record.derivedFrom)
    }
}

/// What the chain says about one mention: everything but the clear name and identifiers.
struct MentionBinding: Equatable, Sendable {
    var ordinal: Int
    var source: String
    /// The `region` column's text (JSON), as the writer encodes it.
    var region: String?
    var commitment: Data
    /// Blanked by erasure (`asset.mentions-forgotten`).
    var forgotten = false
}

/// A row of `mentions` as stored.
struct MentionRow: Codable, Equatable, Sendable, SQLRecord {
    static let tableName = "mentions"
    static let primaryKey = ["sha256", "ordinal"]
    var sha256: String
    var ordinal: Int
    var source: String
    var label: String?
    var nameDigest: Data?
    var identifiers: String
    var region: String?
    var salt: Data?

    enum CodingKeys: String, CodingKey {
        case sha256, ordinal, source, label, identifiers, region, salt
        case nameDigest = "name_digest"
    }

    /// What a forgotten mention's identifiers say: it links to no one, and the gate reports an
    /// unknown person.
    static let forgottenIdentifiers = #"["erased person"]"#
}

/// A row of `reviews`, derived from an `asset.reviewed` event (`id` is its sequence number).
struct ReviewRow: Codable, Equatable, Sendable, SQLRecord {
    static let tableName = "reviews"
    var id: Int64
    var sha256: String
    var action: String
    var personID: String?
    var by: String
    var at: Int64

    enum CodingKeys: String, CodingKey {
        case id, sha256, action, by, at
        case personID = "person_id"
    }

    var review: AssetReview? {
        guard let action = AssetReview.Action(rawValue: action) else { return nil }
        return AssetReview(action: action, person: personID.flatMap(PersonID.init(parsing:)), by: by,
                           at: Timestamp(millisecondsSinceEpoch: at))
    }
}

/// A row of `publications`, derived from an `asset.published` event (`id` is its sequence number).
struct PublicationRow: Codable, Equatable, Sendable, SQLRecord {
    static let tableName = "publications"
    var id: Int64
    var sha256: String
    var outputSHA256: String
    var channel: String
    var path: String
    var postURL: String?
    var consents: String
    var by: String
    var at: Int64

    enum CodingKeys: String, CodingKey {
        case id, sha256, channel, path, consents, by, at
        case outputSHA256 = "output_sha256"
        case postURL = "post_url"
    }

    init(_ event: LedgerEvent.AssetPublished, seq: Int64, at: Int64) throws {
        id = seq
        sha256 = event.asset
        outputSHA256 = event.outputSHA256
        channel = event.channel
        path = event.path
        postURL = event.postURL
        consents = try Ledger.json(event.consents.map(\.description))
        by = event.by
        self.at = event.adoptedFrom ?? at
    }

    var publication: StoredPublication {
        let references = (try? JSONDecoder().decode([String].self, from: Data(consents.utf8))) ?? []
        return StoredPublication(id: id, record: PublicationRecord(
            sha256: sha256, outputSHA256: outputSHA256, channel: Channel(channel), path: path, postURL: postURL,
            consents: references.compactMap(ConsentReference.init(parsing:)), by: by,
            at: Timestamp(millisecondsSinceEpoch: at)))
    }
}

/// A row of `takedowns`, derived from `takedown.opened` and `takedown.closed` events.
struct TakedownRow: Codable, Equatable, Sendable, SQLRecord {
    static let tableName = "takedowns"
    var id: Int64
    var sha256: String
    var publicationID: Int64
    var personID: String
    var cause: String
    var consentRef: String?
    var kind: String
    var openedAt: Int64
    var dueOn: String?
    var doneAt: Int64?
    var doneBy: String?
    var doneNote: String?

    enum CodingKeys: String, CodingKey {
        case id, sha256, cause, kind
        case publicationID = "publication_id"
        case personID = "person_id"
        case consentRef = "consent_ref"
        case openedAt = "opened_at"
        case dueOn = "due_on"
        case doneAt = "done_at"
        case doneBy = "done_by"
        case doneNote = "done_note"
    }

    init(_ event: LedgerEvent.TakedownOpened, at: Int64) {
        id = event.number
        sha256 = event.asset
        publicationID = event.publication
        personID = event.person.description
        cause = event.cause
        consentRef = event.consent?.description
        kind = event.kind
        openedAt = event.adoptedFrom ?? at
        dueOn = event.dueOn?.description
    }
}

/// A row of `face_detections`, derived from an `asset.faces-detected` event (`id` is its
/// sequence number).
struct FaceDetectionRow: Codable, Equatable, Sendable, SQLRecord {
    static let tableName = "face_detections"
    var id: Int64
    var sha256: String
    var detector: String
    /// The faces as JSON (`Ledger.json(faces:)` of the payload's), so the row compares as it is.
    var faces: String?
    var failure: String?
    var framesExamined: Int?
    var limitation: String?
    var at: Int64

    enum CodingKeys: String, CodingKey {
        case id, sha256, detector, faces, failure, limitation, at
        case framesExamined = "frames_examined"
    }

    init(_ event: LedgerEvent.FacesDetected, seq: Int64, at: Int64) throws {
        id = seq
        sha256 = event.asset
        detector = event.detector
        faces = try event.faces.map(Ledger.json(faces:))
        failure = event.failure
        framesExamined = event.framesExamined
        limitation = event.limitation
        self.at = at
    }

    /// The faces as numbered for review (from 1, in stored order); nil when it could not look.
    var record: FaceDetectionRecord {
        record(faces: faces.flatMap(LedgerEvent.FacePayload.list(json:)))
    }

    /// The same from the faces `faces` was encoded from: a replay has them from the event, and
    /// need not decode what it has just encoded.
    func record(faces payloads: [LedgerEvent.FacePayload]?) -> FaceDetectionRecord {
        FaceDetectionRecord(
            id: id, detector: detector,
            faces: payloads?.enumerated().map { index, face in
                FoundFace(number: index + 1, box: FaceBox(x: face.x, y: face.y, w: face.w, h: face.h), score: face.score, t: face.t)
            },
            failure: faces == nil ? (failure ?? "the face detector could not look at it") : nil,
            at: Timestamp(millisecondsSinceEpoch: at))
    }

    /// How many faces the detection holds (0 when it could not look).
    var faceCount: Int {
        faces.flatMap(LedgerEvent.FacePayload.list(json:))?.count ?? 0
    }
}

/// A row of `face_decisions`, derived from a `face.decided` event (`id` is its sequence number).
struct FaceDecisionRow: Codable, Equatable, Sendable, SQLRecord {
    static let tableName = "face_decisions"
    var id: Int64
    var sha256: String
    var detectionID: Int64
    var face: Int
    var decision: String
    var personID: String?
    var by: String
    var at: Int64

    enum CodingKeys: String, CodingKey {
        case id, sha256, face, decision, by, at
        case detectionID = "detection_id"
        case personID = "person_id"
    }

    init(_ event: LedgerEvent.FaceDecided, seq: Int64, at: Int64) {
        id = seq
        sha256 = event.asset
        detectionID = event.detection
        face = event.face
        decision = event.decision
        personID = event.person?.description
        by = event.by
        self.at = at
    }

    var record: FaceDecisionRecord? {
        guard let decision = FaceDecision(action: decision, person: personID.flatMap(PersonID.init(parsing:))) else { return nil }
        return FaceDecisionRecord(id: id, detection: detectionID, face: face, decision: decision, by: by,
                                  at: Timestamp(millisecondsSinceEpoch: at))
    }
}

extension AssetRow {
    /// Read by hand (`SQLRecord.init(row:)` says why), in the order of its coding keys.
    init(row: SQLRow) throws {
        let columns = SQLRowColumns(row: row)
        sha256 = try columns.required(CodingKeys.sha256)
        kind = try columns.optional(CodingKeys.kind)
        format = try columns.optional(CodingKeys.format)
        readable = try columns.required(CodingKeys.readable)
        error = try columns.optional(CodingKeys.error)
        width = try columns.optional(CodingKeys.width)
        height = try columns.optional(CodingKeys.height)
        orientation = try columns.optional(CodingKeys.orientation)
        capturedAt = try columns.optional(CodingKeys.capturedAt)
        faceRegions = try columns.required(CodingKeys.faceRegions)
        releaseStatus = try columns.optional(CodingKeys.releaseStatus)
        documentID = try columns.optional(CodingKeys.documentID)
        originalDocumentID = try columns.optional(CodingKeys.originalDocumentID)
        derivedFrom = try columns.optional(CodingKeys.derivedFrom)
        ingestedSeq = try columns.required(CodingKeys.ingestedSeq)
        ingestedAt = try columns.required(CodingKeys.ingestedAt)
    }
}

extension FaceDetectionRow {
    /// Read by hand (`SQLRecord.init(row:)` says why), in the order of its coding keys.
    init(row: SQLRow) throws {
        let columns = SQLRowColumns(row: row)
        id = try columns.required(CodingKeys.id)
        sha256 = try columns.required(CodingKeys.sha256)
        detector = try columns.required(CodingKeys.detector)
        faces = try columns.optional(CodingKeys.faces)
        failure = try columns.optional(CodingKeys.failure)
        limitation = try columns.optional(CodingKeys.limitation)
        at = try columns.required(CodingKeys.at)
        framesExamined = try columns.optional(CodingKeys.framesExamined)
    }
}
