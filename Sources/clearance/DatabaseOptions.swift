import ArgumentParser
import ClearanceApp
import Foundation

/// `--db`, `--key` and `--config`, shared by every command that uses the ledger.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("db"),
            help: ArgumentHelp("The ledger: a SQLite file, or a PostgreSQL database as postgres://USER:PASSWORD@HOST:PORT/DATABASE (default $CLEARANCE_DB, else ./clearance.db).",
                               valueName: "path-or-url"))
    var database: String?

    @Option(name: .customLong("key"),
            help: ArgumentHelp("The instance signing key (default $CLEARANCE_KEY, else DB.key beside a SQLite file; required for PostgreSQL).",
                               valueName: "file"))
    var keyFile: String?

    @Option(name: .customLong("config"), help: "A JSON configuration file (channels, age of consent, expiry…).")
    var configurationPath: String?

    var databasePath: String {
        if let database { return database }
        if let fromEnvironment = ProcessInfo.processInfo.environment["CLEARANCE_DB"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "./clearance.db"
    }

    /// `--key`, else `$CLEARANCE_KEY`; nil means `DB.key` beside the database.
    var keyPath: String? {
        if let keyFile { return keyFile }
        if let fromEnvironment = ProcessInfo.processInfo.environment["CLEARANCE_KEY"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return nil
    }

    func configuration() throws -> ClearanceConfiguration {
        try ClearanceConfiguration.load(path: configurationPath)
    }

    /// Writing needs the instance key; reading uses it, when it is there, to confirm rows by MAC.
    func open(forWriting: Bool) throws -> LedgerOperations {
        try LedgerOperations.open(databasePath: databasePath, keyPath: keyPath, configuration: try configuration(),
                                  forWriting: forWriting)
    }
}

/// Writes a line to standard output at once, so a line that was printed was also committed.
func printFlushed(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
