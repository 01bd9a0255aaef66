import Dispatch
import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import Testing
@testable import Ledger

/// The PostgreSQL store on its own: addresses and statement rewriting (no server needed), and
/// sessions, transactions, concurrency and lost connections against a real server.
@Suite struct PostgresStoreTests {

    // MARK: - Addresses

    @Suite struct Addresses {
        @Test func readsEveryPartPercentDecoded() throws {
            let address = try PostgresAddress(parsing: "postgres://cl%40ra:p%40ss%2Fw%3Ard%25@db.example.org:6543/ledger%20one?sslmode=require")
            #expect(address.user == "cl@ra")
            #expect(address.password == "p@ss/w:rd%")
            #expect(address.host == "db.example.org")
            #expect(address.port == 6543)
            #expect(address.database == "ledger one")
            #expect(address.tlsMode == .require)
        }

        @Test func fillsInWhatIsLeftOut() throws {
            let address = try PostgresAddress(parsing: "POSTGRESQL://clearance@localhost/ledger")
            #expect(address == PostgresAddress(user: "clearance", password: nil, host: "localhost", port: 5432,
                                               database: "ledger", tlsMode: .prefer))
            // A bare "@" in the password still parses: the user information ends at the last "@".
            let bare = try PostgresAddress(parsing: "postgres://u:a@b@[::1]:5433/db?sslmode=disable")
            #expect(bare.password == "a@b")
            #expect(bare.host == "::1")
            #expect(bare.port == 5433)
            #expect(bare.tlsMode == .disable)
            #expect(try PostgresAddress(parsing: "postgres://u:@h/db?sslmode=verify-full").password == "")
            #expect(try PostgresAddress(parsing: "postgres://u:@h/db?sslmode=verify-full").tlsMode == .verifyFull)
        }

        @Test func tellsAddressesFromPaths() {
            #expect(PostgresAddress.isPostgresAddress("postgres://u@h/db"))
            #expect(PostgresAddress.isPostgresAddress("PostgreSQL://u@h/db"))
            #expect(!PostgresAddress.isPostgresAddress("ledger.db"))
            #expect(!PostgresAddress.isPostgresAddress("/tmp/postgres://x"))
        }

        @Test func neverShowsThePassword() throws {
            let address = try PostgresAddress(parsing: "postgres://clearance:Sekr3t%2Fpass@db.example.org:6543/ledger?sslmode=require")
            var dumped = ""
            dump(address, to: &dumped)
            for shown in [address.description, address.debugDescription, String(reflecting: address), "\(address)", dumped] {
                #expect(!shown.contains("Sekr3t"), "\(shown)")
            }
            #expect(address.description == "postgres://clearance@db.example.org:6543/ledger?sslmode=require")
            // What is shown parses back to the same address, less the password.
            let shownBack = try PostgresAddress(parsing: address.description)
            #expect(shownBack == PostgresAddress(user: "clearance", password: nil, host: "db.example.org", port: 6543,
                                                 database: "ledger", tlsMode: .require))
            let awkward = PostgresAddress(user: "a@b:c", password: "x", host: "::1", port: 5432, database: "my db/1")
            #expect(try PostgresAddress(parsing: awkward.description) == PostgresAddress(user: "a@b:c", password: nil, host: "::1",
                                                                                       port: 5432, database: "my db/1"))
        }

        /// Each malformed address is refused as input, with a reason, and none of the messages
        /// repeats the password, wherever the mistake put it.
        @Test(arguments: [
            ("mysql://u:SECRET@h/db", "does not start with postgres://"),
            ("postgres:/u:SECRET@h/db", "does not start with postgres://"),
            ("postgres://u:SECRET@h", "names no database"),
            ("postgres://u:SECRET@h/", "names no database"),
            ("postgres://u:SECRET@h/db/more", "a / in its database name"),
            ("postgres://u:SECRET@/db", "names no host"),
            ("postgres://h/db", "names no user"),
            ("postgres://:SECRET@h/db", "names no user"),
            ("postgres://u:SE/CRET@h/db", "names no user"),
            ("postgres://u:SE?CRET@h/db", "names no user"),
            ("postgres://u:SECRET@h:99999/db", "port"),
            ("postgres://u:SECRET@h:0/db", "port"),
            ("postgres://u:SECRET@h:/db", "port"),
            ("postgres://u:SECRET@h:54x2/db", "port"),
            ("postgres://u:SECRET@[::1/db", "unclosed ["),
            ("postgres://u:SECRET@[::1]x/db", "after its [IPv6] host"),
            ("postgres://u:SEC%zzRET@h/db", "password with a malformed %-escape"),
            ("postgres://u:SECRET%00@h/db", "password with a malformed %-escape or a NUL"),
            ("postgres://u%zz:SECRET@h/db", "user name with a malformed"),
            ("postgres://u:SECRET@h/d%zzb", "database name with a malformed"),
            ("postgres://u:SECRET@h/db#SECRET", "has a # in it"),
            ("postgres://u:SE CRET@h/db", "space or control character"),
            ("postgres://u:SECRET@h/db?sslmode=maybe", "sslmode other than"),
            ("postgres://u:SECRET@h/db?sslmode", "not NAME=VALUE"),
            ("postgres://u:SECRET@h/db?user=SECRET", "other than sslmode"),
            ("postgres://u:SECRET@h/db?sslmode=require&sslmode=disable", "sslmode twice"),
        ])
        func refusesMalformedAddresses(text: String, reason: String) {
            do {
                _ = try PostgresAddress(parsing: text)
                Issue.record("\(text) was accepted")
            } catch let error as LedgerError {
                #expect(error.isInputError)
                #expect(error.description.contains(reason), "\(error)")
                #expect(error.description.contains("postgres://USER:PASSWORD@HOST:PORT/DATABASE"))
                #expect(!error.description.contains("SECRET"), "\(error)")
                #expect(!error.description.contains("SE/CRET") && !error.description.contains("CRET"), "\(error)")
            } catch {
                Issue.record("\(text): \(error)")
            }
        }
    }

    // MARK: - Statements

    @Suite struct Statements {
        private func numbered(_ sql: String) throws -> String { try PostgresStatement(sql).sql }

        @Test func numbersPlaceholdersInOrder() throws {
            let statement = try PostgresStatement("SELECT * FROM t WHERE a = ? AND b IN (?, ?)")
            #expect(statement.sql == "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)")
            #expect(statement.placeholderCount == 3)
            #expect(try PostgresStatement("SELECT 1").placeholderCount == 0)
        }

        @Test func leavesQuestionMarksInQuotesAndCommentsAlone() throws {
            #expect(try numbered("SELECT '?', ?") == "SELECT '?', $1")
            #expect(try numbered("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', $1")
            #expect(try numbered(#"SELECT "a?b", "x""?" FROM t WHERE c = ?"#) == #"SELECT "a?b", "x""?" FROM t WHERE c = $1"#)
            // E'…' takes backslash escapes; a plain '…' does not (standard_conforming_strings).
            #expect(try numbered(#"SELECT E'\'?', e'\\', ?"#) == #"SELECT E'\'?', e'\\', $1"#)
            #expect(try numbered(#"SELECT 'a\', ?"#) == #"SELECT 'a\', $1"#)
            #expect(try numbered(#"SELECT typE'?', ?"#) == #"SELECT typE'?', $1"#)
            #expect(try numbered("SELECT ? -- why?\n, ?") == "SELECT $1 -- why?\n, $2")
            #expect(try numbered("SELECT /* ? /* nested ? */ still ? */ ?") == "SELECT /* ? /* nested ? */ still ? */ $1")
            #expect(try numbered("SELECT $$?$$, $tag$ ? $$ ? $tag$, ?") == "SELECT $$?$$, $tag$ ? $$ ? $tag$, $1")
            // A "$" inside an identifier opens nothing.
            #expect(try numbered("SELECT a$b, ? FROM t") == "SELECT a$b, $1 FROM t")
            #expect(try numbered("SELECT 'Zoë ?', ?") == "SELECT 'Zoë ?', $1")
        }

        @Test func takesOneStatement() throws {
            #expect(try numbered("SELECT 1;") == "SELECT 1")
            #expect(try numbered("SELECT ?; -- done\n  /* really */ ") == "SELECT $1")
            #expect(try numbered("SELECT ';', \";\" /* ; */") == "SELECT ';', \";\" /* ; */")
            for text in ["SELECT 1; SELECT 2", "INSERT INTO t VALUES (1);DELETE FROM t", "SELECT 1; ?", "SELECT 1; 'x'",
                         "SELECT 1; -1", "SELECT 1; $$x$$"] {
                #expect(throws: PostgresStatementError.self, "\(text)") { try PostgresStatement(text) }
                do { _ = try PostgresStatement(text) } catch let error as PostgresStatementError {
                    #expect(error.message.contains("only one statement"), "\(error)")
                    #expect(error.statement == text)
                }
            }
        }

        @Test func refusesWhatItCannotNumber() throws {
            let cases = [
                ("SELECT 'abc", "quoted string is not closed"),
                (#"SELECT "abc"#, "quoted identifier is not closed"),
                ("SELECT 1 /* abc /* def */", "comment is not closed"),
                ("SELECT $x$abc$$", "$-quoted string is not closed"),
                ("SELECT $1", "write placeholders as ?"),
                ("", "empty"),
                ("  -- nothing\n", "empty"),
                (";", "empty"),
            ]
            for (text, reason) in cases {
                do {
                    _ = try PostgresStatement(text)
                    Issue.record("\(text) was accepted")
                } catch let error as PostgresStatementError {
                    #expect(error.message.contains(reason), "\(text): \(error)")
                    #expect(error.sqlState == nil)
                }
            }
        }

        @Test func knowsWhichStatementsAreQueries() throws {
            for query in ["SELECT 1", "  select 1", "WITH x AS (SELECT 1) SELECT * FROM x", "(SELECT 1) UNION (SELECT 2)",
                          "VALUES (1)", "TABLE t", "-- a query\nSELECT 1", "/* x */ SELECT 1"] {
                #expect(try PostgresStatement(query).isQuery, "\(query)")
            }
            for other in ["INSERT INTO t VALUES (1)", "UPDATE t SET a = 1 RETURNING a", "DELETE FROM t", "SELECTED"] {
                #expect(try !PostgresStatement(other).isQuery, "\(other)")
            }
        }

        /// Bytes fetched ahead come back as `encode(…, 'hex')` writes them; anything else is not
        /// bytes, and the read is then made on its own.
        @Test func readsHexAsTheServerWritesIt() {
            func hexBytes(_ text: String) -> Data? {
                var text = text
                return text.withUTF8 { PostgresSession.hexBytes(UnsafeRawBufferPointer($0)) }
            }
            let every = Data((0...255).map { UInt8($0) })
            let hex = every.map { String(format: "%02x", $0) }.joined()
            #expect(hexBytes(hex) == every)
            #expect(hexBytes(hex.uppercased()) == every)
            #expect(hexBytes("") == Data())
            for bad in ["0", "abc", "0g", "g0", "00 1", "\\x00", "é0"] {
                #expect(hexBytes(bad) == nil, "\(bad)")
            }
        }
    }

    // MARK: - Against a server

    /// Needs a server: `scripts/postgres-cluster.sh with swift test …` (what `make test` does)
    /// sets CLEARANCE_TEST_POSTGRES. Without it these are skipped, and say so, rather than pass.
    @Suite(.enabled(if: TestServer.address != nil, "CLEARANCE_TEST_POSTGRES is not set (run under scripts/postgres-cluster.sh)"))
    struct OnAServer {
        @Test func roundTripsEveryKindOfValue() throws {
            try TestServer.withScratchDatabase { address in
                let store = try PostgresStore(address: address)
                defer { store.close() }
                var everyByte = Data((0...255).map { UInt8($0) })
                everyByte.append(contentsOf: [0, 0, 0])
                var large = Data(count: 4 << 20)
                for index in large.indices { large[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 13) }
                let rows: [[SQLValue]] = [
                    [.null, .null, .null, .null],
                    [.integer(Int64.min), .real(-Double.greatestFiniteMagnitude), .text(""), .blob(Data())],
                    [.integer(Int64.max), .real(Double.leastNonzeroMagnitude), .text("Zoë 🙂 ñ, e\u{301}\n\t'\";?"), .blob(everyByte)],
                    [.integer(0), .real(0.1), .text(String(repeating: "ß", count: 100_000)), .blob(large)],
                    [.integer(-1), .real(.infinity), .text("<script>alert(1)</script>"), .blob(Data([0]))],
                ]
                try store.write { session in
                    try session.execute("CREATE TABLE kinds (id BIGINT PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, t TEXT, b BYTEA)")
                    for (id, row) in rows.enumerated() {
                        try session.execute("INSERT INTO kinds (id, i, r, t, b) VALUES (?, ?, ?, ?, ?)",
                                            SQLArguments([.integer(Int64(id))] + row))
                    }
                }
                let read = try store.read { session in try session.fetchAll("SELECT i, r, t, b FROM kinds ORDER BY id") }
                #expect(read.map(\.values) == rows)
                #expect(read.first?.columns == ["i", "r", "t", "b"])
                // Read back by value: a bound blob and text compare byte for byte.
                let found = try store.read { session in
                    try session.fetchValue(Int64.self, "SELECT id FROM kinds WHERE b = ? AND t = ?", [everyByte, "Zoë 🙂 ñ, e\u{301}\n\t'\";?"])
                }
                #expect(found == 2)
                let empty = try store.read { try $0.fetchOne("SELECT b, t FROM kinds WHERE id = 1") }
                #expect(empty?.value("b") == .blob(Data()))
                #expect(empty?.value("t") == .text(""))
            }
        }

        /// A check's reads of several tables go in one statement (each column as text): every
        /// value comes back as a read of its own gives it (infinity, the extremes of each type,
        /// every byte), in each read's own order; a read that is not plain is read on its own.
        @Test func readsSeveralTablesInOneRoundTripExactlyAsAlone() throws {
            try TestServer.withScratchDatabase { address in
                let store = try PostgresStore(address: address)
                defer { store.close() }
                var everyByte = Data((0...255).map { UInt8($0) })
                everyByte.append(contentsOf: [0, 0, 0])
                try store.write { session in
                    try session.execute("CREATE TABLE kinds (id BIGINT PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, t TEXT, b BYTEA, f BOOLEAN, n INTEGER, s SMALLINT, h REAL)")
                    try session.execute("CREATE TABLE other (k TEXT PRIMARY KEY, v BIGINT)")
                    let rows: [[SQLValue]] = [
                        [.null, .null, .null, .null, .null, .null, .null, .null],
                        [.integer(Int64.min), .real(-Double.greatestFiniteMagnitude), .text(""), .blob(Data()), .integer(0), .integer(Int64(Int32.min)), .integer(Int64(Int16.min)), .real(-Double(Float.greatestFiniteMagnitude))],
                        [.integer(Int64.max), .real(Double.leastNonzeroMagnitude), .text("Zoë 🙂 ñ, e\u{301}\n\t'\";?\\x00 \u{2028}"), .blob(everyByte), .integer(1), .integer(7), .integer(Int64(Int16.max)), .real(Double(Float.leastNonzeroMagnitude))],
                        [.integer(9_007_199_254_740_993), .real(0.1), .text("{\"json\": [1, 2]}"), .blob(Data([0])), .null, .integer(-1), .null, .real(Double(Float(0.1)))],
                        [.integer(-1), .real(.infinity), .text("<script>alert(1)</script>"), .blob(Data([0x5c, 0x78])), .integer(0), .integer(0), .integer(0), .real(-.infinity)],
                    ]
                    for (id, row) in rows.enumerated() {
                        try session.execute("INSERT INTO kinds (id, i, r, t, b, f, n, s, h) VALUES (?, ?, ?, ?, ?, ?::integer::boolean, ?, ?, ?)",
                                            SQLArguments([.integer(Int64(id))] + row))
                    }
                    for key in ["b", "a", "c"] { try session.execute("INSERT INTO other (k, v) VALUES (?, ?)", [key, Int64(key.unicodeScalars.first!.value)]) }
                }
                let reads = [
                    SQLRead("SELECT * FROM kinds WHERE id < ? ORDER BY id DESC", [Int64(4)]),
                    SQLRead("SELECT v, k FROM other WHERE k <> ? ORDER BY k", ["b"]),
                    SQLRead("SELECT * FROM kinds WHERE id = ?", [Int64(4)]),
                    SQLRead("SELECT k FROM other WHERE k = ?", ["none"]),
                    SQLRead("SELECT upper(k) AS k FROM other ORDER BY k", []),
                ]
                // Also where the server writes floats rounded and bytes escaped: none of it is
                // read from the server's text forms of those types.
                for settings in [[], ["SET LOCAL extra_float_digits = -15", "SET LOCAL bytea_output = 'escape'"]] {
                    try store.read { session in
                        for setting in settings { try session.execute(setting, []) }
                        let alone = try reads.map { try session.fetchAll($0.sql, $0.arguments) }
                        let together = try session.prefetching(reads)
                        #expect((together as? PrefetchedSession)?.fetchedAhead == 4, "the upper() is read on its own")
                        let answered = try reads.map { try together.fetchAll($0.sql, $0.arguments) }
                        #expect(answered.map { $0.map(\.values) } == alone.map { $0.map(\.values) })
                        #expect(answered.map { $0.map(\.columns) } == alone.map { $0.map(\.columns) })
                        #expect(alone[0].count == 4 && alone[1].map { $0["k"] as String? } == ["a", "c"] && alone[3].isEmpty)
                        // Asked again, the same rows; a write drops what was fetched ahead.
                        #expect(try together.fetchOne(reads[1].sql, reads[1].arguments)?.values == alone[1].first?.values)
                    }
                }
                // Reads keyed only by text and bytes go as a statement prepared on the connection;
                // asked often enough for PostgreSQL to keep a generic plan, still the same rows.
                let keyed = [
                    SQLRead("SELECT * FROM kinds WHERE t = ?", ["Zoë 🙂 ñ, e\u{301}\n\t'\";?\\x00 \u{2028}"]),
                    SQLRead("SELECT * FROM kinds WHERE b = ? ORDER BY id", [everyByte]),
                    SQLRead("SELECT v, k FROM other WHERE k > ? ORDER BY k DESC", ["a"]),
                    SQLRead("SELECT k FROM other WHERE k = ?", ["none"]),
                ]
                #expect(store.preparedReads.count == 0)
                for _ in 0..<8 {
                    try store.read { session in
                        let alone = try keyed.map { try session.fetchAll($0.sql, $0.arguments) }
                        let together = try session.prefetching(keyed)
                        #expect((together as? PrefetchedSession)?.fetchedAhead == 4)
                        let answered = try keyed.map { try together.fetchAll($0.sql, $0.arguments) }
                        #expect(answered.map { $0.map(\.values) } == alone.map { $0.map(\.values) })
                        #expect(answered.map { $0.map(\.columns) } == alone.map { $0.map(\.columns) })
                        #expect(alone.map(\.count) == [1, 1, 2, 0])
                    }
                }
                #expect(store.preparedReads.count == 1, "prepared once, on the one connection")
                try store.write { session in
                    let together = try session.prefetching([reads[1]])
                    try together.execute("DELETE FROM other WHERE k = ?", ["a"])
                    #expect(try together.fetchAll(reads[1].sql, reads[1].arguments).map { $0["k"] as String? } == ["c"])
                }
            }
        }

        /// Several reads of one text with one text argument each go as one part of the
        /// statement, over a list of their arguments: each is answered exactly as if read alone,
        /// and the statement is the same whether two, three or a dozen are asked, so the
        /// connection prepares it once (a group photo's people no longer make a statement of
        /// their own).
        @Test func readsOfOneTextGoAsOneStatementWhateverHowMany() throws {
            try TestServer.withScratchDatabase { address in
                let store = try PostgresStore(address: address)
                defer { store.close() }
                let keys = ["a", "b", "Zoë 🙂", "it's \"quoted\" ? \\", "[\"json\"]", "missing", "a"]
                try store.write { session in
                    try session.execute("CREATE TABLE person (id TEXT PRIMARY KEY, n BIGINT)")
                    try session.execute("CREATE TABLE visit (person TEXT, at BIGINT, place TEXT)")
                    for (number, key) in keys.dropLast(2).enumerated() {
                        try session.execute("INSERT INTO person (id, n) VALUES (?, ?)", [key, Int64(number)])
                        for visit in 0..<number { try session.execute("INSERT INTO visit (person, at, place) VALUES (?, ?, ?)", [key, Int64(10 - visit), "hall \(visit)"]) }
                    }
                }
                let person = "SELECT * FROM person WHERE id = ?"
                let visits = "SELECT at, place FROM visit WHERE person = ? ORDER BY at"
                // Each read made alone and all fetched ahead, in one read transaction: every
                // one fetched ahead and answered exactly as alone. Gives the rows read alone.
                func answeredAsAlone(_ reads: [SQLRead]) throws -> [[SQLRow]] {
                    try store.read { session in
                        let alone = try reads.map { try session.fetchAll($0.sql, $0.arguments) }
                        let together = try session.prefetching(reads)
                        #expect((together as? PrefetchedSession)?.fetchedAhead == Set(reads).count)
                        let answered = try reads.map { try together.fetchAll($0.sql, $0.arguments) }
                        #expect(answered.map { $0.map(\.values) } == alone.map { $0.map(\.values) })
                        #expect(answered.map { $0.map(\.columns) } == alone.map { $0.map(\.columns) })
                        return alone
                    }
                }
                for count in [1, 3, keys.count] {
                    let reads = keys.prefix(count).flatMap { [SQLRead(visits, [$0]), SQLRead(person, [$0])] }
                        + [SQLRead("SELECT n FROM person WHERE n > ? ORDER BY n", [Int64(1)])]
                    #expect(try answeredAsAlone(reads).map(\.count).reduce(0, +) > 0)
                }
                #expect(store.preparedReads.count == 0, "the integer argument keeps these unprepared")
                for count in [2, 3, keys.count, 2] {
                    _ = try answeredAsAlone(keys.prefix(count).flatMap { [SQLRead(person, [$0]), SQLRead(visits, [$0])] })
                }
                #expect(store.preparedReads.count == 1, "one statement for any number of people past one")
                // Reads that cannot go as a list (an integer argument) go each as a part of its
                // own: the statement's text, kept by the shape of the reads, differs with their
                // number, and each number is answered as alone.
                for count in [2, 3, 2, 1, 3] {
                    let reads = (0..<count).map { SQLRead("SELECT n FROM person WHERE n > ? ORDER BY n", [Int64($0)]) }
                        + keys.prefix(count).map { SQLRead(person, [$0]) }
                    #expect(try answeredAsAlone(reads).map(\.count).reduce(0, +) > 0)
                }
            }
        }

        /// Reads that `listing` names go as a list whatever their number, none and one
        /// included, and bytes as hex: one statement for every count, prepared once, and each
        /// read answered exactly as alone.
        @Test func listedReadsGoAsOneStatementFromNoneToMany() throws {
            try TestServer.withScratchDatabase { address in
                let store = try PostgresStore(address: address)
                defer { store.close() }
                let digests = [Data(0...255), Data([0]), Data("Zoë".utf8), Data([0xff, 0x27, 0x5c, 0x22]), Data("absent".utf8)]
                try store.write { session in
                    try session.execute("CREATE TABLE entry (digest BYTEA PRIMARY KEY, people TEXT)")
                    try session.execute("CREATE TABLE holder (reference TEXT, person TEXT)")
                    for (number, digest) in digests.dropLast().enumerated() {
                        try session.execute("INSERT INTO entry (digest, people) VALUES (?, ?)", [digest, "[\"P-\(number)\"]"])
                    }
                    for person in ["P-1", "P-2"] { try session.execute("INSERT INTO holder (reference, person) VALUES (?, ?)", ["C-1", person]) }
                }
                let entry = "SELECT people FROM entry WHERE digest = ?"
                let holder = "SELECT person FROM holder WHERE reference = ? ORDER BY person"
                let listing = [SQLListedRead(entry, bytes: true), SQLListedRead(holder)]
                for (count, references) in [(1, []), (0, ["C-1"]), (digests.count, ["C-1", "C-2"]), (2, ["C-2"]), (1, ["C-1"])] {
                    let reads = digests.prefix(count).map { SQLRead(entry, [$0]) } + references.map { SQLRead(holder, [$0]) }
                    try store.read { session in
                        let alone = try reads.map { try session.fetchAll($0.sql, $0.arguments) }
                        let together = try session.prefetching(reads, listing: listing)
                        #expect((together as? PrefetchedSession)?.fetchedAhead == reads.count)
                        let answered = try reads.map { try together.fetchAll($0.sql, $0.arguments) }
                        #expect(answered.map { $0.map(\.values) } == alone.map { $0.map(\.values) }, "\(count) entries, \(references)")
                        #expect(alone.map(\.count) == digests.prefix(count).map { $0 == digests.last ? 0 : 1 } + references.map { $0 == "C-1" ? 2 : 0 })
                    }
                }
                #expect(Set(store.columnTypes.statements.withLock { $0.values }).count == 1, "one text for every count")
                #expect(store.preparedReads.count == 1, "prepared once, on the one connection")
            }
        }

        /// A statement prepared for reads fetched ahead is planned once, generically: the
        /// server's default planned each one anew the first five times, milliseconds each for
        /// the larger ones, and a check asks dozens of shapes.
        @Test func preparedReadsArePlannedOnce() throws {
            try TestServer.withScratchDatabase { address in
                let store = try PostgresStore(address: address, maximumConnections: 1)
                defer { store.close() }
                try store.write { session in
                    try session.execute("CREATE TABLE person (id TEXT PRIMARY KEY, n BIGINT)")
                    try session.execute("INSERT INTO person (id, n) VALUES (?, ?)", ["a", Int64(1)])
                }
                let person = "SELECT * FROM person WHERE id = ?"
                for key in ["a", "b", "c", "d", "e", "f", "g"] {
                    try store.read { session in
                        let together = try session.prefetching([SQLRead(person, [key]), SQLRead(person, [key + "'"])])
                        #expect(try together.fetchAll(person, [key]).count == (key == "a" ? 1 : 0))
                    }
                }
                let plans = try store.read { session in
                    try session.fetchAll("SELECT generic_plans, custom_plans FROM pg_prepared_statements", [])
                }
                #expect(plans.count == 1, "one statement, prepared once on the one connection")
                #expect(plans.first?["generic_plans"] as Int64? == 7)
                #expect(plans.first?["custom_plans"] as Int64? == 0)
            }
        }

        /// Reads for each value a query on the server lists go in the same statement as the
        /// reads asked: each value's reads are answered exactly as if read alone, a value
        /// listed twice or with a colon in it included, and reads for values it did not list go
        /// to the server when asked. (A name index entry lists the people a check reads next.)
        @Test func readsForTheValuesAServerQueryListsAreAnsweredAsAlone() throws {
            try TestServer.withScratchDatabase { address in
                let store = try PostgresStore(address: address)
                defer { store.close() }
                let people = ["a", "b:c", "Zoë 🙂", "it's \"quoted\" ? \\", "no visits"]
                try store.write { session in
                    try session.execute("CREATE TABLE person (id TEXT PRIMARY KEY, n BIGINT)")
                    try session.execute("CREATE TABLE visit (person TEXT, at BIGINT, place TEXT)")
                    try session.execute("CREATE TABLE listing (name TEXT, member TEXT)")
                    for (number, id) in people.enumerated() {
                        try session.execute("INSERT INTO person (id, n) VALUES (?, ?)", [id, Int64(number)])
                        for visit in 0..<(id == "no visits" ? 0 : number + 1) {
                            try session.execute("INSERT INTO visit (person, at, place) VALUES (?, ?, ?)", [id, Int64(10 - visit), "hall \(visit)"])
                        }
                    }
                    // "a" twice, a NULL, and someone with no row anywhere.
                    for (name, member) in [("fair", "a"), ("fair", "b:c"), ("fair", "a"), ("fair", nil), ("fair", "nobody"),
                                           ("fete", "Zoë 🙂"), ("fete", "it's \"quoted\" ? \\"), ("fete", "no visits")] {
                        try session.execute("INSERT INTO listing (name, member) VALUES (?, ?)", [name, member])
                    }
                }
                let person = "SELECT * FROM person WHERE id = ?"
                let visits = "SELECT at, place FROM visit WHERE person = ? ORDER BY at"
                let listed = "SELECT member FROM listing WHERE name = ?"
                for (lists, asked) in [("fair", [SQLRead(person, ["Zoë 🙂"])]), ("fete", [SQLRead(person, ["a"]), SQLRead(visits, ["a"])]),
                                       ("fair", []), ("nothing listed", [SQLRead(person, ["a"])])] {
                    let expected = try store.read { session in
                        try session.fetchAll(listed, [lists]).compactMap { $0["member"] as String? }
                    }
                    let values = Array(Set(expected)).sorted()
                    let reads = asked + values.flatMap { [SQLRead(person, [$0]), SQLRead(visits, [$0])] }
                    try store.read { session in
                        let alone = try reads.map { try session.fetchAll($0.sql, $0.arguments) }
                        let together = try session.prefetching(asked, expanding: [SQLExpansion(source: listed, arguments: [lists],
                                                                                               reads: [person, visits])])
                        let prefetched = try #require(together as? PrefetchedSession)
                        #expect(prefetched.fetchedAhead == Set(reads).count, "\(lists): each value's reads once, and those asked")
                        let answered = try reads.map { try together.fetchAll($0.sql, $0.arguments) }
                        #expect(answered.map { $0.map(\.values) } == alone.map { $0.map(\.values) }, "\(lists)")
                        #expect(answered.map { $0.map(\.columns) } == alone.map { $0.map(\.columns) }, "\(lists)")
                        // Listed ("fete") or not (then read from the server when asked): the same.
                        #expect(try together.fetchAll(visits, ["Zoë 🙂"]).count == 3)
                    }
                    #expect(values.count == (lists == "nothing listed" ? 0 : 3), "\(lists): \(values)")
                }
                // The reads "fete" asked, now without the expansion: a different statement (the
                // text kept for the one with it takes one argument more), answered as alone.
                try store.read { session in
                    let plain = try session.prefetching([SQLRead(person, ["a"]), SQLRead(visits, ["a"])])
                    #expect((plain as? PrefetchedSession)?.fetchedAhead == 2)
                    #expect(try plain.fetchAll(visits, ["a"]).count == 1)
                }
            }
        }

        @Test func readsEachColumnTypeAsItsKind() throws {
            try TestServer.withScratchDatabase { address in
                let store = try PostgresStore(address: address)
                defer { store.close() }
                let row = try store.write { session in
                    try session.fetchOne("""
                        SELECT 7::int2 AS small, 70000::int4 AS medium, 5000000000::int8 AS big, 1.5::float4 AS single,
                               2.25::float8 AS double, 12.5::numeric AS decimal, 'v'::varchar AS varying, 'c'::char(3) AS fixed,
                               'n'::name AS name, true AS yes, false AS no, NULL::text AS nothing, NULL::bytea AS no_bytes,
                               pg_advisory_xact_lock(?) AS locked, ? AS untyped_null
                        """, [Int64(42), nil as Int64?])
                }
                let expected: [String: SQLValue] = [
                    "small": .integer(7), "medium": .integer(70000), "big": .integer(5_000_000_000), "single": .real(1.5),
                    "double": .real(2.25), "decimal": .real(12.5), "varying": .text("v"), "fixed": .text("c  "),
                    "name": .text("n"), "yes": .integer(1), "no": .integer(0), "nothing": .null, "no_bytes": .null,
                    "locked": .null, "untyped_null": .null,
                ]
                let unwrapped = try #require(row)
                #expect(unwrapped.columns.count == expected.count)
                for (column, value) in expected { #expect(unwrapped.value(column) == value, "\(column)") }

                // An untyped NULL goes into a column of any type.
                try store.write { session in
                    try session.execute("CREATE TABLE anything (i BIGINT, r REAL, t TEXT, b BYTEA, f BOOLEAN)")
                    try session.execute("INSERT INTO anything VALUES (?, ?, ?, ?, ?)", [nil as Int64?, nil as Double?, nil as String?, nil as Data?, nil as Int64?])
                }
                #expect(try store.read { try $0.fetchValue(Int64.self, "SELECT count(*) FROM anything WHERE i IS NULL AND f IS NULL") } == 1)

                // A type no SQLValue holds is refused, naming the column and its type.
                let refused = #expect(throws: PostgresStatementError.self) {
                    _ = try store.read { try $0.fetchAll("SELECT now() AS stamp") }
                }
                #expect(refused?.message.contains("\"stamp\"") == true && refused?.message.contains("timestamptz") == true, "\(String(describing: refused))")
            }
        }

        @Test func refusesNULInTextAndWritesNothing() throws {
            try TestServer.withScratchDatabase { address in
                let store = try PostgresStore(address: address)
                defer { store.close() }
                try store.write { try $0.execute("CREATE TABLE names (name TEXT)") }
                let refused = #expect(throws: LedgerError.self) {
                    try store.write { session in
                        try session.execute("INSERT INTO names VALUES (?)", ["before"])
                        try session.execute("INSERT INTO names VALUES (?)", ["Zoë\u{0}hidden"])
                    }
                }
                #expect(refused?.isInputError == true)
                #expect(refused?.description.contains("NUL") == true && refused?.description.contains("argument 1") == true,
                        "\(String(describing: refused))")
                #expect(try store.read { try $0.fetchValue(Int64.self, "SELECT count(*) FROM names") } == 0)
                // The same bytes are fine in a blob.
                try store.write { try $0.execute("CREATE TABLE blobs (b BYTEA)") }
                try store.write { try $0.execute("INSERT INTO blobs VALUES (?)", [Data("Zoë\u{0}hidden".utf8)]) }
                #expect(try store.read { try $0.fetchValue(Data.self, "SELECT b FROM blobs") } == Data("Zoë\u{0}hidden".utf8))
            }
        }

        @Test func sendsPlaceholdersAsNumberedParameters() throws {
            try TestServer.withScratchDatabase { address in
                let store = try PostgresStore(address: address)
                defer { store.close() }
                let row = try store.read { session in
                    try session.fetchOne(#"SELECT '?' AS mark, ? AS value, "?" FROM (SELECT ?::text AS "?") q -- ?"#, [Int64(5), "seven"])
                }
                #expect(row?.value("mark") == .text("?"))
                #expect(row?.value("value") == .integer(5))
                #expect(row?.value("?") == .text("seven"))

                try store.write { try $0.execute("CREATE TABLE t (a BIGINT)") }
                #expect(throws: PostgresStatementError.self) {
                    try store.write { try $0.execute("INSERT INTO t VALUES (?)", [Int64(1), Int64(2)]) }
                }
                // Two statements in one string run neither.
                #expect(throws: PostgresStatementError.self) {
                    try store.write { try $0.execute("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)") }
                }
                #expect(try store.read { try $0.fetchValue(Int64.self, "SELECT count(*) FROM t") } == 0)
            }
        }

        @Test func aWriteThatThrowsLeavesNothing() throws {
            struct Stop: Error {}
            try TestServer.withScratchDatabase { address in
                let store = try PostgresStore(address: address)
                defer { store.close() }
                try store.write { try $0.execute("CREATE TABLE t (a BIGINT PRIMARY KEY)") }
                #expect(throws: Stop.self) {
                    try store.write { session in
                        try session.execute("INSERT INTO t VALUES (?)", [Int64(1)])
                        try session.execute("INSERT INTO t VALUES (?)", [Int64(2)])
                        throw Stop()
                    }
                }
                #expect(try store.read { try $0.fetchValue(Int64.self, "SELECT count(*) FROM t") } == 0)

                // A statement the server refuses comes back with its SQLSTATE and undoes the rest.
                try store.write { try $0.execute("INSERT INTO t VALUES (1)") }
                let duplicate = #expect(throws: PostgresStatementError.self) {
                    try store.write { session in
                        try session.execute("INSERT INTO t VALUES (2)")
                        try session.execute("INSERT INTO t VALUES (1)")
                    }
                }
                #expect(duplicate?.isUniqueViolation == true)
                #expect(duplicate?.statement == "INSERT INTO t VALUES (1)")
                // Caught inside the transaction, the error still ends it: COMMIT says it rolled back.
                let rolledBack = #expect(throws: PostgresStatementError.self) {
                    try store.write { session in
                        try session.execute("INSERT INTO t VALUES (3)")
                        _ = try? session.execute("INSERT INTO t VALUES (1)")
                    }
                }
                #expect(rolledBack?.sqlState == "25P02")
                #expect(try store.read { try $0.fetchValues(Int64.self, "SELECT a FROM t ORDER BY a") } == [1])
                // The connection is still good afterwards.
                try store.write { try $0.execute("INSERT INTO t VALUES (4)") }
                #expect(try store.read { try $0.fetchValues(Int64.self, "SELECT a FROM t ORDER BY a") } == [1, 4])
            }
        }

        @Test func aReadSeesOneSnapshotAndWritesNothing() throws {
            try TestServer.withScratchDatabase { address in
                let reader = try PostgresStore(address: address)
                let writer = try PostgresStore(address: address)
                defer { reader.close(); writer.close() }
                try writer.write { try $0.execute("CREATE TABLE t (a BIGINT)") }
                try writer.write { try $0.execute("INSERT INTO t VALUES (1)") }
                let (before, after) = try reader.read { session in
                    let before = try session.fetchValue(Int64.self, "SELECT count(*) FROM t")
                    // Another connection commits while the read is open.
                    try writer.write { try $0.execute("INSERT INTO t VALUES (2)") }
                    #expect(try writer.read { try $0.fetchValue(Int64.self, "SELECT count(*) FROM t") } == 2)
                    return (before, try session.fetchValue(Int64.self, "SELECT count(*) FROM t"))
                }
                #expect(before == 1)
                #expect(after == 1)
                #expect(try reader.read { try $0.fetchValue(Int64.self, "SELECT count(*) FROM t") } == 2)

                let readOnly = #expect(throws: PostgresStatementError.self) {
                    try reader.read { try $0.execute("INSERT INTO t VALUES (3)") }
                }
                #expect(readOnly?.sqlState == "25006")   // read_only_sql_transaction
            }
        }

        @Test func streamsRowsThroughACursor() throws {
            struct Stop: Error {}
            try TestServer.withScratchDatabase { address in
                let store = try PostgresStore(address: address)
                defer { store.close() }
                let count = PostgresSession.rowsPerFetch * 3 + 17
                try store.write { session in
                    try session.execute("CREATE TABLE t (a BIGINT, b BYTEA)")
                    try session.execute("INSERT INTO t SELECT g, decode(lpad(to_hex(g), 8, '0'), 'hex') FROM generate_series(1, ?) g",
                                        [Int64(count)])
                }
                var seen: [Int64] = []
                try store.read { session in
                    try session.forEachRow("SELECT a, b FROM t WHERE a > ? ORDER BY a", [Int64(0)]) { row in
                        seen.append(try #require(row["a"] as Int64?))
                        #expect((row["b"] as Data?)?.count == 4)
                        // The session is free between rows: other statements run in the same transaction.
                        if seen.count == 300 {
                            #expect(try session.fetchValue(Int64.self, "SELECT count(*) FROM t") == Int64(count))
                        }
                    }
                }
                #expect(seen == Array(1...Int64(count)))

                // A statement that is not a query is read whole, and a throw from the body ends the write.
                var returned = 0
                #expect(throws: Stop.self) {
                    try store.write { session in
                        try session.forEachRow("UPDATE t SET a = -a RETURNING a", []) { _ in
                            returned += 1
                            if returned == 10 { throw Stop() }
                        }
                    }
                }
                #expect(try store.read { try $0.fetchValue(Int64.self, "SELECT count(*) FROM t WHERE a < 0") } == 0)
                var none = 0
                try store.read { try $0.forEachRow("SELECT a FROM t WHERE a < 0", []) { _ in none += 1 } }
                #expect(none == 0)
            }
        }

        /// What the ledger's append relies on: two writers on separate connections, in parallel,
        /// each taking the advisory lock as a statement of its own and reading the head after it
        /// (READ COMMITTED), give a chain with no gaps and no failed appends.
        @Test func concurrentWritersAppendWithoutGaps() throws {
            try TestServer.withScratchDatabase { address in
                let first = try PostgresStore(address: address)
                let second = try PostgresStore(address: address)
                defer { first.close(); second.close() }
                try first.write { try $0.execute("CREATE TABLE chain (seq BIGINT PRIMARY KEY, prev BIGINT NOT NULL, writer BIGINT NOT NULL)") }
                let appendsEach = 150
                let failures = NIOLockedValueBox<[String]>([])
                DispatchQueue.concurrentPerform(iterations: 2) { writer in
                    let store = writer == 0 ? first : second
                    for _ in 0..<appendsEach {
                        do {
                            try store.write { session in
                                try session.execute("SELECT pg_advisory_xact_lock(?)", [Int64(16)])
                                let head = try session.fetchValue(Int64.self, "SELECT coalesce(max(seq), 0) FROM chain") ?? -1
                                try session.execute("INSERT INTO chain (seq, prev, writer) VALUES (?, ?, ?)",
                                                    [head + 1, head, Int64(writer)])
                            }
                        } catch {
                            failures.withLockedValue { $0.append("writer \(writer): \(error)") }
                        }
                    }
                }
                #expect(failures.withLockedValue { $0 } == [])
                var seqs: [Int64] = []
                var links = 0
                var byWriter = [Int64: Int]()
                try first.read { session in
                    try session.forEachRow("SELECT seq, prev, writer FROM chain ORDER BY seq", []) { row in
                        let seq: Int64 = try #require(row["seq"])
                        seqs.append(seq)
                        if row["prev"] == seq - 1 { links += 1 }
                        byWriter[try #require(row["writer"] as Int64?), default: 0] += 1
                    }
                }
                #expect(seqs == Array(1...Int64(2 * appendsEach)))
                #expect(links == 2 * appendsEach)
                #expect(byWriter == [0: appendsEach, 1: appendsEach])
            }
        }

        /// Threads beyond `maximumConnections` wait for a connection rather than open more.
        @Test func sharesItsConnectionsBetweenThreads() throws {
            try TestServer.withScratchDatabase { address in
                let store = try PostgresStore(address: address, maximumConnections: 2)
                defer { store.close() }
                try store.write { try $0.execute("CREATE TABLE t (thread BIGINT, connections BIGINT)") }
                let failures = NIOLockedValueBox<[String]>([])
                DispatchQueue.concurrentPerform(iterations: 6) { thread in
                    for _ in 0..<10 {
                        do {
                            try store.write { session in
                                // Only this store connects to the scratch database.
                                try session.execute("""
                                    INSERT INTO t SELECT ?, count(*) FROM pg_stat_activity
                                    WHERE datname = current_database() AND backend_type = 'client backend'
                                    """, [Int64(thread)])
                            }
                        } catch {
                            failures.withLockedValue { $0.append("thread \(thread): \(error)") }
                        }
                    }
                }
                #expect(failures.withLockedValue { $0 } == [])
                let counts = try store.read { try $0.fetchOne("SELECT count(*) AS writes, max(connections) AS most FROM t") }
                #expect(counts?["writes"] == 60)
                let most: Int64 = try #require(counts?["most"])
                #expect(most >= 1 && most <= 2, "\(most) connections at once")
            }
        }

        @Test func aLostConnectionIsReportedAndTheNextCallReconnects() throws {
            try TestServer.withScratchDatabase { address in
                let store = try PostgresStore(address: address, maximumConnections: 1)
                let admin = try PostgresStore(address: address)
                defer { store.close(); admin.close() }
                try store.write { try $0.execute("CREATE TABLE t (a BIGINT)") }
                func terminate(_ pid: Int64) throws {
                    // With a timeout, pg_terminate_backend waits until the backend has gone.
                    let ended = try admin.write { try $0.fetchValue(Int64.self, "SELECT pg_terminate_backend(?::int, 10000)::int", [pid]) }
                    #expect(ended == 1)
                }

                // Lost inside a transaction: the distinct error, nothing written.
                var lostPID: Int64 = 0
                let lost = #expect(throws: DatabaseUnavailable.self) {
                    try store.write { session in
                        try session.execute("INSERT INTO t VALUES (1)")
                        lostPID = try #require(try session.fetchValue(Int64.self, "SELECT pg_backend_pid()"))
                        try terminate(lostPID)
                        try session.execute("INSERT INTO t VALUES (2)")
                    }
                }
                #expect(lost?.outcomeUnknown == false)
                // The next call connects afresh and works.
                let newPID = try store.write { session in
                    try session.execute("INSERT INTO t VALUES (3)")
                    return try session.fetchValue(Int64.self, "SELECT pg_backend_pid()")
                }
                #expect(newPID != nil && newPID != lostPID)
                #expect(try store.read { try $0.fetchValues(Int64.self, "SELECT a FROM t ORDER BY a") } == [3])

                // Lost while idle in the pool: replaced at BEGIN, the caller sees nothing of it.
                let idlePID = try #require(try store.read { try $0.fetchValue(Int64.self, "SELECT pg_backend_pid()") })
                try terminate(idlePID)
                let replacedPID = try store.read { try $0.fetchValue(Int64.self, "SELECT pg_backend_pid()") }
                #expect(replacedPID != nil && replacedPID != idlePID)
                // A read does not wait for its BEGIN, so the loss shows at its first statement
                // instead; a write's shows at BEGIN. Both are replaced all the same.
                try terminate(try #require(replacedPID))
                let writerPID = try store.write { session in
                    try session.execute("INSERT INTO t VALUES (4)")
                    return try session.fetchValue(Int64.self, "SELECT pg_backend_pid()")
                }
                #expect(writerPID != nil && writerPID != replacedPID)
                #expect(try store.read { try $0.fetchValues(Int64.self, "SELECT a FROM t ORDER BY a") } == [3, 4])
            }
        }

        /// A read sends its BEGIN and COMMIT without waiting for them: the next transaction on
        /// the connection must still start afresh, and see what was committed in between.
        @Test func aReadEndsItsSnapshotThoughNothingWaitsForItsCommit() throws {
            try TestServer.withScratchDatabase { address in
                let store = try PostgresStore(address: address, maximumConnections: 1)
                let writer = try PostgresStore(address: address)
                defer { store.close(); writer.close() }
                try writer.write { try $0.execute("CREATE TABLE t (a BIGINT)") }
                var pids = Set<Int64>()
                for value in Int64(1)...5 {
                    let (seen, again) = try store.read { session in
                        pids.insert(try #require(try session.fetchValue(Int64.self, "SELECT pg_backend_pid()")))
                        let seen = try session.fetchValues(Int64.self, "SELECT a FROM t ORDER BY a")
                        // Committed elsewhere while this snapshot is open: not seen in it.
                        try writer.write { try $0.execute("INSERT INTO t VALUES (?)", [value]) }
                        return (seen, try session.fetchValues(Int64.self, "SELECT a FROM t ORDER BY a"))
                    }
                    #expect(seen == Array(1..<value) && again == seen, "read \(value): \(seen), then \(again)")
                    // A read that runs no statement leaves no transaction open either: its
                    // connection goes back to idle, not "idle in transaction", once its COMMIT
                    // (sent without a wait) has been run.
                    #expect(try store.read { _ in value } == value)
                    let pid = try #require(pids.first)
                    var state: String?
                    for _ in 0..<100 {
                        state = try writer.read { try $0.fetchValue(String.self, "SELECT state FROM pg_stat_activity WHERE pid = ?::int", [pid]) }
                        if state == "idle" { break }
                        usleep(20_000)
                    }
                    #expect(state == "idle", "after read \(value) the store's connection is \(state ?? "gone")")
                }
                #expect(pids.count == 1, "one connection, kept in the pool throughout: \(pids)")
            }
        }

        /// A read asks its connection's event loop for one task per statement it sends (BEGIN
        /// goes in the first one's) and one for its COMMIT. Waiting for an answer asks nothing
        /// more: an `EventLoopFuture` waited for from another thread first hands the loop a task
        /// to attach the callback (and another for each `map` or `whenFailure`), and that made
        /// this read ten tasks, not three.
        @Test func waitingForAnAnswerHandsTheEventLoopNothing() throws {
            let count = TaskCount()
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1, metricsDelegate: count)
            defer { try? group.syncShutdownGracefully() }
            try TestServer.withScratchDatabase { address in
                let store = try PostgresStore(address: address, maximumConnections: 1, eventLoops: group)
                defer { store.close() }
                try store.write { session in
                    try session.execute("CREATE TABLE t (a BIGINT)")
                    try session.execute("INSERT INTO t VALUES (1), (2)")
                }
                let reads = 20
                let before = count.settled()
                for _ in 0..<reads {
                    let (rows, total) = try store.read { session in
                        (try session.fetchValues(Int64.self, "SELECT a FROM t ORDER BY a"),
                         try session.fetchValue(Int64.self, "SELECT count(*) FROM t"))
                    }
                    #expect(rows == [1, 2] && total == 2)
                }
                let tasks = count.settled() - before
                #expect(tasks >= reads && tasks <= 3 * reads, "\(tasks) tasks on the event loop for \(reads) reads of two statements")
            }
        }

        @Test func refusesWhatItCannotConnectTo() throws {
            let base = try #require(TestServer.address)
            // A port nothing listens on (just freed by the kernel): unavailable, not an input error.
            let closedPort = try TestServer.freePort()
            var unreachable = base
            unreachable.port = closedPort
            #expect(throws: DatabaseUnavailable.self) { _ = try PostgresStore(address: unreachable) }

            var wrongPassword = base
            wrongPassword.password = "not-the-Password-7"
            let refusedLogin = #expect(throws: LedgerError.self) { _ = try PostgresStore(address: wrongPassword) }
            let loginMessage = refusedLogin?.description ?? ""
            #expect(loginMessage.contains("refused the login"), "\(loginMessage)")
            #expect(!loginMessage.contains("not-the-Password-7"))
            #expect(!loginMessage.contains(base.password ?? "\u{0}"))
            let noDatabase = #expect(throws: LedgerError.self) {
                _ = try PostgresStore(address: base.naming(database: "no_such_database_here"))
            }
            #expect(noDatabase?.description.contains("no database no_such_database_here") == true, "\(String(describing: noDatabase))")

            // The test cluster has no TLS: asking for it is the address's mistake, said plainly.
            var encrypted = base
            encrypted.tlsMode = .require
            let noTLS = #expect(throws: LedgerError.self) { _ = try PostgresStore(address: encrypted) }
            #expect(noTLS?.description.contains("does not offer TLS") == true, "\(String(describing: noTLS))")

            let store = try PostgresStore(address: base)
            store.close()
            #expect(throws: DatabaseUnavailable.self) { try store.read { try $0.fetchOne("SELECT 1") } }
        }
    }
}

/// The test cluster `scripts/postgres-cluster.sh` starts, and a database of its own per test,
/// so that the tests run in parallel.
enum TestServer {
    static let address: PostgresAddress? = ProcessInfo.processInfo.environment["CLEARANCE_TEST_POSTGRES"]
        .flatMap { try? PostgresAddress(parsing: $0) }

    /// The same server as its superuser, when the cluster script gave it.
    static let superuser: PostgresAddress? = ProcessInfo.processInfo.environment["CLEARANCE_TEST_POSTGRES_ADMIN"]
        .flatMap { try? PostgresAddress(parsing: $0) }

    /// Creates an empty database, runs `body` with its address, and drops it (with any
    /// connection still open to it) whatever `body` did.
    static func withScratchDatabase<T>(_ body: (PostgresAddress) throws -> T) throws -> T {
        let scratch = try createScratchDatabase()
        defer { drop(scratch) }
        return try body(scratch)
    }

    /// A new, empty database of its own; `drop` removes it.
    static func createScratchDatabase() throws -> PostgresAddress {
        let base = try #require(address)
        let name = "clearance_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try PostgresStore(address: base, maximumConnections: 1)
        defer { admin.close() }
        try admin.executeOutsideTransaction("CREATE DATABASE \(name)")
        return base.naming(database: name)
    }

    /// Drops a scratch database, with any connection still open to it.
    static func drop(_ scratch: PostgresAddress) {
        guard let base = address, let admin = try? PostgresStore(address: base, maximumConnections: 1) else { return }
        defer { admin.close() }
        try? admin.executeOutsideTransaction("DROP DATABASE \(scratch.database) WITH (FORCE)")
    }

    /// A loopback port that was free a moment ago.
    static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(socket >= 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socket, generic, length) == 0 && getsockname(socket, generic, &length) == 0
            }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Counts the tasks an event loop runs, from NIO's report after each tick.
private final class TaskCount: NIOEventLoopMetricsDelegate {
    private let tasks = NIOLockedValueBox(0)

    func processedTick(info: NIOEventLoopTickInfo) {
        tasks.withLockedValue { $0 += info.numberOfTasks }
    }

    /// The count once the loop has gone 50 ms without a task: a read's COMMIT goes out after
    /// the read returns, and its tick is reported after it runs.
    func settled() -> Int {
        var last = tasks.withLockedValue { $0 }
        while true {
            usleep(50_000)
            let now = tasks.withLockedValue { $0 }
            if now == last { return now }
            last = now
        }
    }
}
