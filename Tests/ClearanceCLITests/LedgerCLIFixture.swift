import Foundation
import GRDB

/// A temporary directory with a ledger created by the real `clearance init`; commands run with
/// `CLEARANCE_DB` pointing at it.
final class LedgerCLIFixture {
    let directory: URL
    let databasePath: String
    var configurationPath: String?

    init(initialise: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        databasePath = directory.appendingPathComponent("clearance.db").path
        if initialise {
            let result = try run(["init"])
            guard result.status == 0 else { throw FixtureError("init failed: \(result.stderr)") }
        }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    struct FixtureError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Runs `clearance` with this ledger (and configuration, when set).
    func run(_ arguments: [String], timeout: TimeInterval = 120) throws -> CLIRunner.Result {
        var arguments = arguments
        if let configurationPath, arguments.first != "inspect" {
            // `--config` belongs to the leaf subcommand, which comes before any option.
            let leaf = arguments.firstIndex(where: { $0.hasPrefix("-") }) ?? arguments.count
            arguments.insert(contentsOf: ["--config", configurationPath], at: leaf)
        }
        return try CLIRunner.run(arguments, environment: ["CLEARANCE_DB": databasePath], timeout: timeout)
    }

    /// Runs a command that must succeed and returns its trimmed standard output.
    @discardableResult
    func succeed(_ arguments: [String]) throws -> String {
        let result = try run(arguments)
        guard result.status == 0 else {
            throw FixtureError("clearance \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func json(_ arguments: [String]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(try succeed(arguments + ["--json"]).utf8))
    }

    func eventCount() throws -> Int {
        (try json(["verify"]) as? [String: Any])?["events"] as? Int ?? -1
    }

    /// Plain SQL straight on the file, bypassing Clearance, as someone editing the file would.
    func tamper(_ sql: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: databasePath, configuration: configuration)
        try queue.write { db in try db.execute(sql: sql) }
    }

    /// The raw bytes of the database file and its WAL, as a forensic search would read them.
    func rawBytes() throws -> Data {
        var bytes = Data()
        for suffix in ["", "-wal"] {
            let path = databasePath + suffix
            if FileManager.default.fileExists(atPath: path) {
                bytes.append(try Data(contentsOf: URL(fileURLWithPath: path)))
            }
        }
        return bytes
    }
}

/// `C-XXXX-XXXX` with only the card alphabet.
func isConsentReference(_ text: String) -> Bool {
    text.wholeMatch(of: /C-[2-9A-HJKMNP-TW-Z]{4}-[2-9A-HJKMNP-TW-Z]{4}/) != nil
}
