import ClearanceCore
import Foundation
import NIOCore
import PostgresNIO
import Synchronization

/// A read a caller is about to make, fetched ahead: its text and arguments exactly as the
/// caller will ask for them.
struct SQLRead: Hashable {
    let sql: String
    let arguments: SQLArguments

    init(_ sql: String, _ arguments: SQLArguments) {
        self.sql = sql
        self.arguments = arguments
    }
}

/// Reads a caller is about to make for each value a query on the server lists, fetched ahead
/// in the same statement as other reads: each of `reads` (a text with one `?`) for each value
/// `source` gives, answered as `SQLRead(read, [value])`. Saves the round trip of reading the
/// list first when the values only serve to say what to read next (the people a name index
/// entry lists). Only which reads are fetched depends on `source`, never what they answer:
/// each is the same statement in the same snapshot as the read asked later, so a value that
/// is never asked for costs its rows and nothing else.
struct SQLExpansion: Hashable {
    /// A query whose rows are one text column each, with a `?` for each of `arguments`.
    let source: String
    let arguments: SQLArguments
    let reads: [String]
}

/// A read (a text with one `?`) that goes as one part over a list of its arguments however
/// many are asked, none or one included, so that the statement's text does not change with how
/// many: each text is prepared and planned once per connection, and a statement's first use
/// (a round trip to prepare it, and milliseconds to plan it) was what the slowest checks had
/// in common. `bytes`: its argument is bytes, which go in the list as hex.
struct SQLListedRead: Hashable {
    let sql: String
    let bytes: Bool

    init(_ sql: String, bytes: Bool = false) {
        self.sql = sql
        self.bytes = bytes
    }
}

extension SQLSession {
    /// A session that answers `reads` from rows fetched ahead, all of them in one round trip on
    /// PostgreSQL, where each statement is a round trip to the server (a check reads seven
    /// tables for an asset). SQLite reads in process, so there it is this session itself.
    /// On a session that already holds rows fetched ahead, only the reads it cannot answer are
    /// fetched, and the new session answers both. `expanding`: reads for values the server
    /// lists, fetched in the same round trip (see `SQLExpansion`).
    /// `listing`: reads that go as a list however many are asked (see `SQLListedRead`).
    func prefetching(_ reads: [SQLRead], expanding expansions: [SQLExpansion] = [],
                     listing: [SQLListedRead] = []) throws -> any SQLSession {
        if let prefetched = self as? PrefetchedSession {
            let missing = reads.filter { !prefetched.answers($0) }
            let expanding = expansions.filter { !prefetched.expanded.contains($0) }
            guard !missing.isEmpty || !expanding.isEmpty, let postgres = prefetched.base as? PostgresSession else { return self }
            return prefetched.adding(try postgres.fetchTogether(missing, expanding: expanding, listing: listing), expanded: expanding)
        }
        guard let postgres = self as? PostgresSession else { return self }
        return PrefetchedSession(base: postgres, fetched: try postgres.fetchTogether(reads, expanding: expansions, listing: listing),
                                 expanded: Set(expansions))
    }
}

/// Answers the reads it was given ahead, each as often as asked, from the rows fetched then;
/// anything else goes to `base`. A write drops them all, so nothing is answered from before it.
final class PrefetchedSession: SQLSession {
    let base: any SQLSession
    private var fetched: [SQLRead: [SQLRow]]
    /// The expansions whose reads `fetched` holds, so that asking them again costs nothing.
    fileprivate private(set) var expanded: Set<SQLExpansion>

    init(base: any SQLSession, fetched: [(read: SQLRead, rows: [SQLRow])], expanded: Set<SQLExpansion> = []) {
        self.base = base
        self.fetched = Dictionary(fetched.map { ($0.read, $0.rows) }, uniquingKeysWith: { first, _ in first })
        self.expanded = expanded
    }

    var dialect: SQLDialect { base.dialect }

    /// How many reads are answered from rows fetched ahead.
    var fetchedAhead: Int { fetched.count }

    fileprivate var fetchedReads: [(read: SQLRead, rows: [SQLRow])] { fetched.map { ($0.key, $0.value) } }

    fileprivate func answers(_ read: SQLRead) -> Bool { fetched[read] != nil }

    /// This session with `more` rows fetched ahead (a statement sent earlier and answered now),
    /// and `expansions` held; rows it holds already are kept as they are.
    func adding(_ more: [(read: SQLRead, rows: [SQLRow])], expanded expansions: [SQLExpansion]) -> PrefetchedSession {
        PrefetchedSession(base: base, fetched: fetchedReads + more, expanded: expanded.union(expansions))
    }

    /// Whether every one of `reads` is answered from the rows fetched ahead.
    func holds(_ reads: [SQLRead]) -> Bool { reads.allSatisfy(answers) }

    private func answer(_ sql: String, _ arguments: SQLArguments) -> [SQLRow]? {
        fetched[SQLRead(sql, arguments)]
    }

    @discardableResult
    func execute(_ sql: String, _ arguments: SQLArguments) throws -> Int {
        fetched.removeAll()
        expanded.removeAll()
        return try base.execute(sql, arguments)
    }

    func fetchAll(_ sql: String, _ arguments: SQLArguments) throws -> [SQLRow] {
        try answer(sql, arguments) ?? base.fetchAll(sql, arguments)
    }

    func fetchOne(_ sql: String, _ arguments: SQLArguments) throws -> SQLRow? {
        if let rows = answer(sql, arguments) { return rows.first }
        return try base.fetchOne(sql, arguments)
    }

    func forEachRow(_ sql: String, _ arguments: SQLArguments, _ body: (SQLRow) throws -> Void) throws {
        guard let rows = answer(sql, arguments) else { return try base.forEachRow(sql, arguments, body) }
        for row in rows { try body(row) }
    }
}

/// The declared type of every column of the ledger's tables, read from information_schema once
/// per store: what `fetchTogether` needs to turn JSON back into the values a plain read gives.
final class PostgresColumnTypes: Sendable {
    private let tables = Mutex<[String: [(name: String, type: String)]]?>(nil)
    /// What `plainColumns` found for each statement text.
    let shapes = Mutex<[String: [(name: String, type: String)]?]>([:])
    /// The text `fetchTogether` made for each shape of reads (which reads, how each goes, and
    /// whether the snapshot's name comes along): building it, column by column, was a fifth of
    /// that function's time, and a check asks a few shapes.
    let statements = Mutex<[String: String]>([:])

    func columns(of table: String, db: PostgresSession) throws -> [(name: String, type: String)]? {
        if let known = tables.withLock({ $0 }) { return known[table] }
        var found: [String: [(name: String, type: String)]] = [:]
        for row in try db.fetchAll("""
            SELECT table_name::text AS t, column_name::text AS c, data_type::text AS d FROM information_schema.columns
            WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position
            """, []) {
            found[row["t"] as String? ?? "", default: []].append((row["c"] as String? ?? "", row["d"] as String? ?? ""))
        }
        tables.withLock { $0 = found }
        return found[table]
    }
}

/// A statement of reads fetched together, sent and not yet waited for
/// (`PostgresSession.sendTogether`), with what reading its rows back needs.
struct SentTogether {
    let sql: String
    let rows: PostgresAnswer<[PostgresRow]>
    let reads: [SQLRead]
    /// Each group's columns and the reads (by their index in `reads`) it answers, in the
    /// order of the statement's parts.
    let groups: [(columns: [(name: String, type: String)], members: [Int])]
    let expandedReads: [(sql: String, columns: [(name: String, type: String)])]
    let namesSnapshot: Bool
}

extension PostgresSession {
    /// Each read's rows, all in one statement: every read that is a plain `SELECT columns FROM
    /// table …` gives its rows with each column as text, numbered in its own order, and one
    /// row of NULLs when it has none; any other read is left out, to be read on its own when
    /// asked. Values come back as a plain read gives them, by each column's declared type.
    /// (Text, not `json_agg`: decoding JSON was a sixth of a check's time, most of it for the
    /// events' payloads, which went across as hex inside JSON strings.)
    ///
    /// Reads of the same text that each take one text argument, when there are several, go as
    /// one part, run once for each element of a JSON list of their arguments. The statement's
    /// text then depends on which reads are asked and whether once or more, not on how many
    /// times (a group photo asks three reads for each of a dozen people), so it is prepared and
    /// planned once per connection, where a statement per count was planned anew whenever the
    /// prepared ones ran out, at the server's cost of planning a UNION of dozens of reads.
    ///
    /// An expansion's reads go each as one part, run once for each value its source lists; the
    /// source goes first, as a `WITH` query, and is run once.
    ///
    /// `listing`: reads that go as a list whatever their number, and as an empty list when none
    /// is asked (`SQLListedRead`).
    func fetchTogether(_ reads: [SQLRead], expanding expansions: [SQLExpansion] = [],
                       listing: [SQLListedRead] = []) throws -> [(read: SQLRead, rows: [SQLRow])] {
        guard let sent = try sendTogether(reads, expanding: expansions, listing: listing) else { return [] }
        return try answers(to: sent)
    }

    /// `fetchTogether`'s statement, sent without waiting for its rows (`answers(to:)` waits);
    /// nil when none of the reads can go together. Preparing the statement, the first time a
    /// connection sends its text, is waited for.
    func sendTogether(_ reads: [SQLRead], expanding expansions: [SQLExpansion] = [],
                      listing: [SQLListedRead] = []) throws -> SentTogether? {
        struct Group {
            let sql: String
            let columns: [(name: String, type: String)]
            var members: [Int]
        }
        var groups: [Group] = []
        var groupOf: [String: Int] = [:]
        // Only a read that can go as a list: a group with no reads must not become a part.
        for listed in listing where groupOf[listed.sql] == nil && Self.isCorrelatable(listed.sql) {
            guard let columns = try Self.plainColumns(of: listed.sql, types: columnTypes, db: self) else { continue }
            groupOf[listed.sql] = groups.count
            groups.append(Group(sql: listed.sql, columns: columns, members: []))
        }
        for (index, read) in reads.enumerated() {
            guard let columns = try Self.plainColumns(of: read.sql, types: columnTypes, db: self) else { continue }
            if let known = groupOf[read.sql] {
                groups[known].members.append(index)
            } else {
                groupOf[read.sql] = groups.count
                groups.append(Group(sql: read.sql, columns: columns, members: [index]))
            }
        }
        // Each expansion with the reads of it that can run for each value; one with none goes.
        var sources: [(expansion: SQLExpansion, reads: [(sql: String, columns: [(name: String, type: String)])])] = []
        for expansion in expansions {
            var readable: [(sql: String, columns: [(name: String, type: String)])] = []
            for read in expansion.reads where Self.isCorrelatable(read) {
                if let columns = try Self.plainColumns(of: read, types: columnTypes, db: self) { readable.append((read, columns)) }
            }
            if !readable.isEmpty { sources.append((expansion, readable)) }
        }
        guard !groups.isEmpty || !sources.isEmpty, let types = columnTypes else { return nil }
        // In order of their text, so that the same reads make the same statement.
        groups.sort { $0.sql < $1.sql }
        // How each group goes: as one part over a list of its arguments (what stands for its
        // placeholder), or each read as a part of its own (a read asked once, unless `listing`
        // names it: the list costs the server more to plan than it saves). A group of `listing`
        // whose arguments are not all of its kind goes as parts too. The sources' arguments come
        // first, as their `WITH` queries do in the text.
        let listedBytes = Dictionary(listing.map { ($0.sql, $0.bytes) }, uniquingKeysWith: { first, _ in first })
        var listed: [String?] = []
        var arguments: [SQLValue] = sources.flatMap(\.expansion.arguments.values)
        for group in groups {
            let members = group.members.map { reads[$0].arguments.values }
            let bytes = listedBytes[group.sql]
            if bytes != nil || members.count > 1, Self.isCorrelatable(group.sql),
               let list = Self.argumentList(members, bytes: bytes ?? false) {
                listed.append(bytes == true ? "decode(grouped.v, 'hex')" : "grouped.v")
                arguments.append(.text(list))
            } else {
                listed.append(nil)
                for values in members { arguments += values }
            }
        }
        // The first read of a read-only snapshot fixes it: its name comes along (`snapshotKey`).
        let namesSnapshot = isReadOnlySnapshot && snapshot == nil
        // The text depends on the groups' reads, how each goes and how many reads go as their
        // own parts, the sources and their reads, and the snapshot's name: not on the arguments.
        let shape = zip(groups, listed).map { group, list in group.sql + (list.map { "\u{0}list\u{0}" + $0 } ?? "\u{0}\(group.members.count)") }
            .joined(separator: "\u{1}")
            + sources.map { "\u{1}expanding\u{0}" + $0.expansion.source + "\u{0}" + $0.reads.map(\.sql).joined(separator: "\u{0}") }.joined()
            + (namesSnapshot ? "\u{1}snapshot" : "")
        let sql: String
        if let known = types.statements.withLock({ $0[shape] }) {
            sql = known
        } else {
            sql = Self.statementText(groups.map { ($0.sql, $0.columns, $0.members.count) }, listed: listed,
                                     expanding: sources.map { ($0.expansion.source, $0.reads) }, namesSnapshot: namesSnapshot)
            types.statements.withLock { statements in
                // A check asks a handful of shapes; anything beyond that is not worth keeping.
                if statements.count >= 1_024 { statements.removeAll() }
                statements[shape] = sql
            }
        }
        let rows: PostgresAnswer<[PostgresRow]>
        if let prepared = try preparedReads?.start(sql, SQLArguments(arguments), session: self) {
            rows = prepared
        } else {
            let statement = try PostgresStatement(sql)
            let query = PostgresQuery(unsafeSQL: statement.sql, binds: try Self.bindings(SQLArguments(arguments), for: statement, sql: sql))
            let connection = connection, logger = logger
            rows = start { connection.query(query, logger: logger).map(\.rows) }
        }
        return SentTogether(sql: sql, rows: rows, reads: reads, groups: groups.map { ($0.columns, $0.members) },
                            expandedReads: sources.flatMap(\.reads), namesSnapshot: namesSnapshot)
    }

    /// The answers to a statement `sendTogether` sent, once it is answered: each read's rows,
    /// as `fetchTogether` gives them.
    func answers(to sent: SentTogether) throws -> [(read: SQLRead, rows: [SQLRow])] {
        let sql = sent.sql, reads = sent.reads, groups = sent.groups, expandedReads = sent.expandedReads
        let namesSnapshot = sent.namesSnapshot
        let rows = try answer(to: sent.rows, as: sql)
        let width = Self.width(of: groups.map(\.columns) + expandedReads.map(\.columns))
        // Each group's and expanded read's column names, made once and shared by all its rows.
        let groupNames = groups.map { $0.columns.map(\.name) }
        let expandedNames = expandedReads.map { $0.columns.map(\.name) }
        var answers = [[(number: Int, row: SQLRow)]?](repeating: nil, count: reads.count)
        var unreadable = Set<Int>()
        // An expansion's answers, by the read and the value the server listed, in the order listed.
        var expanded: [SQLRead: [(number: Int, row: SQLRow)]] = [:]
        var expandedOrder: [SQLRead] = []
        var unreadableExpanded = Set<SQLRead>()
        var cells: [ByteBuffer?] = []
        cells.reserveCapacity(width + 2)
        for row in rows {
            // Every column is cast to text in the statement; its bytes are read once, straight
            // into the value its declared type says (a row of strings first, then each string
            // parsed, was two conversions of every cell: a tenth of a check's CPU in a profile).
            // Another type is a fault in the statement: skipping the row would answer a read
            // with some of its rows missing.
            cells.removeAll(keepingCapacity: true)
            for cell in row {
                guard Self.isText(cell.dataType) else {
                    throw PostgresStatementError(sqlState: nil, message: "column \(cell.columnIndex + 1) of a fetch-ahead statement is of type \(cell.dataType.description.lowercased()), not text",
                                                 statement: sql)
                }
                cells.append(cell.bytes)
            }
            guard cells.count == width + 2, let labelBytes = cells[0] else { continue }
            let q = String(buffer: labelBytes)
            if namesSnapshot, q == "snapshot" {
                snapshot = cells[2].map { String(buffer: $0) }
                continue
            }
            let columns: [(name: String, type: String)]
            let names: [String]
            let place: (index: Int?, read: SQLRead?)
            if q.hasPrefix("x") {
                // `x<read>:<value>`: the value is the rest, colons and all.
                guard let colon = q.firstIndex(of: ":"), let number = Int(q[q.index(after: q.startIndex)..<colon]),
                      expandedReads.indices.contains(number) else { continue }
                let read = SQLRead(expandedReads[number].sql, SQLArguments([.text(String(q[q.index(after: colon)...]))]))
                if expanded[read] == nil {
                    expanded[read] = []
                    expandedOrder.append(read)
                }
                columns = expandedReads[number].columns
                names = expandedNames[number]
                place = (nil, read)
            } else {
                let label = q.split(separator: ":")
                guard label.count == 2, let number = Int(label[0]), let ordinal = Int(label[1]), groups.indices.contains(number),
                      groups[number].members.indices.contains(ordinal - 1) else { continue }
                let index = groups[number].members[ordinal - 1]
                if answers[index] == nil { answers[index] = [] }
                columns = groups[number].columns
                names = groupNames[number]
                place = (index, nil)
            }
            // No number: the read has no rows (the row of NULLs its join gives then).
            guard let numberBytes = cells[1] else { continue }
            // A read whose text does not turn back into its columns is left to be read on its
            // own, as if it had not been fetched ahead (nothing on the server failed).
            guard let position = Int(String(buffer: numberBytes)), let values = Self.values(of: cells.dropFirst(2), columns: columns) else {
                if let index = place.index { unreadable.insert(index) }
                if let read = place.read { unreadableExpanded.insert(read) }
                continue
            }
            let answer = (position, SQLRow(columns: names, values: values))
            if let index = place.index { answers[index]?.append(answer) }
            if let read = place.read { expanded[read]?.append(answer) }
        }
        let asked = zip(reads.indices, reads).compactMap { index, read -> (read: SQLRead, rows: [SQLRow])? in
            guard !unreadable.contains(index), let numbered = answers[index] else { return nil }
            return (read, numbered.sorted { $0.number < $1.number }.map(\.row))
        }
        return asked + expandedOrder.compactMap { read in
            guard !unreadableExpanded.contains(read), let numbered = expanded[read] else { return nil }
            return (read, numbered.sorted { $0.number < $1.number }.map(\.row))
        }
    }

    /// Every part has as many value columns as the widest read; the others are NULL.
    private static func width(of columns: [[(name: String, type: String)]]) -> Int {
        max(1, columns.map(\.count).max() ?? 1)
    }

    /// The one statement for `groups` (sorted by their text; each read's text, its columns and
    /// how many reads of it are asked), each going as a list or as parts of its own (`listed`:
    /// for a list, what stands for the read's placeholder).
    /// `expanding`: each source, and its reads to run for each value it lists.
    static func statementText(_ groups: [(sql: String, columns: [(name: String, type: String)], count: Int)], listed: [String?],
                              expanding sources: [(source: String, reads: [(sql: String, columns: [(name: String, type: String)])])] = [],
                              namesSnapshot: Bool) -> String {
        let width = width(of: groups.map(\.columns) + sources.flatMap { $0.reads.map(\.columns) })
        func selected(_ columns: [(name: String, type: String)]) -> String {
            (0..<width).map { position in
                guard position < columns.count else { return "NULL::text" }
                let column = "prefetched_row.\"\(columns[position].name)\""
                // Bytes, and floating point as its bytes, in plain hex: exact whatever the
                // server's `bytea_output` and `extra_float_digits` say.
                return switch columns[position].type {
                case "bytea": "encode(\(column), 'hex')"
                case "double precision": "encode(float8send(\(column)), 'hex')"
                case "real": "encode(float4send(\(column)), 'hex')"
                default: "\(column)::text"
                }
            }.joined(separator: ", ")
        }
        // The aliases are ones no table's column has: a column of the same name would stand for them.
        func numbered(_ sql: String) -> String {
            "(SELECT row_number() OVER () AS prefetched_number, listed.* FROM (\(sql)) AS listed) AS prefetched_row"
        }
        var parts: [String] = []
        for (number, (group, list)) in zip(groups, listed).enumerated() {
            if let element = list {
                let correlated = group.sql.replacingOccurrences(of: "?", with: element)
                parts.append("SELECT '\(number):' || grouped.q::text, prefetched_row.prefetched_number::text, \(selected(group.columns)) "
                             + "FROM json_array_elements_text(CAST(? AS text)::json) WITH ORDINALITY AS grouped(v, q) "
                             + "LEFT JOIN LATERAL \(numbered(correlated)) ON true")
            } else {
                for ordinal in 1...max(1, group.count) {
                    parts.append("SELECT '\(number):\(ordinal)', prefetched_row.prefetched_number::text, \(selected(group.columns)) "
                                 + "FROM (SELECT 1) AS one LEFT JOIN \(numbered(group.sql)) ON true")
                }
            }
        }
        // Each source's values once each, as text, none NULL: a value listed twice would answer
        // its reads with their rows twice.
        var expandedNumber = 0
        for (number, source) in sources.enumerated() {
            for read in source.reads {
                let correlated = read.sql.replacingOccurrences(of: "?", with: "expanded_\(number).v")
                parts.append("SELECT 'x\(expandedNumber):' || expanded_\(number).v, prefetched_row.prefetched_number::text, \(selected(read.columns)) "
                             + "FROM expanded_\(number) LEFT JOIN LATERAL \(numbered(correlated)) ON true")
                expandedNumber += 1
            }
        }
        if namesSnapshot {
            parts.append("SELECT 'snapshot', NULL::text, pg_current_snapshot()::text" + String(repeating: ", NULL::text", count: width - 1))
        }
        let with = sources.isEmpty ? "" : "WITH " + sources.enumerated().map { number, source in
            "expanded_\(number)(v) AS (SELECT DISTINCT CAST(listed.v AS text) FROM (\(source.source)) AS listed(v) WHERE listed.v IS NOT NULL)"
        }.joined(separator: ", ") + " "
        return with + "SELECT * FROM (" + parts.joined(separator: " UNION ALL ") + ") AS together"
    }

    /// A fetched row's values (the cells after its label and number, each the text the
    /// statement cast it to) as a plain read gives them, by each column's declared type; nil
    /// when one is not what its type says.
    static func values(of cells: ArraySlice<ByteBuffer?>, columns: [(name: String, type: String)]) -> [SQLValue]? {
        var values: [SQLValue] = []
        values.reserveCapacity(columns.count)
        for (cell, column) in zip(cells, columns) {
            guard let bytes = cell else {
                values.append(.null)
                continue
            }
            switch column.type {
            case "bigint", "integer", "smallint":
                guard let integer = Int64(String(buffer: bytes)) else { return nil }
                values.append(.integer(integer))
            case "double precision":
                guard let bits = hexInteger(bytes, digits: 16) else { return nil }
                values.append(.real(Double(bitPattern: bits)))
            case "real":
                guard let bits = hexInteger(bytes, digits: 8) else { return nil }
                values.append(.real(Double(Float(bitPattern: UInt32(bits)))))
            case "boolean":
                // `::text` of a boolean writes the word.
                let text = String(buffer: bytes)
                guard text == "true" || text == "false" else { return nil }
                values.append(.integer(text == "true" ? 1 : 0))
            case "text", "character varying":
                values.append(.text(String(buffer: bytes)))
            case "bytea":
                guard let data = bytes.withUnsafeReadableBytes({ hexBytes($0) }) else { return nil }
                values.append(.blob(data))
            default:
                return nil
            }
        }
        return values.count == columns.count ? values : nil
    }

    /// Whether a cell of this type is text as the statement sent it: its bytes are the same
    /// UTF-8 in the text and the binary format.
    private static func isText(_ type: PostgresDataType) -> Bool {
        type == .text || type == .varchar || type == .bpchar || type == .name
    }

    /// `digits` hex digits, as `encode(float8send(…), 'hex')` writes a number's bytes, most
    /// significant first, as one integer.
    private static func hexInteger(_ bytes: ByteBuffer, digits: Int) -> UInt64? {
        guard bytes.readableBytes == digits else { return nil }
        var value: UInt64 = 0
        for digit in bytes.readableBytesView {
            guard let nibble = hexValue(digit) else { return nil }
            value = value << 4 | UInt64(nibble)
        }
        return value
    }

    /// The arguments of reads that each take one text argument, as a JSON list; nil otherwise
    /// (or for text PostgreSQL cannot hold, NUL, which such a read then sends as it is, and fails).
    /// `bytes`: each takes one bytes argument instead, listed as lowercase hex.
    static func argumentList(_ members: [[SQLValue]], bytes: Bool = false) -> String? {
        var texts: [String] = []
        for values in members {
            guard values.count == 1 else { return nil }
            switch values[0] {
            case .text(let text) where !bytes && !text.utf8.contains(0): texts.append(text)
            case .blob(let data) where bytes: texts.append(Hex.lowercase(data))
            default: return nil
            }
        }
        // Ids and hex, as nearly all are, written by hand (a JSON encoder made for each list
        // was 1.5% of a check's CPU); the server reads either form the same.
        return try? Ledger.jsonList(texts)
    }

    /// Whether the read can run once for each element of a list, its one placeholder standing
    /// for `grouped.v`: only with exactly one `?` and nothing quoted or commented, where a `?`
    /// would not be a placeholder (the reads fetched ahead are the ledger's own constant text).
    static func isCorrelatable(_ sql: String) -> Bool {
        sql.utf8.filter({ $0 == UInt8(ascii: "?") }).count == 1 && !sql.utf8.contains(where: { "'\"$-/;".utf8.contains($0) })
    }

    /// The columns, in order, of a read of the form `SELECT * | a, b, … FROM table …` whose every
    /// column has a type `values(of:columns:)` reads; nil for any other read. Worked out once per
    /// statement text (a check asks the same few every time).
    static func plainColumns(of sql: String, types: PostgresColumnTypes?, db: PostgresSession) throws -> [(name: String, type: String)]? {
        guard let types else { return nil }
        if let known = types.shapes.withLock({ $0[sql] }) { return known }
        let shape = try shape(of: sql, types: types, db: db)
        types.shapes.withLock { $0[sql] = .some(shape) }
        return shape
    }

    private static func shape(of sql: String, types: PostgresColumnTypes, db: PostgresSession) throws -> [(name: String, type: String)]? {
        let text = Substring(sql)
        guard text.hasPrefix("SELECT "), let from = text.range(of: " FROM ") else { return nil }
        let listText = text[text.index(text.startIndex, offsetBy: 7)..<from.lowerBound]
        let afterFrom = text[from.upperBound...]
        let tableName = afterFrom.prefix { ("a"..."z").contains($0) || $0 == "_" }
        guard !tableName.isEmpty, tableName.endIndex == afterFrom.endIndex || afterFrom[tableName.endIndex] == " ",
              listText.allSatisfy({ ("a"..."z").contains($0) || "_*, ".contains($0) }),
              let table = try types.columns(of: String(tableName), db: db),
              !table.contains(where: { ["prefetched_row", "prefetched_number"].contains($0.name) }) else { return nil }
        let list = listText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let columns: [(name: String, type: String)]
        if list == ["*"] {
            columns = table
        } else {
            columns = list.compactMap { name in table.first { $0.name == name } }
            guard columns.count == list.count else { return nil }
        }
        return columns.allSatisfy { readableTypes.contains($0.type) } ? columns : nil
    }

    static let readableTypes: Set<String> = ["bigint", "integer", "smallint", "double precision", "real", "text",
                                             "character varying", "bytea", "boolean"]

    /// Bytes written as two hex digits each, as `encode(…, 'hex')` writes them.
    static func hexBytes(_ digits: UnsafeRawBufferPointer) -> Data? {
        guard digits.count % 2 == 0 else { return nil }
        // Written into the Data's own bytes: `Data.append` a byte at a time cost a third of a
        // check's time, and `Data(_:)` of a byte array goes through generic casts.
        var data = Data(count: digits.count / 2)
        let decoded = data.withUnsafeMutableBytes { (bytes: UnsafeMutableRawBufferPointer) -> Bool in
            var index = 0
            while index < digits.count {
                guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return false }
                bytes[index / 2] = high << 4 | low
                index += 2
            }
            return true
        }
        return decoded ? data : nil
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
