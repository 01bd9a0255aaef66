import ClearanceCore
import Ledger
import MediaMetadata

/// Looks people up in the register for linking. The ledger answers these; the linking rules
/// stay here, out of SQL.
public protocol PersonDirectory {
    func exists(_ id: PersonID) throws -> Bool
    /// The person a consent reference belongs to (any version, any state).
    func holder(of reference: ConsentReference) throws -> PersonID?
    /// Everyone whose name or alias folds to `key`; erased people never match. The lookup
    /// says so when the register's index entry for the name cannot be confirmed.
    func people(named key: NameKey) throws -> NameLookup
}

/// What a reviewer said about an asset by hand (`clearance tag`).
public struct ManualReview: Hashable, Sendable {
    public var people: Set<PersonID>
    public var notPeople: Set<PersonID>
    public var noPeople: Bool
    public var showsServiceUsers: Bool

    public init(people: Set<PersonID> = [], notPeople: Set<PersonID> = [], noPeople: Bool = false, showsServiceUsers: Bool = false) {
        self.people = people
        self.notPeople = notPeople
        self.noPeople = noPeople
        self.showsServiceUsers = showsServiceUsers
    }

    public var isEmpty: Bool { people.isEmpty && notPeople.isEmpty && !noPeople && !showsServiceUsers }
}

/// Turns what a file says about people into appearances the gate understands.
///
/// Order of trust: an identifier (PersonInImageWDetails/PersonId, a region's id, or
/// plus:ModelReleaseID) naming a person id or consent reference; else the name against names and
/// aliases (one match links, several are ambiguous, none is unknown); an unnamed region is
/// unidentified. A manual review adds people, rules people out, and — because a reviewer looked at
/// the picture — accounts for unnamed faces.
public enum AppearanceLinking {
    /// The source name of a `plus:ModelReleaseID` claim among the mentions.
    public static let releaseSource = "plus-model-release"

    /// What a file's metadata says about people, in the form the ledger stores.
    public static func mentions(of facts: MediaFacts) -> [AssetMention] {
        facts.people.map { person in
            AssetMention(source: person.source.rawValue, label: person.name, identifiers: person.identifiers,
                         region: person.region.map { [$0.x, $0.y, $0.w, $0.h] })
        } + (facts.modelRelease?.ids ?? []).map {
            AssetMention(source: releaseSource, label: nil, identifiers: [$0], region: nil)
        }
    }

    public static func appearances(for mentions: [AssetMention], review: ManualReview,
                                   directory: some PersonDirectory) throws -> [Appearance] {
        var result: [Appearance] = []
        for mention in mentions {
            if mention.source == releaseSource {
                // Release ids that are not ours (an agency's release number) say nothing about who is shown.
                for id in mention.identifiers {
                    if let person = try resolve(identifier: id, directory: directory), !review.notPeople.contains(person) {
                        result.append(Appearance(.person(person), label: id, source: releaseSource))
                    }
                }
                continue
            }
            var appearance = try link(mention, review: review, directory: directory)
            appearance.region = mention.region.flatMap(FaceBox.init)
            result.append(appearance)
        }
        if !review.isEmpty {
            result.removeAll { $0.identity == .unidentified }
            result = result.map { appearance in
                guard case .ambiguous(let candidates) = appearance.identity else { return appearance }
                let chosen = candidates.filter(review.people.contains)
                return chosen.count == 1
                    ? Appearance(.person(chosen[0]), label: appearance.label, source: appearance.source, region: appearance.region)
                    : appearance
            }
        }
        for person in review.people.sorted() {
            result.append(Appearance(.person(person), label: nil, source: Appearance.manualSource))
        }
        return result
    }

    static func link(_ mention: AssetMention, review: ManualReview, directory: some PersonDirectory) throws -> Appearance {
        for identifier in mention.identifiers {
            if let person = try resolve(identifier: identifier, directory: directory), !review.notPeople.contains(person) {
                return Appearance(.person(person), label: mention.label ?? identifier, source: mention.source)
            }
        }
        guard let name = mention.label, let key = NameKey(name) else {
            return Appearance(mention.identifiers.isEmpty ? .unidentified : .unknown,
                              label: mention.identifiers.first, source: mention.source)
        }
        let lookup = try directory.people(named: key)
        if let problem = lookup.problem {
            return Appearance(.unconfirmed(reason: problem), label: name, source: mention.source)
        }
        let matches = lookup.people.filter { !review.notPeople.contains($0) }
        switch matches.count {
        case 0: return Appearance(.unknown, label: name, source: mention.source)
        case 1: return Appearance(.person(matches[0]), label: name, source: mention.source)
        default: return Appearance(.ambiguous(candidates: matches.sorted()), label: name, source: mention.source)
        }
    }

    /// Accepts a bare `P-…`/`C-…` code or one at the end of a URI (`https://…/people/P-3HQ8-TW2K`).
    static func resolve(identifier: String, directory: some PersonDirectory) throws -> PersonID? {
        for code in codes(in: identifier) {
            switch code {
            case .person(let id): if try directory.exists(id) { return id }
            case .consent(let reference): if let holder = try directory.holder(of: reference) { return holder }
            }
        }
        return nil
    }

    enum Code: Hashable {
        case person(PersonID)
        case consent(ConsentReference)
    }

    /// The person ids and consent references an identifier may carry: itself, or what follows
    /// its last `/`, `#`, `:` or `=`.
    static func codes(in identifier: String) -> [Code] {
        let last = identifier.split(whereSeparator: { $0 == "/" || $0 == "#" || $0 == ":" || $0 == "=" }).last.map(String.init) ?? identifier
        return Set([identifier, last]).compactMap { candidate in
            let upper = candidate.trimmingCharacters(in: .whitespaces).uppercased()
            if upper.hasPrefix("P"), let id = PersonID(parsing: candidate) { return .person(id) }
            if upper.hasPrefix("C"), let reference = ConsentReference(parsing: candidate) { return .consent(reference) }
            return nil
        }
    }

    /// What linking `mentions` may ask the directory: every name (linking asks for one only
    /// when no identifier resolves), person id and consent reference they carry. For fetching
    /// ahead only: a question missed here is asked when linking, at the cost of a round trip.
    static func questions(for mentions: [AssetMention]) -> (names: Set<NameKey>, people: Set<PersonID>, consents: Set<ConsentReference>) {
        var names = Set<NameKey>()
        var people = Set<PersonID>()
        var consents = Set<ConsentReference>()
        for mention in mentions {
            for code in mention.identifiers.flatMap(codes(in:)) {
                switch code {
                case .person(let id): people.insert(id)
                case .consent(let reference): consents.insert(reference)
                }
            }
            if mention.source != releaseSource, let key = mention.label.flatMap(NameKey.init) { names.insert(key) }
        }
        return (names, people, consents)
    }
}
