import Foundation
import Testing

/// Issue 13 on a real group photo (`Tests/FaceDetectionTests/Fixtures/group.jpg`, three clear
/// faces): metadata written by ExifTool as Lightroom (an MWG face region) or a caption tool
/// (IPTC PersonInImage) writes it names one person; the others block until a reviewer decides
/// them, face by face, through the real binary.
enum InstalledExifTool {
    static let path = ["/usr/bin/exiftool", "/usr/local/bin/exiftool"].first { FileManager.default.isExecutableFile(atPath: $0) }
}

@Suite(.enabled(if: InstalledExifTool.path != nil, "exiftool is not installed"))
struct FaceReviewCLITests {
    static let group = CLIRunner.packageRoot.appendingPathComponent("Tests/FaceDetectionTests/Fixtures/group.jpg")

    /// A copy of the group photo with `arguments` written by ExifTool.
    private func photo(_ fixture: LedgerCLIFixture, _ name: String, _ arguments: [String]) throws -> String {
        let path = fixture.directory.appendingPathComponent(name).path
        try FileManager.default.copyItem(atPath: Self.group.path, toPath: path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: InstalledExifTool.path!)
        process.arguments = ["-q", "-overwrite_original"] + arguments + [path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw LedgerCLIFixture.FixtureError("exiftool failed on \(name)") }
        return path
    }

    private func person(_ fixture: LedgerCLIFixture, _ name: String) throws -> String {
        let id = try fixture.succeed(["person", "add", "--name", name])
        try fixture.succeed(["consent", "record", "--person", id, "--channels", "facebook,website"])
        return id
    }

    private func check(_ fixture: LedgerCLIFixture, _ path: String) throws -> (cleared: Bool, codes: [String], messages: [String]) {
        let result = try fixture.run(["check", path, "--channel", "facebook", "--json"])
        let verdict = try #require((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])?.first)
        let reasons = verdict["reasons"] as? [[String: Any]] ?? []
        return (verdict["cleared"] as? Bool ?? false, reasons.compactMap { $0["code"] as? String }, reasons.compactMap { $0["message"] as? String })
    }

    private func faces(_ fixture: LedgerCLIFixture, _ path: String) throws -> [String: Any] {
        try #require(try fixture.json(["faces", path]) as? [String: Any])
    }

    @Test func aLightroomRegionOnOneFaceBlocksUntilTheOthersAreDecided() throws {
        let fixture = try LedgerCLIFixture()
        let ada = try person(fixture, "Ada Lovelace")
        let bob = try person(fixture, "Bob Brown")
        // The left face (x 0.058, y 0.102, w 0.073, h 0.117): MWG stores the centre.
        let path = try photo(fixture, "group-named.jpg", [
            "-XMP-mwg-rs:RegionInfo={AppliedToDimensions={W=640,H=480,Unit=pixel},RegionList=[{Area={X=0.0945,Y=0.16,W=0.08,H=0.13,Unit=normalized},Name=Ada Lovelace,Type=Face}]}",
        ])
        try fixture.succeed(["ingest", path])

        var verdict = try check(fixture, path)
        #expect(!verdict.cleared && verdict.codes == ["unidentified-person"], "\(verdict)")
        #expect(verdict.messages.first?.hasPrefix("2 faces found in the picture are not named in its metadata") == true)

        let listing = try faces(fixture, path)
        #expect(listing["detector"] as? String == "yunet-2023mar/1" && listing["lookedFor"] as? Bool == true)
        let entries = try #require(listing["faces"] as? [[String: Any]])
        #expect(entries.count == 3 && entries.allSatisfy { $0["source"] as? String == "detected" })
        let named = try #require(entries.first { $0["namedBy"] as? String == "mwg-region" })
        #expect(named["name"] as? String == "Ada Lovelace" && named["person"] as? String == ada && named["accounted"] as? Bool == true)
        let open = entries.filter { $0["accounted"] as? Bool == false }.compactMap { $0["n"] as? Int }
        #expect(open.count == 2)

        try fixture.succeed(["tag", path, "--face", String(open[0]), "--person", bob, "--by", "Editor Ben"])
        verdict = try check(fixture, path)
        #expect(verdict.codes == ["unidentified-person"] && verdict.messages.first?.hasPrefix("A face found") == true, "\(verdict)")

        try fixture.succeed(["tag", path, "--face", String(open[1]), "--not-identifiable", "--by", "Editor Ben"])
        verdict = try check(fixture, path)
        #expect(verdict.cleared, "\(verdict)")

        // Decisions are kept with who and when; a later one supersedes, the earlier stays.
        try fixture.succeed(["tag", path, "--face", String(open[1]), "--not-a-face", "--by", "Editor Cy"])
        let decided = try #require((try faces(fixture, path)["faces"] as? [[String: Any]])?.first { $0["n"] as? Int == open[1] })
        #expect(decided["decision"] as? String == "not-a-face" && decided["decidedBy"] as? String == "Editor Cy")
        #expect((decided["decidedAt"] as? String)?.hasSuffix("Z") == true)
        let verify = try #require(try fixture.json(["verify"]) as? [String: Any])
        #expect(verify["intact"] as? Bool == true || (verify["problems"] as? [Any])?.isEmpty == true, "\(verify)")
        #expect(try check(fixture, path).cleared)
    }

    @Test func onePersonInImageNameOnAGroupPhotoBlocks() throws {
        let fixture = try LedgerCLIFixture()
        _ = try person(fixture, "Ada Lovelace")
        let path = try photo(fixture, "group-caption.jpg", ["-XMP-iptcExt:PersonInImage=Ada Lovelace"])
        try fixture.succeed(["ingest", path])
        let verdict = try check(fixture, path)
        #expect(verdict.codes == ["unidentified-person"], "\(verdict)")
        #expect(verdict.messages.first?.hasPrefix("2 faces found") == true, "the name covers one face of three")
    }

    @Test func noPeopleOverDetectedFacesIsRefusedAndWritesNothing() throws {
        let fixture = try LedgerCLIFixture()
        let path = try photo(fixture, "group.jpg", [])
        try fixture.succeed(["ingest", path])
        let before = try fixture.eventCount()
        let refused = try fixture.run(["tag", path, "--no-people"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("shows 3 faces the detector found") && refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        for arguments in [["--face", "4", "--not-a-face"], ["--face", "0", "--not-a-face"], ["--face", "1"],
                          ["--face", "1", "--not-a-face", "--not-identifiable"], ["--not-a-face"],
                          ["--face", "1", "--person", "P-AAAA-AAAA"]] {
            let result = try fixture.run(["tag", path] + arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
        }
        #expect(try fixture.eventCount() == before)

        // Three faces decided not to be faces (posters): then nobody is shown.
        for n in 1...3 { try fixture.succeed(["tag", path, "--face", String(n), "--not-a-face"]) }
        try fixture.succeed(["tag", path, "--no-people"])
        #expect(try check(fixture, path).cleared)
    }

    @Test func aWholePicturePersonDecidesTheOneFaceLeft() throws {
        let fixture = try LedgerCLIFixture()
        let ada = try person(fixture, "Ada Lovelace")
        let path = try photo(fixture, "group.jpg", [])
        try fixture.succeed(["ingest", path])
        // Three undecided faces: the review says Ada is shown, but not which face.
        try fixture.succeed(["tag", path, "--person", ada])
        #expect(try check(fixture, path).codes == ["unidentified-person"])
        try fixture.succeed(["tag", path, "--face", "1", "--not-identifiable"])
        try fixture.succeed(["tag", path, "--face", "2", "--not-identifiable"])
        #expect(try check(fixture, path).codes == ["unidentified-person"])
        // Exactly one left: naming the person for the picture decides it.
        try fixture.succeed(["tag", path, "--person", ada])
        let entry = try #require((try faces(fixture, path)["faces"] as? [[String: Any]])?.first { $0["n"] as? Int == 3 })
        #expect(entry["decision"] as? String == "person" && entry["person"] as? String == ada)
        #expect(try check(fixture, path).cleared)
    }

    @Test func reIngestingAKnownFileDetectsNothingAgainAndRedetectAddsOnlyForANewDetector() throws {
        let fixture = try LedgerCLIFixture()
        let path = try photo(fixture, "group.jpg", [])
        try fixture.succeed(["ingest", path])
        let before = try fixture.eventCount()
        #expect(try fixture.succeed(["ingest", path]).hasPrefix("0 new, 1 already known"))
        #expect(try fixture.eventCount() == before, "a known asset is not looked at again")
        #expect(try fixture.succeed(["faces", "--redetect", path]).hasPrefix("0 looked at again, 1 already current"))
        #expect(try fixture.eventCount() == before)
        #expect(try fixture.run(["faces", "--all"]).status == 2)
        #expect(try fixture.run(["faces", fixture.directory.appendingPathComponent("nowhere.jpg").path]).status == 2)
    }
}
