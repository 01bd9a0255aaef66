import Foundation
import Testing
@testable import MediaMetadata

/// Builds QuickTime/ISO box bytes by hand, so each test says exactly what the file holds.
enum QuickTimeBytes {
    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> $0) } }
    static func be64(_ v: UInt64) -> [UInt8] { [56, 48, 40, 32, 24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> $0) } }
    static func type(_ name: String) -> [UInt8] { QuickTimeBoxType(stringLiteral: name).bytes }

    /// A box with a 32-bit size.
    static func box(_ name: String, _ payload: [UInt8]) -> [UInt8] {
        be32(UInt32(8 + payload.count)) + type(name) + payload
    }

    static func box(_ name: String, children: [[UInt8]]) -> [UInt8] { box(name, children.flatMap { $0 }) }

    /// A box with size 1 and a 64-bit largesize.
    static func largeBox(_ name: String, _ payload: [UInt8]) -> [UInt8] {
        be32(1) + type(name) + be64(UInt64(16 + payload.count)) + payload
    }

    /// A box whose size field says `declared`, whatever follows.
    static func rawBox(_ name: String, declared: UInt32, _ payload: [UInt8]) -> [UInt8] {
        be32(declared) + type(name) + payload
    }

    static let ftyp = box("ftyp", type("isom") + be32(0x200) + type("isom") + type("mp41"))

    /// `mvhd` with the creation time in seconds since 1904 (version 0: 32-bit, 1: 64-bit).
    static func mvhd(version: UInt8, created: UInt64) -> [UInt8] {
        let times = version == 1 ? be64(created) + be64(created) : be32(UInt32(truncatingIfNeeded: created)) + be32(UInt32(truncatingIfNeeded: created))
        let duration = version == 1 ? be64(0) : be32(0)
        let rest = be32(600) + duration + be32(0x10000) + be16(0x100) + [UInt8](repeating: 0, count: 10)
            + identityMatrix + [UInt8](repeating: 0, count: 24) + be32(2)
        return box("mvhd", [version, 0, 0, 0] + times + rest)
    }

    static let identityMatrix = be32(0x10000) + be32(0) + be32(0) + be32(0) + be32(0x10000) + be32(0) + be32(0) + be32(0) + be32(0x4000_0000)

    /// `tkhd` with width and height in 16.16 fixed point.
    static func tkhd(version: UInt8 = 0, width: Double, height: Double) -> [UInt8] {
        let head = version == 1
            ? be64(1) + be64(1) + be32(1) + be32(0) + be64(100)
            : be32(1) + be32(1) + be32(1) + be32(0) + be32(100)
        let body = [UInt8](repeating: 0, count: 8) + be16(0) + be16(0) + be16(0) + be16(0) + identityMatrix
            + be32(UInt32(width * 65536)) + be32(UInt32(height * 65536))
        return box("tkhd", [version, 0, 0, 7] + head + body)
    }

    static func hdlr(_ handler: String, component: String = "mhlr") -> [UInt8] {
        box("hdlr", [0, 0, 0, 0] + type(component) + type(handler) + [UInt8](repeating: 0, count: 12) + [0])
    }

    static func trak(handler: String, width: Double, height: Double, tkhdVersion: UInt8 = 0) -> [UInt8] {
        box("trak", children: [
            tkhd(version: tkhdVersion, width: width, height: height),
            box("mdia", children: [box("mdhd", [UInt8](repeating: 0, count: 24)), hdlr(handler),
                                   box("minf", children: [hdlr("alis", component: "dhlr")])]),
        ])
    }

    /// QuickTime `meta` (no version/flags) with `mdta` keys and their UTF-8 values.
    static func appleMeta(_ entries: [(key: String, value: String)]) -> [UInt8] {
        let keys = box("keys", be32(0) + be32(UInt32(entries.count)) + entries.flatMap { entry in
            be32(UInt32(8 + entry.key.utf8.count)) + type("mdta") + Array(entry.key.utf8)
        })
        let items = entries.enumerated().map { index, entry in
            be32(UInt32(8 + 16 + entry.value.utf8.count)) + be32(UInt32(index + 1))
                + box("data", be32(1) + be32(0) + Array(entry.value.utf8))
        }
        return box("meta", children: [hdlr("mdta", component: "\0\0\0\0"), keys, box("ilst", children: items)])
    }

    /// A classic user-data text item: 16-bit length, 16-bit language, text.
    static func userText(_ name: String, _ text: String) -> [UInt8] {
        box(name, be16(UInt16(text.utf8.count)) + be16(0x15C7) + Array(text.utf8))
    }

    static func xmpUUIDBox(_ packet: String) -> [UInt8] { box("uuid", QuickTimeReader.xmpUUID + Array(packet.utf8)) }

    /// Seconds since 1904-01-01 UTC of a calendar time, computed with Foundation as an oracle.
    static func seconds1904(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int) -> UInt64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.date(from: DateComponents(year: 1904, month: 1, day: 1))!
        let date = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
        return UInt64(date.timeIntervalSince(start))
    }

    /// Writes bytes to a fresh temporary file and returns its path.
    static func write(_ bytes: [UInt8], suffix: String = "mp4") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-qt-\(UUID().uuidString).\(suffix)")
        try Data(bytes).write(to: url)
        return url.path
    }
}

/// The box walker and reader on files that bend or break the box rules.
@Suite struct QuickTimeBoxTests {
    typealias B = QuickTimeBytes
    static let created = B.seconds1904(2019, 1, 2, 3, 4, 5)

    /// Reads a hand-built file partially, removing it afterwards.
    func readPartially(_ bytes: [UInt8]) throws -> QuickTimeReading {
        let path = try B.write(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try QuickTimeReader.readPartially(fileAt: path)
    }

    func readError(_ bytes: [UInt8]) -> MediaReadError? {
        do {
            _ = try readPartially(bytes)
            return nil
        } catch let error as MediaReadError {
            return error
        } catch {
            Issue.record("unexpected error type \(error)")
            return nil
        }
    }

    @Test func sixtyFourBitSizeIsFollowed() throws {
        let file = B.ftyp + B.largeBox("moov", B.mvhd(version: 0, created: Self.created)) + B.box("mdat", [1, 2, 3])
        let reading = try readPartially(file)
        #expect(reading.damage == nil)
        #expect(reading.facts.capturedAt == "2019-01-02T03:04:05Z")

        let source = QuickTimeLoadedBytes(baseOffset: 0, storage: file, fileLength: Int64(file.count))
        let level = QuickTimeBoxWalker.boxes(in: 0..<Int64(file.count), of: source, topLevel: true)
        #expect(level.boxes.map(\.type) == ["ftyp", "moov", "mdat"])
        #expect(level.boxes[1].headerSize == 16)
        #expect(level.boxes[1].payloadOffset == level.boxes[1].offset + 16)
    }

    @Test func sizeZeroAtTopLevelRunsToEndOfFile() throws {
        let media = [UInt8](repeating: 0xAB, count: 1000)
        let file = B.ftyp + B.box("moov", B.mvhd(version: 0, created: Self.created)) + B.rawBox("mdat", declared: 0, media)
        let reading = try readPartially(file)
        #expect(reading.damage == nil)
        #expect(reading.facts.capturedAt == "2019-01-02T03:04:05Z")

        let source = QuickTimeLoadedBytes(baseOffset: 0, storage: file, fileLength: Int64(file.count))
        let level = QuickTimeBoxWalker.boxes(in: 0..<Int64(file.count), of: source, topLevel: true)
        let mdat = try #require(level.boxes.last)
        #expect(mdat.type == "mdat" && mdat.extendsToEndOfFile && mdat.end == Int64(file.count))

        // The moov itself may be the size-0 last box.
        let moovLast = B.ftyp + B.rawBox("moov", declared: 0, B.mvhd(version: 0, created: Self.created))
        #expect(try readPartially(moovLast).facts.capturedAt == "2019-01-02T03:04:05Z")
    }

    @Test func sizeZeroNestedIsDamageButEarlierBoxesCount() throws {
        let moov = B.box("moov", children: [
            B.mvhd(version: 0, created: Self.created),
            B.rawBox("udta", declared: 0, B.userText("©xyz", "+10.0000+020.0000/")),
        ])
        let reading = try readPartially(B.ftyp + moov)
        #expect(reading.facts.capturedAt == "2019-01-02T03:04:05Z")
        #expect(reading.facts.gps == nil)
        #expect("\(reading.damage.map { "\($0)" } ?? "")".contains("size 0"))
        let path = try B.write(B.ftyp + moov)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: MediaReadError.self) { try QuickTimeReader.read(fileAt: path) }
    }

    @Test func sizeSmallerThanHeaderIsRejected() throws {
        // Nested: a 4-byte box after mvhd.
        let moov = B.box("moov", B.mvhd(version: 0, created: Self.created) + B.rawBox("trak", declared: 4, [0, 0, 0, 0]))
        let reading = try readPartially(B.ftyp + moov)
        #expect(reading.facts.capturedAt == "2019-01-02T03:04:05Z")
        #expect(reading.damage.map { "\($0)".contains("less than its 8-byte header") } == true)

        // Top level, before any moov: nothing to read.
        let error = readError(B.ftyp + B.rawBox("moov", declared: 7, B.mvhd(version: 0, created: Self.created)))
        #expect(error.map { "\($0)".contains("less than its 8-byte header") } == true)

        // A 64-bit size smaller than its 16-byte header.
        let large = B.ftyp + B.be32(1) + B.type("moov") + B.be64(12) + B.mvhd(version: 0, created: Self.created)
        #expect(readError(large).map { "\($0)".contains("16-byte header") } == true)
    }

    @Test func boxRunningPastItsParentStopsThatParent() throws {
        let trak = B.trak(handler: "vide", width: 640, height: 480)
        // udta claims 4000 bytes inside a moov that ends much sooner.
        let moov = B.box("moov", children: [
            B.mvhd(version: 0, created: Self.created), trak,
            B.rawBox("udta", declared: 4000, B.userText("©xyz", "+10.0000+020.0000/")),
        ])
        let reading = try readPartially(B.ftyp + moov + B.box("mdat", [UInt8](repeating: 0, count: 5000)))
        #expect(reading.facts.capturedAt == "2019-01-02T03:04:05Z")
        #expect(reading.facts.width == 640 && reading.facts.height == 480)
        #expect(reading.facts.gps == nil)
        #expect(reading.damage.map { "\($0)".contains("past the end of its parent") } == true)
    }

    @Test func truncatedMovieBoxKeepsWhatWasRead() throws {
        let moov = B.box("moov", children: [
            B.mvhd(version: 0, created: Self.created), B.trak(handler: "vide", width: 320, height: 240),
            B.box("udta", B.userText("©xyz", "+10.0000+020.0000/")),
        ])
        // Cut inside udta: the header and track are whole, the location is not.
        let cut = Array((B.ftyp + moov).dropLast(6))
        let reading = try readPartially(cut)
        #expect(reading.facts.capturedAt == "2019-01-02T03:04:05Z")
        #expect(reading.facts.width == 320)
        #expect(reading.facts.gps == nil)
        #expect(reading.damage.map { "\($0)".contains("truncated") } == true)
    }

    @Test func depthBombStopsAtTheDepthLimit() throws {
        // 50 000 nested udta boxes: a recursive reader would overflow its stack.
        let levels = 50_000
        var nested: [UInt8] = []
        nested.reserveCapacity(8 * (levels + 1))
        for level in stride(from: levels, through: 1, by: -1) { nested += B.be32(UInt32(8 * (level + 1))) + B.type("udta") }
        nested += B.box("free", [])
        let file = B.ftyp + B.box("moov", B.mvhd(version: 0, created: Self.created) + nested)

        let source = QuickTimeLoadedBytes(baseOffset: 0, storage: file, fileLength: Int64(file.count))
        var deepest = 0
        var visited = 0
        let damages = QuickTimeBoxWalker.walk(0..<Int64(file.count), of: source, topLevel: true) { _, ancestors in
            deepest = max(deepest, ancestors.count)
            visited += 1
            return .descend
        }
        #expect(deepest == QuickTimeBoxWalker.maxDepth - 1)
        #expect(visited < 100)
        #expect(damages.contains { $0.kind == .limit && $0.message.contains("nested deeper") })

        // The reader does not follow user data that deep; it still reads the header.
        let reading = try readPartially(file)
        #expect(reading.facts.capturedAt == "2019-01-02T03:04:05Z")
    }

    @Test func hugeDeclaredMovieIsRefused() throws {
        let mvhd = B.mvhd(version: 0, created: Self.created)
        let large = B.ftyp + B.be32(1) + B.type("moov") + B.be64(1 << 40) + mvhd
        #expect(readError(large).map { "\($0)".contains("64 MiB limit") } == true)
        let big32 = B.ftyp + B.rawBox("moov", declared: 100 << 20, mvhd)
        #expect(readError(big32).map { "\($0)".contains("64 MiB limit") } == true)
        // Past Int64: impossible, refused without arithmetic overflow.
        let absurd = B.ftyp + B.be32(1) + B.type("moov") + B.be64(UInt64.max) + mvhd
        #expect(readError(absurd).map { "\($0)".contains("impossible size") } == true)
    }

    @Test func fiveGigabyteFileIsReadBySeeking() throws {
        // A sparse file: 5 GiB of media data (64-bit size), then the moov past the 4 GiB mark.
        let mediaSize: UInt64 = 5 << 30
        let head = B.ftyp + B.be32(1) + B.type("mdat") + B.be64(mediaSize)
        let moov = B.box("moov", B.mvhd(version: 0, created: Self.created))
        let path = try B.write(head)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seek(toOffset: UInt64(B.ftyp.count) + mediaSize)
        try handle.write(contentsOf: Data(moov))
        try handle.close()

        let clock = ContinuousClock()
        let start = clock.now
        let facts = try QuickTimeReader.read(fileAt: path)
        #expect(facts.capturedAt == "2019-01-02T03:04:05Z")
        #expect(clock.now - start < .seconds(2), "reading must seek past the media, not load it")
    }

    @Test func xmpPacketsAreCappedInTotal() throws {
        let moov = B.box("moov", B.mvhd(version: 0, created: Self.created))
        let nine = String(repeating: "x", count: 9 << 20)
        // One packet over the cap, then two that only together pass it.
        let over = B.xmpUUIDBox(String(repeating: "y", count: Int(QuickTimeReader.maxXMPBytes) + 1))
        let reading = try readPartially(B.ftyp + moov + over + B.xmpUUIDBox(nine) + B.xmpUUIDBox(nine))
        #expect(reading.facts.capturedAt == "2019-01-02T03:04:05Z")
        #expect(reading.facts.xmpPackets.map(\.count) == [9 << 20])
        #expect(reading.damage.map { "\($0)".contains("limit for XMP") } == true)
    }

    @Test func boxCountIsCapped() throws {
        let moov = B.box("moov", B.mvhd(version: 0, created: Self.created))
        let free = B.box("free", [])
        var file = B.ftyp + moov
        file.reserveCapacity(file.count + (QuickTimeBoxWalker.maxBoxes + 10) * free.count)
        for _ in 0..<(QuickTimeBoxWalker.maxBoxes + 10) { file += free }
        let reading = try readPartially(file)
        #expect(reading.facts.capturedAt == "2019-01-02T03:04:05Z")
        #expect(reading.damage.map { "\($0)".contains("more than \(QuickTimeBoxWalker.maxBoxes) boxes") } == true)
    }

    @Test func notABoxFileAndMissingFilesAreErrors() throws {
        #expect(readError(Array("hello, this is a plain text file and not a movie".utf8)) != nil)
        #expect(readError([]) == .empty)
        #expect(readError(B.ftyp + B.box("mdat", [1, 2, 3]))?.description.contains("no movie box") == true)
        // A few trailing bytes at the top level are a cut-off header.
        let tail = try readPartially(B.ftyp + B.box("moov", B.mvhd(version: 0, created: Self.created)) + [0, 0, 1])
        #expect(tail.damage.map { "\($0)".contains("truncated") } == true)

        let missing = "/nonexistent/clearance-\(UUID().uuidString).mov"
        #expect(throws: MediaReadError.cannotOpen(missing)) { try QuickTimeReader.read(fileAt: missing) }
        let directory = FileManager.default.temporaryDirectory.path
        #expect(throws: MediaReadError.cannotOpen(directory)) { try QuickTimeReader.read(fileAt: directory) }
    }

    @Test func offsetsAreAbsoluteInLoadedParts() throws {
        // Boxes found in a loaded moov still carry their file offsets (an export copies by them).
        let udta = B.box("udta", B.userText("©xyz", "+10.0000+020.0000/"))
        let moov = B.box("moov", B.mvhd(version: 0, created: Self.created) + udta)
        let file = B.ftyp + moov
        let moovOffset = Int64(B.ftyp.count)
        let loaded = QuickTimeLoadedBytes(baseOffset: moovOffset + 8, storage: Array(moov.dropFirst(8)), fileLength: Int64(file.count))
        var found: [(QuickTimeBoxType, Int64)] = []
        QuickTimeBoxWalker.walk(loaded.baseOffset..<loaded.endOffset, of: loaded) { box, _ in
            found.append((box.type, box.offset))
            return .descend
        }
        #expect(found.map(\.0) == ["mvhd", "udta", "©xyz"])
        let udtaOffset = try #require(found.first { $0.0 == "udta" }?.1)
        #expect(Array(file[Int(udtaOffset)..<Int(udtaOffset) + udta.count]) == udta)
    }
}
