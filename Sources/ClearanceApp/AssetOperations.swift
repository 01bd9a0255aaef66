import ClearanceCore
import Dispatch
import Foundation
import Synchronization
import Ledger
import MediaMetadata

/// Ingest, tag and check: the operations on assets, over the ledger and the media reader.
public struct AssetOperations: Sendable {
    public let ledger: Ledger
    public let configuration: ClearanceConfiguration
    let inspection = Inspection()
    /// How faces are looked for in new files (ingest, uploads, files checked on the fly).
    private let chosenFaceLookup: FaceLookup?
    /// The standard detector is started only when a file is first looked at.
    var faceLookup: FaceLookup { chosenFaceLookup ?? FaceLookup.shared }
    var detectFaces: Bool {
        if case .off = faceLookup { return false }
        return true
    }

    /// `faces`: the detector to use; by default the standard YuNet detector, started once per
    /// process and shared (it keeps a pool of networks, one per core).
    public init(_ operations: LedgerOperations, faces: FaceLookup? = nil) {
        ledger = operations.ledger
        configuration = operations.configuration
        chosenFaceLookup = faces
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
    /// nothing but the path. Faces are looked for in new assets only (on every core, at most one
    /// network per core), and stored with them as an `asset.faces-detected` event: a known
    /// asset's pixels are never decoded again. `progress` is called from any thread.
    public func ingest(_ arguments: [String], batchSize: Int = 64,
                       progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) throws -> IngestSummary {
        let named = Set(arguments)
        let files = try Inspection.expand(arguments).map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        var summary = IngestSummary()
        let done = Atomic<Int>(0)
        for start in stride(from: 0, to: files.count, by: batchSize) {
            let batch = Array(files[start..<min(start + batchSize, files.count)])
            let read = inspection.inspect(paths: batch)
            var items: [AssetIngestItem] = []
            var itemFacts: [MediaFacts] = []
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
                items.append(AssetIngestItem(record: Self.record(sha, facts), mentions: AppearanceLinking.mentions(of: facts),
                                             path: facts.path))
                itemFacts.append(facts)
            }
            let skipped = batch.count - items.count
            if skipped > 0 { progress?(done.add(skipped, ordering: .relaxed).newValue, files.count) }
            let known = try ledger.knownAssets(items.map(\.record.sha256))
            let lookup = faceLookup
            let found = Mutex<[Int: FaceDetectionFacts]>([:])
            let toLook = itemFacts.map { known.contains($0.sha256 ?? "") ? nil : $0 }
            DispatchQueue.concurrentPerform(iterations: toLook.count) { index in
                if let facts = toLook[index], let result = Inspection.inspect(facts: facts, faces: lookup).faces {
                    found.withLock { $0[index] = FaceDetectionFacts(result) }
                }
                progress?(done.add(1, ordering: .relaxed).newValue, files.count)
            }
            let faces = found.withLock { $0 }
            for index in items.indices { items[index].faces = faces[index] }
            for isNew in try ledger.storeAssets(items) {
                if isNew { summary.new += 1 } else { summary.known += 1 }
            }
        }
        return summary
    }

    /// `ingest` for callers on Swift's cooperative pool (the web service): decoding pictures and
    /// running the detector block a thread for seconds, so they run on a thread of their own.
    public func ingestOffThePool(_ arguments: [String]) async throws -> IngestSummary {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try ingest(arguments) })
            }
        }
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
        let target = try locate(argument, detect: false)
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
        // The detector's faces: "nobody is shown" cannot be said over them, and one person named
        // for the whole picture is that face only when exactly one face is left to account for.
        var decisions: [(face: Int, detection: Int64, decision: FaceDecision)] = []
        let listing = try faces(of: target)
        let detected = listing.faces.filter { $0.source == "detected" }
        if noPeople, case let open = detected.filter({ $0.decision?.decision != .notAFace }), !open.isEmpty {
            throw InputError("\(argument) shows \(open.count == 1 ? "a face" : "\(open.count) faces") the detector found: decide \(open.count == 1 ? "it" : "each") with `clearance tag \(argument) --face N --not-a-face` (a poster, a pattern) or `--not-identifiable`, not --no-people")
        }
        // A face on the people-to-find list is still nobody's: once that person is registered,
        // naming them for the picture settles it, as it would a face nothing accounts for. A
        // person some face already shows is not inferred onto another.
        let left = detected.filter { !$0.accounted || $0.decision?.decision == .notRegistered }
        if people.count == 1, left.count == 1, listing.namesWithoutRegion == 0,
           let person = reviews.first?.person, !listing.faces.contains(where: { $0.person == person }),
           let detection = stored.faceDetections.max(by: { $0.id < $1.id }) {
            decisions.append((face: left[0].n, detection: detection.id, decision: .person(person)))
        }
        try LedgerOperations.translatingLedgerErrors {
            try ledger.review(stored.record.sha256, reviews: reviews, faces: decisions, by: by, at: now)
        }
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
    /// (names, standings, signature checks) is looked up once per call, however many assets show
    /// them, and kept for later calls until the ledger changes (`RegisterMemo`).
    public func check(_ arguments: [String], channel: String, at: CalendarDate?) throws -> [CheckResult] {
        try check(arguments, channel: channel, at: at) { argument, directory in
            try locate(argument, lookup: directory.asset)
        }
    }

    /// Checks stored assets named by SHA-256 only, never reading a file: what the web service
    /// offers, since a string from a client must never make the server open its own files.
    public func check(storedAssets hashes: [String], channel: String, at: CalendarDate?) throws -> [CheckResult] {
        try check(hashes, channel: channel, at: at) { hash, directory in
            guard let stored = try directory.asset(hash.lowercased()) else { throw InputError("unknown asset: \(hash) (not ingested)") }
            return Target(sha256: stored.record.sha256, path: stored.paths.first, stored: stored, facts: nil)
        }
    }

    private func check(_ arguments: [String], channel: String, at: CalendarDate?,
                       resolve: (String, SnapshotDirectory) throws -> Target) throws -> [CheckResult] {
        let channel = try resolveChannel(channel)
        let date = at ?? Timestamp.now.utcDate
        let gate = Gate(policy: configuration.policy)
        return try ledger.snapshot { snapshot in
            // On PostgreSQL the first asset's rows come with the snapshot's first read, which a
            // lookup in the memo needs anyway (the memo is kept per snapshot).
            let first = arguments.first.flatMap { Self.isAssetHash($0) ? $0.lowercased() : nil }
            if let first { try snapshot.fetchAhead(asset: first) }
            let directory = try SnapshotDirectory(snapshot)
            // The names it carries go to the server now, read while its records are confirmed.
            if let first { try directory.sendAhead(forAsset: first) }
            let targets = try arguments.map { try resolve($0, directory) }
            return try targets.map { target in
                let (asset, people) = try directory.linked(target) { try facts(for: target, directory: directory) }
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

    /// Whether an argument is written as an asset's SHA-256 (it may still name a file).
    static func isAssetHash(_ argument: String) -> Bool {
        argument.count == 64 && argument.allSatisfy(\.isHexDigit)
    }

    /// A command-line argument resolved to an asset: a stored one, or a file read now.
    struct Target {
        var sha256: String
        var path: String?
        var stored: StoredAsset?
        var facts: MediaFacts?
        /// For a file read now and not stored: what the face detector found in it.
        var faces: FaceDetectionFacts?
    }

    /// `detect`: look for faces in a file that is not stored (what a check of it needs).
    func locate(_ argument: String, detect: Bool = true) throws -> Target {
        try locate(argument, detect: detect, lookup: { try ledger.asset($0) })
    }

    /// `lookup` finds a stored asset by hash (the ledger, or a snapshot of it).
    func locate(_ argument: String, detect: Bool = true, lookup: (String) throws -> StoredAsset?) throws -> Target {
        let isHash = Self.isAssetHash(argument)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
            guard !isDirectory.boolValue else { throw InputError("\(argument) is a directory; name files or asset hashes") }
            try Inspection.refuseSidecar(argument)
            let path = URL(fileURLWithPath: argument).standardizedFileURL.path
            let facts = inspection.inspector.inspect(path: path)
            guard let sha = facts.sha256 else { throw InputError("cannot read \(argument): \(facts.error ?? "unknown error")") }
            let stored = try lookup(sha)
            // A file checked without being ingested is looked at now: its faces count as a stored one's.
            let faces = stored == nil && detect && detectFaces ? Inspection.inspect(facts: facts, faces: faceLookup).faces.map(FaceDetectionFacts.init) : nil
            return Target(sha256: sha, path: path, stored: stored, facts: facts, faces: faces)
        }
        if isHash, let stored = try lookup(argument.lowercased()) {
            return Target(sha256: stored.record.sha256, path: stored.paths.first, stored: stored, facts: nil)
        }
        throw InputError(isHash ? "unknown asset: \(argument) (not ingested)" : "no such file or asset: \(argument)")
    }

    /// What the gate needs about one asset, and the people it links to. Everything comes from
    /// confirmed records: a stored asset's facts, mentions and reviews as its signed events say,
    /// its originals through the document index, names through the name index; whatever could
    /// not be confirmed is carried to the gate as a record problem (`record-tampered`).
    func facts(for target: Target, directory: some AssetDirectory) throws -> (AssetFacts, [PersonID]) {
        var mentions: [AssetMention]
        var reviews: [AssetReview]
        var problems: [String] = []
        let readable: Bool
        let documentIDs: [String]
        let faces: FaceSearch
        if let stored = target.stored {
            mentions = stored.mentions
            reviews = stored.reviews
            faces = stored.faces
            readable = stored.record.readable
            documentIDs = [stored.record.originalDocumentID, stored.record.derivedFrom].compactMap { $0 }
            problems += stored.problems
        } else if let facts = target.facts {
            mentions = AppearanceLinking.mentions(of: facts)
            reviews = []
            faces = target.faces?.search ?? .notLookedFor(reason: "faces were not looked for")
            readable = facts.error == nil
            documentIDs = [facts.originalDocumentID, facts.derivedFrom].compactMap { $0 }
        } else {
            mentions = []
            reviews = []
            faces = .notLookedFor(reason: "the file could not be read")
            readable = false
            documentIDs = []
        }
        // An edited copy inherits what its original's metadata and reviewers said about who is shown.
        let originals = try directory.assets(withDocumentIDs: Array(Set(documentIDs)))
        problems += originals.problems
        if target.stored != nil {
            // Ingesting the copy made sure each id it points at has an index entry.
            problems += originals.missing.map { "document_index: the entry for its original \($0) is missing (deleted)" }
        }
        for original in originals.assets where original.record.sha256 != target.sha256 {
            mentions += original.mentions
            reviews += original.reviews
            problems += original.problems.map { "its original \(original.record.sha256.prefix(12)): \($0)" }
        }
        let review = Self.review(from: reviews)
        try directory.fetchAhead(for: mentions, review: review, decided: faces.decidedPeople)
        let appearances = try AppearanceLinking.appearances(for: mentions, review: review, directory: directory)
        let asset = AssetFacts(readable: readable, reviewed: !review.isEmpty, showsServiceUsers: review.showsServiceUsers,
                               appearances: appearances, recordProblems: problems, faces: faces)
        var people: [PersonID] = []
        for appearance in appearances {
            if case .person(let id) = appearance.identity, !people.contains(id) { people.append(id) }
        }
        for id in faces.decidedPeople where !people.contains(id) { people.append(id) }
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
    /// register this way. The assets themselves are not memoised: a whole register would only
    /// push out the people that later checks reuse.
    func linkedAssets() throws -> [(stored: StoredAsset, facts: AssetFacts, people: [PersonID])] {
        let hashes = try ledger.allAssetHashes()
        return try ledger.snapshot { snapshot in
            let directory = try SnapshotDirectory(snapshot)
            return try hashes.compactMap { sha in
                guard let stored = try snapshot.asset(sha) else { return nil }
                let target = Target(sha256: sha, path: stored.paths.first, stored: stored, facts: nil)
                let (assetFacts, people) = try facts(for: target, directory: directory)
                return (stored, assetFacts, people)
            }
        }
    }
}

/// The register and the stored assets, as linking an asset to people needs them.
protocol AssetDirectory: PersonDirectory {
    /// Assets whose DocumentID is one of `documentIDs` (the originals of an edited copy).
    func assets(withDocumentIDs documentIDs: [String]) throws -> DocumentLookup
    /// Gets ready for linking `mentions` and the standings of the people they, the review and
    /// the face decisions name: a hint, which changes no answer.
    func fetchAhead(for mentions: [AssetMention], review: ManualReview, decided: [PersonID]) throws
}

/// Answers about the register that hold until the ledger changes, kept with the database
/// connection between calls (`LedgerSnapshot.memo`). The same people appear in many pictures
/// of an event, and a server is asked about the same assets again and again, while a person's
/// standing costs a decryption, a replay of their events and a signature check per event.
final class RegisterMemo {
    /// Per kind of answer; when one fills up it starts again, which costs time, never correctness.
    static let capacity = 50_000
    var existing: [PersonID: Bool] = [:]
    var holders: [ConsentReference: PersonID?] = [:]
    var named: [NameKey: NameLookup] = [:]
    var standings: [PersonID: PersonStanding?] = [:]
    var assets: [String: StoredAsset?] = [:]
    var linked: [String: (AssetFacts, [PersonID])] = [:]
}

extension Dictionary {
    /// The answer kept for `key`, else `find`'s, kept for next time.
    fileprivate mutating func remembered(_ key: Key, _ find: () throws -> Value) rethrows -> Value {
        if let known = self[key] { return known }
        let found = try find()
        if count >= RegisterMemo.capacity { removeAll(keepingCapacity: true) }
        self[key] = found
        return found
    }
}

/// The register as a check sees it: one read transaction, each answer looked up once and
/// remembered in the connection's `RegisterMemo`.
struct SnapshotDirectory: AssetDirectory {
    let snapshot: LedgerSnapshot
    let memo: RegisterMemo

    init(_ snapshot: LedgerSnapshot) throws {
        self.snapshot = snapshot
        memo = try snapshot.memo(RegisterMemo.init)
    }

    func exists(_ id: PersonID) throws -> Bool {
        try memo.existing.remembered(id) { try snapshot.personExists(id) }
    }

    func holder(of reference: ConsentReference) throws -> PersonID? {
        try memo.holders.remembered(reference) { try snapshot.consentHolder(reference) }
    }

    func people(named key: NameKey) throws -> NameLookup {
        try memo.named.remembered(key) { try snapshot.personIDs(named: key) }
    }

    /// On PostgreSQL, an edited copy's originals sent ahead (`sendAhead(forAsset:)`) are in by
    /// now: the names the copy and they carry go to the server while the originals are confirmed.
    func assets(withDocumentIDs documentIDs: [String]) throws -> DocumentLookup {
        if let copy = try snapshot.receiveSentOriginals(), let naming = try snapshot.unconfirmedNaming(ofCopy: copy) {
            try sendAhead(naming)
        }
        return try snapshot.assets(withDocumentIDs: documentIDs)
    }

    /// On PostgreSQL, reads in one round trip what is not remembered yet (`LedgerSnapshot.fetchAhead`).
    func fetchAhead(for mentions: [AssetMention], review: ManualReview, decided: [PersonID]) throws {
        let asked = unremembered(AppearanceLinking.questions(for: mentions), alsoPeople: review.people.union(decided))
        try snapshot.fetchAhead(names: asked.names, people: asked.people, consents: asked.consents,
                                standingKnown: { memo.standings[$0] != nil })
    }

    /// On PostgreSQL, sends what linking the asset will read, guessed from its rows before they
    /// are confirmed (`LedgerSnapshot.sendAhead`), so that the server reads while the asset is
    /// confirmed; `fetchAhead(for:review:decided:)` then waits for it. For an edited copy, whose
    /// originals name people too, their rows go first (`assets(withDocumentIDs:)` sends the
    /// names once they are in). Not for an asset whose linking is remembered: nothing would
    /// wait for it.
    func sendAhead(forAsset sha256: String) throws {
        guard memo.linked[sha256] == nil else { return }
        guard let naming = try snapshot.unconfirmedNaming(of: sha256) else {
            return try snapshot.sendAhead(originalsOf: sha256)
        }
        try sendAhead(naming)
    }

    private func sendAhead(_ naming: (mentions: [AssetMention], people: Set<PersonID>)) throws {
        let asked = unremembered(AppearanceLinking.questions(for: naming.mentions), alsoPeople: naming.people)
        try snapshot.sendAhead(names: asked.names, people: asked.people, consents: asked.consents,
                               standingKnown: { memo.standings[$0] != nil })
    }

    /// What of `questions` (and `alsoPeople`) the memo cannot answer yet.
    private func unremembered(_ questions: (names: Set<NameKey>, people: Set<PersonID>, consents: Set<ConsentReference>),
                              alsoPeople: Set<PersonID>) -> (names: Set<NameKey>, people: Set<PersonID>, consents: Set<ConsentReference>) {
        (questions.names.filter { memo.named[$0] == nil },
         questions.people.union(alsoPeople).filter { memo.existing[$0] == nil || memo.standings[$0] == nil },
         questions.consents.filter { memo.holders[$0] == nil })
    }

    func asset(_ sha256: String) throws -> StoredAsset? {
        try memo.assets.remembered(sha256) { try snapshot.asset(sha256) }
    }

    /// The gate's view of a person; nil for an erased or unknown one (the gate then says unknown).
    func standing(_ id: PersonID) throws -> PersonStanding? {
        try memo.standings.remembered(id) { try snapshot.standing(id) }
    }

    /// A stored asset's facts and people, from `link` the first time. A file read on the fly
    /// is not remembered: its hash is not in the ledger, so nothing would say when to forget it.
    func linked(_ target: AssetOperations.Target,
                _ link: () throws -> (AssetFacts, [PersonID])) throws -> (AssetFacts, [PersonID]) {
        guard target.stored != nil else { return try link() }
        return try memo.linked.remembered(target.sha256) { try link() }
    }
}
