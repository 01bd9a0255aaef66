import ClearanceCore
import Foundation

/// Reading what an earlier version left in the `legacy_*` tables (migration 0005 set them aside).
enum LegacyRows {
    static let tables = ["legacy_takedowns", "legacy_publications", "legacy_reviews", "legacy_mentions",
                         "legacy_asset_paths", "legacy_assets", "legacy_name_index"]

    /// A legacy asset as it was stored, for showing it (never for trusting it) before the upgrade.
    static func asset(_ sha256: String, db: any SQLSession) throws -> StoredAsset? {
        guard let row = try db.fetchOne("SELECT * FROM legacy_assets WHERE sha256 = ?", [sha256]),
              let record = record(row) else { return nil }
        let reviews = try db.fetchAll("SELECT * FROM legacy_reviews WHERE sha256 = ? ORDER BY id", [sha256])
            .compactMap(review)
        let paths = try db.fetchValues(String.self, "SELECT path FROM legacy_asset_paths WHERE sha256 = ? ORDER BY seen_at DESC, path", [sha256])
        return StoredAsset(record: record, mentions: try mentions(of: sha256, db: db), reviews: reviews, paths: paths)
    }

    static func record(_ row: SQLRow) -> AssetRecord? {
        guard let sha256 = row["sha256"] as String?, let readable = row["readable"] as Bool? else { return nil }
        return AssetRecord(sha256: sha256, kind: row["kind"], format: row["format"], readable: readable, error: row["error"],
                           capturedAt: row["captured_at"], width: row["width"], height: row["height"],
                           orientation: row["orientation"], faceRegions: row["face_regions"] ?? 0,
                           releaseStatus: row["release_status"], documentID: row["document_id"],
                           originalDocumentID: row["original_document_id"], derivedFrom: row["derived_from"])
    }

    static func mentions(of sha256: String, db: any SQLSession) throws -> [AssetMention] {
        let decoder = JSONDecoder()
        return try db.fetchAll("SELECT * FROM legacy_mentions WHERE sha256 = ? ORDER BY ordinal", [sha256]).map { m in
            AssetMention(source: m["source"] as String? ?? "unknown", label: m["label"],
                         identifiers: (try? decoder.decode([String].self, from: Data((m["identifiers"] as String? ?? "[]").utf8))) ?? [],
                         region: (m["region"] as String?).flatMap { try? decoder.decode([Double].self, from: Data($0.utf8)) })
        }
    }

    static func review(_ row: SQLRow) -> AssetReview? {
        guard let action = (row["action"] as String?).flatMap(AssetReview.Action.init(rawValue:)), let by = row["by"] as String?,
              let at = row["at"] as Int64? else { return nil }
        return AssetReview(action: action, person: (row["person_id"] as String?).flatMap(PersonID.init(parsing:)), by: by,
                           at: Timestamp(millisecondsSinceEpoch: at))
    }
}

extension LedgerTransaction {
    /// Binds a ledger an earlier version wrote, once, when this version first opens it with its
    /// key file: what those versions kept in plain rows (assets and their mentions, reviews,
    /// publications, takedowns) is appended as signed events saying they were adopted and when
    /// each was originally recorded (`adoptedFrom`), the name index is rebuilt from the people's
    /// own sealed names, events from before MACs existed get their MAC (only those whose
    /// signature verifies), and `ledger.upgraded` binds the instance row. The legacy tables are
    /// then dropped. The adopted rows are trusted as they stood at the upgrade, which is all an
    /// upgrade can do; from then on any change to them is caught.
    mutating func adoptLegacyRows(at: Timestamp) throws {
        var counts = LedgerEvent.AdoptedCounts(assets: 0, reviews: 0, publications: 0, takedowns: 0, skipped: 0)

        // MACs for events written before there were any, if their signatures hold.
        for read in try StoredEvents.fetchAll(db, filter: "WHERE mac IS NULL ORDER BY seq") {
            guard case .event(let stored) = read, EventChain.hash(of: stored) == stored.hash,
                  InstanceKey.isValid(signature: stored.signature, hash: stored.hash, publicKey: instance.publicKey) else { continue }
            try db.execute("UPDATE events SET mac = ? WHERE seq = ?", [key.macKey.mac(of: stored.hash), stored.seq])
        }

        // The name index, from each registered person's own names.
        var names: [Data: Set<String>] = [:]
        let index = NameIndex(keyBytes: instance.indexKey)
        for person in try db.fetchAll(PersonRow.self, "SELECT * FROM people WHERE erased_at IS NULL ORDER BY added_seq") {
            guard let id = PersonID(parsing: person.id), let sealed = person.sealed,
                  let keyBytes = try db.fetchValue(Data.self, "SELECT key FROM person_keys WHERE person_id = ?", [person.id]),
                  let data = PersonalDataSeal(keyBytes: keyBytes, person: id).open(PersonalData.self, from: sealed) else { continue }
            for digest in index.digests(for: data) { names[digest, default: []].insert(person.id) }
        }
        for (digest, people) in names { try setNameIndexEntry(digest, people: people) }

        // Assets and their mentions and paths, in the order they were ingested.
        var adopted = Set<String>()
        for row in try db.fetchAll("SELECT * FROM legacy_assets ORDER BY ingested_at, sha256") {
            guard let record = LegacyRows.record(row), let ingestedAt = row["ingested_at"] as Int64?,
                  try attempt({ tx in
                      _ = try tx.ingest(AssetIngestItem(record: record, mentions: LegacyRows.mentions(of: record.sha256, db: tx.db), path: ""),
                                        at: at, adoptedFrom: ingestedAt, path: false)
                  }) else {
                counts.skipped += 1
                continue
            }
            adopted.insert(record.sha256)
            counts.assets += 1
        }
        for row in try db.fetchAll("SELECT * FROM legacy_asset_paths ORDER BY sha256, path") {
            guard let sha256 = row["sha256"] as String?, adopted.contains(sha256), let path = row["path"] as String?,
                  let seenAt = row["seen_at"] as Int64? else { continue }
            try addPath(Ledger.storable(path), of: sha256, at: Timestamp(millisecondsSinceEpoch: seenAt))
        }

        for row in try db.fetchAll("SELECT * FROM legacy_reviews ORDER BY id") {
            guard let sha256 = row["sha256"] as String?, adopted.contains(sha256), let review = LegacyRows.review(row),
                  try attempt({ tx in
                      try tx.append(.assetReviewed(.init(asset: sha256, action: review.action.rawValue, person: review.person,
                                                         by: Ledger.storable(review.by),
                                                         adoptedFrom: review.at.millisecondsSinceEpoch)), at: at)
                  }) else {
                counts.skipped += 1
                continue
            }
            counts.reviews += 1
        }

        var publications: [Int64: (seq: Int64, sha256: String)] = [:]
        for row in try db.fetchAll("SELECT * FROM legacy_publications ORDER BY id") {
            let consents = (try? JSONDecoder().decode([String].self, from: Data((row["consents"] as String? ?? "[]").utf8))) ?? []
            var seq: Int64?
            guard let id = row["id"] as Int64?, let sha256 = row["sha256"] as String?, adopted.contains(sha256),
                  let output = row["output_sha256"] as String?, let channel = row["channel"] as String?,
                  let path = row["path"] as String?, let by = row["by"] as String?, let publishedAt = row["at"] as Int64?,
                  try attempt({ tx in
                      seq = try tx.append(.assetPublished(.init(
                          asset: sha256, outputSHA256: output, channel: channel, path: Ledger.storable(path),
                          postURL: (row["post_url"] as String?).map(Ledger.storable),
                          consents: consents.compactMap(ConsentReference.init(parsing:)), by: Ledger.storable(by),
                          adoptedFrom: publishedAt)), at: at)
                  }), let seq else {
                counts.skipped += 1
                continue
            }
            publications[id] = (seq, sha256)
            counts.publications += 1
        }

        for row in try db.fetchAll("SELECT * FROM legacy_takedowns ORDER BY id") {
            guard let number = row["id"] as Int64?, let publicationID = row["publication_id"] as Int64?,
                  let publication = publications[publicationID],
                  let person = (row["person_id"] as String?).flatMap(PersonID.init(parsing:)),
                  let cause = row["cause"] as String?, let kind = row["kind"] as String?, let openedAt = row["opened_at"] as Int64?,
                  try attempt({ tx in
                      try tx.append(.takedownOpened(.init(
                          number: number, asset: publication.sha256, publication: publication.seq, person: person, cause: cause,
                          consent: (row["consent_ref"] as String?).flatMap(ConsentReference.init(parsing:)), kind: kind,
                          dueOn: (row["due_on"] as String?).flatMap(CalendarDate.init(parsing:)), adoptedFrom: openedAt)), at: at)
                      if let doneAt = row["done_at"] as Int64? {
                          try tx.append(.takedownClosed(.init(number: number, asset: publication.sha256,
                                                              by: Ledger.storable(row["done_by"] as String? ?? ""),
                                                              note: Ledger.storable(row["done_note"] as String? ?? ""),
                                                              adoptedFrom: doneAt)), at: at)
                      }
                  }) else {
                counts.skipped += 1
                continue
            }
            counts.takedowns += 1
        }

        try bindInstance(upgrade: counts, at: at)
        try dropLegacyTables()
    }

    func dropLegacyTables() throws {
        for table in LegacyRows.tables { try db.execute("DROP TABLE IF EXISTS \(table)") }
    }

    /// Runs `body` in a savepoint: all of it, or (when a rule refuses it) none of it and false.
    private mutating func attempt(_ body: (inout LedgerTransaction) throws -> Void) throws -> Bool {
        let saved = self
        try db.execute("SAVEPOINT adopting")
        do {
            try body(&self)
            try db.execute("RELEASE SAVEPOINT adopting")
            return true
        } catch let error as LedgerError where error.isInputError {
            try db.execute("ROLLBACK TO SAVEPOINT adopting")
            try db.execute("RELEASE SAVEPOINT adopting")
            self = saved
            return false
        }
    }
}
