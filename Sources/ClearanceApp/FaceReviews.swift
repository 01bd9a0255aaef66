import ClearanceCore
import Dispatch
import FaceDetection
import Foundation
import Ledger
import Synchronization

/// The faces of one stored asset as `clearance faces` and `GET /api/v1/assets/{sha256}` show
/// them: the newest detection's faces numbered from 1, then the metadata regions that name no
/// detected face. Every key is always present in the JSON (`null` when unknown).
public struct FaceListing: Sendable, Encodable {
    public var asset: String
    public var path: String?
    /// The newest detection's detector (name/version) and when it ran; nil when none ran.
    public var detector: String?
    public var detectedAt: Timestamp?
    /// False when faces could not be looked for; `failure` says why.
    public var lookedFor: Bool
    public var failure: String?
    public var faces: [FaceEntry]
    /// Names in the metadata without a region (IPTC PersonInImage, identifiers): each covers at
    /// most one of the faces nothing else accounts for.
    public var namesWithoutRegion: Int
    /// Faces that nothing accounts for, in the busiest frame, as the gate counts them.
    public var unaccounted: Int
    /// Faces decided not in the register: on the people-to-find list, and blocking.
    public var toFind: Int

    enum CodingKeys: String, CodingKey {
        case asset, path, detector, detectedAt, lookedFor, failure, faces, namesWithoutRegion, unaccounted, toFind
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(asset, forKey: .asset)
        try c.encode(path, forKey: .path)
        try c.encode(detector, forKey: .detector)
        try c.encode(detectedAt?.description, forKey: .detectedAt)
        try c.encode(lookedFor, forKey: .lookedFor)
        try c.encode(failure, forKey: .failure)
        try c.encode(faces, forKey: .faces)
        try c.encode(namesWithoutRegion, forKey: .namesWithoutRegion)
        try c.encode(unaccounted, forKey: .unaccounted)
        try c.encode(toFind, forKey: .toFind)
    }
}

/// One numbered face.
public struct FaceEntry: Sendable, Encodable {
    public var n: Int
    public var box: FaceBox
    /// `detected`, or the metadata source of a region no detected face lies under (`mwg-region`…).
    public var source: String
    /// The detector's score; nil for a metadata region.
    public var score: Double?
    /// Video: the time of the frame, in seconds.
    public var t: Double?
    /// Who it is: the person a reviewer decided, or the one the region over it names (when linked).
    public var person: PersonID?
    /// The name: as the metadata wrote it, or the register's name for a decided person.
    public var name: String?
    /// For a detected face under a named metadata region: that region's source.
    public var namedBy: String?
    /// The decision that holds for it (`person`, `not-identifiable`, `not-a-face`, `not-registered`),
    /// who made it, when.
    public var decision: FaceDecisionRecord?
    /// Whether a decision or a naming region accounts for it (a name without a region may still
    /// cover it: see `namesWithoutRegion`).
    public var accounted: Bool

    enum CodingKeys: String, CodingKey {
        case n, box, source, score, t, person, name, namedBy, decision, decidedBy, decidedAt, accounted
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(n, forKey: .n)
        try c.encode(box, forKey: .box)
        try c.encode(source, forKey: .source)
        try c.encode(score, forKey: .score)
        try c.encode(t, forKey: .t)
        try c.encode(person?.description, forKey: .person)
        try c.encode(name, forKey: .name)
        try c.encode(namedBy, forKey: .namedBy)
        try c.encode(decision?.decision.action, forKey: .decision)
        try c.encode(decision?.by, forKey: .decidedBy)
        try c.encode(decision?.at.description, forKey: .decidedAt)
        try c.encode(accounted, forKey: .accounted)
    }
}

/// What a reviewer decides about one face (`tag --face N …`, `POST …/faces/{n}`).
public enum FaceDecisionRequest: Sendable, Equatable {
    case person(String)
    case notIdentifiable
    case notAFace
    /// Someone identifiable whom nobody has registered: stays blocked, goes on the people-to-find list.
    case notRegistered
}

/// What `faces --redetect` did.
public struct RedetectSummary: Sendable, Equatable {
    public var detected = 0
    /// Already looked at by this detector.
    public var current = 0
    /// No file with the asset's bytes at any path it was seen at.
    public var missing: [String] = []
}

extension AssetOperations {
    // MARK: Listing

    /// `clearance faces FILE|ASSET`: the asset's numbered faces and the decisions about them.
    public func faces(_ argument: String) throws -> FaceListing {
        let target = try locate(argument, detect: false)
        guard target.stored != nil else {
            throw InputError("\(argument) has not been ingested; run `clearance ingest \(argument)` first")
        }
        return try faces(of: target)
    }

    /// The listing of a stored asset named by SHA-256 only (the web service).
    public func faces(storedAsset sha256: String) throws -> FaceListing {
        guard let stored = try ledger.asset(sha256.lowercased()) else { throw InputError("unknown asset: \(sha256) (not ingested)") }
        return try faces(of: Target(sha256: stored.record.sha256, path: stored.paths.first, stored: stored, facts: nil))
    }

    func faces(of target: Target) throws -> FaceListing {
        try ledger.snapshot { snapshot in
            let directory = try SnapshotDirectory(snapshot)
            let (asset, _) = try facts(for: target, directory: directory)
            let newest = target.stored?.faceDetections.max { $0.id < $1.id }
            var listing = FaceListing(asset: target.sha256, path: target.path, detector: newest?.detector, detectedAt: newest?.at,
                                      lookedFor: true, failure: nil, faces: [], namesWithoutRegion: 0,
                                      unaccounted: Gate.unaccountedFaces(asset).count,
                                      toFind: asset.faces.faces.filter { $0.decision?.decision == .notRegistered }.count)
            if case .notLookedFor(let why) = asset.faces {
                listing.lookedFor = false
                listing.failure = why
            }
            let naming = asset.appearances.filter { $0.identity != .unidentified && $0.source != Appearance.manualSource }
            let regions = naming.filter { $0.region != nil }
            let regionNames = Set(regions.map(Self.identity))
            listing.namesWithoutRegion = Set(naming.filter { $0.region == nil }.map(Self.identity)).subtracting(regionNames).count
            var usedRegions = Set<Int>()
            var entries: [FaceEntry] = []
            let found = asset.faces.faces
            for face in found {
                entries.append(FaceEntry(n: face.number, box: face.box, source: "detected", score: face.score, t: face.t,
                                         person: face.decision?.decision.person, name: nil, namedBy: nil,
                                         decision: face.decision, accounted: face.decision != nil))
            }
            // Regions name the undecided faces of each frame, as the gate pairs them.
            let frames = Dictionary(grouping: found.indices.filter { found[$0].decision == nil }, by: { found[$0].t })
            for (_, indexes) in frames {
                for (faceIndex, regionIndex) in Gate.namingRegions(indexes.map { found[$0].box }, regions: regions.map { $0.region! }) {
                    let region = regions[regionIndex]
                    let entry = indexes[faceIndex]
                    entries[entry].namedBy = region.source
                    entries[entry].name = region.label
                    if case .person(let id) = region.identity { entries[entry].person = id }
                    entries[entry].accounted = true
                    usedRegions.insert(regionIndex)
                }
            }
            for index in entries.indices where entries[index].decision?.decision.person != nil {
                entries[index].name = try entries[index].person.flatMap { try directory.standing($0)?.displayName }
            }
            var number = found.count
            // An unnamed region over a detected face is that face: listed once, decided there.
            let onFaces = Gate.unnamedRegionsOnFaces(asset)
            let unnamedRegions = asset.appearances.filter { $0.identity == .unidentified }.enumerated()
                .filter { $0.element.region != nil && !onFaces.contains($0.offset) }.map(\.element)
            for (index, region) in regions.enumerated() where !usedRegions.contains(index) {
                number += 1
                var person: PersonID?
                if case .person(let id) = region.identity { person = id }
                entries.append(FaceEntry(n: number, box: region.region!, source: region.source, score: nil, t: nil, person: person,
                                         name: region.label, namedBy: nil, decision: nil, accounted: true))
            }
            for region in unnamedRegions {
                number += 1
                entries.append(FaceEntry(n: number, box: region.region!, source: region.source, score: nil, t: nil, person: nil,
                                         name: nil, namedBy: nil, decision: nil, accounted: false))
            }
            listing.faces = entries
            return listing
        }
    }

    private static func identity(_ appearance: Appearance) -> String {
        switch appearance.identity {
        case .person(let id): "person \(id)"
        default: "name " + (appearance.label.flatMap(NameKey.init)?.folded ?? appearance.label ?? "")
        }
    }

    // MARK: Deciding

    /// `tag FILE|ASSET --face N (--person ID | --not-identifiable | --not-a-face | --not-registered)`: a signed
    /// `face.decided` event bound to the newest detection and face N. Earlier decisions stay.
    public func decideFace(_ argument: String, face number: Int, _ request: FaceDecisionRequest, by: String) throws -> FaceListing {
        let target = try locate(argument, detect: false)
        guard target.stored != nil else {
            throw InputError("\(argument) has not been ingested; run `clearance ingest \(argument)` first")
        }
        return try decideFace(target, face: number, request, by: by, name: argument)
    }

    /// The same for a stored asset named by SHA-256 only (the web service).
    public func decideFace(storedAsset sha256: String, face number: Int, _ request: FaceDecisionRequest, by: String) throws -> FaceListing {
        guard let stored = try ledger.asset(sha256.lowercased()) else { throw InputError("unknown asset: \(sha256) (not ingested)") }
        return try decideFace(Target(sha256: stored.record.sha256, path: stored.paths.first, stored: stored, facts: nil),
                              face: number, request, by: by, name: String(stored.record.sha256.prefix(12)))
    }

    private func decideFace(_ target: Target, face number: Int, _ request: FaceDecisionRequest, by: String,
                            name: String) throws -> FaceListing {
        let listing = try faces(of: target)
        guard listing.lookedFor, let detection = target.stored?.faceDetections.max(by: { $0.id < $1.id }) else {
            throw InputError("the faces in \(name) could not be looked for (\(listing.failure ?? "no detection")): record who is shown with `tag --person ID` or `--no-people`, or run `clearance faces --redetect`")
        }
        guard let entry = listing.faces.first(where: { $0.n == number }) else {
            throw InputError(listing.faces.isEmpty ? "no face was found in \(name)"
                                                   : "no face \(number) in \(name): its faces are numbered 1 to \(listing.faces.count) (see `clearance faces`)")
        }
        guard entry.source == "detected" else {
            throw InputError("face \(number) of \(name) is a region in the file's metadata (\(entry.source)), not one the detector found: the metadata says who it is, and an unnamed region is accounted for by any review (`tag --person ID`)")
        }
        let decision = try resolve(request)
        try LedgerOperations.translatingLedgerErrors {
            try ledger.review(target.sha256, reviews: [], faces: [(face: number, detection: detection.id, decision: decision)],
                              by: try InputCheck.required(by, field: "the reviewer's name"))
        }
        guard let stored = try ledger.asset(target.sha256) else { return listing }
        var updated = target
        updated.stored = stored
        return try faces(of: updated)
    }

    func resolve(_ request: FaceDecisionRequest) throws -> FaceDecision {
        switch request {
        case .notIdentifiable: return .notIdentifiable
        case .notAFace: return .notAFace
        case .notRegistered: return .notRegistered
        case .person(let text):
            guard let id = PersonID(parsing: text), let entry = try ledger.person(id) else { throw InputError("unknown person: \(text)") }
            guard !entry.isErased else { throw InputError("\(id) has been erased") }
            return .person(id)
        }
    }

    // MARK: Detecting again

    /// `faces --redetect`: runs the current detector over stored assets (those named, or every
    /// one with `all`) whose newest detection is by another detector, or could not look, or is
    /// missing. Each run adds an `asset.faces-detected` event; none is replaced, and decisions
    /// about a face carry over to the same face of the new detection (`FaceReview`). The bytes
    /// are read from a file named on the command line, else from where the asset was seen;
    /// a file whose bytes differ is never used.
    public func redetect(_ arguments: [String], all: Bool,
                         progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) throws -> RedetectSummary {
        guard case .on(let detector) = faceLookup else {
            if case .unavailable(let why) = faceLookup { throw InputError("the face detector cannot start: \(why)") }
            throw InputError("face detection is off")
        }
        var targets: [(sha256: String, paths: [String])] = []
        if all {
            guard arguments.isEmpty else { throw InputError("--all re-runs every stored asset: name no files or assets with it") }
            for sha in try ledger.allAssetHashes() {
                if let stored = try ledger.asset(sha) { targets.append((sha, stored.paths)) }
            }
        } else {
            guard !arguments.isEmpty else { throw InputError("name the files or assets to look at again, or give --all") }
            for argument in arguments {
                let target = try locate(argument, detect: false)
                guard let stored = target.stored else {
                    throw InputError("\(argument) has not been ingested; run `clearance ingest \(argument)` first")
                }
                targets.append((target.sha256, (target.facts == nil ? [] : [target.path].compactMap { $0 }) + stored.paths))
            }
        }
        var summary = RedetectSummary()
        var due: [(sha256: String, paths: [String])] = []
        for target in targets {
            let newest = try ledger.asset(target.sha256)?.faceDetections.max { $0.id < $1.id }
            if let newest, newest.detector == FaceDetector.identifier, newest.faces != nil {
                summary.current += 1
            } else {
                due.append(target)
            }
        }
        let results = Mutex<[Int: FaceDetectionFacts]>([:])
        let done = Atomic<Int>(0)
        let inspector = inspection.inspector
        let pending = due
        DispatchQueue.concurrentPerform(iterations: pending.count) { index in
            for path in pending[index].paths where FileManager.default.fileExists(atPath: path) {
                let facts = inspector.inspect(path: path)
                guard facts.sha256 == pending[index].sha256, let kind = facts.kind else { continue }
                let result = kind == .image ? detector.detectFaces(inPictureAt: path, orientation: facts.orientation)
                                            : detector.detectFaces(inVideoAt: path)
                results.withLock { $0[index] = FaceDetectionFacts(result) }
                break
            }
            progress?(done.add(1, ordering: .relaxed).newValue, pending.count)
        }
        let found = results.withLock { $0 }
        try LedgerOperations.translatingLedgerErrors {
            try ledger.write { tx in
                for (index, target) in due.enumerated() {
                    guard let facts = found[index] else {
                        summary.missing.append(target.sha256)
                        continue
                    }
                    try tx.recordFaceDetection(facts, of: target.sha256, at: .now)
                    summary.detected += 1
                }
            }
        }
        return summary
    }
}
