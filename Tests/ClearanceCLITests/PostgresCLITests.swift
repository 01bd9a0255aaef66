import Foundation
import GRDB
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The command line on a PostgreSQL ledger (issue 16): the Riverside samples loaded by
/// samples/load.sh with `--db postgres://…`, checked, verified, withdrawn from, and compared with
/// the same samples in a SQLite file: the same verdicts for the same reasons.
@Suite(.enabled(if: TestCluster.url != nil, "CLEARANCE_TEST_POSTGRES is not set (run under scripts/postgres-cluster.sh)"))
struct PostgresCLITests {
    static var server: String? { TestCluster.url }

    /// A database of its own in the test cluster, made and dropped with psql.
    private func withDatabase<T>(_ body: (String) throws -> T) throws -> T {
        let server = try #require(Self.server)
        let name = "clearance_cli_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try psql(server, "CREATE DATABASE \(name)")
        defer { try? psql(server, "DROP DATABASE \(name) WITH (FORCE)") }
        let slash = try #require(server.range(of: "/", options: .backwards))
        return try body(String(server[..<slash.lowerBound]) + "/" + name)
    }

    private func psql(_ url: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "psql: \(sql)")
    }

    private struct Verdict: Equatable, CustomStringConvertible {
        let file: String
        let cleared: Bool
        let codes: [String]
        var description: String { "\(file): \(cleared ? "cleared" : codes.joined(separator: ","))" }
    }

    /// File name, cleared or not, and the reason codes: the parts that do not depend on the ids
    /// each ledger drew.
    private func verdicts(_ result: CLIRunner.Result) throws -> [Verdict] {
        let array = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], "\(result.stderr)")
        return array.map { verdict in
            Verdict(file: URL(fileURLWithPath: verdict["path"] as? String ?? "").lastPathComponent,
                    cleared: verdict["cleared"] as? Bool ?? false,
                    codes: ((verdict["reasons"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }.sorted())
        }.sorted { $0.file < $1.file }
    }

    @Test func theSamplesGiveTheSameVerdictsAsInSQLiteAndAWithdrawalBlocksAtOnce() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sqlite = folder.appendingPathComponent("riverside.db").path
        try CLIRunner.loadSamples(into: sqlite)
        let photos = CLIRunner.packageRoot.appendingPathComponent("samples/photos")
        let files = try FileManager.default.contentsOfDirectory(atPath: photos.path).filter { $0.hasSuffix(".jpg") }.sorted()
            .map { photos.appendingPathComponent($0).path }
        let config = CLIRunner.packageRoot.appendingPathComponent("samples/config.json").path

        try withDatabase { url in
            let key = folder.appendingPathComponent("postgres.key").path
            try CLIRunner.loadSamples(into: url, environment: ["CLEARANCE_KEY": key])
            let environment = ["CLEARANCE_DB": url, "CLEARANCE_KEY": key]
            for channel in ["website", "facebook", "print"] {
                let onSQLite = try verdicts(CLIRunner.run(["check"] + files + ["--channel", channel, "--json", "--db", sqlite, "--config", config]))
                let onPostgres = try verdicts(CLIRunner.run(["check"] + files + ["--channel", channel, "--json", "--config", config],
                                                            environment: environment))
                #expect(onPostgres == onSQLite, "\(channel)")
                #expect(onPostgres.contains { $0.cleared } && onPostgres.contains { !$0.cleared }, "\(channel): some cleared, some not")
            }
            let verify = try CLIRunner.run(["verify"], environment: environment)
            #expect(verify.status == 0 && verify.stdout.hasPrefix("intact:"), "\(verify.stdout)\(verify.stderr)")
            // Erasure must reach the servers' uploads, and nothing beside the database says where they are.
            let erase = try CLIRunner.run(["erase", "Joan Price"], environment: environment)
            #expect(erase.status == 2 && erase.stderr.contains("--uploads DIR"), "\(erase.stderr)")
            #expect(try CLIRunner.run(["verify"], environment: environment).stdout.hasPrefix("intact: \(verify.stdout.split(separator: " ")[1]) events"),
                    "nothing was erased")

            // Amira's consent withdrawn on PostgreSQL: her photo is blocked on the very next check.
            let stage = photos.appendingPathComponent("amira-stage.jpg").path
            let before = try verdicts(CLIRunner.run(["check", stage, "--channel", "website", "--json", "--config", config], environment: environment))
            #expect(before.first?.cleared == true)
            let people = try CLIRunner.run(["person", "show", "Amira Khan", "--json"], environment: environment)
            let shown = try #require((try JSONSerialization.jsonObject(with: Data(people.stdout.utf8)) as? [[String: Any]])?.first, "\(people.stderr)")
            let reference = try #require(((shown["consents"] as? [[String: Any]])?.first?["reference"]) as? String)
            let withdrawn = try CLIRunner.run(["consent", "withdraw", reference, "--received-via", "email", "--by", "DPO"], environment: environment)
            #expect(withdrawn.status == 0, "\(withdrawn.stderr)")
            let after = try verdicts(CLIRunner.run(["check", stage, "--channel", "website", "--json", "--config", config], environment: environment))
            #expect(after.first?.cleared == false && after.first?.codes.contains("consent-withdrawn") == true, "\(after)")

            // With the uploads folder, erasure goes ahead: Joan's key file is destroyed, and
            // everyone else's stays.
            let keys = key + ".person-keys"
            let keptBefore = try FileManager.default.contentsOfDirectory(atPath: keys)
            let uploads = folder.appendingPathComponent("uploads").path
            try FileManager.default.createDirectory(atPath: uploads, withIntermediateDirectories: true)
            let erased = try CLIRunner.run(["erase", "Joan Price", "--uploads", uploads], environment: environment)
            #expect(erased.status == 0, "\(erased.stdout)\(erased.stderr)")
            let keptAfter = try FileManager.default.contentsOfDirectory(atPath: keys)
            #expect(keptAfter.count == keptBefore.count - 1 && Set(keptAfter).isSubset(of: Set(keptBefore)))
            let afterErasure = try CLIRunner.run(["verify"], environment: environment)
            #expect(afterErasure.status == 0 && afterErasure.stdout.contains("(1 erased)"), "\(afterErasure.stdout)\(afterErasure.stderr)")
        }
    }

    /// POSTs JSON to one of the servers with the DPO's token; answers the status and the body.
    private static func post(_ path: String, _ body: [String: Any], port: Int, token: String) async throws -> (Int, Any?) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, try? JSONSerialization.jsonObject(with: data))
    }

    /// The issue's picture: two `clearance serve` processes behind one address, on one database.
    /// A withdrawal taken by server A blocks the photo in server B's very next check, and the
    /// chain both wrote to verifies.
    @Test func twoServersOnOneDatabaseSeeEachOthersWithdrawals() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-serve-\(UUID().uuidString)")
        let uploads = folder.appendingPathComponent("uploads")
        try FileManager.default.createDirectory(at: uploads, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try #require(Self.server)
        let name = "clearance_serve_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try psql(server, "CREATE DATABASE \(name)")
        defer { try? psql(server, "DROP DATABASE \(name) WITH (FORCE)") }
        let url = String(server[..<server.range(of: "/", options: .backwards)!.lowerBound]) + "/" + name
        let key = folder.appendingPathComponent("instance.key").path
        try CLIRunner.loadSamples(into: url, environment: ["CLEARANCE_KEY": key])
        let environment = ["CLEARANCE_DB": url, "CLEARANCE_KEY": key]
        #expect(try CLIRunner.run(["user", "add", "--name", "dana", "--role", "dpo"], environment: environment).status == 0)
        let issued = try CLIRunner.run(["user", "token", "dana"], environment: environment)
        let token = try #require(issued.stdout.split(separator: "\n").first.map(String.init), "\(issued.stderr)")
        let stage = try #require(try verdicts(CLIRunner.run(["check", CLIRunner.packageRoot.appendingPathComponent("samples/photos/amira-stage.jpg").path,
                                                               "--channel", "website", "--json"], environment: environment)).first)
        #expect(stage.cleared)
        let listing = try CLIRunner.run(["check", CLIRunner.packageRoot.appendingPathComponent("samples/photos/amira-stage.jpg").path,
                                         "--channel", "website", "--json"], environment: environment)
        let sha = try #require(((try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [[String: Any]])?.first?["asset"]) as? String)

        let a = try ServeUploadsTests.Server(["--uploads", uploads.path, "--key", key], database: url)
        let b = try ServeUploadsTests.Server(["--uploads", uploads.path, "--key", key], database: url)
        defer { a.stop(); b.stop() }
        let (before, beforeBody) = try await Self.post("/api/v1/check", ["assets": [sha], "channel": "website"], port: b.port, token: token)
        #expect(before == 200 && ((beforeBody as? [[String: Any]])?.first?["cleared"] as? Bool) == true, "\(String(describing: beforeBody))")

        let shown = try CLIRunner.run(["person", "show", "Amira Khan", "--json"], environment: environment)
        let reference = try #require(((try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [[String: Any]])?.first?["consents"]
            as? [[String: Any]])?.first?["reference"] as? String)
        let (withdrawn, withdrawal) = try await Self.post("/api/v1/consents/\(reference)/withdraw", ["receivedVia": "phone"], port: a.port, token: token)
        #expect(withdrawn == 200, "\(String(describing: withdrawal))")
        let (after, afterBody) = try await Self.post("/api/v1/check", ["assets": [sha], "channel": "website"], port: b.port, token: token)
        let verdict = (afterBody as? [[String: Any]])?.first
        #expect(after == 200 && verdict?["cleared"] as? Bool == false, "\(String(describing: afterBody))")
        #expect(((verdict?["reasons"] as? [[String: Any]]) ?? []).contains { $0["code"] as? String == "consent-withdrawn" })
        let verify = try CLIRunner.run(["verify"], environment: environment)
        #expect(verify.status == 0 && verify.stdout.hasPrefix("intact:"), "\(verify.stdout)\(verify.stderr)")

        // The database goes away under the servers: a request answers 503, and once it is back
        // the next one is answered again, by a connection made afresh.
        try psql(server, "ALTER DATABASE \(name) ALLOW_CONNECTIONS false")
        try psql(server, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")
        let (gone, goneBody) = try await Self.post("/api/v1/check", ["assets": [sha], "channel": "website"], port: b.port, token: token)
        #expect(gone == 503, "\(String(describing: goneBody))")
        try psql(server, "ALTER DATABASE \(name) ALLOW_CONNECTIONS true")
        let (back, _) = try await Self.post("/api/v1/check", ["assets": [sha], "channel": "website"], port: b.port, token: token)
        #expect(back == 200)
    }

    /// Two servers taking consents at once, one of them killed with SIGKILL in the middle of the
    /// load: every consent a client was given a reference for is in the ledger, the other server
    /// goes on taking consents (the dead one's lock went with its connection), and the chain
    /// both wrote verifies with no gap.
    @Test func aServerKilledMidLoadLosesNoConsentItAnswered() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-kill-\(UUID().uuidString)")
        let uploads = folder.appendingPathComponent("uploads")
        try FileManager.default.createDirectory(at: uploads, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try #require(Self.server)
        let name = "clearance_kill_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try psql(server, "CREATE DATABASE \(name)")
        defer { try? psql(server, "DROP DATABASE \(name) WITH (FORCE)") }
        let url = String(server[..<server.range(of: "/", options: .backwards)!.lowerBound]) + "/" + name
        let key = folder.appendingPathComponent("instance.key").path
        let environment = ["CLEARANCE_DB": url, "CLEARANCE_KEY": key]
        #expect(try CLIRunner.run(["init"], environment: environment).status == 0)
        #expect(try CLIRunner.run(["user", "add", "--name", "olu", "--role", "officer"], environment: environment).status == 0)
        let issued = try CLIRunner.run(["user", "token", "olu"], environment: environment)
        let token = try #require(issued.stdout.split(separator: "\n").first.map(String.init), "\(issued.stderr)")

        let a = try ServeUploadsTests.Server(["--uploads", uploads.path, "--key", key], database: url)
        let b = try ServeUploadsTests.Server(["--uploads", uploads.path, "--key", key], database: url)
        defer { a.stop(); b.stop() }
        let answered = AnsweredConsents()
        let (portA, portB, pidA) = (a.port, b.port, a.process.processIdentifier)
        let killed = Task {
            // Once both servers have answered a few, A dies without warning, mid-load.
            while answered.count < 24 { try await Task.sleep(nanoseconds: 20_000_000) }
            kill(pidA, SIGKILL)
            answered.markKill()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<6 {
                group.addTask {
                    let port = worker % 2 == 0 ? portA : portB
                    for round in 0..<16 {
                        // A refused or cut-off request gets no reference: that consent may or may
                        // not be in the ledger, and is not counted.
                        guard let (status, body) = try? await Self.post("/api/v1/people", ["name": "Load \(worker)-\(round)"], port: port, token: token),
                              status == 201, let person = (body as? [String: Any])?["id"] as? String,
                              let (recorded, consent) = try? await Self.post("/api/v1/consents", ["person": person, "channels": ["website"]], port: port, token: token),
                              recorded == 201, let reference = (consent as? [String: Any])?["reference"] as? String else {
                            answered.failed(onA: port == portA)
                            continue
                        }
                        answered.add(reference, fromB: port == portB)
                    }
                }
            }
            try await group.waitForAll()
        }
        try await killed.value
        a.stop()
        #expect(a.process.terminationReason == .uncaughtSignal && a.process.terminationStatus == SIGKILL)

        let (references, afterKill, failedOnA) = answered.snapshot()
        // A was still being asked when it died (its clients saw requests fail), and B went on.
        #expect(references.count >= 24 && afterKill > 0 && failedOnA > 0,
                "\(references.count) answered, \(afterKill) by B after the kill, \(failedOnA) failed on A")
        let stored = Set(try psqlRows(url, "SELECT reference FROM consents"))
        #expect(references.isSubset(of: stored), "answered but missing: \(references.subtracting(stored).sorted())")
        print("killed mid-load: \(references.count) consents answered, \(stored.count) stored, \(afterKill) by B after the kill, \(failedOnA) requests to A failed")
        let verify = try CLIRunner.run(["verify"], environment: environment)
        #expect(verify.status == 0 && verify.stdout.hasPrefix("intact:"), "\(verify.stdout)\(verify.stderr)")
    }

    /// The references clients were given, how many B gave after A was killed, and how many
    /// requests to A failed.
    private final class AnsweredConsents: @unchecked Sendable {
        private let lock = NSLock()
        private var references = Set<String>()
        private var killed = false
        private var afterKill = 0
        private var failedOnA = 0
        var count: Int { lock.withLock { references.count } }
        func add(_ reference: String, fromB: Bool) {
            lock.withLock {
                references.insert(reference)
                if killed && fromB { afterKill += 1 }
            }
        }
        func failed(onA: Bool) { lock.withLock { if onA { failedOnA += 1 } } }
        func markKill() { lock.withLock { killed = true } }
        func snapshot() -> (Set<String>, Int, Int) { lock.withLock { (references, afterKill, failedOnA) } }
    }

    /// One column of a query's rows, through psql.
    private func psqlRows(_ url: String, _ sql: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", url, "-c", sql]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "psql: \(sql)")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Backups of a PostgreSQL ledger are pg_dump's: one taken while consents are being written
    /// restores into an empty database as a ledger that verifies, with the same key.
    @Test func aPgDumpTakenWhileConsentsAreWrittenRestoresToAnIntactLedger() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-dump-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = folder.appendingPathComponent("instance.key").path
        let dump = folder.appendingPathComponent("clearance.dump").path
        try withDatabase { url in
            let environment = ["CLEARANCE_DB": url, "CLEARANCE_KEY": key]
            #expect(try CLIRunner.run(["init"], environment: environment).status == 0)
            // Consents written by another process for as long as the dump takes, and a little more.
            let writer = Process()
            writer.executableURL = URL(fileURLWithPath: "/bin/bash")
            writer.arguments = ["-c", """
                for i in $(seq 1 12); do
                  p=$("$CLEARANCE" person add --name "Writer $i") || exit 1
                  "$CLEARANCE" consent record --person "$p" --channels website --by Officer > /dev/null || exit 1
                done
                """]
            writer.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
                .merging(["CLEARANCE": CLIRunner.binary.path]) { $1 }
            try writer.run()
            Thread.sleep(forTimeInterval: 0.5)
            try tool("/usr/bin/pg_dump", ["-Fc", "-f", dump, url])
            writer.waitUntilExit()
            #expect(writer.terminationStatus == 0)

            try withDatabase { restored in
                try tool("/usr/bin/pg_restore", ["--no-owner", "-d", restored, dump])
                let verify = try CLIRunner.run(["verify", "--db", restored, "--key", key])
                #expect(verify.status == 0 && verify.stdout.hasPrefix("intact:"), "\(verify.stdout)\(verify.stderr)")
                let source = try CLIRunner.run(["verify"], environment: environment)
                #expect(source.stdout.hasPrefix("intact: 25 events"), "the first event, then twelve people and their consents: \(source.stdout)")
            }
        }
    }

    private func tool(_ path: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try #require(process.terminationStatus == 0, "\(path): \(message)")
    }

    /// Moving a team's SQLite ledger to PostgreSQL: `copy --to postgres://…` checks every event,
    /// takes the accounts along, and ends on the same last hash; the copy answers the same
    /// verdicts and goes on from there. A source with an edited event leaves the database empty.
    @Test func copyMovesASQLiteLedgerAndItsAccountsIntoPostgreSQL() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sqlite = folder.appendingPathComponent("riverside.db").path
        try CLIRunner.loadSamples(into: sqlite)
        #expect(try CLIRunner.run(["user", "add", "--name", "Dana", "--role", "dpo", "--db", sqlite]).status == 0)
        #expect(try CLIRunner.run(["user", "token", "Dana", "--db", sqlite]).status == 0)
        let source = try CLIRunner.run(["verify", "--db", sqlite])
        let sourceHash = try #require(source.stdout.split(separator: "\n").first { $0.hasPrefix("last hash:") })

        try withDatabase { url in
            let copied = try CLIRunner.run(["copy", "--db", sqlite, "--to", url])
            #expect(copied.status == 0, "\(copied.stderr)")
            #expect(copied.stdout.contains(String(sourceHash)) && !copied.stdout.contains(":\(url.split(separator: ":")[2].split(separator: "@")[0])@"),
                    "the same last hash, and the address shown without its password: \(copied.stdout)")
            let environment = ["CLEARANCE_DB": url, "CLEARANCE_KEY": sqlite + ".key"]
            let verify = try CLIRunner.run(["verify"], environment: environment)
            #expect(verify.status == 0 && verify.stdout.contains(String(sourceHash)), "\(verify.stdout)\(verify.stderr)")

            let photos = CLIRunner.packageRoot.appendingPathComponent("samples/photos")
            let files = try FileManager.default.contentsOfDirectory(atPath: photos.path).filter { $0.hasSuffix(".jpg") }.sorted()
                .map { photos.appendingPathComponent($0).path }
            let config = CLIRunner.packageRoot.appendingPathComponent("samples/config.json").path
            #expect(try verdicts(CLIRunner.run(["check"] + files + ["--channel", "website", "--json", "--config", config], environment: environment))
                    == verdicts(CLIRunner.run(["check"] + files + ["--channel", "website", "--json", "--config", config, "--db", sqlite])))
            // The accounts came along, names still compared without case, and new rows get new ids.
            let tokens = try CLIRunner.run(["user", "tokens", "dana"], environment: environment)
            #expect(tokens.status == 0 && tokens.stdout.contains("active"), "\(tokens.stdout)\(tokens.stderr)")
            let second = try CLIRunner.run(["user", "token", "Dana"], environment: environment)
            #expect(second.status == 0 && (second.stdout + second.stderr).contains("token 2 for Dana"), "\(second.stdout)\(second.stderr)")
            #expect(try CLIRunner.run(["person", "add", "--name", "After The Move"], environment: environment).status == 0)
            #expect(try CLIRunner.run(["verify"], environment: environment).stdout.hasPrefix("intact:"))

            let again = try CLIRunner.run(["copy", "--db", sqlite, "--to", url])
            #expect(again.status == 2 && again.stderr.contains("already exists"), "\(again.stderr)")

            // And back to a SQLite file, as an evidence copy: the same last hash, the accounts beside it.
            let evidence = folder.appendingPathComponent("evidence.db").path
            let back = try CLIRunner.run(["copy", "--to", evidence], environment: environment)
            #expect(back.status == 0, "\(back.stderr)")
            let postgresHash = try #require(try CLIRunner.run(["verify"], environment: environment).stdout
                .split(separator: "\n").first { $0.hasPrefix("last hash:") })
            let evidenceVerify = try CLIRunner.run(["verify", "--db", evidence, "--key", sqlite + ".key"])
            #expect(evidenceVerify.status == 0 && evidenceVerify.stdout.contains(String(postgresHash)), "\(evidenceVerify.stdout)\(evidenceVerify.stderr)")
            let evidenceTokens = try CLIRunner.run(["user", "tokens", "dana", "--db", evidence])
            #expect(evidenceTokens.status == 0 && evidenceTokens.stdout.contains("active"), "\(evidenceTokens.stdout)\(evidenceTokens.stderr)")
        }

        // The person keys folder beside the key is the copied ledger's: a second copy with the
        // same key is refused before anything is written, and the folder is left as it was.
        let keysFolder = sqlite + ".key.person-keys"
        let keptKeys = try FileManager.default.contentsOfDirectory(atPath: keysFolder).sorted()
        #expect(!keptKeys.isEmpty)
        try withDatabase { url in
            let refused = try CLIRunner.run(["copy", "--db", sqlite, "--to", url])
            #expect(refused.status == 2 && refused.stderr.contains("\(keysFolder) already exists"), "\(refused.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: keysFolder).sorted() == keptKeys)
            let tables = try CLIRunner.run(["verify", "--db", url, "--key", sqlite + ".key"])
            #expect(tables.status == 2 && tables.stderr.contains("no Clearance ledger"), "\(tables.stderr)")
        }
        try FileManager.default.removeItem(atPath: keysFolder)

        // An event edited in the source: refused, and the database is left as it was (empty),
        // with no person keys folder made.
        try StoreFilesTests.queue(sqlite).write { db in
            try db.execute(sql: "UPDATE events SET payload = CAST(replace(CAST(payload AS TEXT), 'o', '0') AS BLOB) WHERE seq = 2")
        }
        try withDatabase { url in
            let refused = try CLIRunner.run(["copy", "--db", sqlite, "--to", url])
            #expect(refused.status != 0 && refused.stderr.contains("nothing was copied"), "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: keysFolder))
            let tables = try CLIRunner.run(["verify", "--db", url, "--key", sqlite + ".key"])
            #expect(tables.status == 2 && tables.stderr.contains("no Clearance ledger"), "\(tables.stderr)")
        }
    }

    @Test func aDatabaseThatCannotBeReachedOrHasNoLedgerIsOneLineAndExitTwo() throws {
        let server = try #require(Self.server)
        let unreachable = try CLIRunner.run(["verify", "--db", "postgres://clearance:not-the-password@127.0.0.1:1/none", "--key", "/nonexistent"])
        #expect(unreachable.status == 2 && unreachable.stderr.split(separator: "\n").count == 1, "\(unreachable.stderr)")
        #expect(!unreachable.stderr.contains("not-the-password"))
        let wrongPassword = server.replacingOccurrences(of: #"://([^:]+):[^@]*@"#, with: "://$1:wrong-secret@", options: .regularExpression)
        let refused = try CLIRunner.run(["verify", "--db", wrongPassword, "--key", "/nonexistent"])
        #expect(refused.status == 2 && refused.stderr.contains("refused the login") && !refused.stderr.contains("wrong-secret"), "\(refused.stderr)")
        try withDatabase { url in
            let empty = try CLIRunner.run(["verify", "--db", url, "--key", "/nonexistent"])
            #expect(empty.status == 2 && empty.stderr.contains("no Clearance ledger"), "\(empty.stderr)")
            let noKey = try CLIRunner.run(["init", "--db", url])
            #expect(noKey.status == 2 && noKey.stderr.contains("--key"), "\(noKey.stderr)")
            // A key that cannot be written leaves the database empty: init works once it can.
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-init-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let unwritable = try CLIRunner.run(["init", "--db", url, "--key", folder.appendingPathComponent("missing/instance.key").path])
            #expect(unwritable.status == 2 && unwritable.stderr.split(separator: "\n").count == 1, "\(unwritable.stderr)")
            #expect(try CLIRunner.run(["verify", "--db", url, "--key", "/nonexistent"]).stderr.contains("no Clearance ledger"))
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let made = try CLIRunner.run(["init", "--db", url, "--key", folder.appendingPathComponent("instance.key").path])
            #expect(made.status == 0, "\(made.stderr)")
        }
    }
}

/// The throwaway cluster `make test` starts (scripts/postgres-cluster.sh), when there is one.
enum TestCluster {
    static let url = ProcessInfo.processInfo.environment["CLEARANCE_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
}
