import ClearanceCore
import Foundation

/// What happened, as stored in an event's payload. Personal data travels only inside `sealed`
/// fields (AES-GCM ciphertext under the person's key) or as salted commitments (a mention's
/// name), so erasure never changes event bytes.
///
/// Each event is about one subject, stored in its own indexed column: a person (`person_id`, with
/// `consent_ref` for consent events), an asset (`asset`: ingest, reviews, publications,
/// takedowns, and later detected faces and per-face decisions), or the instance itself
/// (`ledger.*`). A check replays the events of the subjects it relies on; `verify` replays all.
enum LedgerEvent: Equatable, Sendable {
    case ledgerCreated(InstanceBinding)
    case ledgerUpgraded(InstanceBinding)
    case personAdded(PersonAdded)
    case consentRecorded(ConsentRecorded)
    case consentWithdrawn(ConsentWithdrawn)
    case personErased(PersonErased)
    case assetIngested(AssetIngested)
    case assetReviewed(AssetReviewed)
    case mentionsForgotten(MentionsForgotten)
    case assetPublished(AssetPublished)
    case takedownOpened(TakedownOpened)
    case takedownClosed(TakedownClosed)
    case facesDetected(FacesDetected)
    case faceDecided(FaceDecided)

    /// The instance row's facts: `ledger.created` is the first event of a new ledger;
    /// `ledger.upgraded` binds a ledger written by an earlier version, once, when this version
    /// first opens it with its key (and adopts the rows that version left unsigned).
    struct InstanceBinding: Codable, Equatable, Sendable {
        /// `instance.created_at`.
        var instanceCreatedAt: Int64
        /// SHA-256 of `instance.index_key` (the key itself stays out of the chain).
        var indexKeyDigest: Data
        /// For an upgrade: what was adopted from the earlier version's unsigned tables.
        var adopted: AdoptedCounts?
    }

    struct AdoptedCounts: Codable, Equatable, Sendable {
        var assets: Int
        var reviews: Int
        var publications: Int
        var takedowns: Int
        /// Rows that broke a rule (a review of an asset that was never stored, say) and were
        /// not bound; they no longer count for anything.
        var skipped: Int
    }

    struct PersonAdded: Codable, Equatable, Sendable {
        var person: PersonID
        var roles: PersonRoles
        var sealed: Data
    }

    struct ConsentRecorded: Codable, Equatable, Sendable {
        var reference: ConsentReference
        var person: PersonID
        var version: Int
        var supersedes: ConsentReference?
        var terms: ConsentTerms
        var sealed: Data
    }

    struct ConsentWithdrawn: Codable, Equatable, Sendable {
        var reference: ConsentReference
        var person: PersonID
        var receivedVia: String
        var recordedBy: String
        var sealedNote: Data?
    }

    struct PersonErased: Codable, Equatable, Sendable {
        var person: PersonID
        /// Every consent reference of the person, so the event alone says what was erased.
        var consents: [ConsentReference]
    }

    /// What ingest read from a file. Facts in clear; each mention's name and identifiers only as
    /// a salted commitment (the salt is in the `mentions` row and is destroyed on erasure).
    struct AssetIngested: Codable, Equatable, Sendable {
        var asset: String
        var facts: AssetFactsPayload
        var mentions: [MentionPayload]
        /// Set when the upgrade adopted a row an earlier version wrote: when it was ingested then.
        var adoptedFrom: Int64?
    }

    struct AssetFactsPayload: Codable, Equatable, Sendable {
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
    }

    struct MentionPayload: Codable, Equatable, Sendable {
        var source: String
        /// `[x, y, w, h]` as the JSON text the `mentions` row holds, so the row compares as it is.
        var region: String?
        /// `MentionCommitment` of the label and identifiers.
        var commitment: Data
    }

    /// A whole-asset review (`clearance tag`). Per-face decisions are `face.decided` events.
    struct AssetReviewed: Codable, Equatable, Sendable {
        var asset: String
        var action: String
        var person: PersonID?
        var by: String
        var adoptedFrom: Int64?
    }

    /// Erasure blanked these mentions (their names matched the erased person's).
    struct MentionsForgotten: Codable, Equatable, Sendable {
        var asset: String
        var person: PersonID
        var ordinals: [Int]
    }

    struct AssetPublished: Codable, Equatable, Sendable {
        var asset: String
        var outputSHA256: String
        var channel: String
        var path: String
        var postURL: String?
        var consents: [ConsentReference]
        var by: String
        var adoptedFrom: Int64?
    }

    struct TakedownOpened: Codable, Equatable, Sendable {
        /// `T-<number>`.
        var number: Int64
        var asset: String
        /// The sequence number of the `asset.published` event.
        var publication: Int64
        var person: PersonID
        var cause: String
        var consent: ConsentReference?
        var kind: String
        var dueOn: CalendarDate?
        var adoptedFrom: Int64?
    }

    struct TakedownClosed: Codable, Equatable, Sendable {
        var number: Int64
        var asset: String
        var by: String
        var note: String
        var adoptedFrom: Int64?
    }

    /// One run of the face detector over an asset's pixels (at ingest, on an upload, or by
    /// `clearance faces --redetect`). A newer detector adds another event; none is replaced.
    struct FacesDetected: Codable, Equatable, Sendable {
        var asset: String
        /// Name and version, e.g. `yunet-2023mar/1`.
        var detector: String
        /// Best first; nil when the detector could not look (`failure` says why).
        var faces: [FacePayload]?
        var failure: String?
        /// Video: frames looked at, and what was left out when time ran out.
        var framesExamined: Int?
        var limitation: String?
    }

    struct FacePayload: Codable, Equatable, Sendable {
        var x: Double
        var y: Double
        var w: Double
        var h: Double
        var score: Double
        var t: Double?
    }

    /// A reviewer's decision about one face: bound to the detection event and the face's number
    /// in it (from 1). A later decision about the same face supersedes this one; none is erased.
    struct FaceDecided: Codable, Equatable, Sendable {
        var asset: String
        /// The sequence number of the `asset.faces-detected` event.
        var detection: Int64
        var face: Int
        /// `person`, `not-identifiable`, `not-a-face` or `not-registered`.
        var decision: String
        var person: PersonID?
        var by: String
    }

    var kind: String {
        switch self {
        case .ledgerCreated: "ledger.created"
        case .ledgerUpgraded: "ledger.upgraded"
        case .personAdded: "person.added"
        case .consentRecorded: "consent.recorded"
        case .consentWithdrawn: "consent.withdrawn"
        case .personErased: "person.erased"
        case .assetIngested: "asset.ingested"
        case .assetReviewed: "asset.reviewed"
        case .mentionsForgotten: "asset.mentions-forgotten"
        case .assetPublished: "asset.published"
        case .takedownOpened: "takedown.opened"
        case .takedownClosed: "takedown.closed"
        case .facesDetected: "asset.faces-detected"
        case .faceDecided: "face.decided"
        }
    }

    /// The `person_id` column: only events about a person (their own replay reads these).
    var person: PersonID? {
        switch self {
        case .personAdded(let e): e.person
        case .consentRecorded(let e): e.person
        case .consentWithdrawn(let e): e.person
        case .personErased(let e): e.person
        default: nil
        }
    }

    var consentReference: ConsentReference? {
        switch self {
        case .consentRecorded(let e): e.reference
        case .consentWithdrawn(let e): e.reference
        default: nil
        }
    }

    /// The `asset` column.
    var asset: String? {
        switch self {
        case .assetIngested(let e): e.asset
        case .assetReviewed(let e): e.asset
        case .mentionsForgotten(let e): e.asset
        case .assetPublished(let e): e.asset
        case .takedownOpened(let e): e.asset
        case .takedownClosed(let e): e.asset
        case .facesDetected(let e): e.asset
        case .faceDecided(let e): e.asset
        default: nil
        }
    }

    /// Sorted keys, integers, `YYYY-MM-DD` days and base64: the same value always gives the same bytes.
    func canonicalPayload() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch self {
        case .ledgerCreated(let e), .ledgerUpgraded(let e): return try encoder.encode(e)
        case .personAdded(let e): return try encoder.encode(e)
        case .consentRecorded(let e): return try encoder.encode(e)
        case .consentWithdrawn(let e): return try encoder.encode(e)
        case .personErased(let e): return try encoder.encode(e)
        case .assetIngested(let e): return try encoder.encode(e)
        case .assetReviewed(let e): return try encoder.encode(e)
        case .mentionsForgotten(let e): return try encoder.encode(e)
        case .assetPublished(let e): return try encoder.encode(e)
        case .takedownOpened(let e): return try encoder.encode(e)
        case .takedownClosed(let e): return try encoder.encode(e)
        case .facesDetected(let e): return try encoder.encode(e)
        case .faceDecided(let e): return try encoder.encode(e)
        }
    }

    /// One decoder for every payload: its options never change after this, and decoding with a
    /// shared instance is safe from any thread (checks and `verify` decode thousands of events).
    private static let decoder = JSONDecoder()

    /// Nil for an unknown kind or a payload that does not decode. The payloads a check replays
    /// most are read by hand when they are in the plain form this version writes (`decodePlain`).
    static func decode(kind: String, payload: Data) -> LedgerEvent? {
        if let event = decodePlain(kind: kind, payload: payload) { return event }
        return decodeWithFoundation(kind: kind, payload: payload)
    }

    /// `JSONDecoder`'s reading of every kind: the reference `decodePlain` is held to.
    static func decodeWithFoundation(kind: String, payload: Data) -> LedgerEvent? {
        func value<T: Decodable>(_ type: T.Type) -> T? { try? decoder.decode(type, from: payload) }
        let event: LedgerEvent? = switch kind {
        case "ledger.created": value(InstanceBinding.self).map(LedgerEvent.ledgerCreated)
        case "ledger.upgraded": value(InstanceBinding.self).map(LedgerEvent.ledgerUpgraded)
        case "person.added": value(PersonAdded.self).map(LedgerEvent.personAdded)
        case "consent.recorded": value(ConsentRecorded.self).map(LedgerEvent.consentRecorded)
        case "consent.withdrawn": value(ConsentWithdrawn.self).map(LedgerEvent.consentWithdrawn)
        case "person.erased": value(PersonErased.self).map(LedgerEvent.personErased)
        case "asset.ingested": value(AssetIngested.self).map(LedgerEvent.assetIngested)
        case "asset.reviewed": value(AssetReviewed.self).map(LedgerEvent.assetReviewed)
        case "asset.mentions-forgotten": value(MentionsForgotten.self).map(LedgerEvent.mentionsForgotten)
        case "asset.published": value(AssetPublished.self).map(LedgerEvent.assetPublished)
        case "takedown.opened": value(TakedownOpened.self).map(LedgerEvent.takedownOpened)
        case "takedown.closed": value(TakedownClosed.self).map(LedgerEvent.takedownClosed)
        case "asset.faces-detected": value(FacesDetected.self).map(LedgerEvent.facesDetected)
        case "face.decided": value(FaceDecided.self).map(LedgerEvent.faceDecided)
        default: nil
        }
        return event
    }
}
