import ArgumentParser
import ClearanceApp
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the ledger database and the instance signing key.",
        discussion: "The key is written beside the database as DB.key with mode 0600. Refuses to overwrite either file."
    )

    @OptionGroup var options: DatabaseOptions

    func run() throws {
        _ = try options.configuration()
        let ledger = try LedgerOperations.initialise(databasePath: options.databasePath)
        print("created \(ledger.path) and signing key \(ledger.keyPath)")
    }
}
