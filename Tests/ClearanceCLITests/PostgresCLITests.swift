import Foundation
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
        }
    }
}

/// The throwaway cluster `make test` starts (scripts/postgres-cluster.sh), when there is one.
enum TestCluster {
    static let url = ProcessInfo.processInfo.environment["CLEARANCE_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
}
