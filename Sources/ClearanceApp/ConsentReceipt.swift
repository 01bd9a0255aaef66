import ClearanceCore
import Foundation
import Ledger

/// The printable HTML receipt handed to the person: what they agreed to, until when, and how
/// to withdraw (as easy as giving: quote the reference to the contact).
public enum ConsentReceipt {
    static let stylesheet = """

        body { font-family: sans-serif; max-width: 40em; margin: 2em auto; }
        .reference { font-size: 2em; font-family: monospace; letter-spacing: 0.1em; }
        th { text-align: left; padding-right: 1em; vertical-align: top; }
        .withdraw { border: 2px solid #000; padding: 1em; margin-top: 1.5em; }

        """

    /// The receipt's policy: no script, its own stylesheet only.
    public static let policy = DocumentPolicy(stylesheet: stylesheet)

    /// `privateDetails`: whether the guardian's and the witness's names are shown. Roles that may
    /// not see them (officers, reading a receipt again later) get the relationship and method only.
    public static func html(consent: ConsentRecord, person: PersonEntry?, withdrawalContact: String,
                            privateDetails: Bool = true) -> String {
        let e = HTMLText.escape
        let reference = e(consent.reference.description)
        let name = person?.personalData?.name ?? (person?.isErased == true ? "(erased)" : consent.person.description)
        let details = privateDetails ? consent.details : nil
        var rows: [(String, String)] = [
            ("Reference", consent.reference.description),
            ("Person", name),
            ("Channels", consent.terms.channels.map(\.name).joined(separator: ", ")),
            ("Purposes", consent.terms.purposes.joined(separator: ", ")),
        ]
        if let event = consent.terms.event { rows.append(("Event", event)) }
        rows.append(("Form version (what you were told)", consent.terms.formVersion))
        let witnessed = consent.details?.witness.map { privateDetails ? ", witnessed by \($0)" : ", witnessed" } ?? ""
        rows.append(("How it was given", consent.terms.method.rawValue + witnessed))
        rows.append(("Recorded by", consent.terms.recordedBy))
        if let relationship = consent.terms.guardianRelationship {
            let guardian = details?.guardianName.map { "\($0) (\(relationship))" } ?? relationship
            rows.append(("Given by guardian", guardian))
        }
        rows.append(("Given on", consent.terms.givenAt.description))
        rows.append(("Expires on", consent.terms.expiresAt.description))
        if consent.version > 1, let previous = consent.supersedes {
            rows.append(("Version", "\(consent.version), replacing \(previous)"))
        }
        rows.append(("Status", consent.state.rawValue))
        if let withdrawal = consent.withdrawal {
            rows.append(("Withdrawn", "\(withdrawal.at) via \(withdrawal.receivedVia)"))
        }
        let table = rows.map { "<tr><th>\(e($0.0))</th><td>\(e($0.1))</td></tr>" }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            \(policy.head(title: "Consent receipt \(consent.reference)"))
            </head>
            <body>
            <h1>Your photo and video consent</h1>
            <p class="reference">\(reference)</p>
            <table>
            \(table)
            </table>
            <div class="withdraw">
            <h2>How to withdraw</h2>
            <p>You can withdraw this consent at any time, free of charge, and without giving a reason.
            Contact \(e(withdrawalContact)) and quote the reference <strong>\(reference)</strong>.
            From then on no new photo or video of you will be published under this consent, and
            we will take down what we can of what was already published.</p>
            </div>
            </body>
            </html>

            """
    }
}

extension LedgerOperations {
    /// `consent receipt REF`; `privateDetails` as in `ConsentReceipt.html`.
    public func receipt(_ text: String, privateDetails: Bool = true) throws -> String {
        let consent = try consent(text)
        return ConsentReceipt.html(consent: consent, person: try ledger.person(consent.person),
                                   withdrawalContact: configuration.withdrawalContact, privateDetails: privateDetails)
    }
}
