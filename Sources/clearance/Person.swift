import ArgumentParser
import ClearanceApp
import ClearanceCore
import Foundation

struct PersonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "person",
        abstract: "Register people and look them up.",
        subcommands: [Add.self, List.self, Show.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a person; prints their id.")

        @OptionGroup var options: DatabaseOptions
        @Option(help: "Full name.") var name: String
        @Option(help: "Another name they are known by (repeatable).") var alias: [String] = []
        @Option(help: "Date of birth, YYYY-MM-DD.") var born: String?
        @Option(help: "Email address.") var email: String?
        @Option(help: "Phone number.") var phone: String?
        @Flag(help: "Uses council services: never publishable.") var serviceUser = false
        @Flag(help: "Councillor: pre-election rules apply.") var electedMember = false
        @Flag(help: "Member of staff.") var staff = false
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let operations = try options.open(forWriting: true)
            let request = PersonRequest(name: name, aliases: alias, born: born, email: email, phone: phone,
                                        roles: PersonRoles(serviceUser: serviceUser, electedMember: electedMember, staff: staff))
            let id = try operations.addPerson(request)
            if json {
                print(try LedgerJSON.people(try operations.findPeople(id.description)))
            } else {
                printFlushed(id.description)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List everyone registered (erased people show as erased).")

        @OptionGroup var options: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let people = try options.open(forWriting: false).allPeople()
            if json {
                print(try LedgerJSON.people(people))
            } else {
                for person in people { print(LedgerText.personLine(person)) }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a person and every version of their consents.",
            discussion: "PERSON is an id or a name or alias (any case, accents ignored); every match is shown."
        )

        @OptionGroup var options: DatabaseOptions
        @Argument(help: "An id (P-XXXX-XXXX) or a name or alias.") var person: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let operations = try options.open(forWriting: false)
            let people = try operations.findPeople(person)
            guard !people.isEmpty else { throw InputError("unknown person: \(person)") }
            var consents: [PersonID: [ConsentRecord]] = [:]
            for entry in people { consents[entry.id] = try operations.consents(of: entry.id) }
            if json {
                print(try LedgerJSON.people(people, consents: consents))
            } else {
                print(people.map { LedgerText.person($0, consents: consents[$0.id] ?? []) }.joined(separator: "\n\n"))
            }
        }
    }
}
