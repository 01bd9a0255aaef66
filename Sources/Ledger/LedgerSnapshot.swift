import ClearanceCore
import Foundation

/// The reads a check makes, all inside one read transaction with prepared statements reused:
/// a batch check then sees one consistent state of the ledger and does not pay for a transaction
/// and a statement compilation per question. Valid only inside `Ledger.snapshot`.
public struct LedgerSnapshot {
    /// The read transaction's session; on PostgreSQL, once `fetchAhead` has run, one that also
    /// answers what it read ahead, for the rest of the snapshot.
    private let reads: Reads
    var db: any SQLSession { reads.session }
    let ledger: Ledger

    private final class Reads {
        var session: any SQLSession
        /// The names statement `sendAhead` sent, not yet waited for, and its expansions.
        var sent: (statement: SentTogether, expansions: [SQLExpansion])?
        /// An edited copy's originals' statement `sendAhead(originalsOf:)` sent, not yet waited
        /// for: the copy's hash and the statement's expansions.
        var sentOriginals: (copy: String, statement: SentTogether, expansions: [SQLExpansion])?
        init(_ session: any SQLSession) { self.session = session }
    }

    init(db: any SQLSession, ledger: Ledger) {
        reads = Reads(db)
        self.ledger = ledger
    }

    /// Reads the asset's rows ahead on PostgreSQL, in one round trip (with the snapshot's name,
    /// if this is its first read), for `asset` to answer from. SQLite: nothing to do.
    public func fetchAhead(asset sha256: String) throws {
        guard db.dialect == .postgresql else { return }
        reads.session = try db.prefetching(AssetReads.all(including: []).map { SQLRead($0, [sha256]) })
    }

    /// Reads ahead, on PostgreSQL, what linking an asset's mentions and then the standings of
    /// the people found will ask, in one round trip instead of two or three per name and per
    /// person: the name index entries of `names`, the holders of `consents`, the rows, events
    /// and consents of `people`, and the same of everyone those entries and holders list, whom
    /// the server finds (`PersonReads.listed`). The rows only stand in for the same reads made
    /// later in this snapshot, and are confirmed then exactly as if read alone. SQLite reads in
    /// process: nothing to do there. `standingKnown` says whose standing the caller already
    /// has: only their row is read, unless an entry or holder lists them.
    public func fetchAhead(names: Set<NameKey>, people: Set<PersonID>, consents: Set<ConsentReference>,
                           standingKnown: (PersonID) -> Bool) throws {
        guard db.dialect == .postgresql else { return }
        // What an earlier asset's fetch read goes: the caller keeps the answers it needs, and a
        // walk over the whole register must not carry every row it has read.
        var base = (db as? PrefetchedSession)?.base ?? db
        // What `sendAhead` guessed is answered by now, or soon: only what it left out is read.
        if let sent = reads.sent, let postgres = base as? PostgresSession {
            reads.sent = nil
            base = PrefetchedSession(base: postgres, fetched: try postgres.answers(to: sent.statement), expanded: Set(sent.expansions))
            reads.session = base
            postgres.roundTrips?.addSentAhead()
        }
        let digests = names.map(ledger.nameIndex.digest)
        let (first, expansions) = namesReads(digests: digests, people: people, consents: consents, standingKnown: standingKnown)
        guard !first.isEmpty else { return }
        reads.session = try base.prefetching(first, expanding: expansions, listing: Self.namesListing)
        var listed = Set<String>()
        for digest in digests {
            // Unconfirmed here: only which rows to read next. `nameLookup` confirms the entry.
            if let text = try db.fetchOne(NameIndexReads.entry, [digest])?["people"] as String? {
                listed.formUnion(Ledger.stringList(text) ?? [])
            }
        }
        for reference in consents {
            if let holder = try db.fetchValue(String.self, PersonReads.holder, [reference.description]) { listed.insert(holder) }
        }
        // Whoever the server's listing missed (an entry it could not read as the client does):
        // a second round trip, as before the listing was the server's.
        let second = Self.personReads(listed.subtracting(people.map(\.description)), standingKnown: standingKnown)
        if !second.isEmpty { reads.session = try db.prefetching(second, listing: Self.namesListing) }
    }

    /// Sends, on PostgreSQL, what `fetchAhead(names:people:consents:standingKnown:)` would read,
    /// without waiting: the caller goes on confirming the asset while the server reads, and
    /// that call then waits only for what is left of the round trip. A guess from rows not yet
    /// confirmed is fine here: it only chooses what to read, and whatever it missed is read
    /// then. At most one is outstanding; SQLite: nothing to do.
    public func sendAhead(names: Set<NameKey>, people: Set<PersonID>, consents: Set<ConsentReference>,
                          standingKnown: (PersonID) -> Bool) throws {
        guard reads.sent == nil,
              let postgres = (db as? PrefetchedSession)?.base as? PostgresSession ?? db as? PostgresSession else { return }
        let (first, expansions) = namesReads(digests: names.map(ledger.nameIndex.digest), people: people, consents: consents,
                                             standingKnown: standingKnown)
        guard !first.isEmpty, let statement = try postgres.sendTogether(first, expanding: expansions, listing: Self.namesListing) else { return }
        reads.sent = (statement, expansions)
    }

    /// Sends, on PostgreSQL, what `assets(withDocumentIDs:)` will read for the edited copy
    /// `sha256`, without waiting: the document index entries its rows point at (not confirmed
    /// yet) and the rows of the assets they list. The copy is confirmed while the server reads.
    /// As with the names, the guess only chooses what to read: ids it missed are read when
    /// asked. Nothing for an asset that is not a copy, or whose rows were not fetched ahead.
    public func sendAhead(originalsOf sha256: String) throws {
        guard reads.sentOriginals == nil, let prefetched = db as? PrefetchedSession, let postgres = prefetched.base as? PostgresSession,
              let row = try Self.heldAssetRow(sha256, in: prefetched),
              let ahead = Ledger.originalsReads(Self.documentIDs(of: row)),
              let statement = try postgres.sendTogether(ahead.reads, expanding: ahead.expansions) else { return }
        reads.sentOriginals = (sha256, statement, ahead.expansions)
    }

    /// Waits for the originals' statement `sendAhead(originalsOf:)` sent, if any, and answers
    /// its reads from then on, beside the rows fetched before. Returns the copy it was sent for.
    @discardableResult
    public func receiveSentOriginals() throws -> String? {
        guard let sent = reads.sentOriginals else { return nil }
        reads.sentOriginals = nil
        guard let prefetched = db as? PrefetchedSession, let postgres = prefetched.base as? PostgresSession else { return nil }
        reads.session = prefetched.adding(try postgres.answers(to: sent.statement), expanded: sent.expansions)
        postgres.roundTrips?.addSentAhead()
        return sent.copy
    }

    /// The reads of a names statement: the name index entries of `digests`, the holders of
    /// `consents`, each of `people` (`personReads`), and everyone those entries and holders
    /// list, whom the server finds. Every read goes as a list, and the expansion goes even when
    /// it has nothing to list: the statement is then the same for every asset, one name or
    /// twelve, prepared and planned once per connection (each new text cost a check a round
    /// trip and a plan). In a fixed order, so that the same questions make the same reads.
    private func namesReads(digests: [Data], people: Set<PersonID>, consents: Set<ConsentReference>,
                            standingKnown: (PersonID) -> Bool) -> (reads: [SQLRead], expansions: [SQLExpansion]) {
        let digests = digests.sorted { $0.lexicographicallyPrecedes($1) }
        let references = consents.map(\.description).sorted()
        let first = digests.map { SQLRead(NameIndexReads.entry, [$0]) } + references.map { SQLRead(PersonReads.holder, [$0]) }
            + Self.personReads(people.map(\.description).sorted(), standingKnown: standingKnown)
        guard !first.isEmpty,
              let digestList = PostgresSession.argumentList(digests.map { [.blob($0)] }, bytes: true),
              let referenceList = PostgresSession.argumentList(references.map { [.text($0)] }) else { return (first, []) }
        return (first, [SQLExpansion(source: PersonReads.listed, arguments: SQLArguments([.text(digestList), .text(referenceList)]),
                                     reads: [PersonReads.person, StoredEvents.ofPerson, PersonReads.consents])])
    }

    /// A person's row, and their events and consents unless `standingKnown` says the caller has
    /// their standing already.
    private static func personReads(_ ids: some Sequence<String>, standingKnown: (PersonID) -> Bool) -> [SQLRead] {
        ids.flatMap { id in
            PersonID(parsing: id).map(standingKnown) == true
                ? [SQLRead(PersonReads.person, [id])]
                : [SQLRead(PersonReads.person, [id]), SQLRead(StoredEvents.ofPerson, [id]), SQLRead(PersonReads.consents, [id])]
        }
    }

    private static let namesListing = [SQLListedRead(NameIndexReads.entry, bytes: true), SQLListedRead(PersonReads.holder),
                                       SQLListedRead(PersonReads.person), SQLListedRead(StoredEvents.ofPerson), SQLListedRead(PersonReads.consents)]

    /// Who `sha256` names as its rows fetched ahead hold them, not confirmed: its mentions, and
    /// the people its reviews and face decisions name. Only for choosing what to read ahead
    /// (`sendAhead`), never for an answer. Nil when its rows were not fetched ahead (always on
    /// SQLite), and for an edited copy, whose originals' mentions count too
    /// (`unconfirmedNaming(ofCopy:)`).
    public func unconfirmedNaming(of sha256: String) throws -> (mentions: [AssetMention], people: Set<PersonID>)? {
        guard let prefetched = db as? PrefetchedSession, let row = try Self.heldAssetRow(sha256, in: prefetched),
              Self.documentIDs(of: row).isEmpty else { return nil }
        return try Self.naming(of: sha256, in: prefetched)
    }

    /// Who an edited copy and the originals its document index entries list name, as the rows
    /// fetched ahead hold them (the originals' once `receiveSentOriginals` has them), not
    /// confirmed: for choosing what to read ahead while the originals are confirmed. Nil when
    /// any of those rows is not held, or an original is itself a copy.
    public func unconfirmedNaming(ofCopy sha256: String) throws -> (mentions: [AssetMention], people: Set<PersonID>)? {
        guard let prefetched = db as? PrefetchedSession, let row = try Self.heldAssetRow(sha256, in: prefetched) else { return nil }
        let documentIDs = Self.documentIDs(of: row)
        guard !documentIDs.isEmpty, prefetched.holds(documentIDs.map { SQLRead(DocumentIndexReads.entry, [$0]) }) else { return nil }
        var naming = try Self.naming(of: sha256, in: prefetched)
        for documentID in documentIDs {
            guard let entry = try prefetched.fetchOne(DocumentIndexReads.entry, [documentID]) else { continue }
            for original in (entry["assets"] as String?).flatMap(Ledger.stringList) ?? [] where original != sha256 {
                guard let row = try Self.heldAssetRow(original, in: prefetched), Self.documentIDs(of: row).isEmpty else { return nil }
                let more = try Self.naming(of: original, in: prefetched)
                naming.mentions += more.mentions
                naming.people.formUnion(more.people)
            }
        }
        return naming
    }

    /// The asset's row, when its rows and the ones naming people were fetched ahead.
    private static func heldAssetRow(_ sha256: String, in prefetched: PrefetchedSession) throws -> SQLRow? {
        let reads = [AssetReads.asset, AssetReads.mentions, AssetReads.reviews, AssetReads.faceDecisions]
        guard prefetched.holds(reads.map { SQLRead($0, [sha256]) }) else { return nil }
        return try prefetched.fetchOne(AssetReads.asset, [sha256])
    }

    /// The document ids an asset's row points at as an edited copy, sorted, each once, as
    /// `Ledger.documentLookup` asks for them.
    private static func documentIDs(of row: SQLRow) -> [String] {
        Set([row["original_document_id"] as String?, row["derived_from"] as String?].compactMap { $0 }).sorted()
    }

    private static func naming(of sha256: String, in prefetched: PrefetchedSession) throws -> (mentions: [AssetMention], people: Set<PersonID>) {
        var people = Set<PersonID>()
        for read in [AssetReads.reviews, AssetReads.faceDecisions] {
            for row in try prefetched.fetchAll(read, [sha256]) {
                if let id = (row["person_id"] as String?).flatMap(PersonID.init(parsing:)) { people.insert(id) }
            }
        }
        let mentions = try prefetched.fetchAll(AssetReads.mentions, [sha256]).map { row in
            AssetMention(source: row[1] as String? ?? "", label: row[2] as String?,
                         identifiers: (row[3] as String?).flatMap(Ledger.stringList) ?? [], region: nil)
        }
        return (mentions, people)
    }

    /// An object kept with this database connection and handed back to later snapshots for as
    /// long as the ledger is unchanged (see `ConnectionMemos`): the place for answers derived
    /// from what this snapshot reads, so a server answering many checks works each out once.
    public func memo<Memo: AnyObject>(_ make: () -> Memo) throws -> Memo {
        try ledger.memos.memo(for: db, make: make)
    }

    /// The asset as its signed events say, with the rows checked against them (see
    /// `StoredAsset.problems`). `withPublications` also reads and confirms its publications and
    /// takedown items.
    public func asset(_ sha256: String, withPublications: Bool = false) throws -> StoredAsset? {
        try Ledger.storedAsset(sha256, including: withPublications ? .publications : [], db: db, ledger: ledger)
    }

    /// Assets whose xmpMM:DocumentID is one of `documentIDs` (the originals of an edited copy),
    /// through the document index.
    public func assets(withDocumentIDs documentIDs: [String]) throws -> DocumentLookup {
        try receiveSentOriginals()
        return try Ledger.documentLookup(documentIDs, db: db, ledger: ledger)
    }

    /// People (not erased) whose name or alias folds to `key`, from a confirmed index entry.
    public func personIDs(named key: NameKey) throws -> NameLookup {
        try Ledger.nameLookup(key, db: db, ledger: ledger)
    }

    public func consentHolder(_ reference: ConsentReference) throws -> PersonID? {
        try Ledger.consentHolder(reference, db: db)
    }

    /// Whether `id` was ever registered (erased people included), without decrypting anyone.
    public func personExists(_ id: PersonID) throws -> Bool {
        try Ledger.personExists(id, db: db)
    }

    /// What the gate needs about a person: nil when unknown or erased. A person whose records
    /// do not match their own signed events (a row edited, deleted or inserted in SQL, a key
    /// that no longer opens their data) is returned with `recordTampered` set, so the gate
    /// blocks whatever else it knows.
    public func standing(_ id: PersonID) throws -> PersonStanding? {
        let confirmation = try ledger.confirmPerson(id, db: db)
        guard let row = confirmation.person else {
            // No row: unknown, unless events say the person was registered.
            return try Ledger.personExists(id, db: db) ? PersonStanding(id: id, recordTampered: true) : nil
        }
        guard row.erasedAt == nil else {
            return confirmation.intact ? nil : PersonStanding(id: id, roles: row.roles, recordTampered: true)
        }
        guard let data = try ledger.personalData(of: row, db: db, key: { try ledger.personKeys.key(of: id.description, db: db) }),
              let rows = confirmation.consents, let consents = try? rows.map({ try ledger.record(for: $0, key: nil) }) else {
            return PersonStanding(id: id, roles: row.roles, recordTampered: true)
        }
        return PersonStanding(id: id, displayName: data.name, roles: row.roles, dateOfBirth: data.dateOfBirth,
                              consents: consents, tampered: confirmation.unverified,
                              recordTampered: !confirmation.intact)
    }
}

extension Ledger {
    /// Runs `body` in one read transaction. The snapshot must not outlive `body`.
    public func snapshot<T>(_ body: (LedgerSnapshot) throws -> T) throws -> T {
        try store.read { db in try body(LedgerSnapshot(db: db, ledger: self)) }
    }
}
