import Foundation
import Ledger

/// The same checks split by the kind of asset. A check confirms every person named, so group
/// shots are the slow ones; an edited copy also has its originals confirmed, a wait more on
/// PostgreSQL. One asset in fifty is a copy, so copies alone could fill the slowest 1%: these
/// figures tell a p99 set by the work from one set by the machine's hiccups.
struct LatencyByKind {
    /// Mentions from which an asset counts as a group shot.
    static let mentions = 5

    /// Sorted latencies of the other assets' checks, of the group shots' and of the edited copies'
    /// (a copy may be a group shot too, and is then in both).
    let others: [Double]
    let groups: [Double]
    let copies: [Double]
    /// How many of the slowest 1% of all the checks are group shots, and edited copies, of how many.
    let slowestGroups: Int
    let slowestCopies: Int
    let slowest: Int

    /// `latencies[i]` is the check of `hashes[i]`, in `ledger`.
    init(hashes: [String], latencies: [Double], in ledger: Ledger) throws {
        let kinds = try hashes.map { hash -> (group: Bool, copy: Bool) in
            let asset = try ledger.asset(hash)
            let copy = asset.map { $0.record.originalDocumentID != nil || $0.record.derivedFrom != nil } ?? false
            return ((asset?.mentions.count ?? 0) >= Self.mentions, copy)
        }
        let checks = zip(kinds, latencies)
        others = checks.filter { !$0.0.group }.map(\.1).sorted()
        groups = checks.filter(\.0.group).map(\.1).sorted()
        copies = checks.filter(\.0.copy).map(\.1).sorted()
        let slowestChecks = checks.sorted { $0.1 > $1.1 }.prefix(max(1, latencies.count / 100))
        slowest = slowestChecks.count
        slowestGroups = slowestChecks.filter(\.0.group).count
        slowestCopies = slowestChecks.filter(\.0.copy).count
    }

    /// One line; `figures` gives a group's count and percentiles as its bench prints them.
    func line(_ figures: ([Double]) -> String) -> String {
        "the same checks by the asset's mentions of people: fewer than \(Self.mentions) \(others.isEmpty ? "none" : figures(others)); "
            + "\(Self.mentions) or more (group shots) \(groups.isEmpty ? "none" : figures(groups)); "
            + "edited copies (their originals confirmed too) \(copies.isEmpty ? "none" : figures(copies)); "
            + "of the slowest 1% (\(slowest)), \(slowestGroups) are group shots and \(slowestCopies) edited copies"
    }
}
