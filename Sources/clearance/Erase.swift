import ArgumentParser
import ClearanceApp
import Foundation

struct Erase: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Erase a person (UK GDPR Art. 17): their personal data becomes unrecoverable.",
        discussion: """
            The ledger keeps that the person and their consents existed, what was agreed, and when \
            they were erased; names, contact details, date of birth, signature images, guardian names \
            and notes are destroyed with the person's key. `verify` still passes.
            """
    )

    @OptionGroup var options: DatabaseOptions
    @Argument(help: "Person id, or a name matching exactly one person.") var person: String

    func run() throws {
        let result = try options.open(forWriting: true).erase(person)
        let consents = result.consents.isEmpty ? "no consents" : result.consents.map(\.description).joined(separator: ", ")
        print("erased \(result.person) at \(result.at) (\(consents) kept as erased)")
        for line in TakedownOutput.lines(result.impact) { print(line) }
    }
}
