import Foundation
import GRDB
import Testing

/// `clearance backup`, `restore` and `copy` with the real binary, on real files.
@Suite(.serialized) struct StoreFilesTests {
    /// A plain SQLite connection that waits for writers, as a reader beside a server would.
    static func queue(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// The hash of event `seq` in a ledger file, read straight from SQLite.
    static func hash(of seq: Int, in path: String) throws -> String? {
        let queue = try Self.queue(path)
        defer { try? queue.close() }
        return try queue.read { db in
            try Data.fetchOne(db, sql: "SELECT hash FROM events WHERE seq = ?", arguments: [seq])
        }.map { $0.map { String(format: "%02x", $0) }.joined() }
    }

    static func eventCount(_ path: String) throws -> Int {
        let queue = try Self.queue(path)
        defer { try? queue.close() }
        return try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM events") ?? 0 }
    }

    static func verifyJSON(_ path: String) throws -> [String: Any] {
        let result = try CLIRunner.run(["verify", "--db", path, "--json"])
        return (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    static func lastHashLine(_ path: String) throws -> String? {
        try CLIRunner.run(["verify", "--db", path]).stdout.split(separator: "\n").first { $0.hasPrefix("last hash: ") }.map(String.init)
    }

    /// Files in the fixture's folder, hidden ones included: what a refused command must not add to.
    static func listing(_ fixture: LedgerCLIFixture) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path).sorted()
    }

    @Test func aBackupTakenWhileConsentsAreWrittenRestoresToAnIntactLedger() throws {
        let fixture = try LedgerCLIFixture()
        try fixture.succeed(["user", "add", "--name", "dpo-sam", "--role", "dpo"])
        // Another process keeps recording people and consents all through the backups.
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/bash")
        writer.arguments = ["-c", """
            set -e
            for i in $(seq 1 30); do
              p=$("$CLEARANCE" person add --name "Writer Person $i")
              "$CLEARANCE" consent record --person "$p" --channels website --given 2026-07-04 > /dev/null
            done
            """]
        writer.environment = ProcessInfo.processInfo.environment.merging(
            ["CLEARANCE": CLIRunner.binary.path, "CLEARANCE_DB": fixture.databasePath]) { $1 }
        writer.standardOutput = FileHandle.nullDevice
        try writer.run()
        defer { if writer.isRunning { writer.terminate() }; writer.waitUntilExit() }

        var backups: [String] = []
        var takenWhileWriting = 0
        for index in 0..<3 {
            while writer.isRunning, try Self.eventCount(fixture.databasePath) < 8 + index * 16 { usleep(20_000) }
            let target = fixture.directory.appendingPathComponent("backup-\(index).db").path
            let result = try fixture.run(["backup", "--to", target])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("is NOT in this copy"), "the key's absence is said")
            if writer.isRunning { takenWhileWriting += 1 }
            backups.append(target)
        }
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0)
        #expect(takenWhileWriting >= 1, "no backup overlapped the writer")
        let finalCount = try Self.eventCount(fixture.databasePath)
        #expect(finalCount == 1 + 60)

        for (index, backup) in backups.enumerated() {
            #expect(FileManager.default.fileExists(atPath: backup + ".users"))
            #expect(!FileManager.default.fileExists(atPath: backup + ".key"), "the key is never in a backup")
            let restored = fixture.directory.appendingPathComponent("restored-\(index).db").path
            let result = try CLIRunner.run(["restore", backup, "--db", restored, "--key", fixture.databasePath + ".key"])
            #expect(result.status == 0, "\(result.stderr)")
            let report = try Self.verifyJSON(restored)
            #expect(report["intact"] as? Bool == true, "\(report)")
            #expect((report["unchecked"] as? [Any])?.isEmpty == true, "MACs checked with the restored key")
            // A moment of the live ledger: its last event is the live ledger's event of that number.
            let events = try #require(report["events"] as? Int)
            #expect(events >= 8 && events <= finalCount)
            #expect(report["lastHash"] as? String == (try Self.hash(of: events, in: fixture.databasePath)))
            // Consents and accounts came along, and the restored ledger can be written to.
            #expect(try CLIRunner.run(["user", "tokens", "dpo-sam", "--db", restored]).status == 0)
            let added = try CLIRunner.run(["person", "add", "--name", "After Restore", "--db", restored])
            #expect(added.status == 0, "\(added.stderr)")
            #expect(try CLIRunner.run(["verify", "--db", restored]).status == 0)
        }
    }

    @Test func backupAndRestoreRefuseBadInputAndWriteNothing() throws {
        let fixture = try LedgerCLIFixture()
        let person = try fixture.succeed(["person", "add", "--name", "Backed Up"])
        try fixture.succeed(["consent", "record", "--person", person, "--channels", "website"])
        let dir = fixture.directory
        let backup = dir.appendingPathComponent("backup.db").path
        try fixture.succeed(["backup", "--to", backup])
        let backupBytes = try Data(contentsOf: URL(fileURLWithPath: backup))

        func refused(_ arguments: [String], status: Int32 = 2, saying words: String, environment: Bool = true) throws {
            let before = try Self.listing(fixture)
            let result = environment ? try fixture.run(arguments) : try CLIRunner.run(arguments)
            #expect(result.status == status, "\(arguments): \(result.stdout) \(result.stderr)")
            #expect(result.stderr.contains(words), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(try Self.listing(fixture) == before, "\(arguments) left files behind")
        }
        try refused(["backup", "--to", backup], saying: "already exists")
        #expect(try Data(contentsOf: URL(fileURLWithPath: backup)) == backupBytes)
        try refused(["backup", "--to", dir.appendingPathComponent("no-such-folder/b.db").path], saying: "does not exist")
        try refused(["backup", "--to", "postgres://clearance@localhost/clearance"], saying: "pg_dump")
        try refused(["backup", "--db", dir.appendingPathComponent("missing.db").path, "--to", dir.appendingPathComponent("b2.db").path],
                    saying: "no ledger", environment: false)

        // Restore: onto an existing ledger, from nothing, from a file that is not a ledger, with the wrong key.
        try refused(["restore", backup, "--db", fixture.databasePath], saying: "already exists", environment: false)
        let target = dir.appendingPathComponent("restored.db").path
        try refused(["restore", dir.appendingPathComponent("nothing.db").path, "--db", target], saying: "no backup", environment: false)
        let text = try fixture.write("notes.db", "this is not a database, it is a shopping list\n")
        try refused(["restore", text, "--db", target], saying: "not a Clearance backup", environment: false)
        let other = try LedgerCLIFixture()
        try refused(["restore", backup, "--db", target, "--key", other.databasePath + ".key"], saying: "does not belong", environment: false)
        try refused(["restore", backup, "--db", "postgresql://x@localhost/y"], saying: "restore makes or reads SQLite files only", environment: false)

        // A backup edited after it was made does not verify, and is not restored.
        let edited = dir.appendingPathComponent("edited.db").path
        try FileManager.default.copyItem(atPath: backup, toPath: edited)
        let queue = try DatabaseQueue(path: edited)
        try queue.write { try $0.execute(sql: "UPDATE consents SET channels = '[\"website\",\"print\"]'") }
        try queue.close()
        try refused(["restore", edited, "--db", target], status: 1, saying: "does not verify", environment: false)
    }

    @Test func copyChecksEveryEventAndEndsOnTheSameHash() throws {
        let fixture = try LedgerCLIFixture()
        try CLIRunner.loadSamples(into: fixture.directory.appendingPathComponent("fair.db").path)
        let source = fixture.directory.appendingPathComponent("fair.db").path
        try fixture.succeed(["user", "add", "--name", "editor-ben", "--role", "editor", "--db", source])
        let target = fixture.directory.appendingPathComponent("evidence.db").path
        let copied = try CLIRunner.run(["copy", "--db", source, "--to", target])
        #expect(copied.status == 0, "\(copied.stderr)")
        let sourceHash = try #require(try Self.lastHashLine(source))
        #expect(try Self.lastHashLine(target) == sourceHash)
        #expect(copied.stdout.contains(String(sourceHash.dropFirst("last hash: ".count))))
        #expect(try CLIRunner.run(["user", "tokens", "editor-ben", "--db", target]).status == 0, "accounts copied")
        // Every table the same, row for row.
        for table in ["events", "people", "consents", "assets", "mentions", "asset_paths", "name_index", "document_index", "person_keys"] {
            func rows(_ path: String) throws -> [String] {
                let queue = try Self.queue(path)
                defer { try? queue.close() }
                return try queue.read { try Row.fetchAll($0, sql: "SELECT * FROM \(table)").map(\.description).sorted() }
            }
            #expect(try rows(source) == rows(target), "\(table) differs")
        }
        // With the instance key beside it, checks on the copy answer as on the original.
        #expect(!FileManager.default.fileExists(atPath: target + ".key"), "the key is never copied")
        try FileManager.default.copyItem(atPath: source + ".key", toPath: target + ".key")
        func verdicts(_ path: String) throws -> [String] {
            let result = try CLIRunner.run(["check", "--db", path, "--channel", "website", "--json"] + samplePhotos())
            let answers = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            return answers.map { answer in
                let codes = ((answer["reasons"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
                return "\(answer["asset"] ?? "") \(answer["cleared"] ?? "") \(codes)"
            }
        }
        let verdictsOfSource = try verdicts(source)
        #expect(verdictsOfSource.count == 4 && verdictsOfSource.contains { $0.contains("consent-withdrawn") })
        #expect(try verdicts(target) == verdictsOfSource)

        // Refusals: an existing destination, PostgreSQL, a source with a forged event.
        let before = try Self.listing(fixture)
        let again = try CLIRunner.run(["copy", "--db", source, "--to", target])
        #expect(again.status == 2 && again.stderr.contains("already exists"))
        let postgres = try CLIRunner.run(["copy", "--db", source, "--to", "postgresql://clearance:secret@127.0.0.1:1/clearance"])
        #expect(postgres.status == 2 && postgres.stderr.contains("cannot connect to PostgreSQL") && !postgres.stderr.contains("secret"), "\(postgres.stderr)")
        #expect(postgres.stderr.split(separator: "\n").count == 1)
        let queue = try DatabaseQueue(path: source)
        try queue.write { try $0.execute(sql: "UPDATE events SET created_at = created_at + 1 WHERE seq = 5") }
        try queue.close()
        let forged = try CLIRunner.run(["copy", "--db", source, "--to", fixture.directory.appendingPathComponent("forged.db").path])
        #expect(forged.status == 1)
        #expect(forged.stderr.contains("event 5"), "\(forged.stderr)")
        #expect(try Self.listing(fixture) == before, "a refused copy left files behind")
    }

    func samplePhotos() -> [String] {
        ["amira-and-leo.jpg", "tom-raffle.jpg", "grace-choir.jpg", "sam-tombola.jpg"].map {
            CLIRunner.packageRoot.appendingPathComponent("samples/photos/\($0)").path
        }
    }
}
