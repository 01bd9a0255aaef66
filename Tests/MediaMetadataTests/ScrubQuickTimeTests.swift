import Foundation
import Testing
@testable import MediaMetadata

/// The QuickTime scrubber, which finishes every video export after libavformat's remux (and
/// alone would refuse what the remux handles): metadata boxes gone, media data and tracks unchanged.
@Suite struct ScrubQuickTimeTests {
    /// The scrubber's pass on its own, as `MovieCopy` runs it over libavformat's output.
    static func scrub(_ source: String, to output: String) throws {
        let input = try QuickTimeFile(path: source)
        let plan = try ScrubQuickTime.plan(input)
        try ScrubOutput.create(output) { try ScrubQuickTime.write(plan, from: input, release: ScrubSupport.stamp, to: $0) }
    }

    static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] {
        let size = payload.count + 8
        return [UInt8(size >> 24 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
            + QuickTimeBoxType(stringLiteral: type).bytes + payload
    }

    static func be32(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
    static func be64(_ value: Int) -> [UInt8] { [56, 48, 40, 32, 24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }

    /// The chunk offsets of every `stco`/`co64` in a file, in file order.
    static func chunkOffsets(_ path: String) throws -> [Int64] {
        let file = try QuickTimeFile(path: path)
        var offsets: [Int64] = []
        QuickTimeBoxWalker.walk(0..<file.fileLength, of: file, topLevel: true) { box, _ in
            guard box.type == "stco" || box.type == "co64", let payload = file.bytes(at: box.payloadOffset, count: Int(box.payloadSize)),
                  let count = payload.uint32(at: 4, .big) else { return .descend }
            let width = box.type == "co64" ? 8 : 4
            for i in 0..<Int(count) where 8 + (i + 1) * width <= payload.count {
                offsets.append(payload[(8 + i * width)..<(8 + (i + 1) * width)].reduce(Int64(0)) { $0 << 8 | Int64($1) })
            }
            return .descend
        }
        return offsets
    }

    /// The payloads of all top-level `mdat` boxes, concatenated.
    static func mediaData(_ path: String) throws -> [UInt8] {
        let file = try QuickTimeFile(path: path)
        let level = QuickTimeBoxWalker.boxes(in: 0..<file.fileLength, of: file, topLevel: true)
        return level.boxes.filter { $0.type == "mdat" }.flatMap { file.bytes(at: $0.payloadOffset, count: Int($0.payloadSize)) ?? [] }
    }

    static func mediaDataOffset(_ path: String) throws -> Int64 {
        let file = try QuickTimeFile(path: path)
        let level = QuickTimeBoxWalker.boxes(in: 0..<file.fileLength, of: file, topLevel: true)
        return try #require(level.boxes.first { $0.type == "mdat" }).payloadOffset
    }

    /// ftyp, moov (with user data holding a location, and a track whose stco/co64 points
    /// into mdat), free, mdat: the layout where dropping boxes moves the media data.
    static func handBuiltMovie(sixtyFour: Bool) -> (bytes: [UInt8], chunks: [Int]) {
        let ftyp = box("ftyp", Array("isom".utf8) + be32(0) + Array("isommp41".utf8))
        let location = box("udta", box("\u{A9}xyz", [0, 17, 0, 0] + Array("+51.5074-000.1278/".utf8)))
        let chunkCount = 3
        func movie(firstChunk: Int) -> [UInt8] {
            let entries = (0..<chunkCount).flatMap { sixtyFour ? be64(firstChunk + $0 * 16) : be32(firstChunk + $0 * 16) }
            let table = box(sixtyFour ? "co64" : "stco", [0, 0, 0, 0] + be32(chunkCount) + entries)
            let trak = box("trak", box("tkhd", [UInt8](repeating: 0, count: 84)) + box("udta", box("\u{A9}nam", [0, 4, 0, 0] + Array("Mia!".utf8)))
                + box("mdia", box("minf", box("stbl", table))))
            return box("moov", box("mvhd", [UInt8](repeating: 0, count: 100)) + trak + location
                + box("meta", [0, 0, 0, 0] + box("hdlr", [UInt8](repeating: 0, count: 24)))
                + box("free", Array("blanked user data".utf8)))
        }
        let free = box("free", Array("old metadata left here".utf8))
        let media = (0..<(chunkCount * 16)).map { UInt8($0) }
        let sizeBefore = ftyp.count + movie(firstChunk: 0).count + free.count + 8
        let moov = movie(firstChunk: sizeBefore)
        let bytes = ftyp + moov + free + box("mdat", media)
        return (bytes, (0..<chunkCount).map { sizeBefore + $0 * 16 })
    }

    @Test(arguments: [false, true])
    func movieBeforeMediaDataHasItsChunkOffsetsMoved(sixtyFour: Bool) throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (bytes, chunks) = Self.handBuiltMovie(sixtyFour: sixtyFour)
        let source = "\(directory)/in.mp4", output = "\(directory)/out.mp4"
        try Data(bytes).write(to: URL(fileURLWithPath: source))
        #expect(try Self.chunkOffsets(source) == chunks.map(Int64.init))
        try Self.scrub(source, to: output)
        let exported = try ScrubSupport.bytes(output)
        let moved = try Self.chunkOffsets(output)
        #expect(moved.count == chunks.count)
        // Everything dropped sat before mdat, so every chunk moves by exactly the mdat's move.
        let removed = try Self.mediaDataOffset(source) - Self.mediaDataOffset(output)
        #expect(removed > 0)
        for (old, new) in zip(chunks, moved) {
            #expect(Int(new) == old - Int(removed))
            // The chunk still starts with the same media bytes.
            #expect(Array(exported[Int(new)..<Int(new) + 16]) == Array(bytes[old..<old + 16]))
        }
        var types: [String] = []
        let file = try QuickTimeFile(path: output)
        let damage = QuickTimeBoxWalker.walk(0..<file.fileLength, of: file, topLevel: true) { box, _ in
            types.append(box.type.description)
            return .descend
        }
        #expect(damage.isEmpty)
        #expect(types == ["ftyp", "moov", "mvhd", "trak", "tkhd", "mdia", "minf", "stbl", sixtyFour ? "co64" : "stco", "mdat", "uuid"])
        #expect(exported.firstIndex(of: Array("+51.5074".utf8)) == nil && exported.firstIndex(of: Array("Mia!".utf8)) == nil)
        #expect(exported.firstIndex(of: Array("old metadata".utf8)) == nil && exported.firstIndex(of: Array("blanked".utf8)) == nil)
        #expect(try Self.mediaData(output) == Self.mediaData(source))
    }

    /// A final mdat of size 0 ("to the end of the file") gets its real size, so the release
    /// stamp after it is a box of its own and the media data stays whole.
    @Test(.enabled(if: ScrubSupport.isInstalled("exiftool"), "needs exiftool"))
    func finalMediaDataOfSizeZeroGetsItsSize() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var (bytes, _) = Self.handBuiltMovie(sixtyFour: false)
        let mdat = try #require(bytes.firstIndex(of: Array("mdat".utf8))) - 4
        bytes.replaceSubrange(mdat..<mdat + 4, with: [0, 0, 0, 0])
        let source = "\(directory)/in.mp4", output = "\(directory)/out.mp4"
        try Data(bytes).write(to: URL(fileURLWithPath: source))
        try Self.scrub(source, to: output)
        let file = try QuickTimeFile(path: output)
        let level = QuickTimeBoxWalker.boxes(in: 0..<file.fileLength, of: file, topLevel: true)
        #expect(level.damage == nil)
        #expect(level.boxes.map(\.type.description) == ["ftyp", "moov", "mdat", "uuid"])
        #expect(level.boxes.allSatisfy { !$0.extendsToEndOfFile })
        #expect(try Self.mediaData(output) == Self.mediaData(source))
        let read = try #require(try ScrubSupport.exifTool([output])[output])
        #expect(read["XMP:XMP-plus:ModelReleaseStatus"] as? String == ScrubSupport.stamp.status)
    }

    static func sources() -> [String] {
        ScrubSupport.corpusFiles(extensions: ["mp4", "mov", "m4v"])
    }

    @Test(.enabled(if: ScrubSupport.isInstalled("exiftool") && Fixtures.corpus != nil, "needs exiftool and ../shared/corpus"))
    func scrubbedVideosKeepTheirTracksAndLoseTheirMetadata() throws {
        let sources = Self.sources()
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var exported: [(source: String, output: String)] = []
        var refused: [String: String] = [:]
        for (index, source) in sources.enumerated() {
            let header = Array(try ScrubSupport.bytes(source).prefix(FormatSniffer.headerLength))
            guard let format = FormatSniffer.detect(header), format.kind == .video else { continue }
            let output = "\(directory)/\(index).\(format.rawValue)"
            do {
                try Self.scrub(source, to: output)
                exported.append((source, output))
            } catch {
                refused[source] = "\(error)"
                #expect(!FileManager.default.fileExists(atPath: output))
            }
        }
        print("QuickTime scrubber alone: \(exported.count) written, refused: \(refused)")
        #expect(!exported.isEmpty)

        let before = try ScrubSupport.exifTool(exported.map(\.source))
        let after = try ScrubSupport.exifTool(exported.map(\.output))
        var removedSomething = 0, decoded = 0
        for (source, output) in exported {
            let original = try #require(before[source])
            let copy = try #require(after[output])
            func isMetadata(_ key: String) -> Bool {
                guard let groups = ScrubSupport.groups(key) else { return false }
                let parts = [groups.group0, groups.group1, groups.tag]
                if parts[0] == "XMP" { return !["ModelReleaseStatus", "ModelReleaseID"].contains(parts[2]) }
                return ["UserData", "Keys", "ItemList", "Track1-UserData"].contains(parts[1])
                    || parts[1].hasSuffix("UserData") || parts[1].hasSuffix("Keys")
                    || parts[2].hasPrefix("GPS") || ["Make", "Model", "SerialNumber", "Author", "Artist", "Comment"].contains(parts[2])
            }
            if original.keys.contains(where: isMetadata) { removedSomething += 1 }
            let left = copy.keys.filter(isMetadata)
            #expect(left.isEmpty, "\(source): export still has \(left)")
            for key in original.keys where key.hasSuffix(":Duration") || key.hasSuffix(":ImageWidth") || key.hasSuffix(":ImageHeight") {
                #expect("\(copy[key] ?? "missing")" == "\(original[key] ?? "")", "\(source): \(key)")
            }
            #expect(try Self.mediaData(output) == Self.mediaData(source), "\(source): media data changed")
            #expect(copy["XMP:XMP-plus:ModelReleaseStatus"] as? String == ScrubSupport.stamp.status, "\(source)")
            let ids = copy["XMP:XMP-plus:ModelReleaseID"]
            #expect(((ids as? [String]) ?? (ids as? String).map { [$0] } ?? []) == ScrubSupport.stamp.consentReferences, "\(source)")
            // Every stream decodes to the same frames and audio (ffmpeg's per-packet checksums).
            if ScrubSupport.isInstalled("ffmpeg") {
                let frames = { (path: String) in try ScrubSupport.run(["ffmpeg", "-v", "error", "-i", path, "-map", "0", "-f", "framemd5", "-"]) }
                let a = try frames(source), b = try frames(output)
                if a.status == 0, !a.output.isEmpty {
                    #expect(b.status == 0 && b.output == a.output, "\(source): export decodes differently")
                    decoded += 1
                }
            }
        }
        print("QuickTime scrubber alone: \(removedSomething) of \(exported.count) sources had metadata that is now gone; \(decoded) decode to the same frames")
        #expect(removedSomething > 0)
    }

    @Test func truncatedVideoLeavesNoFile() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (bytes, _) = Self.handBuiltMovie(sixtyFour: false)
        for cut in [4, 30, 100, bytes.count - 5] {
            let source = "\(directory)/cut-\(cut).mp4", output = "\(directory)/out-\(cut).mp4"
            try Data(bytes.prefix(cut)).write(to: URL(fileURLWithPath: source))
            #expect(throws: (any Error).self, "cut at \(cut)") {
                try Self.scrub(source, to: output)
            }
            #expect(!FileManager.default.fileExists(atPath: output), "cut at \(cut) left a partial export")
        }
    }

    @Test func mediaInAnotherFileIsRefused() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let reference = Self.box("url ", [0, 0, 0, 0] + Array("file:///Users/mia/clip.mov\0".utf8))
        let dref = Self.box("dref", [0, 0, 0, 0] + Self.be32(1) + reference)
        let trak = Self.box("trak", Self.box("mdia", Self.box("minf", Self.box("dinf", dref))))
        let bytes = Self.box("ftyp", Array("qt  ".utf8) + Self.be32(0)) + Self.box("moov", Self.box("mvhd", [UInt8](repeating: 0, count: 100)) + trak)
            + Self.box("mdat", [1, 2, 3])
        let source = "\(directory)/ref.mov", output = "\(directory)/out.mov"
        try Data(bytes).write(to: URL(fileURLWithPath: source))
        #expect(throws: ScrubError.self) {
            try Self.scrub(source, to: output)
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func fragmentedMovieIsRefused() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bytes = Self.box("ftyp", Array("iso6".utf8) + Self.be32(0)) + Self.box("moov", Self.box("mvhd", [UInt8](repeating: 0, count: 100)))
            + Self.box("moof", Self.box("mfhd", [0, 0, 0, 0, 0, 0, 0, 1])) + Self.box("mdat", [1, 2, 3])
        let source = "\(directory)/frag.mp4", output = "\(directory)/out.mp4"
        try Data(bytes).write(to: URL(fileURLWithPath: source))
        #expect(throws: ScrubError.self) {
            try Self.scrub(source, to: output)
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
