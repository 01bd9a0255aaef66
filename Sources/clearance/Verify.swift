import ArgumentParser
import ClearanceApp
import Foundation

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay the ledger: hashes, links, signatures and derived tables. Exit 0 intact, 1 tampered."
    )

    @OptionGroup var options: DatabaseOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let report = try options.open(forWriting: false).verify()
        print(json ? try LedgerJSON.verification(report) : LedgerText.verification(report))
        if !report.isIntact { throw ExitCode(1) }
    }
}
