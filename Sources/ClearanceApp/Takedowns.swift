import ClearanceCore
import Foundation
import Ledger

/// A stored asset that `check` links to a given person, with what the gate needs about it.
struct ShowingAsset {
    var stored: StoredAsset
    var facts: AssetFacts
    var people: [PersonID]
}

/// What a withdrawal or an erasure affects: the assets showing the person and the items it opened.
public struct ConsentEndImpact: Sendable {
    public struct AffectedAsset: Sendable {
        public var sha256: String
        public var path: String?
    }

    public var person: PersonID
    /// Active consents the person still has after a withdrawal (none after erasure).
    public var otherActiveConsents: [ConsentReference]
    public var assets: [AffectedAsset]
    /// Online publications to remove, each with a due day.
    public var takedowns: [TakedownItem]
    /// Print and press: cannot be recalled; do not reprint.
    public var doNotReprint: [TakedownItem]
}

/// What `consent withdraw` did.
public struct WithdrawalResult: Sendable {
    public var consent: ConsentRecord
    public var impact: ConsentEndImpact
}

/// Which `takedowns` to list.
public enum TakedownFilter: String, Sendable, CaseIterable {
    case all, open, done, overdue
}

extension AssetOperations {
    /// Channels whose copies cannot be recalled once published.
    static let unrecallableChannels: Set<Channel> = [Channel("print"), Channel("press")]

    /// Every stored asset whose check would link to `person`, by the same linking as `check`
    /// (metadata names and ids, manual tags, originals of edited copies).
    func assetsShowing(_ person: PersonID) throws -> [ShowingAsset] {
        try linkedAssets().filter { $0.people.contains(person) }
            .map { ShowingAsset(stored: $0.stored, facts: $0.facts, people: $0.people) }
    }

    /// The takedown items a withdrawal of `withdrawn` would open: every earlier publication of an
    /// asset showing the person that the gate would now refuse because of them, or that relied on
    /// the withdrawn consent. Decided before the withdrawal is written, so both commit together.
    func takedownRequests(withdrawing withdrawn: ConsentRecord, at: Timestamp,
                          assets: [ShowingAsset]) throws -> [TakedownRequest] {
        let gate = Gate(policy: configuration.policy)
        let day = at.utcDate
        // Everyone shown, read in one transaction; the withdrawal is applied to its person as
        // if already written, since it commits in the same transaction as these items.
        let people = Set(assets.flatMap(\.people))
        var standings: [PersonID: PersonStanding] = try ledger.snapshot { snapshot in
            var found: [PersonID: PersonStanding] = [:]
            for id in people { found[id] = try snapshot.standing(id) }
            return found
        }
        if var standing = standings[withdrawn.person] {
            standing.consents = standing.consents.map { consent in
                guard consent.reference == withdrawn.reference else { return consent }
                var ended = consent
                ended.state = .withdrawn
                ended.withdrawal = Withdrawal(at: at, receivedVia: "", recordedBy: "")
                return ended
            }
            standings[withdrawn.person] = standing
        }
        var requests: [TakedownRequest] = []
        for asset in assets {
            for publication in try ledger.storedPublications(of: asset.stored.record.sha256) {
                let verdict = gate.verdict(for: asset.facts, people: standings, channel: publication.record.channel, at: day)
                let refused = verdict.reasons.contains { $0.person == withdrawn.person }
                let relied = publication.record.consents.contains(withdrawn.reference)
                guard refused || relied else { continue }
                requests.append(request(for: publication, person: withdrawn.person, cause: .withdrawal,
                                        consent: withdrawn.reference, day: day))
            }
        }
        return requests
    }

    /// Erasure ends everything: every publication of every asset showing the person.
    func takedownRequests(erasing person: PersonID, at: Timestamp, assets: [ShowingAsset]) throws -> [TakedownRequest] {
        try assets.flatMap { asset in
            try ledger.storedPublications(of: asset.stored.record.sha256).map {
                request(for: $0, person: person, cause: .erasure, consent: nil, day: at.utcDate)
            }
        }
    }

    private func request(for publication: StoredPublication, person: PersonID, cause: TakedownItem.Cause,
                         consent: ConsentReference?, day: CalendarDate) -> TakedownRequest {
        let printed = Self.unrecallableChannels.contains(publication.record.channel)
        return TakedownRequest(asset: publication.record.sha256, publicationID: publication.id, person: person, cause: cause,
                               consent: consent, kind: printed ? .doNotReprint : .takedown,
                               dueOn: printed ? nil : CalendarDate(daysSinceEpoch: day.daysSinceEpoch + configuration.takedownDays))
    }

    /// The items now on record for `requests` (including ones an earlier withdrawal opened).
    func impact(of person: PersonID, assets: [ShowingAsset], requests: [TakedownRequest]) throws -> ConsentEndImpact {
        let publications = Set(requests.map(\.publicationID))
        let items = try ledger.takedowns(person: person).filter { publications.contains($0.publication.id) }
        let active = try ledger.consents(of: person, includingPrivateDetails: false)
            .filter { $0.state == .active && !$0.isExpired(on: Timestamp.now.utcDate) }
        return ConsentEndImpact(
            person: person, otherActiveConsents: active.map(\.reference),
            assets: assets.map { .init(sha256: $0.stored.record.sha256, path: $0.stored.paths.first) },
            takedowns: items.filter { $0.kind == .takedown },
            doNotReprint: items.filter { $0.kind == .doNotReprint })
    }
}

extension LedgerOperations {
    /// `takedowns [--open|--done|--overdue]`.
    public func takedowns(_ filter: TakedownFilter, on day: CalendarDate = Timestamp.now.utcDate) throws -> [TakedownItem] {
        try ledger.takedowns().filter { item in
            switch filter {
            case .all: true
            case .open: item.kind == .takedown && !item.isDone
            case .done: item.isDone
            case .overdue: item.isOverdue(on: day)
            }
        }
    }

    /// `takedown done ID --note TEXT`: closes one item, recorded with who and when.
    public func closeTakedown(_ text: String, note: String?, by: String?) throws -> TakedownItem {
        let id = try Self.takedownID(text)
        let note = try InputCheck.required(note, field: "--note")
        let by = try InputCheck.text(by, field: "--by") ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        try Self.translatingLedgerErrors { try ledger.closeTakedown(id, by: by, note: note) }
        guard let item = try ledger.takedown(id) else { throw InputError("unknown takedown: \(text)") }
        return item
    }

    /// `T-12`, `t12` or `12`.
    static func takedownID(_ text: String) throws(InputError) -> Int64 {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces).uppercased())
        if digits.hasPrefix("T") { digits = digits.dropFirst() }
        if digits.hasPrefix("-") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy(\.isASCII), let id = Int64(digits), id > 0 else {
            throw InputError("not a takedown id: \(text) (expected T-<number>)")
        }
        return id
    }
}
