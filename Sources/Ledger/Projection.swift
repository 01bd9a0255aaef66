import ClearanceCore
import Foundation

/// Where derived rows live: the database when writing, memory when `verify` or a check replays.
protocol DerivedStore {
    func personRow(_ id: PersonID) throws -> PersonRow?
    func consentRow(_ reference: ConsentReference) throws -> ConsentRow?
    func consentRows(of person: PersonID) throws -> [ConsentRow]
    mutating func insert(_ row: PersonRow) throws
    mutating func update(_ row: PersonRow) throws
    mutating func insert(_ row: ConsentRow) throws
    mutating func update(_ row: ConsentRow) throws

    /// Whether a `ledger.created` or `ledger.upgraded` event was applied.
    func instanceIsBound() throws -> Bool
    mutating func bindInstance(_ binding: LedgerEvent.InstanceBinding, seq: Int64) throws
    /// Whether `id` is registered and not erased; nil when this replay holds no people (a
    /// check replaying one asset's events), and rules about people are left to `verify`.
    func personStanding(_ id: PersonID) throws -> (registered: Bool, erased: Bool)?
    func assetRow(_ sha256: String) throws -> AssetRow?
    mutating func insert(_ row: AssetRow, mentions: [MentionBinding]) throws
    /// Ordinals of the asset's mentions not yet forgotten.
    func rememberedMentions(of sha256: String) throws -> Set<Int>
    mutating func forgetMentions(_ ordinals: [Int], of sha256: String) throws
    mutating func insert(_ row: ReviewRow) throws
    func publicationRow(_ id: Int64) throws -> PublicationRow?
    mutating func insert(_ row: PublicationRow) throws
    func takedownRow(_ id: Int64) throws -> TakedownRow?
    func takedownExists(publication: Int64, person: String) throws -> Bool
    mutating func insert(_ row: TakedownRow) throws
    mutating func update(_ row: TakedownRow) throws
    func faceDetectionRow(_ id: Int64) throws -> FaceDetectionRow?
    mutating func insert(_ row: FaceDetectionRow) throws
    mutating func insert(_ row: FaceDecisionRow) throws
}

/// The rules that turn events into current state. The same code runs when an event is written
/// and when `verify` replays the chain, so both always agree on what the tables should hold.
enum Projection {
    /// Applies one event; throws `LedgerError` when the event is not allowed in this state
    /// (a write is refused; during `verify` the chain is reported as bad at this event).
    static func apply(_ event: LedgerEvent, seq: Int64, at: Int64, to store: inout some DerivedStore) throws {
        switch event {
        case .personAdded(let added):
            guard try store.personRow(added.person) == nil else {
                throw LedgerError.invalid("\(added.person) already exists")
            }
            try store.insert(PersonRow(id: added.person.description, sealed: added.sealed,
                                       serviceUser: added.roles.serviceUser, electedMember: added.roles.electedMember,
                                       staff: added.roles.staff, addedSeq: seq, addedAt: at,
                                       erasedSeq: nil, erasedAt: nil))

        case .consentRecorded(let recorded):
            guard let person = try store.personRow(recorded.person) else {
                throw LedgerError.unknownPerson(recorded.person.description)
            }
            guard person.erasedAt == nil else { throw LedgerError.personErased(recorded.person) }
            guard try store.consentRow(recorded.reference) == nil else {
                throw LedgerError.invalid("\(recorded.reference) already exists")
            }
            guard recorded.terms.givenAt <= recorded.terms.expiresAt else {
                throw LedgerError.invalid("expiry is before the day consent was given")
            }
            if let previousReference = recorded.supersedes {
                guard var previous = try store.consentRow(previousReference) else {
                    throw LedgerError.unknownConsent(previousReference.description)
                }
                guard previous.personID == recorded.person.description else {
                    throw LedgerError.wrongPerson(previousReference, recorded.person)
                }
                guard previous.state == ConsentState.active.rawValue else {
                    throw LedgerError.notActive(previousReference, previous.consentState ?? .active)
                }
                guard recorded.version == previous.version + 1 else {
                    throw LedgerError.invalid("version \(recorded.version) does not follow \(previous.version)")
                }
                previous.state = ConsentState.superseded.rawValue
                previous.supersededBy = recorded.reference.description
                try store.update(previous)
            } else if recorded.version != 1 {
                throw LedgerError.invalid("a first consent must be version 1")
            }
            try store.insert(ConsentRow(recorded: recorded, seq: seq, at: at))

        case .consentWithdrawn(let withdrawn):
            guard var row = try store.consentRow(withdrawn.reference) else {
                throw LedgerError.unknownConsent(withdrawn.reference.description)
            }
            guard row.personID == withdrawn.person.description else {
                throw LedgerError.wrongPerson(withdrawn.reference, withdrawn.person)
            }
            if row.state == ConsentState.withdrawn.rawValue { throw LedgerError.alreadyWithdrawn(withdrawn.reference) }
            guard row.state == ConsentState.active.rawValue else {
                throw LedgerError.notActive(withdrawn.reference, row.consentState ?? .active)
            }
            row.state = ConsentState.withdrawn.rawValue
            row.withdrawnAt = at
            row.withdrawalVia = withdrawn.receivedVia
            row.withdrawnBy = withdrawn.recordedBy
            row.withdrawalNote = withdrawn.sealedNote
            row.withdrawnSeq = seq
            try store.update(row)

        case .personErased(let erased):
            guard var person = try store.personRow(erased.person) else {
                throw LedgerError.unknownPerson(erased.person.description)
            }
            guard person.erasedAt == nil else { throw LedgerError.personErased(erased.person) }
            let rows = try store.consentRows(of: erased.person)
            guard rows.map(\.reference).sorted() == erased.consents.map(\.description).sorted() else {
                throw LedgerError.invalid("the erasure does not list exactly the person's consents")
            }
            person.sealed = nil
            person.erasedSeq = seq
            person.erasedAt = at
            try store.update(person)
            for var row in rows {
                row.state = ConsentState.erased.rawValue
                row.sealed = nil
                row.withdrawalNote = nil
                row.erasedAt = at
                try store.update(row)
            }

        case .ledgerCreated(let binding), .ledgerUpgraded(let binding):
            guard try !store.instanceIsBound() else { throw LedgerError.invalid("the instance is already bound by an earlier event") }
            if case .ledgerCreated = event, seq != 1 { throw LedgerError.invalid("ledger.created must be the first event") }
            try store.bindInstance(binding, seq: seq)

        case .assetIngested(let ingested):
            try applyIngest(ingested, seq: seq, at: at, to: &store)

        case .facesDetected(let detected):
            guard try store.assetRow(detected.asset) != nil else { throw LedgerError.invalid("faces detected in an asset never ingested") }
            guard !detected.detector.isEmpty, (detected.faces == nil) == (detected.failure != nil) else {
                throw LedgerError.invalid("a face detection names its detector, and either its faces or why it could not look")
            }
            let sensible = (detected.faces ?? []).allSatisfy { face in
                [face.x, face.y, face.w, face.h, face.score].allSatisfy { $0.isFinite && $0 >= -1 && $0 <= 2 }
                    && face.w > 0 && face.h > 0 && (face.t.map { $0.isFinite && $0 >= 0 } ?? true)
            }
            guard sensible else { throw LedgerError.invalid("a detected face's box, score or time is out of range") }
            try store.insert(try FaceDetectionRow(detected, seq: seq, at: at))

        case .faceDecided(let decided):
            guard let detection = try store.faceDetectionRow(decided.detection), detection.sha256 == decided.asset else {
                throw LedgerError.invalid("a face decision about a detection not recorded for this asset")
            }
            guard (1...max(1, detection.faceCount)).contains(decided.face), detection.faceCount > 0 else {
                throw LedgerError.invalid("face \(decided.face) is not one of the \(detection.faceCount) faces of detection \(decided.detection)")
            }
            guard FaceDecision(action: decided.decision, person: decided.person) != nil else {
                throw LedgerError.invalid("a face decision is person (with who), not-identifiable, not-a-face or not-registered")
            }
            if let person = decided.person, let standing = try store.personStanding(person), !standing.registered || standing.erased {
                throw LedgerError.unknownPerson(person.description)
            }
            try store.insert(FaceDecisionRow(decided, seq: seq, at: at))

        case .assetReviewed(let reviewed):
            guard try store.assetRow(reviewed.asset) != nil else { throw LedgerError.invalid("review of an asset never ingested") }
            guard let action = AssetReview.Action(rawValue: reviewed.action) else {
                throw LedgerError.invalid("unknown review action \(reviewed.action)")
            }
            let namesPerson = action == .person || action == .notPerson
            guard namesPerson == (reviewed.person != nil) else {
                throw LedgerError.invalid("a review names a person exactly when it says who is or is not shown")
            }
            if let person = reviewed.person, let standing = try store.personStanding(person), !standing.registered {
                throw LedgerError.unknownPerson(person.description)
            }
            try store.insert(ReviewRow(id: seq, sha256: reviewed.asset, action: action.rawValue,
                                       personID: reviewed.person?.description, by: reviewed.by,
                                       at: reviewed.adoptedFrom ?? at))

        case .mentionsForgotten(let forgotten):
            guard try store.assetRow(forgotten.asset) != nil else { throw LedgerError.invalid("mentions of an asset never ingested") }
            if let standing = try store.personStanding(forgotten.person), !standing.erased {
                throw LedgerError.invalid("mentions are forgotten only for an erased person")
            }
            let remembered = try store.rememberedMentions(of: forgotten.asset)
            guard !forgotten.ordinals.isEmpty, Set(forgotten.ordinals).count == forgotten.ordinals.count,
                  forgotten.ordinals.allSatisfy(remembered.contains) else {
                throw LedgerError.invalid("forgets mentions that do not exist or are already forgotten")
            }
            try store.forgetMentions(forgotten.ordinals, of: forgotten.asset)

        case .assetPublished(let published):
            guard try store.assetRow(published.asset) != nil else { throw LedgerError.invalid("publication of an asset never ingested") }
            try store.insert(try PublicationRow(published, seq: seq, at: at))

        case .takedownOpened(let opened):
            guard let publication = try store.publicationRow(opened.publication), publication.sha256 == opened.asset else {
                throw LedgerError.invalid("takedown of a publication not recorded for this asset")
            }
            guard opened.number > 0, try store.takedownRow(opened.number) == nil else {
                throw LedgerError.invalid("takedown T-\(opened.number) already exists")
            }
            guard try !store.takedownExists(publication: opened.publication, person: opened.person.description) else {
                throw LedgerError.invalid("a takedown is already open for this publication and person")
            }
            guard let kind = TakedownItem.Kind(rawValue: opened.kind), TakedownItem.Cause(rawValue: opened.cause) != nil,
                  (kind == .takedown) == (opened.dueOn != nil) else {
                throw LedgerError.invalid("takedown T-\(opened.number) has an unknown cause or kind, or a due day for print")
            }
            try store.insert(TakedownRow(opened, at: at))

        case .takedownClosed(let closed):
            guard var row = try store.takedownRow(closed.number), row.sha256 == closed.asset else {
                throw LedgerError.invalid("unknown takedown: T-\(closed.number)")
            }
            guard row.kind == TakedownItem.Kind.takedown.rawValue else {
                throw LedgerError.invalid("T-\(closed.number) is a print or press publication: it cannot be recalled, only not reprinted")
            }
            guard row.doneAt == nil else { throw LedgerError.invalid("T-\(closed.number) is already done") }
            row.doneAt = closed.adoptedFrom ?? at
            row.doneBy = closed.by
            row.doneNote = closed.note
            try store.update(row)
        }
    }

    private static func applyIngest(_ ingested: LedgerEvent.AssetIngested, seq: Int64, at: Int64,
                                    to store: inout some DerivedStore) throws {
        guard ingested.asset.utf8.count == 64, ingested.asset.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw LedgerError.invalid("an asset is named by the lower-case hex SHA-256 of its bytes")
        }
        guard try store.assetRow(ingested.asset) == nil else { throw LedgerError.invalid("\(ingested.asset) is already ingested") }
        let bindings = ingested.mentions.enumerated().map { ordinal, mention in
            MentionBinding(ordinal: ordinal, source: mention.source, region: mention.region, commitment: mention.commitment)
        }
        try store.insert(AssetRow(ingested, seq: seq, at: at), mentions: bindings)
    }
}

/// Derived state held in memory, for `verify` (everything) and for a check's replay of one
/// person's or one asset's events (`partial`: rules about other subjects are left to `verify`).
struct MemoryStore: DerivedStore {
    var partial = false
    var people: [String: PersonRow] = [:]
    var consents: [String: ConsentRow] = [:]
    var consentsByPerson: [String: [String]] = [:]
    var instance: (binding: LedgerEvent.InstanceBinding, seq: Int64)?
    var assets: [String: AssetRow] = [:]
    var mentions: [String: [MentionBinding]] = [:]
    var reviews: [Int64: ReviewRow] = [:]
    var publications: [Int64: PublicationRow] = [:]
    var takedowns: [Int64: TakedownRow] = [:]
    var takedownKeys = Set<String>()
    var faceDetections: [Int64: FaceDetectionRow] = [:]
    var faceDecisions: [Int64: FaceDecisionRow] = [:]

    func personRow(_ id: PersonID) -> PersonRow? { people[id.description] }
    func consentRow(_ reference: ConsentReference) -> ConsentRow? { consents[reference.description] }
    func consentRows(of person: PersonID) -> [ConsentRow] {
        (consentsByPerson[person.description] ?? []).compactMap { consents[$0] }
    }
    mutating func insert(_ row: PersonRow) { people[row.id] = row }
    mutating func update(_ row: PersonRow) { people[row.id] = row }
    mutating func insert(_ row: ConsentRow) {
        consents[row.reference] = row
        consentsByPerson[row.personID, default: []].append(row.reference)
    }
    mutating func update(_ row: ConsentRow) { consents[row.reference] = row }

    func instanceIsBound() -> Bool { instance != nil }
    mutating func bindInstance(_ binding: LedgerEvent.InstanceBinding, seq: Int64) { instance = (binding, seq) }
    func personStanding(_ id: PersonID) -> (registered: Bool, erased: Bool)? {
        if partial { return nil }
        guard let row = people[id.description] else { return (false, false) }
        return (true, row.erasedAt != nil)
    }
    func assetRow(_ sha256: String) -> AssetRow? { assets[sha256] }
    mutating func insert(_ row: AssetRow, mentions bindings: [MentionBinding]) {
        assets[row.sha256] = row
        mentions[row.sha256] = bindings
    }
    func rememberedMentions(of sha256: String) -> Set<Int> {
        Set((mentions[sha256] ?? []).filter { !$0.forgotten }.map(\.ordinal))
    }
    mutating func forgetMentions(_ ordinals: [Int], of sha256: String) {
        let forgotten = Set(ordinals)
        mentions[sha256] = mentions[sha256]?.map { binding in
            var binding = binding
            if forgotten.contains(binding.ordinal) { binding.forgotten = true }
            return binding
        }
    }
    mutating func insert(_ row: ReviewRow) { reviews[row.id] = row }
    func publicationRow(_ id: Int64) -> PublicationRow? { publications[id] }
    mutating func insert(_ row: PublicationRow) { publications[row.id] = row }
    func takedownRow(_ id: Int64) -> TakedownRow? { takedowns[id] }
    func takedownExists(publication: Int64, person: String) -> Bool { takedownKeys.contains("\(publication) \(person)") }
    mutating func insert(_ row: TakedownRow) {
        takedowns[row.id] = row
        takedownKeys.insert("\(row.publicationID) \(row.personID)")
    }
    mutating func update(_ row: TakedownRow) { takedowns[row.id] = row }
    func faceDetectionRow(_ id: Int64) -> FaceDetectionRow? { faceDetections[id] }
    mutating func insert(_ row: FaceDetectionRow) { faceDetections[row.id] = row }
    mutating func insert(_ row: FaceDecisionRow) { faceDecisions[row.id] = row }
}
