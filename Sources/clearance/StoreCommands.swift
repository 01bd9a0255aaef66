import ArgumentParser
import ClearanceApp
import Foundation

/// The instance key is a secret: said by every command that makes a copy without it.
private func keyAdvice(_ written: StoreFiles.Written) -> [String] {
    [
        "The instance key (\(written.sourceKeyPath)) is NOT in this copy. It is the secret that signs the ledger:",
        "  keep a copy of it apart from the backups (a password manager or secrets store, or printed and",
        "  locked away), never beside them. Without it a restored ledger can be read and verified by",
        "  signature, but not written to; anyone who has it can sign events as this organisation.",
    ]
}

private func summary(_ written: StoreFiles.Written) -> [String] {
    var lines = ["  verified: \(written.events) events, \(written.people) people, \(written.consents) consents, \(written.assets) assets",
                 "  last hash: \(written.lastHash ?? "none (empty ledger)")"]
    lines += written.unchecked.map { "  not checked: \($0)" }
    lines.append(written.accountsPath.map { "  accounts: \($0)" } ?? "  accounts: none (no accounts file beside the ledger)")
    return lines
}

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a consistent copy of the ledger and its accounts while servers keep running.",
        discussion: """
            Uses SQLite's online backup: the copy is the ledger as of one moment, taken without \
            stopping `clearance serve` or anyone writing. It is verified before it is given its name; \
            the accounts file (DB.users) goes to FILE.users. Refuses to overwrite either. The backup \
            is itself a ledger file: `clearance verify --db FILE` checks it.

            Not in the backup: the instance key (DB.key), a secret to be kept apart, and the uploaded \
            files (DB.uploads), which your ordinary file backups should cover.
            """
    )

    @OptionGroup var options: DatabaseOptions
    @Option(help: ArgumentHelp("The backup file to create.", valueName: "file")) var to: String

    func run() throws {
        let written = try StoreFiles.backup(databasePath: options.databasePath, keyPath: options.keyPath, to: to)
        print("backed up \(options.databasePath) to \(written.path)")
        for line in summary(written) { print(line) }
        for line in keyAdvice(written) { print(line) }
        let folders = [UploadStore.defaultDirectory(forDatabase: options.databasePath)]
            + UploadStore.recordedDirectories(forDatabase: options.databasePath)
        print("Uploaded files (\(folders.joined(separator: ", "))) are not in the backup: include \(folders.count == 1 ? "that folder" : "those folders") in your file backups.")
    }
}

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup made by `clearance backup` as a new ledger.",
        discussion: """
            Verifies the backup first, then writes it to --db (and FILE.users to DB.users). Refuses \
            to overwrite an existing database, accounts file or key file. With --key, the instance key \
            kept apart from the backup is checked against the ledger and written as DB.key (mode 0600); \
            without it, put the key there yourself before writing to the restored ledger.
            """
    )

    @OptionGroup var options: DatabaseOptions
    @Argument(help: ArgumentHelp("The backup file.", valueName: "file")) var backup: String

    func run() throws {
        // Only a key named on this command line is copied: $CLEARANCE_KEY names where a
        // running ledger's key lives, not a file to write beside a restored one.
        let written = try StoreFiles.restore(backup, to: options.databasePath, keyFile: options.keyFile)
        print("restored \(backup) to \(written.path)")
        for line in summary(written) { print(line) }
        if let keyPath = written.keyPath {
            print("  instance key: \(keyPath)")
        } else {
            print("The instance key is not restored: copy the key you kept to \(written.sourceKeyPath) (mode 0600) before")
            print("  recording anything; until then the ledger can be read and verified by signature only.")
        }
    }
}

struct Copy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the ledger and its accounts into a new, empty database, checking every event.",
        discussion: """
            Every event is checked as it is copied (sequence, link, hash, signature, and MAC when the \
            key file is readable) and the copy stops at the first that fails; every other table is \
            copied row for row, byte for byte; the new file is verified and must end on the same last \
            hash (`clearance verify` on both prints it). PATH must not exist; the accounts go to \
            PATH.users. The instance key is not copied.

            --to postgres://USER:PASSWORD@HOST:PORT/DATABASE copies a SQLite ledger and its accounts into \
            an empty PostgreSQL database instead, all in one transaction (nothing is left there if it \
            fails); every server then uses the same key file with --key. From a PostgreSQL ledger \
            (--db postgres://…) the copy is a SQLite file with its accounts beside it, as an evidence copy.
            """
    )

    @OptionGroup var options: DatabaseOptions
    @Option(help: ArgumentHelp("The new database: a SQLite file path, or an empty PostgreSQL database as postgres://….",
                               valueName: "path-or-url")) var to: String

    func run() throws {
        let terminal = isatty(STDERR_FILENO) != 0
        let written = try StoreFiles.copy(databasePath: options.databasePath, keyPath: options.keyPath, to: to) { done, total in
            if terminal { FileHandle.standardError.write(Data("\rchecked and copied \(done) of \(total) events".utf8)) }
        }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        print("copied \(options.databasePath) to \(written.path)")
        for line in summary(written) { print(line) }
        for line in keyAdvice(written) { print(line) }
    }
}
