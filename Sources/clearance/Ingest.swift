import ArgumentParser
import ClearanceApp
import Foundation

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register media files as assets (recursive, idempotent).",
        discussion: """
            Reads each file's metadata on every core and stores it with the people it mentions. \
            An asset is its bytes (SHA-256): ingesting the same file again, or a moved copy, adds \
            only the new path. Files in folders that are not media are skipped; unreadable media \
            are stored as unreadable so that checks say why they are blocked.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "Files or directories.", completion: .file())
    var paths: [String]

    func run() throws {
        let operations = AssetOperations(try database.open(forWriting: true))
        let onTerminal = isatty(STDERR_FILENO) == 1
        let summary = try operations.ingest(paths) { done, total in
            if onTerminal { FileHandle.standardError.write(Data("\ringesting \(done)/\(total)".utf8)) }
        }
        if onTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        print("\(summary.new) new, \(summary.known) already known, \(summary.unreadable) unreadable, \(summary.skipped) skipped (not media)")
    }
}
