import ClearanceCore
import Foundation
import GRDB

/// Where a ledger lives, as `--db` or `--to` give it: a SQLite file path, or a PostgreSQL URL.
public enum StoreAddress: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    public init(parsing text: String) throws(LedgerError) {
        let lower = text.lowercased()
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            self = .postgres(url: text)
            return
        }
        if let scheme = lower.range(of: "://"), lower[..<scheme.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || "+.-".contains($0) }),
           !lower[..<scheme.lowerBound].isEmpty {
            // Only the scheme is repeated: the rest of a URL may hold a password.
            throw .invalid("\(lower[..<scheme.lowerBound])://… is not a database Clearance can use: give a SQLite file path")
        }
        guard !text.isEmpty else { throw .invalid("the database path is empty") }
        self = .sqlite(path: text)
    }

    /// Said when a PostgreSQL address is given where only a SQLite file will do.
    public static func postgresRefused(for what: String) -> String {
        "\(what) makes or reads SQLite files only; give a file path (for PostgreSQL, pg_dump and pg_restore do this)"
    }

    /// The SQLite path, or the refusal for anything else.
    public func sqlitePath(for what: String) throws(LedgerError) -> String {
        switch self {
        case .sqlite(let path): return path
        case .postgres: throw .invalid(Self.postgresRefused(for: what))
        }
    }
}

/// What `backup`, `restore` and `copy` made.
public struct StoreCopyReport: Sendable {
    /// The ledger file written.
    public var path: String
    /// The accounts file written beside it (`PATH.users`), when the source had one.
    public var accountsPath: String?
    /// `verify` over the file written.
    public var verification: LedgerVerification
    /// The instance key file written beside it (`restore --key` only).
    public var keyPath: String?
}

/// A file built under a hidden name in its destination's folder and linked to its name only
/// when complete: the name never shows a half-written file, and an existing file is never
/// replaced (link(2) fails rather than overwrite).
struct StagedFile {
    let target: String
    let staging: String

    init(target: String) throws(LedgerError) {
        let url = URL(fileURLWithPath: target)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .invalid("the folder \(folder) does not exist")
        }
        guard access(folder, W_OK) == 0 else { throw .invalid("cannot write in \(folder)") }
        self.target = target
        staging = (folder as NSString).appendingPathComponent(".\(url.lastPathComponent).clearance-\(UUID().uuidString)")
    }

    /// Nothing at `path` (a database's WAL or shared-memory file counts as something).
    static func refuseExisting(_ path: String) throws(LedgerError) {
        for existing in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: existing) {
            throw .alreadyExists(existing)
        }
    }

    func publish() throws(LedgerError) {
        chmod(staging, 0o600)
        guard link(staging, target) == 0 else {
            let reason = errno == EEXIST ? LedgerError.alreadyExists(target)
                : .io("cannot create \(target): \(String(cString: strerror(errno)))")
            discard()
            throw reason
        }
        discard()
    }

    func discard() {
        for leftover in [staging, staging + "-wal", staging + "-shm", staging + "-journal"] { unlink(leftover) }
    }
}

extension Ledger {
    /// `backup --to FILE`: a consistent copy made while servers keep writing (SQLite's online
    /// backup API, all pages in one step inside one read transaction, so the copy is one moment of
    /// the ledger; under WAL writers are not held up), then verified before it is given its name.
    /// The accounts file goes to `FILE.users`. Refuses to overwrite either. The instance key is
    /// never copied.
    public func backup(to target: String, accountsFrom accounts: String?) throws -> StoreCopyReport {
        let accountsTarget = accounts == nil ? nil : UserStore.defaultPath(forDatabase: target)
        try StagedFile.refuseExisting(target)
        if let accountsTarget { try StagedFile.refuseExisting(accountsTarget) }
        let ledgerFile = try StagedFile(target: target)
        let accountsFile = try accountsTarget.map { try StagedFile(target: $0) }
        defer { ledgerFile.discard(); accountsFile?.discard() }

        try SQLiteFiles.backup(sqliteFile(for: "backup", otherwise: "back it up with pg_dump, see the README"), to: ledgerFile.staging)
        let verification = try Self.verifyCopy(at: ledgerFile.staging, keyPath: keyPath)
        if let accounts, let accountsFile {
            try UserStore.backup(from: accounts, to: accountsFile.staging)
        }
        try ledgerFile.publish()
        do { try accountsFile?.publish() } catch {
            unlink(target)
            throw error
        }
        return StoreCopyReport(path: target, accountsPath: accountsTarget, verification: verification)
    }

    /// `restore FILE --db DB`: verifies the backup, then copies it (and `FILE.users`) into place.
    /// Refuses an existing database, accounts file or key file. With `keyFile`, the key must be
    /// this ledger's, and is written beside the database as `DB.key` (0600).
    public static func restore(from backup: String, to target: String, keyFile: String?) throws -> StoreCopyReport {
        guard FileManager.default.fileExists(atPath: backup) else { throw LedgerError.invalid("no backup at \(backup)") }
        guard FileManager.default.isReadableFile(atPath: backup) else { throw LedgerError.invalid("cannot read \(backup)") }
        let accounts = UserStore.defaultPath(forDatabase: backup)
        let hasAccounts = FileManager.default.fileExists(atPath: accounts)
        let accountsTarget = UserStore.defaultPath(forDatabase: target)
        let keyTarget = InstanceKey.defaultPath(forDatabase: target)
        try StagedFile.refuseExisting(target)
        if hasAccounts { try StagedFile.refuseExisting(accountsTarget) }
        var key: InstanceKey?
        if let keyFile {
            guard !FileManager.default.fileExists(atPath: keyTarget) else { throw LedgerError.alreadyExists(keyTarget) }
            key = try InstanceKey.read(from: keyFile)
        }

        // The backup must be a ledger that verifies (with the key, its MACs too) before anything is written.
        let source = try SQLiteFiles.openExisting(backup, what: "a Clearance backup")
        let publicKey = try source.read { db in
            try Data.fetchOne(db, sql: "SELECT public_key FROM instance WHERE id = 1")
        }
        guard let publicKey else { throw LedgerError.invalid("\(backup) is not a Clearance backup (it has no instance record)") }
        if let key, key.publicKey != publicKey { throw LedgerError.keyMismatch(keyFile ?? "") }

        let ledgerFile = try StagedFile(target: target)
        let accountsFile = hasAccounts ? try StagedFile(target: accountsTarget) : nil
        let keyStaged = key == nil ? nil : try StagedFile(target: keyTarget)
        defer { ledgerFile.discard(); accountsFile?.discard(); keyStaged?.discard() }
        try SQLiteFiles.backup(source, to: ledgerFile.staging)
        try source.close()
        if let key, let keyStaged { try key.write(to: keyStaged.staging) }
        let verification = try verifyCopy(at: ledgerFile.staging, keyPath: keyStaged?.staging ?? keyTarget)
        if let accountsFile { try UserStore.backup(from: accounts, to: accountsFile.staging) }

        try ledgerFile.publish()
        do {
            try accountsFile?.publish()
            try keyStaged?.publish()
        } catch {
            for written in [target, accountsTarget] { unlink(written) }
            throw error
        }
        return StoreCopyReport(path: target, accountsPath: hasAccounts ? accountsTarget : nil, verification: verification,
                               keyPath: key == nil ? nil : keyTarget)
    }

    /// `verify` over a file just written; a copy that does not verify is an error, not a result.
    static func verifyCopy(at path: String, keyPath: String) throws -> LedgerVerification {
        let report = try Ledger.open(at: path, keyPath: keyPath, forWriting: false).verify()
        guard report.isIntact else {
            throw LedgerError.corrupt("the copy does not verify, so it was not kept: \(report.problem?.description ?? "")")
        }
        return report
    }
}

/// SQLite's online backup between files.
enum SQLiteFiles {
    /// Opens a file that must already be an SQLite database, without creating or migrating it.
    /// Not read-only: a read-only connection to a WAL file leaves its `-wal` and `-shm` behind.
    static func openExisting(_ path: String, what: String) throws -> DatabaseQueue {
        guard FileManager.default.fileExists(atPath: path) else { throw LedgerError.invalid("no file at \(path)") }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            _ = try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
            return queue
        } catch {
            throw LedgerError.invalid("\(path) is not \(what): \(error.localizedDescription)")
        }
    }

    /// Every page of `source` into a new file at `path`, as of one moment, folded out of WAL.
    static func backup(_ source: some DatabaseReader, to path: String) throws {
        let destination = try DatabaseQueue(path: path)
        do {
            try source.backup(to: destination)
            // The copy keeps the source's WAL mode; fold everything into the main file.
            try destination.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            try destination.close()
        } catch {
            try? destination.close()
            throw LedgerError.io("cannot copy the database: \(error)")
        }
    }
}

extension UserStore {
    /// A consistent copy of the accounts file at `source` into a new file at `path`.
    static func backup(from source: String, to path: String) throws {
        let store = try SQLiteFiles.openExisting(source, what: "a Clearance accounts file")
        defer { try? store.close() }
        try SQLiteFiles.backup(store, to: path)
    }
}
