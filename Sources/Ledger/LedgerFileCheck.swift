import Foundation
import GRDB

/// What is checked before a ledger file is opened for real: opening runs migrations and switches
/// the file to WAL, which would write into whatever file `--db` named. So a folder, an unreadable
/// file, a file that is not SQLite, or someone else's SQLite database is refused first, untouched.
enum LedgerFileCheck {
    /// The first 16 bytes of every SQLite 3 database file.
    static let sqliteHeader = Array("SQLite format 3\0".utf8)

    static func existing(_ path: String) throws(LedgerError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .missingDatabase(path)
        }
        guard !isDirectory.boolValue else {
            throw .invalid("\(path) is a folder; --db takes a ledger file (made by `clearance init`)")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .invalid("cannot read the ledger \(path) (check its permissions)")
        }
        let header = (try? handle.read(upToCount: sqliteHeader.count)) ?? nil
        try? handle.close()
        guard let header, Array(header) == sqliteHeader else {
            throw .invalid("\(path) is not a Clearance ledger (not a SQLite database)")
        }
        // A read-only look for the instance table. When SQLite cannot open the file read-only
        // here (a WAL file whose -shm cannot be made, say), the real open decides instead.
        var configuration = Configuration()
        configuration.readonly = true
        guard let probe = try? DatabaseQueue(path: path, configuration: configuration) else { return }
        let isLedger = try? probe.read { db in try db.tableExists("instance") }
        try? probe.close()
        if isLedger == false {
            throw .invalid("\(path) is a SQLite database but not a Clearance ledger")
        }
    }
}
