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

    /// Once the person on the people-to-find list is registered, naming them for the picture
    /// settles their face when it is the only one left; a person a face already shows is never
    /// inferred onto another face.
    @Test func aWholePicturePersonSettlesTheOneListedFaceButIsNeverInferredTwice() throws {
        let fixture = try LedgerCLIFixture()
        let ada = try person(fixture, "Ada Lovelace")
        let path = try photo(fixture, "group-named.jpg", [
            "-XMP-mwg-rs:RegionInfo={AppliedToDimensions={W=640,H=480,Unit=pixel},RegionList=[{Area={X=0.0945,Y=0.16,W=0.08,H=0.13,Unit=normalized},Name=Ada Lovelace,Type=Face}]}",
        ])
        try fixture.succeed(["ingest", path])
        let entries = try #require(try faces(fixture, path)["faces"] as? [[String: Any]])
        let open = entries.filter { $0["accounted"] as? Bool == false }.compactMap { $0["n"] as? Int }
        #expect(open.count == 2)
        try fixture.succeed(["tag", path, "--face", String(open[0]), "--not-identifiable"])
        // Ada's region already accounts for her face: naming her again decides nothing else.
        try fixture.succeed(["tag", path, "--person", ada])
        let left = try #require((try faces(fixture, path)["faces"] as? [[String: Any]])?.first { $0["n"] as? Int == open[1] })
        #expect(left["decision"] is NSNull && left["accounted"] as? Bool == false, "\(left)")

        try fixture.succeed(["tag", path, "--face", String(open[1]), "--not-registered"])
        #expect((try fixture.json(["faces", "--to-find"]) as? [[String: Any]])?.count == 1)
        let grace = try person(fixture, "Grace Found")
        try fixture.succeed(["tag", path, "--person", grace, "--by", "Officer Olu"])
        let settled = try #require((try faces(fixture, path)["faces"] as? [[String: Any]])?.first { $0["n"] as? Int == open[1] })
        #expect(settled["decision"] as? String == "person" && settled["person"] as? String == grace, "\(settled)")
        #expect((try fixture.json(["faces", "--to-find"]) as? [[String: Any]])?.isEmpty == true)
        #expect(try check(fixture, path).cleared)
    }

    /// An iPhone marks every face it sees with an unnamed MWG region. Each such region over a
    /// detected face is that face: listed once, and settled when the face is decided.
    @Test func unnamedRegionsOverDetectedFacesAreThoseFacesAndClearWhenTheyAreDecided() throws {
        let fixture = try LedgerCLIFixture()
        let plain = try photo(fixture, "plain.jpg", [])
        let boxes = try #require(try fixture.json(["inspect", plain]) as? [[String: Any]])
            .first.flatMap { $0["detectedFaces"] as? [[String: Double]] } ?? []
        #expect(boxes.count == 3)
        let list = boxes.map { b in
            "{Area={X=\(b["x"]! + b["w"]! / 2),Y=\(b["y"]! + b["h"]! / 2),W=\(b["w"]!),H=\(b["h"]!),Unit=normalized},Type=Face}"
        }.joined(separator: ",")
        let path = try photo(fixture, "iphone-marked.jpg", ["-XMP-mwg-rs:RegionInfo={AppliedToDimensions={W=640,H=480,Unit=pixel},RegionList=[\(list)]}"])
        try fixture.succeed(["ingest", path])
        let listing = try faces(fixture, path)
        let entries = try #require(listing["faces"] as? [[String: Any]])
        #expect(entries.count == 3 && entries.allSatisfy { $0["source"] as? String == "detected" }, "one entry per face: \(entries)")
        #expect(listing["unaccounted"] as? Int == 3)
        var verdict = try check(fixture, path)
        #expect(verdict.codes == ["unidentified-person"] && verdict.messages == [
            "3 faces found in the picture are not named in its metadata and no reviewer has decided who they are (see `clearance faces`)."], "\(verdict)")
        for n in 1...3 { try fixture.succeed(["tag", path, "--face", String(n), "--not-identifiable"]) }
        verdict = try check(fixture, path)
        #expect(verdict.cleared, "\(verdict)")
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

    /// The subject access pack blacks out every detected face but the requester's: the one a
    /// region names for them, or the one a reviewer decided is them. Read back pixel by pixel.
    @Test func theSubjectAccessPackBlacksOutEveryFaceButTheRequesters() throws {
        let fixture = try LedgerCLIFixture()
        let ada = try person(fixture, "Ada Lovelace")
        let bob = try person(fixture, "Bob Brown")
        let path = try photo(fixture, "group-named.jpg", [
            "-XMP-mwg-rs:RegionInfo={AppliedToDimensions={W=640,H=480,Unit=pixel},RegionList=[{Area={X=0.0945,Y=0.16,W=0.08,H=0.13,Unit=normalized},Name=Ada Lovelace,Type=Face}]}",
        ])
        try fixture.succeed(["ingest", path])
        let entries = try #require(try faces(fixture, path)["faces"] as? [[String: Any]])
        var centres: [Int: (Double, Double)] = [:]
        for n in 1...3 {
            let box = try #require(entries.first { $0["n"] as? Int == n }?["box"] as? [String: Double])
            centres[n] = (box["x"]! + box["w"]! / 2, box["y"]! + box["h"]! / 2)
        }
        func centre(_ n: Int) -> (Double, Double) { centres[n]! }
        // Face 1 is Ada's by her region; face 2 is decided to be Bob; face 3 nobody has named.
        #expect(entries.first { $0["n"] as? Int == 1 }?["person"] as? String == ada)
        try fixture.succeed(["tag", path, "--face", "2", "--person", bob])
        let original = try SubjectAccessTests.decode(path)
        for n in 1...3 { #expect(!original.isBlack(centre(n).0, centre(n).1)) }

        func pack(_ person: String, _ name: String) throws -> (entry: [String: Any], copy: SubjectAccessTests.Picture) {
            let folder = fixture.directory.appendingPathComponent(name)
            try fixture.succeed(["sar", person, "--to", folder.path])
            let data = try Data(contentsOf: folder.appendingPathComponent("data.json"))
            let entry = try #require(((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["assets"] as? [[String: Any]])?.first)
            let copy = try SubjectAccessTests.decode(folder.appendingPathComponent(try #require(entry["file"] as? String)).path)
            return (entry, copy)
        }
        for (requester, own, name) in [(ada, 1, "ada"), (bob, 2, "bob")] {
            let (entry, copy) = try pack(requester, name)
            #expect(entry["regionsBlackedOut"] as? Int == 2, "\(name): \(entry)")
            for n in 1...3 {
                let (u, v) = centre(n)
                #expect(copy.isBlack(u, v) == (n != own), "\(name): face \(n) \(n == own ? "is blacked out" : "is visible")")
            }
        }
        // Decided not to be a face (a poster), face 3 hides no one and stays as taken.
        try fixture.succeed(["tag", path, "--face", "3", "--not-a-face"])
        let (entry, copy) = try pack(ada, "ada-again")
        #expect(entry["regionsBlackedOut"] as? Int == 1)
        #expect(copy.isBlack(centre(2).0, centre(2).1) && !copy.isBlack(centre(3).0, centre(3).1))
        #expect(!copy.isBlack(centre(1).0, centre(1).1))
    }

    // MARK: Issue 14: not in the register, and the people to find

    private func toFind(_ fixture: LedgerCLIFixture) throws -> [[String: Any]] {
        try #require(try fixture.json(["faces", "--to-find"]) as? [[String: Any]])
    }

    @Test func aFaceNotInTheRegisterStaysBlockedAndIsListedUntilDecidedAsThePersonFound() throws {
        let fixture = try LedgerCLIFixture()
        let folder = fixture.directory.appendingPathComponent("2026-07-04 summer fair")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = try photo(fixture, "2026-07-04 summer fair/group.jpg", [])
        try fixture.succeed(["ingest", path])
        #expect(try toFind(fixture).isEmpty)
        #expect(try fixture.succeed(["faces", "--to-find"]) == "no people to find: no face is decided not in the register")

        let said = try fixture.succeed(["tag", path, "--face", "1", "--not-registered", "--by", "Editor Ben"])
        #expect(said.contains("face 1 decided") && said.contains("people-to-find list"), "\(said)")
        try fixture.succeed(["tag", path, "--face", "2", "--not-identifiable", "--by", "Editor Ben"])
        try fixture.succeed(["tag", path, "--face", "3", "--not-identifiable", "--by", "Editor Ben"])
        var verdict = try check(fixture, path)
        #expect(!verdict.cleared && verdict.codes == ["unidentified-person"], "\(verdict)")
        #expect(verdict.messages.first?.contains("people-to-find list") == true, "\(verdict.messages)")
        let listing = try faces(fixture, path)
        #expect(listing["toFind"] as? Int == 1 && listing["unaccounted"] as? Int == 0)
        #expect((listing["faces"] as? [[String: Any]])?.first { $0["n"] as? Int == 1 }?["decision"] as? String == "not-registered")

        var list = try toFind(fixture)
        #expect(list.count == 1)
        let entry = try #require(list.first)
        #expect(entry["n"] as? Int == 1 && entry["file"] as? String == "group.jpg" && entry["folder"] as? String == "2026-07-04 summer fair")
        #expect(entry["decidedBy"] as? String == "Editor Ben" && (entry["decidedAt"] as? String)?.hasSuffix("Z") == true)
        #expect(entry["hasCrop"] as? Bool == true && entry["kind"] as? String == "image")
        #expect((entry["asset"] as? String)?.count == 64)
        let text = try fixture.succeed(["faces", "--to-find"])
        #expect(text.hasPrefix("1 face of people not in the register") && text.contains("face 1  group.jpg  in 2026-07-04 summer fair"), "\(text)")

        // The crop: a small JPEG of that face alone, upright, with no metadata of the original.
        let crops = fixture.directory.appendingPathComponent("crops")
        let written = try #require(try fixture.json(["faces", "--to-find", "--crops", crops.path]) as? [[String: Any]])
        let cropPath = try #require(written.first?["crop"] as? String)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: cropPath))
        #expect(bytes.starts(with: [0xFF, 0xD8]))
        #expect(bytes.range(of: Data("Exif".utf8)) == nil && bytes.range(of: Data("http://ns.adobe.com/xap".utf8)) == nil)
        let crop = try SubjectAccessTests.decode(cropPath)
        let box = try #require(entry["box"] as? [String: Double])
        // The face with half its size on each side, clipped to the picture (640 × 480 pixels).
        let (x, y, w, h) = (box["x"]!, box["y"]!, box["w"]!, box["h"]!)
        let wide = (min(1, x + 1.5 * w) - max(0, x - 0.5 * w)) * 640, high = (min(1, y + 1.5 * h) - max(0, y - 0.5 * h)) * 480
        #expect(max(crop.width, crop.height) <= 256 && crop.width > 40 && crop.height > 40, "\(crop.width)×\(crop.height)")
        #expect(abs(Double(crop.width) / Double(crop.height) - wide / high) < 0.1, "\(crop.width)×\(crop.height) for \(wide)×\(high)")
        // A second --crops into the same (now full) folder is refused before anything is written.
        let again = try fixture.run(["faces", "--to-find", "--crops", crops.path])
        #expect(again.status == 2 && again.stderr.contains("not empty"), "\(again.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: crops.path).count == 1)

        // Found and registered: the same face decided as them leaves the list and clears the picture.
        let grace = try person(fixture, "Grace Found")
        try fixture.succeed(["tag", path, "--face", "1", "--person", grace, "--by", "Editor Cy"])
        list = try toFind(fixture)
        #expect(list.isEmpty, "\(list)")
        verdict = try check(fixture, path)
        #expect(verdict.cleared, "\(verdict)")
        let verify = try #require(try fixture.json(["verify"]) as? [String: Any])
        #expect(verify["intact"] as? Bool == true, "\(verify)")
    }

    @Test func badToFindAndNotRegisteredArgumentsAreRefusedAndWriteNothing() throws {
        let fixture = try LedgerCLIFixture()
        let path = try photo(fixture, "group.jpg", [])
        try fixture.succeed(["ingest", path])
        let before = try fixture.eventCount()
        let notEmpty = fixture.directory.appendingPathComponent("full")
        try FileManager.default.createDirectory(at: notEmpty, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: notEmpty.appendingPathComponent("kept.txt"))
        for arguments in [["tag", path, "--not-registered"], ["tag", path, "--face", "1", "--not-registered", "--not-a-face"],
                          ["tag", path, "--face", "1", "--not-registered", "--person", "P-AAAA-AAAA"],
                          ["tag", path, "--face", "9", "--not-registered"],
                          ["faces", "--to-find", path], ["faces", "--crops", notEmpty.path, path],
                          ["faces", "--to-find", "--redetect"], ["faces", "--to-find", "--crops", notEmpty.path],
                          ["faces", "--to-find", "--crops", path]] {
            let result = try fixture.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(!result.stderr.isEmpty)
        }
        #expect(try fixture.eventCount() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: notEmpty.path) == ["kept.txt"])
        let help = try fixture.run(["tag", "--help"]).stdout
        #expect(help.contains("--not-registered") && help.contains("people-to-find"))
        #expect(try fixture.run(["faces", "--help"]).stdout.contains("--to-find"))
    }

    /// A face not in the register is nobody's yet: the subject access pack hides it from the
    /// requester, and erasing a registered person leaves it on the list.
    @Test func aFaceNotInTheRegisterIsHiddenFromASubjectAccessPackAndErasureLeavesIt() throws {
        let fixture = try LedgerCLIFixture()
        let ada = try person(fixture, "Ada Lovelace")
        let path = try photo(fixture, "group-named.jpg", [
            "-XMP-mwg-rs:RegionInfo={AppliedToDimensions={W=640,H=480,Unit=pixel},RegionList=[{Area={X=0.0945,Y=0.16,W=0.08,H=0.13,Unit=normalized},Name=Ada Lovelace,Type=Face}]}",
        ])
        try fixture.succeed(["ingest", path])
        try fixture.succeed(["tag", path, "--face", "2", "--not-registered"])
        try fixture.succeed(["tag", path, "--face", "3", "--not-a-face"])
        let entries = try #require(try faces(fixture, path)["faces"] as? [[String: Any]])
        func centre(_ n: Int) throws -> (Double, Double) {
            let box = try #require(entries.first { $0["n"] as? Int == n }?["box"] as? [String: Double])
            return (box["x"]! + box["w"]! / 2, box["y"]! + box["h"]! / 2)
        }
        let folder = fixture.directory.appendingPathComponent("ada-pack")
        try fixture.succeed(["sar", ada, "--to", folder.path])
        let data = try Data(contentsOf: folder.appendingPathComponent("data.json"))
        let asset = try #require(((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["assets"] as? [[String: Any]])?.first)
        #expect(asset["regionsBlackedOut"] as? Int == 1, "\(asset)")
        let copy = try SubjectAccessTests.decode(folder.appendingPathComponent(try #require(asset["file"] as? String)).path)
        let (one, two, three) = (try centre(1), try centre(2), try centre(3))
        #expect(!copy.isBlack(one.0, one.1), "Ada's own face is shown")
        #expect(copy.isBlack(two.0, two.1), "the face not in the register is hidden")
        #expect(!copy.isBlack(three.0, three.1), "not a face: shown as taken")
        #expect(!String(decoding: data, as: UTF8.self).contains("not-registered"), "nothing about the stranger in Ada's data")

        try fixture.succeed(["erase", ada])
        let list = try toFind(fixture)
        #expect(list.count == 1 && list.first?["n"] as? Int == 2, "\(list)")
    }
}
