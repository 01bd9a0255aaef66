import Foundation
import GRDB
import Testing

/// `--db` and `--key` as users get them wrong: each mistake is one line on stderr, exit 2, and
/// nothing written anywhere; and the key kept away from the database works from `--key` or
/// `$CLEARANCE_KEY`.
@Suite struct LedgerAddressTests {
    /// Every file under `directory`, with its bytes.
    static func snapshot(_ directory: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let walker = FileManager.default.enumerator(atPath: directory.path)
        while let name = walker?.nextObject() as? String {
            let path = directory.appendingPathComponent(name).path
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            files[name] = isDirectory.boolValue ? Data() : try Data(contentsOf: URL(fileURLWithPath: path))
        }
        return files
    }

    static func expectRefused(_ result: CLIRunner.Result, saying text: String, hiding secret: String? = nil) {
        #expect(result.status == 2, "\(result.stdout) \(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(text), "\(result.stderr)")
        if let secret { #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret), "\(result.stderr)") }
    }

    @Test func theKeyCanLiveAwayFromTheDatabase() throws {
        let fixture = try LedgerCLIFixture(initialise: false)
        let vault = fixture.directory.appendingPathComponent("vault")
        try FileManager.default.createDirectory(at: vault, withIntermediateDirectories: true)
        let key = vault.appendingPathComponent("instance.key").path
        let made = try fixture.run(["init", "--key", key])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(FileManager.default.fileExists(atPath: key))
        #expect(!FileManager.default.fileExists(atPath: fixture.databasePath + ".key"))

        // Writing finds the key through --key or $CLEARANCE_KEY, and is refused without either.
        let byOption = try fixture.run(["person", "add", "--name", "Kim Key", "--key", key])
        #expect(byOption.status == 0, "\(byOption.stderr)")
        let byEnvironment = try CLIRunner.run(["person", "add", "--name", "Lee Key"],
                                              environment: ["CLEARANCE_DB": fixture.databasePath, "CLEARANCE_KEY": key])
        #expect(byEnvironment.status == 0, "\(byEnvironment.stderr)")
        let events = try fixture.eventCount()
        let bytes = try fixture.rawBytes()
        Self.expectRefused(try fixture.run(["person", "add", "--name", "No Key"]), saying: "cannot read the instance key")
        #expect(try fixture.eventCount() == events)
        #expect(try fixture.rawBytes() == bytes)

        // The key is checked against the ledger: another ledger's key is refused.
        let other = fixture.directory.appendingPathComponent("other.db").path
        #expect(try CLIRunner.run(["init", "--db", other]).status == 0)
        Self.expectRefused(try fixture.run(["person", "add", "--name", "Wrong Key", "--key", other + ".key"]),
                           saying: "does not belong to this ledger")
        #expect(try fixture.rawBytes() == bytes)

        // verify confirms MACs with the key it is given.
        let verified = try fixture.run(["verify", "--key", key])
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
        #expect(try fixture.json(["person", "list", "--json"]) is [Any])
    }

    @Test func anUnreadableKeyIsRefused() throws {
        let fixture = try LedgerCLIFixture()
        let bytes = try fixture.rawBytes()
        let garbage = try fixture.write("garbage.key", "not a key\n")
        Self.expectRefused(try fixture.run(["person", "add", "--name", "Kim", "--key", garbage]), saying: "is not a Clearance instance key")
        Self.expectRefused(try fixture.run(["person", "add", "--name", "Kim", "--key", fixture.directory.path]),
                           saying: "cannot read the instance key")
        Self.expectRefused(try fixture.run(["person", "add", "--name", "Kim", "--key", fixture.directory.appendingPathComponent("gone.key").path]),
                           saying: "cannot read the instance key")
        #expect(try fixture.rawBytes() == bytes)
    }

    @Test func aPostgresAddressWithoutItsKeyOrServerIsRefusedWithoutItsPassword() throws {
        let fixture = try LedgerCLIFixture(initialise: false)
        let before = try Self.snapshot(fixture.directory)
        // Port 1 on loopback: nothing answers there.
        let url = "postgres://clearance:hunter2secret@127.0.0.1:1/clearance"
        for arguments in [["init"], ["person", "list"], ["verify"], ["user", "add", "--name", "ann", "--role", "dpo"],
                          ["erase", "P-AAAA-AAAA", "--uploads", fixture.directory.path]] {
            for address in [url, url.replacingOccurrences(of: "postgres://", with: "postgresql://")] {
                // A PostgreSQL ledger's key has no file to sit beside: it must be named.
                Self.expectRefused(try CLIRunner.run(arguments + ["--db", address]), saying: "--key FILE or CLEARANCE_KEY", hiding: "hunter2secret")
                let key = fixture.directory.appendingPathComponent("instance.key").path
                Self.expectRefused(try CLIRunner.run(arguments + ["--db", address, "--key", key]), saying: "cannot connect to PostgreSQL",
                                   hiding: "hunter2secret")
            }
        }
        Self.expectRefused(try CLIRunner.run(["serve", "--port", "0", "--db", url]), saying: "needs --uploads DIR", hiding: "hunter2secret")
        // Any other scheme is named, never the rest of the address.
        let mysql = try CLIRunner.run(["verify", "--db", "mysql://root:hunter2secret@db/clearance"])
        Self.expectRefused(mysql, saying: "mysql://", hiding: "hunter2secret")
        #expect(try Self.snapshot(fixture.directory) == before)
        // Nothing was made under a name taken from the URL either.
        #expect(!FileManager.default.fileExists(atPath: "postgres:") && !FileManager.default.fileExists(atPath: "postgresql:"))
    }

    @Test func aMissingDatabaseAFolderOrAForeignFileIsRefusedUntouched() throws {
        let fixture = try LedgerCLIFixture(initialise: false)
        let folder = fixture.directory.appendingPathComponent("a-folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let text = try fixture.write("notes.txt", "not a database\n")
        let photo = fixture.directory.appendingPathComponent("photo.jpg").path
        try FileManager.default.copyItem(atPath: CLIRunner.packageRoot.appendingPathComponent("samples/photos/empty-hall.jpg").path,
                                         toPath: photo)
        let foreign = fixture.directory.appendingPathComponent("other-app.sqlite").path
        let queue = try DatabaseQueue(path: foreign)
        try queue.write { db in try db.execute(sql: "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ann')") }
        try queue.close()
        let before = try Self.snapshot(fixture.directory)

        for arguments in [["person", "list"], ["verify"], ["person", "add", "--name", "Kim"], ["check", "x", "--channel", "website"]] {
            Self.expectRefused(try CLIRunner.run(arguments + ["--db", fixture.directory.appendingPathComponent("missing.db").path]),
                               saying: "clearance init")
            Self.expectRefused(try CLIRunner.run(arguments + ["--db", folder.path]), saying: "is a folder")
            Self.expectRefused(try CLIRunner.run(arguments + ["--db", text]), saying: "not a Clearance ledger")
            Self.expectRefused(try CLIRunner.run(arguments + ["--db", photo]), saying: "not a Clearance ledger")
            Self.expectRefused(try CLIRunner.run(arguments + ["--db", foreign]), saying: "not a Clearance ledger")
        }
        #expect(try Self.snapshot(fixture.directory) == before)
    }
}
