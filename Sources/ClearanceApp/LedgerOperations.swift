import ClearanceCore
import Foundation
import Ledger

/// The ledger operations users perform (people, consents, verify, erase), with input checked
/// before anything is written. Each operation that writes does so in one transaction.
public struct LedgerOperations: Sendable {
    /// Internal: the web tier and the command line reach the ledger only through these operations.
    let ledger: Ledger
    public let configuration: ClearanceConfiguration
    /// Clearance's own copies of uploaded files (`DB.uploads` unless the server is told
    /// otherwise): erasure reaches them too.
    /// Nil for a PostgreSQL ledger until one is given (`serve --uploads`, `erase --uploads`):
    /// there is no file to put it beside.
    public var uploadDirectory: String?

    public init(ledger: Ledger, configuration: ClearanceConfiguration, uploadDirectory: String? = nil) {
        self.ledger = ledger
        self.configuration = configuration
        self.uploadDirectory = uploadDirectory
            ?? (ledger.isInPostgreSQL ? nil : UploadStore.defaultDirectory(forDatabase: ledger.path))
    }

    /// `clearance init`: a new database and instance key (at `keyPath`, else `DB.key`); refuses
    /// to overwrite either.
    public static func initialise(databasePath: String, keyPath: String? = nil) throws -> Ledger {
        try translatingLedgerErrors {
            switch try StoreAddress(parsing: databasePath) {
            case .sqlite(let path):
                return try Ledger.create(at: path, keyPath: keyPath)
            case .postgres(let url):
                return try Ledger.create(in: PostgresAddress(parsing: url), keyPath: postgresKeyPath(keyPath))
            }
        }
    }

    /// Opens the ledger; `forWriting` also loads the signing key, from `keyPath` (else `DB.key`).
    public static func open(databasePath: String, keyPath: String? = nil, configuration: ClearanceConfiguration,
                            forWriting: Bool, concurrentReads: Bool = false) throws -> LedgerOperations {
        let ledger = try translatingLedgerErrors {
            switch try StoreAddress(parsing: databasePath) {
            case .sqlite(let path):
                return try Ledger.open(at: path, keyPath: keyPath, forWriting: forWriting, concurrentReads: concurrentReads)
            case .postgres(let url):
                return try Ledger.open(in: PostgresAddress(parsing: url), keyPath: postgresKeyPath(keyPath), forWriting: forWriting)
            }
        }
        return LedgerOperations(ledger: ledger, configuration: configuration)
    }

    /// Whether `--db` names a PostgreSQL database rather than a SQLite file.
    public static func isPostgreSQL(_ databasePath: String) -> Bool {
        PostgresAddress.isPostgresAddress(databasePath)
    }

    /// A PostgreSQL ledger's key has no database file to sit beside: it must be named.
    static func postgresKeyPath(_ keyPath: String?) throws -> String {
        guard let keyPath else {
            throw LedgerError.invalid("a PostgreSQL ledger's instance key is a file every server reads, with its person keys folder beside it: give it with --key FILE or CLEARANCE_KEY")
        }
        return keyPath
    }

    /// Lists `uploadDirectory` beside the ledger (unless it is the default), so that a later
    /// `erase` from the command line finds it without being told. A PostgreSQL ledger has no
    /// file to list it beside: `erase --uploads` names it there.
    public func recordUploadDirectory() throws {
        guard let uploadDirectory, !ledger.isInPostgreSQL else { return }
        try UploadStore.record(uploadDirectory, forDatabase: ledger.path)
    }

    /// Every folder of uploads erasure must reach: this one, the default `DB.uploads`, and each
    /// one a server was started with (`serve --uploads`), as recorded beside the ledger.
    public var uploadDirectories: [String] {
        var seen = Set<String>()
        let beside = ledger.isInPostgreSQL ? []
            : [UploadStore.defaultDirectory(forDatabase: ledger.path)] + UploadStore.recordedDirectories(forDatabase: ledger.path)
        return ([uploadDirectory].compactMap { $0 } + beside)
            .map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            .filter { seen.insert($0).inserted }
    }

    /// `clearance verify`.
    public func verify() throws -> LedgerVerification {
        try Self.translatingLedgerErrors { try ledger.verify() }
    }

    /// Ledger refusals caused by the caller become `InputError` (exit 2); a damaged store or a
    /// failing disk stays as it is (exit 1).
    static func translatingLedgerErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as LedgerError where error.isInputError {
            throw InputError(error.description)
        } catch let error as DatabaseUnavailable {
            // An address nothing answers at, a refused login, a database that is not there:
            // one line and exit 2, like any other `--db` that cannot be used.
            throw InputError(error.description)
        }
    }
}

/// Checks shared by the operations.
enum InputCheck {
    static let maximumTextLength = 1000

    /// Trimmed; nil when empty. Refuses control characters and overlong text, counted in
    /// Unicode scalars: one `Character` may carry any number of combining marks.
    static func text(_ value: String?, field: String) throws(InputError) -> String? {
        guard let value else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return nil }
        guard trimmed.unicodeScalars.count <= maximumTextLength else {
            throw InputError("\(field) is longer than \(maximumTextLength) characters")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw InputError("\(field) contains control characters")
        }
        return trimmed
    }

    static func required(_ value: String?, field: String) throws(InputError) -> String {
        guard let text = try text(value, field: field) else { throw InputError("\(field) is required") }
        return text
    }

    static func date(_ value: String, field: String) throws(InputError) -> CalendarDate {
        guard let date = CalendarDate(parsing: value.trimmingCharacters(in: .whitespaces)) else {
            throw InputError("\(field) must be a real date written YYYY-MM-DD, not \"\(value)\"")
        }
        return date
    }

    static var today: CalendarDate { Timestamp.now.utcDate }
}
