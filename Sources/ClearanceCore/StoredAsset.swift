// Assets as the ledger holds them: values the operations and pages use, defined here so that
// the layers above ClearanceApp never name a store type.
import Foundation

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

/// An asset with everything the gate needs to know about it, as its signed events say.
public struct StoredAsset: Hashable, Sendable {
    public var record: AssetRecord
    public var mentions: [AssetMention]
    public var reviews: [AssetReview]
    /// Where it was seen, newest first: hints for finding the bytes, never trusted for a
    /// verdict (an export hashes the file before copying it). Rows whose MAC fails are left out.
    public var paths: [String]
    /// Its publications, oldest first, when read `including: .publications`.
    public var publications: [StoredPublication] = []
    /// Every run of the face detector over it, oldest first, and every decision about a face.
    public var faceDetections: [FaceDetectionRecord] = []
    public var faceDecisions: [FaceDecisionRecord] = []
    /// Why the stored rows cannot be relied on: each a row that differs from, or is missing
    /// from, the asset's signed events (or an event that is not authentic). Empty when every
    /// row was confirmed. The gate answers `record-tampered` for each.
    public var problems: [String] = []

    public var isConfirmed: Bool { problems.isEmpty }

    /// The faces as they stand: the newest detection's, each with the decision that holds.
    public var faces: FaceSearch {
        FaceReview.current(detections: faceDetections, decisions: faceDecisions)
    }

    public init(record: AssetRecord, mentions: [AssetMention], reviews: [AssetReview], paths: [String],
                publications: [StoredPublication] = [], faceDetections: [FaceDetectionRecord] = [],
                faceDecisions: [FaceDecisionRecord] = [], problems: [String] = []) {
        self.record = record
        self.mentions = mentions
        self.reviews = reviews
        self.paths = paths
        self.publications = publications
        self.faceDetections = faceDetections
        self.faceDecisions = faceDecisions
        self.problems = problems
    }
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
