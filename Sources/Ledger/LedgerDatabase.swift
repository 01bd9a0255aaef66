import ClearanceCore
import Foundation
import GRDB
import LedgerSchema

/// Opening the SQLite file: WAL, foreign keys, full sync (an acknowledged commit survives a
/// crash or power cut), and secure_delete so deleted keys are overwritten with zeros.
enum LedgerDatabase {
    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // Set here rather than with GRDB's `.wal` option, which lowers synchronous to NORMAL
            // and writes to the file on every open.
            guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else {
                throw LedgerError.io("cannot switch \(db.description) to WAL mode")
            }
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        return configuration
    }

    /// One connection, or with `concurrentReads` a pool (one writer, readers in parallel under
    /// WAL) so that checks answered by a server run on every core instead of queueing.
    static func open(path: String, concurrentReads: Bool = false) throws -> any DatabaseWriter {
        let queue: any DatabaseWriter = concurrentReads
            ? try DatabasePool(path: path, configuration: configuration())
            : try DatabaseQueue(path: path, configuration: configuration())
        let migrator = migrator()
        // Migrating an up-to-date file would still touch its header; a read-only command must not.
        if try !queue.read(migrator.hasCompletedMigrations) {
            try migrator.migrate(queue)
        }
        return queue
    }

    /// Applies `Migrations/*.sql` in order; the SQL is embedded in the binary.
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in LedgerSchema.migrations {
            migrator.registerMigration(migration.identifier) { db in
                try db.execute(sql: migration.sql)
            }
        }
        return migrator
    }

    /// Empties the WAL into the main file and truncates it to zero bytes, so old page images
    /// (for example of an erased key) do not linger in `-wal`.
    static func checkpoint(_ queue: any DatabaseWriter) throws {
        try queue.writeWithoutTransaction { db in
            _ = try db.checkpoint(.truncate)
        }
    }
}

/// What a mention row holds beyond its binding: the clear name and identifiers, their digest
/// for erasure, and the commitment's salt. Written beside the `asset.ingested` event.
struct MentionDetail: Sendable {
    var label: String?
    var identifiers: String
    var salt: Data
    var nameDigest: Data?
}

/// Derived rows read and written inside a write transaction.
struct DatabaseStore: DerivedStore {
    let db: Database
    /// The clear parts of the mentions of the asset being ingested, by ordinal.
    var mentionDetails: [MentionDetail] = []
    /// To read a publication from its signed event when its row is missing.
    var publicKey: Data?
    /// The event being applied, already in `events`.
    var appending: Int64 = .max

    func personRow(_ id: PersonID) throws -> PersonRow? {
        try PersonRow.find(db, id: id.description)
    }
    func consentRow(_ reference: ConsentReference) throws -> ConsentRow? {
        try ConsentRow.find(db, reference: reference.description)
    }
    func consentRows(of person: PersonID) throws -> [ConsentRow] {
        try ConsentRow.fetchAll(db, sql: "SELECT * FROM consents WHERE person_id = ? ORDER BY recorded_seq",
                                arguments: [person.description])
    }
    func insert(_ row: PersonRow) throws { try row.insert(db) }
    func update(_ row: PersonRow) throws { try row.update(db) }
    func insert(_ row: ConsentRow) throws { try row.insert(db) }
    func update(_ row: ConsentRow) throws { try row.update(db) }

    func instanceIsBound() throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM events WHERE kind IN ('ledger.created', 'ledger.upgraded') AND seq < ? LIMIT 1",
                          arguments: [appending]) ?? false
    }
    func bindInstance(_ binding: LedgerEvent.InstanceBinding, seq: Int64) {}
    func personStanding(_ id: PersonID) throws -> (registered: Bool, erased: Bool)? {
        guard let row = try personRow(id) else { return (false, false) }
        return (true, row.erasedAt != nil)
    }
    func assetRow(_ sha256: String) throws -> AssetRow? {
        try AssetRow.fetchOne(db.cachedStatement(sql: "SELECT * FROM assets WHERE sha256 = ?"), arguments: [sha256])
    }
    func insert(_ row: AssetRow, mentions: [MentionBinding]) throws {
        guard mentionDetails.count == mentions.count else {
            throw LedgerError.io("ingest of \(row.sha256) lost the names of its mentions")
        }
        try row.insert(db)
        for (binding, detail) in zip(mentions, mentionDetails) {
            try MentionRow(sha256: row.sha256, ordinal: binding.ordinal, source: binding.source, label: detail.label,
                           nameDigest: detail.nameDigest, identifiers: detail.identifiers, region: binding.region,
                           salt: detail.salt).insert(db)
        }
    }
    func rememberedMentions(of sha256: String) throws -> Set<Int> {
        Set(try Int.fetchAll(db, sql: "SELECT ordinal FROM mentions WHERE sha256 = ? AND salt IS NOT NULL", arguments: [sha256]))
    }
    func forgetMentions(_ ordinals: [Int], of sha256: String) throws {
        for ordinal in ordinals {
            try db.execute(sql: """
                UPDATE mentions SET label = NULL, name_digest = NULL, identifiers = ?, salt = NULL
                WHERE sha256 = ? AND ordinal = ?
                """, arguments: [MentionRow.forgottenIdentifiers, sha256, ordinal])
        }
    }
    func insert(_ row: ReviewRow) throws { try row.insert(db) }
    /// The row, or when it is missing (deleted behind Clearance's back) what the signed
    /// `asset.published` event says: a withdrawal still opens a takedown for it.
    func publicationRow(_ id: Int64) throws -> PublicationRow? {
        if let row = try PublicationRow.fetchOne(db, key: id) { return row }
        guard let publicKey else { return nil }
        return try Ledger.publicationFromEvent(id, db: db, publicKey: publicKey)
    }
    func insert(_ row: PublicationRow) throws { try row.insert(db) }
    func takedownRow(_ id: Int64) throws -> TakedownRow? { try TakedownRow.fetchOne(db, key: id) }
    func takedownExists(publication: Int64, person: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM takedowns WHERE publication_id = ? AND person_id = ?",
                          arguments: [publication, person]) ?? false
    }
    func insert(_ row: TakedownRow) throws { try row.insert(db) }
    func update(_ row: TakedownRow) throws { try row.update(db) }
    func faceDetectionRow(_ id: Int64) throws -> FaceDetectionRow? { try FaceDetectionRow.fetchOne(db, key: id) }
    func insert(_ row: FaceDetectionRow) throws { try row.insert(db) }
    func insert(_ row: FaceDecisionRow) throws { try row.insert(db) }
}
