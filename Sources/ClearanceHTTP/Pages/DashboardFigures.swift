import ClearanceApp
import ClearanceCore
import Foundation

/// What the DPO dashboard shows: the ledger check, withdrawals, takedowns, and the reports of
/// `clearance report` (the same operation, so the page and the command line agree). Read-only.
struct DashboardFigures {
    var verification: LedgerVerification
    var withdrawals: [ConsentRecord]
    var openTakedowns: [TakedownItem]
    var overdueTakedowns: Int
    var reports: [ReportTable]
    /// The rows of the blocked report: each asset with the file it was last seen as and its reason codes.
    var blockedAssets: [(sha256: String, path: String?, codes: [String])]

    static let expiryWindowDays = 60
    static let agesWindowDays = 90

    init(ledger: LedgerOperations, channel: String, today: CalendarDate = CalendarDate.today) throws {
        verification = try ledger.verify()
        withdrawals = try ledger.withdrawals()
        openTakedowns = try ledger.takedowns(.open, on: today)
        overdueTakedowns = try ledger.takedowns(.overdue, on: today).count
        let operations = Reports(ledger)
        reports = [
            try operations.expiring(within: Self.expiryWindowDays, at: today),
            try operations.ages(within: Self.agesWindowDays, at: today),
            try operations.blocked(channel: channel, at: today),
            try operations.retention(at: today),
        ]
        blockedAssets = reports[2].rows.compactMap { row in
            guard row.count == 4, case .text(let sha?) = row[1] else { return nil }
            var codes: [String] = []
            if case .list(let list) = row[3] { codes = list }
            var path: String?
            if case .text(let file) = row[2] { path = file }
            return (sha, path, codes)
        }
    }

    /// A report as the page's template takes it: caption, headings, rows of plain text, counts.
    static func values(_ table: ReportTable) -> [String: Any] {
        func text(_ cell: ReportTable.Cell) -> String {
            switch cell {
            case .text(let value): value ?? ""
            case .number(let value): String(value)
            case .list(let values): values.joined(separator: ", ")
            }
        }
        return [
            "name": table.name, "caption": table.caption, "empty": table.rows.isEmpty,
            "headings": table.columns.map(\.title.capitalized),
            "rows": table.rows.prefix(200).map { row in ["cells": row.map(text)] },
            "counts": table.counts.map { ["key": $0.key, "count": $0.count] as [String: Any] }, "hasCounts": !table.counts.isEmpty,
        ]
    }
}
