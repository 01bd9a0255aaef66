import ClearanceCore
import Foundation
import Ledger

/// What `person add` was given, unchecked.
public struct PersonRequest: Sendable {
    public var name: String
    public var aliases: [String]
    public var born: String?
    public var email: String?
    public var phone: String?
    public var roles: PersonRoles

    public init(name: String, aliases: [String] = [], born: String? = nil, email: String? = nil,
                phone: String? = nil, roles: PersonRoles = PersonRoles()) {
        self.name = name
        self.aliases = aliases
        self.born = born
        self.email = email
        self.phone = phone
        self.roles = roles
    }
}

extension LedgerOperations {
    /// `person add`: checks everything, then writes one event.
    public func addPerson(_ request: PersonRequest) throws -> PersonID {
        let data = try checked(request)
        return try Self.translatingLedgerErrors {
            try ledger.write { tx in try tx.addPerson(data, roles: request.roles) }
        }
    }

    func checked(_ request: PersonRequest) throws(InputError) -> PersonalData {
        let name = try InputCheck.required(request.name, field: "name")
        guard NameKey(name) != nil else { throw InputError("name is empty") }
        var aliases: [String] = []
        for alias in request.aliases {
            if let alias = try InputCheck.text(alias, field: "alias"), !aliases.contains(alias), alias != name {
                aliases.append(alias)
            }
        }
        guard aliases.count <= 50 else { throw InputError("at most 50 aliases") }
        var born: CalendarDate?
        if let text = request.born {
            let date = try InputCheck.date(text, field: "date of birth")
            guard date <= InputCheck.today else { throw InputError("date of birth \(date) is in the future") }
            born = date
        }
        let email = try InputCheck.text(request.email, field: "email")
        if let email, !(email.contains("@") && !email.hasPrefix("@") && !email.hasSuffix("@") && !email.contains(" ")) {
            throw InputError("email \"\(email)\" is not an address")
        }
        let phone = try InputCheck.text(request.phone, field: "phone")
        if let phone, !phone.allSatisfy({ $0.isNumber || " +-()".contains($0) }) || !phone.contains(where: \.isNumber) {
            throw InputError("phone \"\(phone)\" is not a phone number")
        }
        return PersonalData(name: name, aliases: aliases, dateOfBirth: born, email: email, phone: phone)
    }

    /// An id (`P-XXXX-XXXX`) or a name or alias that matches exactly one person.
    public func resolvePerson(_ text: String) throws -> PersonEntry {
        let matches = try findPeople(text)
        guard let first = matches.first else { throw InputError("unknown person: \(text)") }
        guard matches.count == 1 else {
            throw InputError("\(text) matches \(matches.count) people (\(matches.map(\.id.description).joined(separator: ", "))); give an id")
        }
        return first
    }

    /// An id, or everyone with that name or alias (case and accents ignored).
    public func findPeople(_ text: String) throws -> [PersonEntry] {
        if let id = PersonID(parsing: text) {
            if let entry = try ledger.person(id) { return [entry] }
        }
        return try ledger.people(named: text)
    }

    public func allPeople() throws -> [PersonEntry] {
        try ledger.allPeople()
    }
}
