import Foundation
import Ledger

/// The same checks split by how many mentions of people the asset's metadata holds. A check
/// confirms every person named, so the slowest one in a hundred are mostly group shots: their
/// figures tell a p99 set by the work from one set by the machine's hiccups.
struct GroupShots {
    /// Mentions from which an asset counts as a group shot.
    static let mentions = 5

    /// Sorted latencies of the other assets' checks and of the group shots'.
    let others: [Double]
    let groups: [Double]
    /// How many of the slowest 1% of all the checks are group shots, of how many.
    let slowestGroups: Int
    let slowest: Int

    /// `latencies[i]` is the check of `hashes[i]`, in `ledger`.
    init(hashes: [String], latencies: [Double], in ledger: Ledger) throws {
        let isGroup = try hashes.map { try (ledger.asset($0)?.mentions.count ?? 0) >= Self.mentions }
        others = zip(isGroup, latencies).filter { !$0.0 }.map(\.1).sorted()
        groups = zip(isGroup, latencies).filter(\.0).map(\.1).sorted()
        let slowestChecks = zip(isGroup, latencies).sorted { $0.1 > $1.1 }.prefix(max(1, latencies.count / 100))
        slowest = slowestChecks.count
        slowestGroups = slowestChecks.filter(\.0).count
    }

    /// One line; `figures` gives a group's count and percentiles as its bench prints them.
    func line(_ figures: ([Double]) -> String) -> String {
        "the same checks by the asset's mentions of people: fewer than \(Self.mentions) \(others.isEmpty ? "none" : figures(others)); "
            + "\(Self.mentions) or more (group shots) \(groups.isEmpty ? "none" : figures(groups)); "
            + "of the slowest 1% (\(slowest)), \(slowestGroups) are group shots"
    }
}
