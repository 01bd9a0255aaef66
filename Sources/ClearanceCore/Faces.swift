/// A box as fractions of the picture **as displayed** (top-left `x, y`, size `w, h`): the
/// convention of metadata regions and of the face detector alike, so the two compare directly.
public struct FaceBox: Hashable, Sendable, Codable {
    public var x: Double
    public var y: Double
    public var w: Double
    public var h: Double

    public init(x: Double, y: Double, w: Double, h: Double) {
        self.x = x
        self.y = y
        self.w = w
        self.h = h
    }

    /// `[x, y, w, h]` as metadata regions are stored; nil unless there are exactly four numbers.
    public init?(_ values: [Double]) {
        guard values.count == 4 else { return nil }
        self.init(x: values[0], y: values[1], w: values[2], h: values[3])
    }

    private func intersection(_ other: FaceBox) -> Double {
        let width = min(x + w, other.x + other.w) - max(x, other.x)
        let height = min(y + h, other.y + other.h) - max(y, other.y)
        return width > 0 && height > 0 ? width * height : 0
    }

    /// Intersection over union: 0 apart, 1 identical.
    public func intersectionOverUnion(_ other: FaceBox) -> Double {
        let shared = intersection(other)
        let union = w * h + other.w * other.h - shared
        return union > 0 ? shared / union : 0
    }

    /// The share of this box's area that lies inside `other`.
    public func fractionInside(_ other: FaceBox) -> Double {
        w * h > 0 ? intersection(other) / (w * h) : 0
    }

    /// Whether a metadata region names the face in this box: they overlap by at least 0.3
    /// (intersection over union, the detector's own "same face" rule), or at least half of the
    /// face lies inside the region (a person region drawn round head and shoulders, or a
    /// generous face region, is much larger than the detector's box).
    public func isNamed(by region: FaceBox) -> Bool {
        intersectionOverUnion(region) >= 0.3 || fractionInside(region) >= 0.5
    }

    /// Whether a face of a newer detection is the face a decision was made about in an older
    /// one: a stricter overlap than naming, since a decision is about one particular face.
    public func isSameFace(as other: FaceBox) -> Bool {
        intersectionOverUnion(other) >= 0.5
    }
}

/// What a reviewer decided about one face (`clearance tag --face N`).
public enum FaceDecision: Hashable, Sendable {
    /// This registered person.
    case person(PersonID)
    /// Someone, but nobody could recognise them (a back of a head, a blurred passer-by).
    case notIdentifiable
    /// Not a person's face at all (a poster, a pattern, a dog).
    case notAFace
    /// Someone identifiable whom nobody has registered yet: the face stays blocked and is on the
    /// "people to find" list until a later decision (usually `person`, once they are registered)
    /// supersedes this one.
    case notRegistered

    /// The stable words stored in the ledger and shown in JSON.
    public var action: String {
        switch self {
        case .person: "person"
        case .notIdentifiable: "not-identifiable"
        case .notAFace: "not-a-face"
        case .notRegistered: "not-registered"
        }
    }

    public init?(action: String, person: PersonID?) {
        switch (action, person) {
        case ("person", .some(let id)): self = .person(id)
        case ("not-identifiable", nil): self = .notIdentifiable
        case ("not-a-face", nil): self = .notAFace
        case ("not-registered", nil): self = .notRegistered
        default: return nil
        }
    }

    public var person: PersonID? {
        if case .person(let id) = self { return id }
        return nil
    }
}

/// One face the detector found, numbered within its detection from 1, with the decision that
/// holds for it.
public struct FoundFace: Hashable, Sendable {
    public var number: Int
    public var box: FaceBox
    public var score: Double
    /// For video: the time of its frame, in seconds.
    public var t: Double?
    public var decision: FaceDecisionRecord?

    public init(number: Int, box: FaceBox, score: Double, t: Double? = nil, decision: FaceDecisionRecord? = nil) {
        self.number = number
        self.box = box
        self.score = score
        self.t = t
        self.decision = decision
    }
}

/// What looking for faces in the pixels told the gate.
public enum FaceSearch: Hashable, Sendable {
    /// The detector looked (at the picture, or at the sampled frames of a video) and found these.
    case found([FoundFace])
    /// Faces could not be looked for: the picture did not decode, its format cannot be decoded,
    /// or detection never ran (an asset stored before Clearance looked for faces). Why, in words.
    case notLookedFor(reason: String)
}

/// One stored run of the face detector over an asset (an `asset.faces-detected` event).
public struct FaceDetectionRecord: Hashable, Sendable {
    /// The event's sequence number: decisions are bound to it.
    public var id: Int64
    /// Name and version, e.g. `yunet-2023mar/1`.
    public var detector: String
    /// Best first, as the detector gave them; nil when it could not look (`failure` says why).
    public var faces: [FoundFace]?
    public var failure: String?
    public var at: Timestamp

    public init(id: Int64, detector: String, faces: [FoundFace]?, failure: String?, at: Timestamp) {
        self.id = id
        self.detector = detector
        self.faces = faces
        self.failure = failure
        self.at = at
    }
}

/// One stored decision about a face (a `face.decided` event): which detection and face, what,
/// who and when.
public struct FaceDecisionRecord: Hashable, Sendable {
    public var id: Int64
    public var detection: Int64
    /// The face's number within that detection, from 1.
    public var face: Int
    public var decision: FaceDecision
    public var by: String
    public var at: Timestamp

    public init(id: Int64, detection: Int64, face: Int, decision: FaceDecision, by: String, at: Timestamp) {
        self.id = id
        self.detection = detection
        self.face = face
        self.decision = decision
        self.by = by
        self.at = at
    }
}

/// Works out the faces of an asset as they stand: those of its newest detection, each with the
/// decision that holds for it.
public enum FaceReview {
    /// The newest detection's faces, numbered from 1. A face's decision is the latest made about
    /// it; failing that, the latest made about a face of an earlier detection of the same frame
    /// that `isSameFace` as it (so decisions survive a newer detector's renumbering). Decisions
    /// are never overwritten: a later one supersedes an earlier one for the same face.
    /// No detection at all, or a newest one that could not look: `notLookedFor`.
    public static func current(detections: [FaceDetectionRecord], decisions: [FaceDecisionRecord]) -> FaceSearch {
        let ordered = detections.sorted { $0.id < $1.id }
        guard let newest = ordered.last else {
            return .notLookedFor(reason: "no face detection has been run on it")
        }
        guard let faces = newest.faces else {
            return .notLookedFor(reason: newest.failure ?? "the face detector could not look at it")
        }
        let byDetection = Dictionary(grouping: decisions, by: \.detection)
        let earlier = ordered.dropLast().reversed()
        return .found(faces.map { face in
            var numbered = face
            numbered.decision = latest(byDetection[newest.id]?.filter { $0.face == face.number })
            guard numbered.decision == nil else { return numbered }
            // The newest detection that has a decided face here speaks.
            for older in earlier {
                let matches = (older.faces ?? []).filter { $0.t == face.t && $0.box.isSameFace(as: face.box) }.map(\.number)
                if let decided = latest(byDetection[older.id]?.filter { matches.contains($0.face) }) {
                    numbered.decision = decided
                    break
                }
            }
            return numbered
        })
    }

    private static func latest(_ decisions: [FaceDecisionRecord]?) -> FaceDecisionRecord? {
        decisions?.max { ($0.at, $0.id) < ($1.at, $1.id) }
    }
}
