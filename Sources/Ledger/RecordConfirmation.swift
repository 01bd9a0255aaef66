import ClearanceCore
import Foundation

/// Which parts of an asset a read confirms beyond what the gate needs (facts, mentions, reviews).
struct AssetParts: OptionSet, Sendable {
    let rawValue: Int
    /// Publications and takedown items: what a withdrawal, an erasure or a subject access pack reads.
    static let publications = AssetParts(rawValue: 1)
}

/// The people a name (folded) belongs to, as the name index says once its entry is confirmed.
public struct NameLookup: Hashable, Sendable {
    public var people: [PersonID]
    /// Why the entry cannot be relied on; `people` is then empty.
    public var problem: String?

    public init(people: [PersonID], problem: String? = nil) {
        self.people = people
        self.problem = problem
    }
}

/// The originals of an edited copy, found through the document index.
public struct DocumentLookup: Sendable {
    public var assets: [StoredAsset] = []
    /// Document ids with no index entry at all. For a stored copy, whose ingest made sure each
    /// id it points at has one, a missing entry was deleted.
    public var missing: [String] = []
    /// Entries that fail their MAC, or list an asset without that id.
    public var problems: [String] = []
}

/// What a replay of one person's events says about their stored rows.
struct PersonConfirmation {
    /// Consents whose events fail, or whose rows differ from the replay or are missing.
    var unverified = Set<ConsentReference>()
    /// False when anything about the person fails: an event, the person row, a consent row.
    var intact = true
    /// The rows as stored (read once, for the caller too); nil when they did not decode.
    var person: PersonRow?
    var consents: [ConsentRow]?
}

extension Ledger {
    // MARK: People

    /// Replays the person's own events (exact bytes, hashes, MACs or signatures, then the same
    /// projection rules that wrote the tables) and compares the result with the stored rows.
    func confirmPerson(_ person: PersonID, bySignature: Bool = false, db: any SQLSession) throws -> PersonConfirmation {
        var result = PersonConfirmation()
        var replayed = MemoryStore(partial: true)
        // The person's events, consents and row in one round trip on PostgreSQL.
        let db = try db.prefetching([SQLRead(StoredEvents.ofPerson, [person.description]),
                                     SQLRead(PersonReads.consents, [person.description]), SQLRead(PersonReads.person, [person.description])])
        for read in try StoredEvents.fetchForCheck(db, sql: StoredEvents.ofPerson, arguments: [person.description]) {
            guard case .event(let stored) = read else {
                result.intact = false
                continue
            }
            guard isAuthentic(stored, bySignature: bySignature), let event = stored.decoded,
                  (try? Projection.apply(event, seq: stored.seq, at: stored.createdAt, to: &replayed)) != nil else {
                if let reference = stored.consentReference.flatMap(ConsentReference.init(parsing:)) {
                    result.unverified.insert(reference)
                }
                result.intact = false
                continue
            }
        }
        let storedConsents: [ConsentRow]
        let storedPerson: PersonRow?
        do {
            storedConsents = try db.fetchAll(ConsentRow.self, PersonReads.consents, [person.description])
            storedPerson = try db.fetchOne(PersonRow.self, PersonReads.person, [person.description])
        } catch {
            // A column holds a value of the wrong type: edited in SQL.
            result.intact = false
            for consent in replayed.consents.keys.compactMap(ConsentReference.init(parsing:)) { result.unverified.insert(consent) }
            return result
        }
        result.person = storedPerson
        result.consents = storedConsents
        let personIntact = result.intact && storedPerson == replayed.people[person.description]
        var seen = Set<String>()
        for row in storedConsents {
            seen.insert(row.reference)
            guard let reference = ConsentReference(parsing: row.reference) else {
                result.intact = false
                continue
            }
            if !personIntact || replayed.consents[row.reference] != row { result.unverified.insert(reference) }
        }
        for missing in replayed.consents.keys where !seen.contains(missing) {
            if let reference = ConsentReference(parsing: missing) { result.unverified.insert(reference) }
        }
        result.intact = personIntact && result.unverified.isEmpty
        return result
    }

    /// Consents of `person` whose events do not verify, or whose rows differ from what the
    /// events say. The gate treats such a consent as no consent (`record-tampered`).
    /// `bySignature` ignores the MACs, for statements that say the signed record is intact (a
    /// subject access pack).
    public func unverifiedConsents(of person: PersonID, bySignature: Bool = false) throws -> Set<ConsentReference> {
        try store.read { db in try confirmPerson(person, bySignature: bySignature, db: db).unverified }
    }

    /// Whose consent `reference` is, any version and state: its row, or, when the row is
    /// missing, the event that recorded it (so a deleted row does not unlink a photo).
    static func consentHolder(_ reference: ConsentReference, db: any SQLSession) throws -> PersonID? {
        if let holder = try db.fetchValue(String.self, PersonReads.holder, [reference.description]) {
            return PersonID(parsing: holder)
        }
        return try db.fetchValue(String.self, """
            SELECT person_id FROM events WHERE consent_ref = ? AND kind = 'consent.recorded' ORDER BY seq LIMIT 1
            """, [reference.description]).flatMap(PersonID.init(parsing:))
    }

    /// Whether `id` was ever registered: a row, or events about them whose row is missing.
    static func personExists(_ id: PersonID, db: any SQLSession) throws -> Bool {
        // The whole row, as a check reads it anyway: on PostgreSQL it may have been fetched ahead.
        if try db.fetchOne(PersonReads.person, [id.description]) != nil { return true }
        return try db.fetchValue(Bool.self, "SELECT 1 FROM events WHERE person_id = ? LIMIT 1", [id.description]) ?? false
    }

    // MARK: The name index

    /// The people with the folded name `key`: the index entry is confirmed by its MAC (so a
    /// changed, moved or shortened list is noticed), and each person listed by their own sealed
    /// names. Without the key file the entry cannot be confirmed.
    static func nameLookup(_ key: NameKey, db: any SQLSession, ledger: Ledger) throws -> NameLookup {
        let digest = ledger.nameIndex.digest(key)
        guard let row = try db.fetchOne(NameIndexReads.entry, [digest]) else {
            if try ledger.legacyPending(db) {
                return NameLookup(people: [], problem: "the name index was written by an earlier version of Clearance and is not yet bound to the signed ledger (open the ledger once with its key file)")
            }
            return NameLookup(people: [])
        }
        guard let macKey = ledger.rowMACKey else {
            return NameLookup(people: [], problem: "the name index cannot be confirmed without the instance key file \(ledger.keyPath)")
        }
        guard let people = row["people"] as String?, let mac = row["mac"] as Data?,
              macKey.isValid(mac, for: .nameIndex(digest: digest, people: Data(people.utf8))),
              let listed = Ledger.stringList(people) else {
            return NameLookup(people: [], problem: "its name index entry fails its MAC (edited)")
        }
        var ids: [PersonID] = []
        for text in listed {
            guard let id = PersonID(parsing: text) else { return NameLookup(people: [], problem: "its name index entry lists \(text), not a person id") }
            // The person's own names must include this one. A person whose key is missing is
            // still listed: the gate then reports their record as tampered.
            guard let person = try? db.fetchOne(PersonRow.self, PersonReads.person, [text]) else {
                return NameLookup(people: [], problem: "its name index entry lists \(id), whose register row is missing")
            }
            guard person.erasedAt == nil else {
                return NameLookup(people: [], problem: "its name index entry lists \(id), who was erased")
            }
            if let data = try ledger.personalData(of: person, db: db, key: { try ledger.personKeys.key(of: text, db: db) }),
               !data.allNames.contains(where: { NameKey($0) == key }) {
                return NameLookup(people: [], problem: "its name index entry lists \(id), whose own names do not include it")
            }
            ids.append(id)
        }
        return NameLookup(people: ids)
    }

    // MARK: The document index

    /// What `documentLookup` reads in one round trip on PostgreSQL for `documentIDs` (sorted,
    /// each once): their index entries, and the rows of the assets those entries list. Also what
    /// a check sends ahead for an edited copy, so that the two ask exactly the same reads.
    static func originalsReads(_ documentIDs: [String]) -> (reads: [SQLRead], expansions: [SQLExpansion])? {
        guard !documentIDs.isEmpty, let list = PostgresSession.argumentList(documentIDs.map { [.text($0)] }) else { return nil }
        return (documentIDs.map { SQLRead(DocumentIndexReads.entry, [$0]) }, [AssetReads.listed(inEntriesOf: list)])
    }

    /// The assets whose xmpMM:DocumentID is one of `documentIDs`, each confirmed against its own
    /// events, through the document index (each entry confirmed by its MAC).
    static func documentLookup(_ documentIDs: [String], db session: any SQLSession, ledger: Ledger) throws -> DocumentLookup {
        var lookup = DocumentLookup()
        let documentIDs = Set(documentIDs).sorted()
        // On PostgreSQL the entries and the rows of the assets they list in one round trip. The
        // asset's own first read leaves them out: a fiftieth of assets are edited copies, and
        // the larger statement cost every check more than it saved them, even planned once.
        var db = session
        if session.dialect == .postgresql, let ahead = originalsReads(documentIDs) {
            db = try session.prefetching(ahead.reads, expanding: ahead.expansions)
        }
        for documentID in documentIDs {
            guard let row = try db.fetchOne(DocumentIndexReads.entry, [documentID]) else {
                lookup.missing.append(documentID)
                continue
            }
            guard let macKey = ledger.rowMACKey else {
                lookup.problems.append("the document index cannot be confirmed without the instance key file \(ledger.keyPath)")
                continue
            }
            guard let assets = row["assets"] as String?, let mac = row["mac"] as Data?,
                  macKey.isValid(mac, for: .documentIndex(documentID: Data(documentID.utf8), assets: Data(assets.utf8))),
                  let hashes = Ledger.stringList(assets) else {
                lookup.problems.append("document_index: the entry for its original \(documentID) fails its MAC (edited)")
                continue
            }
            for sha256 in hashes {
                guard let asset = try storedAsset(sha256, db: db, ledger: ledger) else {
                    lookup.problems.append("document_index: the entry for \(documentID) lists an asset with no record")
                    continue
                }
                if asset.record.documentID != documentID {
                    lookup.problems.append("document_index: the entry for \(documentID) lists an asset without that id")
                }
                lookup.assets.append(asset)
            }
        }
        return lookup
    }

    // MARK: Assets

    /// Whether rows an earlier version wrote still wait to be bound (see `LedgerUpgrade`).
    static func legacyPending(_ db: any SQLSession) throws -> Bool {
        // A PostgreSQL ledger was never written by a version before signed assets.
        guard db.dialect == .sqlite else { return false }
        return try db.fetchValue(Bool.self, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'legacy_assets'") ?? false
    }

    /// `legacyPending`, asked once per connection while the ledger is unchanged (a check asks for
    /// every name the index does not know).
    func legacyPending(_ db: any SQLSession) throws -> Bool {
        let opened = try memos.memo(for: db, make: OpenedPeople.init)
        if let known = opened.legacyPending { return known }
        let pending = try Self.legacyPending(db)
        opened.legacyPending = pending
        return pending
    }

    /// The asset as its signed events say, with the stored rows checked against them. Nil when
    /// nothing at all is known of `sha256`.
    ///
    /// The events about the asset are read byte for byte, authenticated (MAC, else signature)
    /// and replayed by the projection rules; the result is what the asset *is*: facts and
    /// reviews come from the replay, mention names from rows whose salted commitments match.
    /// Every row that differs from the replay, is missing from it or is not backed by it, and
    /// every event that fails, is a problem (`StoredAsset.problems`), which the gate answers with
    /// `record-tampered`.
    static func storedAsset(_ sha256: String, including parts: AssetParts = [], db session: any SQLSession,
                            ledger: Ledger) throws -> StoredAsset? {
        // Every read below in one round trip on PostgreSQL.
        let db = try session.prefetching(AssetReads.all(including: parts).map { SQLRead($0, [sha256]) })
        var problems: [String] = []
        var replay = MemoryStore(partial: true)
        // Each detection's faces as its event has them, by sequence number.
        var detectedFaces: [Int64: [LedgerEvent.FacePayload]] = [:]
        let events = try StoredEvents.fetchForCheck(db, sql: StoredEvents.ofAsset, arguments: [sha256])
        for read in events {
            guard case .event(let stored) = read else {
                problems.append("events: event \(read.seq.map(String.init) ?? "?") about this asset has a column of the wrong type (edited)")
                continue
            }
            guard ledger.isAuthentic(stored) else {
                problems.append("events: event \(stored.seq) about this asset is not authentic (edited)")
                continue
            }
            guard let event = stored.decoded else {
                problems.append("events: event \(stored.seq) about this asset does not decode")
                continue
            }
            do {
                try Projection.apply(event, seq: stored.seq, at: stored.createdAt, to: &replay)
                if case .facesDetected(let detected) = event, let faces = detected.faces { detectedFaces[stored.seq] = faces }
            } catch {
                problems.append("events: event \(stored.seq) about this asset breaks the ledger's rules: \(error)")
            }
        }

        var row: AssetRow?
        do {
            row = try db.fetchOne(AssetRow.self, AssetReads.asset, [sha256])
        } catch {
            problems.append("assets: the row has a value of the wrong type (edited)")
        }
        let replayed = replay.assets[sha256]
        if events.isEmpty && row == nil && problems.isEmpty {
            return try legacyAsset(sha256, db: db)
        }
        switch (replayed, row) {
        case (nil, nil): problems.append("assets: the row is missing and no signed asset.ingested event describes it")
        case (nil, .some): problems.append("assets: the row is not backed by a signed asset.ingested event (inserted)")
        case (.some, nil): problems.append("assets: the row is missing (deleted)")
        case (.some(let expected), .some(let stored)) where expected != stored:
            problems.append("assets: the row differs from its signed asset.ingested event (edited)")
        default: break
        }
        guard let record = (replayed ?? row)?.record else { return nil }

        let mentions = try confirmMentions(sha256, bindings: replay.mentions[sha256], db: db, ledger: ledger, problems: &problems)

        // Reviews: the replay's, in order; every row must be one of them, unchanged.
        let replayedReviews = replay.reviews.values.filter { $0.sha256 == sha256 }.sorted { $0.id < $1.id }
        compare(table: "reviews", expected: replayedReviews, key: \.id,
                stored: try rows(ReviewRow.self, AssetReads.reviews, sha256, db: db),
                problems: &problems)
        // Faces: every detection and decision as replayed, each row one of them, unchanged.
        let replayedDetections = replay.faceDetections.values.filter { $0.sha256 == sha256 }.sorted { $0.id < $1.id }
        compare(table: "face_detections", expected: replayedDetections, key: \.id,
                stored: try rows(FaceDetectionRow.self, AssetReads.faceDetections, sha256, db: db),
                problems: &problems)
        let replayedDecisions = replay.faceDecisions.values.filter { $0.sha256 == sha256 }.sorted { $0.id < $1.id }
        compare(table: "face_decisions", expected: replayedDecisions, key: \.id,
                stored: try rows(FaceDecisionRow.self, AssetReads.faceDecisions, sha256, db: db),
                problems: &problems)
        var publications: [StoredPublication] = []
        if parts.contains(.publications) {
            let replayedPublications = replay.publications.values.filter { $0.sha256 == sha256 }.sorted { $0.id < $1.id }
            compare(table: "publications", expected: replayedPublications, key: \.id,
                    stored: try rows(PublicationRow.self, AssetReads.publications, sha256, db: db),
                    problems: &problems)
            compare(table: "takedowns", expected: replay.takedowns.values.filter { $0.sha256 == sha256 }.sorted { $0.id < $1.id },
                    key: \.id,
                    stored: try rows(TakedownRow.self, AssetReads.takedowns, sha256, db: db),
                    problems: &problems)
            publications = replayedPublications.map(\.publication)
        }
        return StoredAsset(record: record, mentions: mentions, reviews: replayedReviews.compactMap(\.review),
                           paths: try paths(of: sha256, db: db, ledger: ledger), publications: publications,
                           faceDetections: replayedDetections.map { row in detectedFaces[row.id].map(row.record(faces:)) ?? row.record },
                           faceDecisions: replayedDecisions.compactMap(\.record), problems: problems)
    }

    /// The mentions as stored rows, each confirmed against its binding in the ingest event: the
    /// source and region as signed, the name and identifiers by the salted commitment (or blank,
    /// when an erasure forgot them). The `name_digest` column only serves erasure and is left to
    /// `verify`: it decides nothing here.
    private static func confirmMentions(_ sha256: String, bindings: [MentionBinding]?, db: any SQLSession, ledger: Ledger,
                                        problems: inout [String]) throws -> [AssetMention] {
        struct Stored {
            var source: String?
            var label: String?
            var labelIsText: Bool
            var identifiers: String?
            var region: String?
            var salt: Data?
        }
        var stored: [Int: Stored] = [:]
        for row in try db.fetchAll(AssetReads.mentions, [sha256]) {
            guard let ordinal = row[0] as Int? else {
                problems.append("mentions: a row has a value of the wrong type (edited)")
                continue
            }
            stored[ordinal] = Stored(source: row[1], label: row[2], labelIsText: row.values[2] == .null || (row[2] as String?) != nil,
                                     identifiers: row[3], region: row[4], salt: row[5])
        }
        func region(_ text: String?) -> [Double]? {
            text.flatMap { CanonicalJSON(plain: $0)?.array(\.double) ?? (try? JSONDecoder().decode([Double].self, from: Data($0.utf8))) }
        }
        func identifiers(_ text: String?) -> [String]? { text.flatMap(Ledger.stringList) }
        guard let bindings else {
            // No signed ingest to hold them against: shown as stored, already reported as unbound.
            return stored.sorted { $0.key < $1.key }.map { _, row in
                AssetMention(source: row.source ?? "", label: row.label, identifiers: identifiers(row.identifiers) ?? [],
                             region: region(row.region))
            }
        }
        var mentions: [AssetMention] = []
        for binding in bindings {
            guard let row = stored.removeValue(forKey: binding.ordinal) else {
                problems.append("mentions: mention \(binding.ordinal) is missing (deleted)")
                // Still a person the file showed: an unnamed one, whom nobody accounts for.
                mentions.append(AssetMention(source: binding.source, label: nil, identifiers: [], region: region(binding.region)))
                continue
            }
            var confirmed = row.source == binding.source && row.region == binding.region && row.labelIsText
            if binding.forgotten {
                confirmed = confirmed && row.label == nil && row.salt == nil && row.identifiers == MentionRow.forgottenIdentifiers
            } else if let salt = row.salt, let identifierText = row.identifiers {
                let commitment = MentionCommitment.make(sha256: sha256, ordinal: binding.ordinal, salt: salt,
                                                        label: row.label.map { Data($0.utf8) },
                                                        identifiers: Data(identifierText.utf8))
                confirmed = confirmed && commitment == binding.commitment
            } else {
                confirmed = false
            }
            let parsed = identifiers(row.identifiers)
            if !confirmed || parsed == nil {
                problems.append("mentions: mention \(binding.ordinal) differs from its signed commitment (edited)")
            }
            mentions.append(AssetMention(source: binding.source, label: confirmed ? row.label : nil,
                                         identifiers: confirmed ? parsed ?? [] : [], region: region(binding.region)))
        }
        for extra in stored.keys.sorted() {
            problems.append("mentions: mention \(extra) is not backed by the signed ingest (inserted)")
        }
        return mentions
    }

    private static func rows<Record: SQLRecord>(_ type: Record.Type, _ sql: String, _ sha256: String,
                                                db: any SQLSession) throws -> [Record]? {
        try? db.fetchAll(type, sql, [sha256])
    }

    private static func rows<Record: SQLRecord>(_ type: Record.Type, _ sql: String, _ sha256: String,
                                                      db: any SQLSession, problems: inout [String]) throws -> [Record] {
        guard let rows = try rows(type, sql, sha256, db: db) else {
            problems.append("\(Record.self): a row has a value of the wrong type (edited)")
            return []
        }
        return rows
    }

    /// Rows against the replay, by key: each stored row must be replayed unchanged, and each
    /// replayed one stored. `stored` nil: a row did not decode.
    private static func compare<Record: Equatable>(table: String, expected: [Record], key: (Record) -> Int64,
                                                   stored: [Record]?, problems: inout [String]) {
        guard let stored else {
            problems.append("\(table): a row has a value of the wrong type (edited)")
            return
        }
        var wanted = Dictionary(expected.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        for row in stored {
            guard let expected = wanted.removeValue(forKey: key(row)) else {
                problems.append("\(table): row \(key(row)) is not backed by a signed event about this asset (inserted or moved)")
                continue
            }
            if expected != row { problems.append("\(table): row \(key(row)) differs from its signed event (edited)") }
        }
        for missing in wanted.keys.sorted() {
            problems.append("\(table): row \(missing) is missing (deleted)")
        }
    }

    /// Where the asset was seen, newest first; with the key at hand, rows whose MAC fails are
    /// left out (`verify` names them).
    static func paths(of sha256: String, db: any SQLSession, ledger: Ledger) throws -> [String] {
        let rows = try db.fetchAll(AssetReads.paths, [sha256])
        return rows.compactMap { row in
            guard let path = row["path"] as String? else { return nil }
            guard let macKey = ledger.rowMACKey else { return path }
            guard let seenAt = row["seen_at"] as Int64?, let mac = row["mac"] as Data?,
                  macKey.isValid(mac, for: .assetPath(sha256: Data(sha256.utf8), path: Data(path.utf8), seenAt: seenAt)) else {
                return nil
            }
            return path
        }
    }

    /// An asset an earlier version stored and the upgrade has not yet bound: shown as stored,
    /// with the reason it cannot be relied on.
    static func legacyAsset(_ sha256: String, db: any SQLSession) throws -> StoredAsset? {
        guard try legacyPending(db), let legacy = try LegacyRows.asset(sha256, db: db) else { return nil }
        var asset = legacy
        asset.problems = ["recorded by an earlier version of Clearance and not yet bound to the signed ledger (open the ledger once with its key file)"]
        return asset
    }
}

/// What a check reads of one asset, each keyed by its sha256: written once, so that the reads
/// `prefetching` fetches ahead are exactly the ones asked for.
enum AssetReads {
    static let asset = "SELECT * FROM assets WHERE sha256 = ?"
    static let mentions = "SELECT ordinal, source, label, identifiers, region, salt FROM mentions WHERE sha256 = ?"
    static let reviews = "SELECT * FROM reviews WHERE sha256 = ? ORDER BY id"
    static let faceDetections = "SELECT * FROM face_detections WHERE sha256 = ? ORDER BY id"
    static let faceDecisions = "SELECT * FROM face_decisions WHERE sha256 = ? ORDER BY id"
    static let paths = "SELECT path, seen_at, mac FROM asset_paths WHERE sha256 = ? ORDER BY seen_at DESC, path"
    static let publications = "SELECT * FROM publications WHERE sha256 = ? ORDER BY id"
    static let takedowns = "SELECT * FROM takedowns WHERE sha256 = ? ORDER BY id"

    static func all(including parts: AssetParts) -> [String] {
        [StoredEvents.ofAsset, asset, mentions, reviews, faceDetections, faceDecisions, paths]
            + (parts.contains(.publications) ? [publications, takedowns] : [])
    }

    /// PostgreSQL only: the rows (`all`) of the assets the document index entries of a JSON
    /// list of document ids list, for `documentLookup` to read with the entries in one round
    /// trip instead of one more per original. Unconfirmed: only which rows to fetch ahead
    /// (the lookup confirms each entry).
    static func listed(inEntriesOf documentIDs: String) -> SQLExpansion {
        SQLExpansion(source: "SELECT found[1] FROM document_index, \(ListedOnServer.strings(in: "document_index.assets")) AS found "
                         + "WHERE document_index.document_id = ANY (ARRAY(SELECT json_array_elements_text(CAST(? AS text)::json)))",
                     arguments: [documentIDs], reads: all(including: []))
    }
}

/// A document index entry, keyed by the document id.
enum DocumentIndexReads {
    static let entry = "SELECT assets, mac FROM document_index WHERE document_id = ?"
}

/// PostgreSQL only, for the sources of `SQLExpansion`s: the strings of a JSON list kept as text,
/// found by a pattern, as written (`Ledger.stringList` reads them the same when none is
/// escaped, and the ids and hashes listed never are), since a cast to JSON would fail on an
/// edited row and abort the snapshot.
enum ListedOnServer {
    /// A set-returning call giving each string's text as the first element of an array.
    static func strings(in column: String) -> String {
        "regexp_matches(\(column), '\"((?:[^\"\\\\]|\\\\.)*)\"', 'g')"
    }
}

/// What a check reads of one person, each keyed by their id (see `AssetReads`).
enum PersonReads {
    static let person = "SELECT * FROM people WHERE id = ?"
    static let consents = "SELECT * FROM consents WHERE person_id = ? ORDER BY recorded_seq"
    /// Whose consent a reference is, keyed by the reference.
    static let holder = "SELECT person_id FROM consents WHERE reference = ?"
    /// PostgreSQL only, for `SQLExpansion`: the people the name index entries of a JSON list
    /// of digests (in hex) list, and the holders of a JSON list of consent references.
    /// `= ANY (ARRAY(…))`, so that the index is used whatever the planner guesses of the
    /// lists. Unconfirmed, as `LedgerSnapshot.fetchAhead` reads the entries: only which rows
    /// to fetch ahead.
    static let listed = "SELECT found[1] FROM name_index, \(ListedOnServer.strings(in: "name_index.people")) AS found "
        + "WHERE name_index.digest = ANY (ARRAY(SELECT decode(json_array_elements_text(CAST(? AS text)::json), 'hex'))) "
        + "UNION SELECT person_id FROM consents WHERE reference = ANY (ARRAY(SELECT json_array_elements_text(CAST(? AS text)::json)))"
}

/// A name index entry, keyed by its digest.
enum NameIndexReads {
    static let entry = "SELECT people, mac FROM name_index WHERE digest = ?"
}
