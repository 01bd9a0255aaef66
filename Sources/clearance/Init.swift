import ArgumentParser
import ClearanceApp
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the ledger database and the instance signing key.",
        discussion: """
            The key is written with mode 0600 to --key (or $CLEARANCE_KEY), else beside the database as DB.key. \
            Refuses to overwrite either file.

            With --db postgres://USER:PASSWORD@HOST:PORT/DATABASE the ledger (and its accounts) is made in that \
            database, which must be empty of Clearance tables, in one transaction; --key is then required. \
            Each person's key is then a file in KEY.person-keys beside it, never a row, so that erasure can \
            destroy it (PostgreSQL keeps deleted rows in its WAL and dumps). Every server reads the key and that \
            folder: keep both on storage they all mount.
            """
    )

    @OptionGroup var options: DatabaseOptions

    func run() throws {
        _ = try options.configuration()
        let ledger = try LedgerOperations.initialise(databasePath: options.databasePath, keyPath: options.keyPath)
        print("created \(ledger.path) and signing key \(ledger.keyPath)")
        if let folder = ledger.personKeysFolder {
            print("person keys go in \(folder): keep it beside the key, on storage every server mounts, and back it up with the key")
        }
    }
}
