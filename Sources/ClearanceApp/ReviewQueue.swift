import ClearanceCore
import Foundation
import Ledger

/// The review queue: stored assets that only a person looking at them can clear, grouped by the
/// folder they were ingested from and the day they were taken, newest first; and the register
/// as a reviewer may search it.
public struct ReviewQueue: Sendable {
    /// Reasons a reviewer settles by saying who is shown; the others (a withdrawal, an expired
    /// consent…) no decision about the picture can change.
    public static let reviewReasons: Set<ReasonCode> = [.notReviewed, .unidentifiedPerson, .ambiguousPerson, .unknownPerson]

    public struct Item: Sendable, Equatable {
        public var sha256: String
        /// The file's name where it was last seen; never the server's folders.
        public var file: String
        public var kind: String?
        public var capturedAt: String?
        /// The review reasons the asset is blocked for today, in the gate's order.
        public var reasons: [ReasonCode]
    }

    public struct Group: Sendable, Equatable {
        /// The last component of the folder the file was ingested from ("2026-07-04 fair").
        public var folder: String
        /// The capture day, YYYY-MM-DD, or nil when the file does not say.
        public var day: String?
        public var items: [Item]
    }

    public struct Page: Sendable, Equatable {
        public var number: Int
        public var pageCount: Int
        public var pageSize: Int
        /// Assets waiting for a decision, on every page.
        public var total: Int
        public var groups: [Group]
    }

    /// A registered person as a reviewer sees them: enough to tell namesakes apart (the id, the
    /// channels their consent covers today), nothing more (no date of birth, no contact details).
    public struct Candidate: Sendable, Equatable {
        public var id: PersonID
        public var name: String
        public var aliases: [String]
        public var channels: [String]
    }

    let ledger: LedgerOperations
    let assets: AssetOperations

    public init(_ ledger: LedgerOperations) {
        self.ledger = ledger
        assets = AssetOperations(ledger)
    }

    /// Page `number` (from 1; past the end, the last page) of the queue, `size` assets a page.
    /// Every stored asset is checked (the answers are memoised until the ledger changes).
    /// With `containing`, the page that holds that asset when it waits.
    public func page(_ number: Int, size: Int = 24, containing sha256: String? = nil) throws -> Page {
        let listing = try ledger.ledger.assetListing(matching: nil, limit: Int(Int32.max))
        let channel = ledger.configuration.catalog.channels.first?.name ?? "website"
        let results = listing.assets.isEmpty ? [] : try assets.check(storedAssets: listing.assets.map(\.sha256), channel: channel, at: nil)
        var waiting: [(item: Item, folder: String)] = []
        for (asset, result) in zip(listing.assets, results) {
            let reasons = Array(Set(result.verdict.reasons.map(\.code)).intersection(Self.reviewReasons)).sorted()
            guard !reasons.isEmpty, let stored = try ledger.ledger.asset(asset.sha256) else { continue }
            let path = asset.path ?? ""
            let folder = ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent
            waiting.append((Item(sha256: asset.sha256, file: path.isEmpty ? String(asset.sha256.prefix(12)) : (path as NSString).lastPathComponent,
                                 kind: stored.record.kind, capturedAt: stored.record.capturedAt, reasons: reasons), folder))
        }
        // Newest day first, undated last; within a day by folder, then newest first.
        waiting.sort { a, b in
            let (dayA, dayB) = (Self.day(a.item.capturedAt) ?? "", Self.day(b.item.capturedAt) ?? "")
            if dayA != dayB { return dayA > dayB }
            if a.folder != b.folder { return a.folder < b.folder }
            if a.item.capturedAt != b.item.capturedAt { return (a.item.capturedAt ?? "") > (b.item.capturedAt ?? "") }
            return a.item.file < b.item.file
        }
        let size = max(1, size)
        let pageCount = max(1, (waiting.count + size - 1) / size)
        var index = min(max(1, number), pageCount) - 1
        if let sha256, let position = waiting.firstIndex(where: { $0.item.sha256 == sha256 }) { index = position / size }
        var groups: [Group] = []
        for entry in waiting.dropFirst(index * size).prefix(size) {
            let day = Self.day(entry.item.capturedAt)
            if let last = groups.last, last.folder == entry.folder, last.day == day {
                groups[groups.count - 1].items.append(entry.item)
            } else {
                groups.append(Group(folder: entry.folder, day: day, items: [entry.item]))
            }
        }
        return Page(number: index + 1, pageCount: pageCount, pageSize: size, total: waiting.count, groups: groups)
    }

    /// The capture day of an ISO 8601 time, as written in the file (its own time zone).
    static func day(_ capturedAt: String?) -> String? {
        guard let text = capturedAt, text.utf8.count >= 10, CalendarDate(parsing: String(text.prefix(10))) != nil else { return nil }
        return String(text.prefix(10))
    }

    /// Registered people (not erased) whose name or an alias contains `text`, or whose id starts
    /// with it, ignoring case and accents; at most `limit`, best first (a name that starts with
    /// the text before one that only contains it).
    public func candidates(matching text: String, limit: Int = 20, on date: CalendarDate = Timestamp.now.utcDate) throws -> [Candidate] {
        let wanted = Self.folded(text.trimmingCharacters(in: .whitespacesAndNewlines))
        guard !wanted.isEmpty else { return [] }
        var found: [(rank: Int, candidate: Candidate)] = []
        for entry in try ledger.allPeople() {
            guard let data = entry.personalData, !entry.isErased else { continue }
            let names = data.allNames.map(Self.folded)
            let rank: Int
            if Self.folded(entry.id.description).hasPrefix(wanted) { rank = 0 }
            else if names.contains(where: { $0.hasPrefix(wanted) || $0.contains(" " + wanted) }) { rank = 1 }
            else if names.contains(where: { $0.contains(wanted) }) { rank = 2 }
            else { continue }
            let consents = try ledger.ledger.consents(of: entry.id, includingPrivateDetails: false)
            let channels = Set(consents.filter { $0.state == .active && !$0.isExpired(on: date) && $0.terms.givenAt <= date }
                .flatMap { $0.terms.channels.map(\.name) })
            found.append((rank, Candidate(id: entry.id, name: data.name, aliases: data.aliases, channels: channels.sorted())))
        }
        return found.sorted { ($0.rank, $0.candidate.name, $0.candidate.id.description) < ($1.rank, $1.candidate.name, $1.candidate.id.description) }
            .prefix(max(0, limit)).map(\.candidate)
    }

    static func folded(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
    }
}
