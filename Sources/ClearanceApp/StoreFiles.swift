import ClearanceCore
import Foundation
import Ledger

/// `backup`, `restore` and `copy`: whole ledgers (and their accounts) into new files.
public enum StoreFiles {
    /// What one of them wrote, for the terminal.
    public struct Written: Sendable {
        public var path: String
        public var accountsPath: String?
        public var keyPath: String?
        public var events: Int
        public var people: Int
        public var consents: Int
        public var assets: Int
        /// Hex; nil for a ledger without events.
        public var lastHash: String?
        /// What the verification of the new file could not check (without the key file, the MACs).
        public var unchecked: [String]
        /// Where the instance key of the source is (never copied by backup or copy).
        public var sourceKeyPath: String
    }

    /// `backup --to FILE`.
    public static func backup(databasePath: String, keyPath: String? = nil, to target: String) throws -> Written {
        let target = try sqliteTarget(target, refusal: "a backup is a SQLite file; for a PostgreSQL ledger use pg_dump")
        let ledger = try open(databasePath, keyPath: keyPath)
        let report = try LedgerOperations.translatingLedgerErrors {
            try ledger.backup(to: target, accountsFrom: accounts(of: databasePath))
        }
        return written(report, sourceKey: ledger.keyPath)
    }

    /// `restore FILE --db DB [--key KEYFILE]`.
    public static func restore(_ backup: String, to databasePath: String, keyFile: String?) throws -> Written {
        let target = try sqliteTarget(databasePath, refusal: StoreAddress.postgresRefused(for: "restore"))
        let report = try LedgerOperations.translatingLedgerErrors {
            try Ledger.restore(from: backup, to: target, keyFile: keyFile)
        }
        return written(report, sourceKey: keyFile ?? InstanceKey.defaultPath(forDatabase: target))
    }

    /// `copy --to PATH`.
    public static func copy(databasePath: String, keyPath: String? = nil, to target: String,
                            progress: ((_ events: Int, _ total: Int) -> Void)? = nil) throws -> Written {
        let address = try LedgerOperations.translatingLedgerErrors { try StoreAddress(parsing: target) }
        let ledger = try open(databasePath, keyPath: keyPath)
        let report = try LedgerOperations.translatingLedgerErrors {
            try ledger.copy(to: address, accountsFrom: accounts(of: databasePath), progress: progress)
        }
        return written(report, sourceKey: ledger.keyPath)
    }

    static func open(_ databasePath: String, keyPath: String?) throws -> Ledger {
        try LedgerOperations.open(databasePath: databasePath, keyPath: keyPath, configuration: .standard, forWriting: false).ledger
    }

    static func sqliteTarget(_ text: String, refusal: String) throws -> String {
        let address = try LedgerOperations.translatingLedgerErrors { try StoreAddress(parsing: text) }
        guard case .sqlite(let path) = address else { throw InputError(refusal) }
        return path
    }

    /// The accounts file beside the ledger, when there is one (a ledger used only from the
    /// command line has none).
    static func accounts(of databasePath: String) -> String? {
        let path = UserStore.defaultPath(forDatabase: databasePath)
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static func written(_ report: StoreCopyReport, sourceKey: String) -> Written {
        let v = report.verification
        return Written(path: report.path, accountsPath: report.accountsPath, keyPath: report.keyPath, events: v.events,
                       people: v.people, consents: v.consents, assets: v.assets, lastHash: v.lastHash.map { Hex.lowercase($0) },
                       unchecked: v.unchecked, sourceKeyPath: sourceKey)
    }
}
