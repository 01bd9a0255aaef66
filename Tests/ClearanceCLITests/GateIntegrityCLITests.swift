import Foundation
import GRDB
import Testing

/// The real `clearance` binary on the summer-fair samples, after one SQL statement edits the
/// file as an insider would: `check` of the picture (by its file) stays blocked and says
/// `record-tampered`, and `verify` exits 1 naming the table and row.
@Suite(.serialized) struct GateIntegrityCLITests {
    let dir: URL
    let db: String
    let config: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-integrity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        db = dir.appendingPathComponent("fair.db").path
        config = CLIRunner.packageRoot.appendingPathComponent("samples/config.json").path
        try CLIRunner.loadSamples(into: db)
        try clearance(["tag", photo("joan-garden.jpg"), "--service-users", "--by", "DPO Sam Okafor"])
        try clearance(["tag", photo("sam-tombola.jpg"), "--person", samTaylors()[0], "--by", "Editor Ben Cole"])
    }

    func photo(_ name: String) -> String { CLIRunner.packageRoot.appendingPathComponent("samples/photos/\(name)").path }

    @discardableResult
    func clearance(_ arguments: [String], expect status: Int32 = 0) throws -> CLIRunner.Result {
        let result = try CLIRunner.run(arguments + ["--db", db, "--config", config])
        #expect(result.status == status, "clearance \(arguments.joined(separator: " ")): \(result.stderr)")
        return result
    }

    func samTaylors() throws -> [String] {
        let people = try JSONSerialization.jsonObject(with: Data(try CLIRunner.run(["person", "show", "Sam Taylor", "--json", "--db", db]).stdout.utf8))
        return (people as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    func tamper(_ sql: String, _ arguments: StatementArguments = []) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        try DatabaseQueue(path: db, configuration: configuration).write { try $0.execute(sql: sql, arguments: arguments) }
    }

    func check(_ name: String) throws -> (cleared: Bool, codes: Set<String>, messages: [String]) {
        let result = try CLIRunner.run(["check", photo(name), "--channel", "facebook", "--json", "--db", db, "--config", config])
        let object = ((try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [[String: Any]])?.first ?? [:]
        let reasons = object["reasons"] as? [[String: Any]] ?? []
        return (object["cleared"] as? Bool ?? false, Set(reasons.compactMap { $0["code"] as? String }),
                reasons.compactMap { $0["message"] as? String })
    }

    func verify() throws -> CLIRunner.Result { try clearance(["verify"], expect: 1) }

    @Test func untouchedTheTagsDecideAndVerifyPasses() throws {
        #expect(try check("joan-garden.jpg").codes == ["service-user"])
        #expect(try check("sam-tombola.jpg").cleared)
        try clearance(["verify"])
    }

    @Test func deletingTheServiceUsersReviewLeavesThePictureBlocked() throws {
        try tamper("DELETE FROM reviews WHERE action = 'service-users'")
        let joan = try check("joan-garden.jpg")
        #expect(!joan.cleared && joan.codes == ["service-user", "record-tampered"])
        #expect(joan.messages.contains { $0.contains("reviews: row") })
        #expect(try verify().stdout.hasPrefix("TAMPERED: reviews row "))
    }

    @Test func deletingTheAssetRowDoesNotMakeTheFileNew() throws {
        try tamper("DELETE FROM assets WHERE sha256 IN (SELECT sha256 FROM reviews WHERE action = 'service-users')")
        let joan = try check("joan-garden.jpg")
        #expect(joan.codes == ["service-user", "record-tampered"], "\(joan.messages)")
        #expect(try verify().stdout.hasPrefix("TAMPERED: assets row "))
        // Ingesting it again adds nothing.
        #expect(try clearance(["ingest", photo("joan-garden.jpg")]).stdout.contains("0 new, 1 already known"))
    }

    @Test func copyingAMentionOntoAnUnreviewedPhotoDoesNotClearIt() throws {
        try tamper("""
            INSERT INTO mentions SELECT (SELECT sha256 FROM asset_paths WHERE path LIKE '%empty-hall.jpg'), ordinal, source, label,
              name_digest, identifiers, region, salt
            FROM mentions WHERE sha256 = (SELECT sha256 FROM asset_paths WHERE path LIKE '%/amira-stage.jpg')
            """)
        let hall = try check("empty-hall.jpg")
        #expect(!hall.cleared && hall.codes.contains("record-tampered"))
        #expect(try verify().stdout.hasPrefix("TAMPERED: mentions row "))
    }

    @Test func aNamesakeDroppedFromTheIndexIsNoticed() throws {
        let sams = try samTaylors()
        // Keep only the namesake with consent in the list (its MAC no longer fits) and untag.
        try tamper("UPDATE name_index SET people = json_array(?) WHERE people LIKE ?", [sams[0], "%\(sams[1])%"])
        try tamper("DELETE FROM reviews WHERE action = 'person'")
        let sam = try check("sam-tombola.jpg")
        #expect(!sam.cleared && sam.codes.contains("record-tampered"))
        let output = try verify().stdout
        #expect(output.contains("name_index row "), "\(output)")
        #expect(output.contains("reviews row "), "every edit is named: \(output)")
    }

    @Test func verifyJSONListsEveryProblem() throws {
        try tamper("UPDATE instance SET created_at = created_at + 1")
        try tamper("DELETE FROM reviews")
        let result = try CLIRunner.run(["verify", "--json", "--db", db])
        #expect(result.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let problems = report?["problems"] as? [[String: Any]] ?? []
        #expect(Set(problems.compactMap { $0["table"] as? String }) == ["instance", "reviews"])
        #expect(problems.filter { $0["table"] as? String == "reviews" }.count == 3, "the two tags and the samples' --no-people")
    }
}
