import ClearanceCore
import Foundation
import Ledger

/// Takedown items and withdrawal impacts as terminal lines and JSON.
public enum TakedownOutput {
    struct ItemView: Encodable {
        struct PublicationView: Encodable {
            var asset: String
            var channel: String
            var exportedAt: String
            var exportedBy: String
            var path: String
            var postURL: String?
            var outputSHA256: String
        }
        var id: String
        var kind: String
        var status: String
        var person: String
        var cause: String
        var consent: String?
        var openedAt: String
        var dueOn: String?
        var overdue: Bool
        var doneAt: String?
        var doneBy: String?
        var note: String?
        var publication: PublicationView
    }

    struct ImpactView: Encodable {
        struct AssetView: Encodable { var asset: String; var path: String? }
        var person: String
        var otherActiveConsents: [String]
        var assets: [AssetView]
        var takedowns: [ItemView]
        var doNotReprint: [ItemView]
    }

    static func view(_ item: TakedownItem, today: CalendarDate) -> ItemView {
        let p = item.publication.record
        return ItemView(id: label(item), kind: item.kind.rawValue, status: status(item, today: today),
                        person: item.person.description, cause: item.cause.rawValue, consent: item.consent?.description,
                        openedAt: item.openedAt.description, dueOn: item.dueOn?.description,
                        overdue: item.isOverdue(on: today), doneAt: item.doneAt?.description, doneBy: item.doneBy,
                        note: item.doneNote,
                        publication: .init(asset: p.sha256, channel: p.channel.name, exportedAt: p.at.description,
                                           exportedBy: p.by, path: p.path, postURL: p.postURL, outputSHA256: p.outputSHA256))
    }

    static func view(_ impact: ConsentEndImpact, today: CalendarDate) -> ImpactView {
        ImpactView(person: impact.person.description, otherActiveConsents: impact.otherActiveConsents.map(\.description),
                   assets: impact.assets.map { .init(asset: $0.sha256, path: $0.path) },
                   takedowns: impact.takedowns.map { view($0, today: today) },
                   doNotReprint: impact.doNotReprint.map { view($0, today: today) })
    }

    public static func label(_ item: TakedownItem) -> String { "T-\(item.id)" }

    static func status(_ item: TakedownItem, today: CalendarDate) -> String {
        if item.kind == .doNotReprint { return "do-not-reprint" }
        if item.isDone { return "done" }
        return item.isOverdue(on: today) ? "overdue" : "open"
    }

    public static func json(_ items: [TakedownItem], today: CalendarDate = Timestamp.now.utcDate) throws -> String {
        try LedgerJSON.encode(items.map { view($0, today: today) })
    }

    /// `consent withdraw --json`: the consent and what the withdrawal affects.
    public static func json(_ result: WithdrawalResult, today: CalendarDate = Timestamp.now.utcDate) throws -> String {
        struct Output: Encodable { var consent: LedgerJSON.ConsentView; var affects: ImpactView }
        return try LedgerJSON.encode(Output(consent: LedgerJSON.view(result.consent), affects: view(result.impact, today: today)))
    }

    /// One line per item: id, state, where and when it was published, and by whom.
    public static func line(_ item: TakedownItem, today: CalendarDate = Timestamp.now.utcDate) -> String {
        let p = item.publication.record
        let file = (p.path as NSString).lastPathComponent
        let state: String
        switch status(item, today: today) {
        case "do-not-reprint": state = "DO NOT REPRINT (cannot be recalled)"
        case "done": state = "DONE \(item.doneAt?.description ?? "") by \(item.doneBy ?? "?")"
        case "overdue": state = "OVERDUE since \(item.dueOn?.description ?? "?")"
        default: state = "OPEN, due \(item.dueOn?.description ?? "?")"
        }
        var line = "\(label(item))  \(state)  \(p.channel.name)  exported \(p.at.utcDate) by \(p.by)  \(file) (\(p.sha256.prefix(12)))"
        if let url = p.postURL { line += "  \(url)" }
        let why = item.cause == .erasure ? "erasure of \(item.person)" : "withdrawal of \(item.consent?.description ?? "consent") by \(item.person)"
        line += "  [\(why)]"
        if let note = item.doneNote { line += "\n      note: \(note)" }
        return line
    }

    /// What a withdrawal or erasure affects, in plain lines for the terminal.
    public static func lines(_ impact: ConsentEndImpact, today: CalendarDate = Timestamp.now.utcDate) -> [String] {
        var lines: [String] = []
        if impact.assets.isEmpty {
            lines.append("no ingested asset shows \(impact.person)")
        } else {
            let blocked = impact.otherActiveConsents.isEmpty ? "now blocked for every channel"
                : "blocked except where their other consent (\(impact.otherActiveConsents.map(\.description).joined(separator: ", "))) covers it"
            lines.append("\(impact.assets.count) asset\(impact.assets.count == 1 ? "" : "s") showing \(impact.person), \(blocked):")
            for asset in impact.assets {
                lines.append("  \(asset.path.map { ($0 as NSString).lastPathComponent } ?? "asset")  \(asset.sha256.prefix(12))")
            }
        }
        lines.append(impact.takedowns.isEmpty ? "no takedowns: none of them was published online"
                     : "\(impact.takedowns.count) takedown\(impact.takedowns.count == 1 ? "" : "s"):")
        lines += impact.takedowns.map { "  " + line($0, today: today) }
        if !impact.doNotReprint.isEmpty {
            lines.append("\(impact.doNotReprint.count) printed (cannot be recalled; do not reprint):")
            lines += impact.doNotReprint.map { "  " + line($0, today: today) }
        }
        return lines
    }
}
