import ClearanceCore
import Foundation

/// Reading `events` rows exactly as stored: every text column as its bytes (SQLite hands TEXT
/// back only up to the first NUL, so `payload || x'00' || …` would otherwise read as the
/// original) and every column's storage type checked, so what is hashed is what is stored.
enum StoredEvents {
    /// A row that read cleanly, or the reason it did not.
    enum Read: Sendable {
        case event(StoredEvent)
        case malformed(seq: Int64?, String)

        var seq: Int64? {
            switch self {
            case .event(let event): event.seq
            case .malformed(let seq, _): seq
            }
        }
    }

    private static let columns = ["kind", "person_id", "consent_ref", "asset", "created_at", "payload",
                                  "prev_hash", "hash", "signature", "mac"]

    private static let selection = "SELECT seq, " + columns.map { "typeof(\($0)), CAST(\($0) AS BLOB)" }.joined(separator: ", ")
        + " FROM events "

    /// The same shape from PostgreSQL, whose columns hold only their declared type (and whose
    /// text cannot hide bytes after a NUL): each column's SQLite type name, or 'null', and its
    /// bytes as SQLite's CAST would give them.
    private static let postgresSelection = "SELECT seq, " + columns.map { column in
        let (type, bytes) = switch column {
        case "created_at": ("integer", "convert_to(\(column)::text, 'UTF8')")
        case "kind", "person_id", "consent_ref", "asset": ("text", "convert_to(\(column), 'UTF8')")
        default: ("blob", column)
        }
        return "CASE WHEN \(column) IS NULL THEN 'null' ELSE '\(type)' END, \(bytes)"
    }.joined(separator: ", ") + " FROM events "

    /// `SELECT` of every column as `typeof(c)` and `CAST(c AS BLOB)`, then `filter` (a WHERE and
    /// ORDER BY clause).
    static func sql(_ filter: String, dialect: SQLDialect = .sqlite) -> String {
        (dialect == .postgresql ? postgresSelection : selection) + filter
    }

    /// What a check reads for every person and asset it relies on: the columns as SQLite hands
    /// them back, not byte for byte. Enough there: the hash is taken over what is read, so a
    /// value that reads back as the signed one is the signed one as far as the verdict goes, and
    /// the hidden bytes of a stored text value are `verify`'s to find.
    static let ofPerson = "SELECT seq, kind, person_id, consent_ref, asset, created_at, payload, prev_hash, hash, signature, mac "
        + "FROM events WHERE person_id = ? ORDER BY seq"
    static let ofAsset = "SELECT seq, kind, person_id, consent_ref, asset, created_at, payload, prev_hash, hash, signature, mac "
        + "FROM events WHERE asset = ? ORDER BY seq"

    /// Rows of `ofPerson` or `ofAsset`.
    static func fetchForCheck(_ db: any SQLSession, sql: String, arguments: SQLArguments) throws -> [Read] {
        try db.fetchAll(sql, arguments).map { row in
            let seq = row[0] as Int64?
            guard let seq, let kind = row[1] as String?, let createdAt = row[5] as Int64?, let payload = row[6] as Data?,
                  let previousHash = row[7] as Data?, let hash = row[8] as Data?, let signature = row[9] as Data? else {
                return .malformed(seq: seq, "a column is missing or has the wrong type (the row was edited)")
            }
            return .event(StoredEvent(seq: seq, kind: kind, personID: row[2], consentReference: row[3], asset: row[4],
                                      createdAt: createdAt, payload: payload, previousHash: previousHash, hash: hash,
                                      signature: signature, mac: row[10]))
        }
    }

    static func fetchAll(_ db: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> [Read] {
        try db.fetchAll(sql, arguments).map(read)
    }

    static func fetchAll(_ db: any SQLSession, filter: String, arguments: SQLArguments = []) throws -> [Read] {
        try fetchAll(db, sql: sql(filter, dialect: db.dialect), arguments: arguments)
    }

    /// Columns are read by position (`sql` puts `seq` first, then each column's type and bytes
    /// in the order of `columns`): this runs for every event a check or `verify` reads.
    static func read(_ row: SQLRow) -> Read {
        let seq = row[0] as Int64?
        func bytes(_ index: Int, _ type: String, nullable: Bool = false) -> (ok: Bool, value: Data?) {
            let stored: String = row[1 + 2 * index] ?? "null"
            if stored == "null" { return (nullable, nil) }
            guard stored == type, let data = row[2 + 2 * index] as Data? else { return (false, nil) }
            return (true, data)
        }
        func text(_ index: Int, nullable: Bool = false) -> (ok: Bool, value: String?) {
            let (ok, data) = bytes(index, "text", nullable: nullable)
            return (ok, data.map { String(decoding: $0, as: UTF8.self) })
        }
        // kind, person_id, consent_ref, asset, created_at, payload, prev_hash, hash, signature, mac
        let kind = text(0), person = text(1, nullable: true), reference = text(2, nullable: true), asset = text(3, nullable: true)
        let created = bytes(4, "integer")
        let payload = bytes(5, "blob"), previous = bytes(6, "blob"), hash = bytes(7, "blob")
        let signature = bytes(8, "blob"), mac = bytes(9, "blob", nullable: true)
        guard let seq else { return .malformed(seq: nil, "sequence number is not an integer") }
        guard kind.ok, person.ok, reference.ok, asset.ok, created.ok, let createdBytes = created.value,
              let createdAt = Int64(String(decoding: createdBytes, as: UTF8.self)), payload.ok, previous.ok, hash.ok,
              signature.ok, mac.ok, let kindText = kind.value, let payloadBytes = payload.value,
              let previousHash = previous.value, let hashBytes = hash.value, let signatureBytes = signature.value else {
            return .malformed(seq: seq, "a column is missing or has the wrong type (the row was edited)")
        }
        return .event(StoredEvent(seq: seq, kind: kindText, personID: person.value, consentReference: reference.value,
                                  asset: asset.value, createdAt: createdAt, payload: payloadBytes,
                                  previousHash: previousHash, hash: hashBytes, signature: signatureBytes, mac: mac.value))
    }
}

extension StoredEvent {
    /// The decoded event, if its subject columns agree with its payload.
    var decoded: LedgerEvent? {
        guard let event = LedgerEvent.decode(kind: kind, payload: payload),
              event.person?.description == personID, event.consentReference?.description == consentReference,
              event.asset == asset else { return nil }
        return event
    }
}

extension Ledger {
    /// Whether a stored event is this instance's: its own columns hash to its stored hash, and
    /// its MAC (with the key at hand) or else its signature matches that hash.
    func isAuthentic(_ event: StoredEvent, bySignature: Bool = false) -> Bool {
        EventChain.hash(of: event) == event.hash
            && isAuthentic(hash: event.hash, mac: bySignature ? nil : event.mac, signature: event.signature)
    }

    /// A publication as its signed event says, when its row is missing: a takedown can still be
    /// opened for it (and `verify` names the missing row). Nil unless the event is authentic.
    static func publicationFromEvent(_ seq: Int64, db: any SQLSession, publicKey: Data) throws -> PublicationRow? {
        guard case .event(let stored)? = try StoredEvents.fetchAll(db, filter: "WHERE seq = ?", arguments: [seq]).first,
              EventChain.hash(of: stored) == stored.hash,
              VerifiedSignatures.isValid(signature: stored.signature, hash: stored.hash, publicKey: publicKey),
              case .assetPublished(let published)? = stored.decoded else { return nil }
        return try PublicationRow(published, seq: seq, at: stored.createdAt)
    }
}
