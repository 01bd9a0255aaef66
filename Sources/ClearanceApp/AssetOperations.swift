import ClearanceCore
import Foundation
import Ledger
import MediaMetadata

/// Ingest, tag and check: the operations on assets, over the ledger and the media reader.
public struct AssetOperations: Sendable {
    public let ledger: Ledger
    public let configuration: ClearanceConfiguration
    let inspection = Inspection()

    public init(_ operations: LedgerOperations) {
        ledger = operations.ledger
        configuration = operations.configuration
    }

    // MARK: Ingest

    public struct IngestSummary: Sendable, Equatable {
        public var new = 0
        public var known = 0
        public var unreadable = 0
        /// Files in directories that are not media Clearance reads (text, audio…): not stored.
        public var skipped = 0
        public var total: Int { new + known + skipped }
    }

    /// `ingest PATH...`: reads files on every core and stores them in batches, each batch in one
    /// transaction. Idempotent: the asset is its bytes, so re-ingesting or moving a file adds
    /// nothing but the path.
    public func ingest(_ arguments: [String], batchSize: Int = 256,
                       progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) throws -> IngestSummary {
        let named = Set(arguments)
        let files = try Inspection.expand(arguments).map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        var summary = IngestSummary()
        var done = 0
        for start in stride(from: 0, to: files.count, by: batchSize) {
            let batch = Array(files[start..<min(start + batchSize, files.count)])
            let read = inspection.inspect(paths: batch)
            var items: [(record: AssetRecord, mentions: [AssetMention], path: String)] = []
            for facts in read {
                guard let sha = facts.sha256 else {
                    throw InputError("cannot read \(facts.path): \(facts.error ?? "unknown error")")
                }
                // A file in a folder that is not media at all is not an asset; one named on
                // the command line is, so that checking it later says why it is blocked.
                if facts.format == nil && !named.contains(facts.path) && !named.contains(where: { facts.path.hasSuffix($0) }) {
                    summary.skipped += 1
                    continue
                }
                if facts.error != nil { summary.unreadable += 1 }
                items.append((Self.record(sha, facts), AppearanceLinking.mentions(of: facts), facts.path))
            }
            for isNew in try ledger.storeAssets(items) {
                if isNew { summary.new += 1 } else { summary.known += 1 }
            }
            done += batch.count
            progress?(done, files.count)
        }
        return summary
    }

    static func record(_ sha: String, _ facts: MediaFacts) -> AssetRecord {
        AssetRecord(sha256: sha, kind: facts.kind?.rawValue, format: facts.format?.rawValue,
                    readable: facts.error == nil, error: facts.error, capturedAt: facts.capturedAt,
                    width: facts.width, height: facts.height, orientation: facts.orientation,
                    faceRegions: facts.faceRegions, releaseStatus: facts.modelRelease?.status,
                    documentID: facts.documentID, originalDocumentID: facts.originalDocumentID,
                    derivedFrom: facts.derivedFrom)
    }

    // MARK: Tag

    /// `tag FILE|ASSET`: appends manual reviews, recorded with who and when.
    public func tag(_ argument: String, people: [String], notPeople: [String], noPeople: Bool,
                    serviceUsers: Bool, by: String) throws -> StoredAsset {
        let target = try locate(argument)
        guard let stored = target.stored else {
            throw InputError("\(argument) has not been ingested; run `clearance ingest \(argument)` first")
        }
        if noPeople && !people.isEmpty {
            throw InputError("--no-people contradicts --person: say who is shown, or that nobody is")
        }
        guard !people.isEmpty || !notPeople.isEmpty || noPeople || serviceUsers else {
            throw InputError("say what to record: --person ID, --not-person ID, --no-people or --service-users")
        }
        let now = Timestamp.now
        var reviews: [AssetReview] = []
        for (texts, action) in [(people, AssetReview.Action.person), (notPeople, .notPerson)] {
            for text in texts {
                guard let id = PersonID(parsing: text), let entry = try ledger.person(id) else {
                    throw InputError("unknown person: \(text)")
                }
                guard !entry.isErased else { throw InputError("\(id) has been erased") }
                reviews.append(AssetReview(action: action, person: id, by: by, at: now))
            }
        }
        if noPeople { reviews.append(AssetReview(action: .noPeople, person: nil, by: by, at: now)) }
        if serviceUsers { reviews.append(AssetReview(action: .serviceUsers, person: nil, by: by, at: now)) }
        try ledger.addReviews(reviews, to: stored.record.sha256)
        return try ledger.asset(stored.record.sha256) ?? stored
    }

    // MARK: Check

    /// One asset's answer for one channel.
    public struct CheckResult: Sendable {
        public var sha256: String
        public var path: String?
        public var verdict: Verdict
        /// People linked to the asset, for the consents an export relies on.
        public var people: [PersonID]
        public var consentsRelied: [ConsentReference]
    }

    /// `check FILE|ASSET...`: a file not yet ingested is read on the fly and not stored.
    /// All assets are checked in one read transaction, and what is looked up about people
    /// (names, standings, signature checks) is looked up once per call, however many assets show them.
    public func check(_ arguments: [String], channel: String, at: CalendarDate?) throws -> [CheckResult] {
        let channel = try resolveChannel(channel)
        let date = at ?? Timestamp.now.utcDate
        let gate = Gate(policy: configuration.policy)
        return try ledger.snapshot { snapshot in
            let directory = SnapshotDirectory(snapshot)
            let targets = try arguments.map { try locate($0, lookup: snapshot.asset) }
            return try targets.map { target in
                let (asset, people) = try facts(for: target, directory: directory)
                var known: [PersonID: PersonStanding] = [:]
                for id in people {
                    if let standing = try directory.standing(id) { known[id] = standing }
                }
                let verdict = gate.verdict(for: asset, people: known, channel: channel, at: date)
                let relied = verdict.cleared ? known.values.flatMap { s in
                    s.consents.filter { $0.state == .active && $0.covers(channel) && !$0.isExpired(on: date) && $0.terms.givenAt <= date }
                        .map(\.reference)
                }.sorted() : []
                return CheckResult(sha256: target.sha256, path: target.path, verdict: verdict, people: people, consentsRelied: relied)
            }
        }
    }

    func resolveChannel(_ name: String) throws -> Channel {
        let channel = Channel(name.trimmingCharacters(in: .whitespaces).lowercased())
        guard configuration.catalog.contains(channel) else {
            let known = configuration.catalog.channels.map(\.name).joined(separator: ", ")
            throw InputError("unknown channel: \(name) (known: \(known))")
        }
        return channel
    }

    /// A command-line argument resolved to an asset: a stored one, or a file read now.
    struct Target {
        var sha256: String
        var path: String?
        var stored: StoredAsset?
        var facts: MediaFacts?
    }

    func locate(_ argument: String) throws -> Target {
        try locate(argument, lookup: { try ledger.asset($0) })
    }

    /// `lookup` finds a stored asset by hash (the ledger, or a snapshot of it).
    func locate(_ argument: String, lookup: (String) throws -> StoredAsset?) throws -> Target {
        let isHash = argument.count == 64 && argument.allSatisfy(\.isHexDigit)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
            guard !isDirectory.boolValue else { throw InputError("\(argument) is a directory; name files or asset hashes") }
            let path = URL(fileURLWithPath: argument).standardizedFileURL.path
            let facts = inspection.inspector.inspect(path: path)
            guard let sha = facts.sha256 else { throw InputError("cannot read \(argument): \(facts.error ?? "unknown error")") }
            return Target(sha256: sha, path: path, stored: try lookup(sha), facts: facts)
        }
        if isHash, let stored = try lookup(argument.lowercased()) {
            return Target(sha256: stored.record.sha256, path: stored.paths.first, stored: stored, facts: nil)
        }
        throw InputError(isHash ? "unknown asset: \(argument) (not ingested)" : "no such file or asset: \(argument)")
    }

    /// What the gate needs about one asset, and the people it links to.
    func facts(for target: Target, directory: some AssetDirectory) throws -> (AssetFacts, [PersonID]) {
        var mentions: [AssetMention]
        var reviews: [AssetReview]
        let readable: Bool
        let documentIDs: [String]
        if let stored = target.stored {
            mentions = stored.mentions
            reviews = stored.reviews
            readable = stored.record.readable
            documentIDs = [stored.record.originalDocumentID, stored.record.derivedFrom].compactMap { $0 }
        } else if let facts = target.facts {
            mentions = AppearanceLinking.mentions(of: facts)
            reviews = []
            readable = facts.error == nil
            documentIDs = [facts.originalDocumentID, facts.derivedFrom].compactMap { $0 }
        } else {
            mentions = []
            reviews = []
            readable = false
            documentIDs = []
        }
        // An edited copy inherits what its original's metadata and reviewers said about who is shown.
        for original in try directory.assets(withDocumentIDs: Array(Set(documentIDs))) where original.record.sha256 != target.sha256 {
            mentions += original.mentions
            reviews += original.reviews
        }
        let review = Self.review(from: reviews)
        let appearances = try AppearanceLinking.appearances(for: mentions, review: review, directory: directory)
        let asset = AssetFacts(readable: readable, reviewed: !review.isEmpty, showsServiceUsers: review.showsServiceUsers,
                               appearances: appearances)
        var people: [PersonID] = []
        for appearance in appearances {
            if case .person(let id) = appearance.identity, !people.contains(id) { people.append(id) }
        }
        return (asset, people)
    }

    /// Reviews in the order they were made: a later `--not-person` undoes an earlier `--person`.
    static func review(from reviews: [AssetReview]) -> ManualReview {
        var result = ManualReview()
        for review in reviews.sorted(by: { $0.at < $1.at }) {
            switch review.action {
            case .person:
                if let p = review.person { result.people.insert(p); result.notPeople.remove(p) }
            case .notPerson:
                if let p = review.person { result.notPeople.insert(p); result.people.remove(p) }
            case .noPeople: result.noPeople = true
            case .serviceUsers: result.showsServiceUsers = true
            }
        }
        return result
    }

    /// Every stored asset with the people `check` links it to, read in one transaction with each
    /// name and person looked up once: reports, takedowns and subject access walk the whole
    /// register this way.
    func linkedAssets() throws -> [(stored: StoredAsset, facts: AssetFacts, people: [PersonID])] {
        let hashes = try ledger.allAssetHashes()
        return try ledger.snapshot { snapshot in
            let directory = SnapshotDirectory(snapshot)
            return try hashes.compactMap { sha in
                guard let stored = try snapshot.asset(sha) else { return nil }
                let target = Target(sha256: sha, path: stored.paths.first, stored: stored, facts: nil)
                let (facts, people) = try facts(for: target, directory: directory)
                return (stored, facts, people)
            }
        }
    }
}

/// The register and the stored assets, as linking an asset to people needs them.
protocol AssetDirectory: PersonDirectory {
    /// Assets whose DocumentID is one of `documentIDs` (the originals of an edited copy).
    func assets(withDocumentIDs documentIDs: [String]) throws -> [StoredAsset]
}

/// The register as one check call sees it: one read transaction, each answer looked up once.
/// A person's standing costs a decryption and an Ed25519 verification per consent event, and the
/// same people appear in many pictures of an event, so a batch reuses them.
final class SnapshotDirectory: AssetDirectory {
    let snapshot: LedgerSnapshot
    private var existing: [PersonID: Bool] = [:]
    private var holders: [ConsentReference: PersonID?] = [:]
    private var named: [NameKey: [PersonID]] = [:]
    private var standings: [PersonID: PersonStanding?] = [:]

    init(_ snapshot: LedgerSnapshot) { self.snapshot = snapshot }

    func exists(_ id: PersonID) throws -> Bool {
        if let known = existing[id] { return known }
        let found = try snapshot.personExists(id)
        existing[id] = found
        return found
    }

    func holder(of reference: ConsentReference) throws -> PersonID? {
        if let known = holders[reference] { return known }
        let found = try snapshot.consentHolder(reference)
        holders[reference] = found
        return found
    }

    func people(named key: NameKey) throws -> [PersonID] {
        if let known = named[key] { return known }
        let found = try snapshot.personIDs(named: key)
        named[key] = found
        return found
    }

    func assets(withDocumentIDs documentIDs: [String]) throws -> [StoredAsset] {
        try snapshot.assets(withDocumentIDs: documentIDs)
    }

    /// The gate's view of a person; nil for an erased or unknown one (the gate then says unknown).
    func standing(_ id: PersonID) throws -> PersonStanding? {
        if let known = standings[id] { return known }
        let found = try snapshot.standing(id)
        standings[id] = found
        return found
    }
}
