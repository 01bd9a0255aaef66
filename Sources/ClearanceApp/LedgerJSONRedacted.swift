import ClearanceCore
import Foundation
import Ledger

extension LedgerJSON {
    /// The same shapes as `person list --json` / `person show --json`, without what only a DPO
    /// may see: contact details, date of birth, the names of guardians and witnesses, and
    /// withdrawal notes (kept encrypted with the person's data, they may say anything).
    /// The keys are left out rather than set to null, so a client cannot mistake "hidden" for "unknown".
    public static func peopleWithoutPersonalDetails(_ people: [PersonEntry],
                                                    consents: [PersonID: [ConsentRecord]]? = nil) throws -> String {
        try encode(people.map { person in
            var view = view(person, consents: consents?[person.id] ?? (consents == nil ? nil : []))
            view.born = nil
            view.email = nil
            view.phone = nil
            view.consents = view.consents?.map(withoutPersonalDetails)
            return view
        })
    }

    /// One consent without guardian and witness names or withdrawal note.
    public static func consentWithoutPersonalDetails(_ consent: ConsentRecord) throws -> String {
        try encode(withoutPersonalDetails(view(consent)))
    }

    static func withoutPersonalDetails(_ consent: ConsentView) -> ConsentView {
        var consent = consent
        consent.witness = nil
        consent.guardian = consent.guardian.map { .init(name: nil, relationship: $0.relationship) }
        consent.withdrawal?.note = nil
        return consent
    }
}
