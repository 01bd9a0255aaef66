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

            Clearance's own copies of uploaded pictures are dealt with too, in DB.uploads, in every \
            folder a server was started with (`serve --uploads`, listed in DB.upload-folders) and in \
            --uploads (required with a PostgreSQL --db: the servers' shared folder): \
            one that shows only the person is overwritten and deleted; one that shows others too is \
            replaced by a fresh JPEG with the person's regions blacked out and no metadata, or deleted \
            when that cannot be done safely (no marked region, a video, a file that cannot be decoded). \
            Files ingested from elsewhere are listed, never touched: the organisation must deal with them.
            """
    )

    @OptionGroup var options: DatabaseOptions
    @Option(help: ArgumentHelp("A further folder of uploads to reach (DB.uploads and the folders servers used are always reached); required with a PostgreSQL --db.", valueName: "dir"))
    var uploads: String?
    @Flag(help: "Print what was done as JSON.") var json = false
    @Argument(help: "Person id, or a name matching exactly one person.") var person: String

    func run() throws {
        // A PostgreSQL ledger has no file beside it listing the servers' upload folders: without
        // the folder named, their copies of the person's pictures would be left as they are.
        if uploads == nil && LedgerOperations.isPostgreSQL(options.databasePath) {
            throw InputError("on a PostgreSQL ledger, give --uploads DIR: the folder the servers keep uploads in (serve --uploads), so that erasure reaches their copies")
        }
        if let uploads {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: uploads, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw InputError("--uploads \(uploads) is not a folder")
            }
        }
        var operations = try options.open(forWriting: true)
        if let uploads { operations.uploadDirectory = uploads }
        let result = try operations.erase(person)
        if json {
            print(try ErasureOutput.json(result))
        } else {
            for line in ErasureOutput.lines(result) { print(line) }
        }
        if !result.uploadFailures.isEmpty { throw ExitCode(1) }
    }
}
