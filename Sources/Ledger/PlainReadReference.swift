import Foundation
import GRDB

/// The reference for the gate benchmark: plain indexed reads of the rows a check of one asset
/// relies on (the asset, its mentions, the name index entries of the names they give, those
/// people and their consents), with no replay, decryption or MAC, in one read transaction per
/// asset like a check. What the machine and SQLite cost, against which the check's own work shows.
public enum PlainReadReference {
    /// Milliseconds per asset, in the order given.
    public static func latencies(of hashes: [String], in ledger: Ledger) throws -> [Double] {
        // Straight on the file through GRDB, beneath the ledger's own reads.
        try ledger.sqliteFile(for: "the plain-read reference").read { db in
            try hashes.map { sha256 in
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM assets WHERE sha256 = ?"), arguments: [sha256])
                let mentions = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM mentions WHERE sha256 = ? ORDER BY ordinal"),
                                                arguments: [sha256])
                for mention in mentions {
                    guard let digest = mention["name_digest"] as Data? else { continue }
                    let listed = try String.fetchOne(db.cachedStatement(sql: "SELECT people FROM name_index WHERE digest = ?"),
                                                     arguments: [digest]) ?? "[]"
                    for id in Ledger.stringList(listed) ?? [] {
                        _ = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM people WHERE id = ?"), arguments: [id])
                        _ = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM consents WHERE person_id = ?"), arguments: [id])
                    }
                }
                return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            }
        }
    }

    /// The reference for `verify`: every events row read in sequence order, each column as
    /// stored, with nothing checked. Returns the number of rows.
    public static func readAllEvents(in ledger: Ledger) throws -> Int {
        try ledger.sqliteFile(for: "the plain-read reference").read { db in
            var count = 0
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM events ORDER BY seq")
            while let row = try rows.next() {
                _ = row["payload"] as Data?
                count += 1
            }
            return count
        }
    }
}
