/// A person shown in an asset, as resolved against the registry before the gate runs.
public struct Appearance: Hashable, Sendable {
    public enum Identity: Hashable, Sendable {
        /// Linked to one registered person.
        case person(PersonID)
        /// A face or person region that no registered person is linked to.
        case unidentified
        /// A name or identifier that matches more than one registered person.
        case ambiguous(candidates: [PersonID])
        /// A name or identifier that matches no registered person (or an erased one).
        case unknown
        /// A name whose entry in the register's index could not be confirmed (edited, or not
        /// checkable without the instance key): who it is cannot be relied on.
        case unconfirmed(reason: String)
    }

    public var identity: Identity
    /// The name or identifier as the file or the tagger wrote it, for messages.
    public var label: String?
    /// Where it came from: a metadata source (`mwg-region`, …) or `manual`.
    public var source: String
    /// The metadata region naming it, when it has one: the face it accounts for is the one
    /// under it. A name without a region accounts for at most one face.
    public var region: FaceBox?

    public init(_ identity: Identity, label: String? = nil, source: String, region: FaceBox? = nil) {
        self.identity = identity
        self.label = label
        self.source = source
        self.region = region
    }

    /// The source of a person added by a whole-picture review (`clearance tag --person`).
    public static let manualSource = "manual"

}

/// What is known about one asset that the gate needs.
public struct AssetFacts: Hashable, Sendable {
    /// False when the file could not be parsed.
    public var readable: Bool
    /// Someone reviewed the asset by hand (`tag --no-people`, `--person`, `--service-users`).
    public var reviewed: Bool
    /// Tagged as showing service users, whoever they are.
    public var showsServiceUsers: Bool
    public var appearances: [Appearance]
    /// Stored facts about the asset (its ingested metadata, its reviews, its original's) that do
    /// not match the signed ledger, each said in words: the gate cannot rely on what it was told.
    public var recordProblems: [String]
    /// The faces in the pixels and the reviewers' decisions about them. The default, no faces
    /// found, suits a test's picture; the App always says what detection found.
    public var faces: FaceSearch

    public init(readable: Bool = true, reviewed: Bool = false, showsServiceUsers: Bool = false,
                appearances: [Appearance] = [], recordProblems: [String] = [], faces: FaceSearch = .found([])) {
        self.readable = readable
        self.reviewed = reviewed
        self.showsServiceUsers = showsServiceUsers
        self.appearances = appearances
        self.recordProblems = recordProblems
        self.faces = faces
    }
}

/// What the gate knows of one registered person: never contact details.
public struct PersonStanding: Hashable, Sendable {
    public var id: PersonID
    /// For messages only ("Jane Doe's consent was withdrawn"); nil after erasure.
    public var displayName: String?
    public var roles: PersonRoles
    public var dateOfBirth: CalendarDate?
    /// Every version of every consent of this person.
    public var consents: [ConsentRecord]
    /// Consents whose ledger events failed signature or chain verification.
    public var tampered: Set<ConsentReference>
    /// Something in the person's records does not match their signed events (their row, a
    /// consent row, their key): nothing about them can be relied on, whatever else holds.
    public var recordTampered: Bool

    public init(id: PersonID, displayName: String? = nil, roles: PersonRoles = PersonRoles(),
                dateOfBirth: CalendarDate? = nil, consents: [ConsentRecord] = [],
                tampered: Set<ConsentReference> = [], recordTampered: Bool = false) {
        self.id = id
        self.displayName = displayName
        self.roles = roles
        self.dateOfBirth = dateOfBirth
        self.consents = consents
        self.tampered = tampered
        self.recordTampered = recordTampered
    }
}
