import ClearanceCore
import Foundation
import Ledger

extension LedgerJSON {
    /// The same shapes as `person list --json` / `person show --json`, without what only a DPO
    /// may see: contact details, date of birth, and the names of guardians and witnesses.
    /// The keys are left out rather than set to null, so a client cannot mistake "hidden" for "unknown".
    public static func peopleWithoutPersonalDetails(_ people: [PersonEntry],
                                                    consents: [PersonID: [ConsentRecord]]? = nil) throws -> String {
        try encode(people.map { person in
            var view = view(person, consents: consents?[person.id] ?? (consents == nil ? nil : []))
            view.born = nil
            view.email = nil
            view.phone = nil
            view.consents = view.consents?.map { consent in
                var consent = consent
                consent.witness = nil
                consent.guardian = consent.guardian.map { .init(name: nil, relationship: $0.relationship) }
                return consent
            }
            return view
        })
    }

    /// One consent without guardian and witness names.
    public static func consentWithoutPersonalDetails(_ consent: ConsentRecord) throws -> String {
        var view = view(consent)
        view.witness = nil
        view.guardian = view.guardian.map { .init(name: nil, relationship: $0.relationship) }
        return try encode(view)
    }
}
