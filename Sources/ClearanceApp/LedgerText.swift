import ClearanceCore
import Foundation
import Ledger

/// Plain-text output of people, consents and verify for the terminal.
public enum LedgerText {
    public static func personLine(_ person: PersonEntry) -> String {
        let name = person.personalData?.name ?? "(erased \(person.erasedAt?.description ?? ""))"
        let roles = person.roles.labels
        return "\(person.id)  \(name)" + (roles.isEmpty ? "" : "  [\(roles.joined(separator: ", "))]")
    }

    public static func person(_ person: PersonEntry, consents: [ConsentRecord]) -> String {
        var lines = [personLine(person)]
        if let data = person.personalData {
            if !data.aliases.isEmpty { lines.append("  aliases: \(data.aliases.joined(separator: ", "))") }
            if let born = data.dateOfBirth { lines.append("  born: \(born)") }
            if let email = data.email { lines.append("  email: \(email)") }
            if let phone = data.phone { lines.append("  phone: \(phone)") }
        }
        lines.append("  added: \(person.addedAt)")
        if let erased = person.erasedAt { lines.append("  erased: \(erased) (personal data destroyed)") }
        lines.append(consents.isEmpty ? "  consents: none" : "  consents:")
        lines += consents.map { "    " + consentLine($0) }
        return lines.joined(separator: "\n")
    }

    public static func consentLine(_ consent: ConsentRecord) -> String {
        var text = "\(consent.reference)  v\(consent.version)  \(consent.state.rawValue)  "
            + "\(consent.terms.channels.map(\.name).joined(separator: ","))  "
            + "given \(consent.terms.givenAt)  expires \(consent.terms.expiresAt)"
        if consent.terms.givenByGuardian { text += "  guardian" }
        if let previous = consent.supersedes { text += "  supersedes \(previous)" }
        if let later = consent.supersededBy { text += "  superseded by \(later)" }
        if let withdrawal = consent.withdrawal { text += "  withdrawn \(withdrawal.at) via \(withdrawal.receivedVia)" }
        if let erased = consent.erasedAt { text += "  erased \(erased)" }
        return text
    }

    /// The first problem on the first line (what scripts look for), then every other one.
    public static func verification(_ report: LedgerVerification) -> String {
        let notes = report.unchecked.map { "\nnot checked: \($0)" }.joined()
        if let problem = report.problem {
            let more = report.problems.dropFirst()
            let listed = more.prefix(50).map { "\n  also: \($0)" }.joined()
            let rest = more.count > 50 ? "\n  … and \(more.count - 50) more" : ""
            return "TAMPERED: \(problem)" + listed + rest + notes
        }
        let hash = report.lastHash.map { Hex.lowercase($0) } ?? "none (empty ledger)"
        return """
            intact: \(report.events) events, \(report.people) people (\(report.erasedPeople) erased), \(report.consents) consents, \(report.assets) assets
            last hash: \(hash)
            """ + notes
    }
}
