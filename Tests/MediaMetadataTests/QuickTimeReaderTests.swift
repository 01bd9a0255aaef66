import Foundation
import Testing
@testable import MediaMetadata

/// The reader on well-formed hand-built files: each field from each place it can come from.
@Suite struct QuickTimeReaderTests {
    typealias B = QuickTimeBytes

    func read(_ bytes: [UInt8]) throws -> QuickTimeFacts {
        let path = try B.write(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try QuickTimeReader.read(fileAt: path)
    }

    func movie(_ children: [UInt8]...) -> [UInt8] { B.ftyp + B.box("moov", children: children) }

    @Test func movieHeaderVersion0Date() throws {
        let facts = try read(movie(B.mvhd(version: 0, created: B.seconds1904(2019, 1, 2, 3, 4, 5))))
        #expect(facts.capturedAt == "2019-01-02T03:04:05Z")
    }

    @Test func movieHeaderVersion1DateBeyond32Bits() throws {
        // 2150 does not fit in 32-bit seconds from 1904: only version 1 can say it.
        let seconds = B.seconds1904(2150, 6, 30, 23, 59, 58)
        #expect(seconds > UInt64(UInt32.max))
        let facts = try read(movie(B.mvhd(version: 1, created: seconds)))
        #expect(facts.capturedAt == "2150-06-30T23:59:58Z")
        // Leap day and the first second of the epoch.
        #expect(try read(movie(B.mvhd(version: 1, created: B.seconds1904(2024, 2, 29, 12, 0, 0)))).capturedAt == "2024-02-29T12:00:00Z")
        #expect(try read(movie(B.mvhd(version: 0, created: 1))).capturedAt == "1904-01-01T00:00:01Z")
    }

    @Test func zeroCreationTimeIsUnknown() throws {
        #expect(try read(movie(B.mvhd(version: 0, created: 0))).capturedAt == nil)
        #expect(try read(movie(B.mvhd(version: 1, created: 0))).capturedAt == nil)
    }

    @Test func userDataLocationMakeAndModel() throws {
        let udta = B.box("udta", children: [
            B.userText("©xyz", "+37.3318-122.0312+012.000/"),
            B.userText("©mak", "Canon"),
            B.userText("©mod", "EOS R5  "),
        ])
        let facts = try read(movie(B.mvhd(version: 0, created: 0), udta))
        let gps = try #require(facts.gps)
        #expect(abs(gps.latitude - 37.3318) < 1e-9)
        #expect(abs(gps.longitude - -122.0312) < 1e-9)
        #expect(gps.altitude.map { abs($0 - 12) < 1e-9 } == true)
        #expect(facts.make == "Canon")
        #expect(facts.model == "EOS R5")
    }

    @Test func appleKeysWinOverUserDataAndMovieHeader() throws {
        let meta = B.appleMeta([
            ("com.apple.quicktime.location.ISO6709", "+32.0929+034.8620+028.516/"),
            ("com.apple.quicktime.make", "Apple"),
            ("com.apple.quicktime.model", "iPhone 6"),
            ("com.apple.quicktime.software", "12.3"),
            ("com.apple.quicktime.creationdate", "2019-07-24T11:25:40+0300"),
        ])
        let udta = B.box("udta", children: [B.userText("©xyz", "+01.0000+002.0000/"), B.userText("©mak", "Other")])
        let facts = try read(movie(B.mvhd(version: 0, created: B.seconds1904(2019, 7, 24, 8, 25, 57)), udta, meta))
        #expect(facts.capturedAt == "2019-07-24T11:25:40+03:00")
        #expect(facts.gps == GPSPosition(latitude: 32.0929, longitude: 34.862, altitude: 28.516))
        #expect(facts.make == "Apple")
        #expect(facts.model == "iPhone 6")
    }

    @Test func keysAreMatchedByIndexNotOrder() throws {
        // ilst items may come in any order; item N names key N.
        let keys = B.box("keys", B.be32(0) + B.be32(2)
            + B.be32(8 + 24) + B.type("mdta") + Array("com.apple.quicktime.make".utf8)
            + B.be32(8 + 25) + B.type("mdta") + Array("com.apple.quicktime.model".utf8))
        func item(_ index: UInt32, _ value: String) -> [UInt8] {
            B.be32(UInt32(24 + value.utf8.count)) + B.be32(index) + B.box("data", B.be32(1) + B.be32(0) + Array(value.utf8))
        }
        let meta = B.box("meta", children: [B.hdlr("mdta"), keys, B.box("ilst", item(2, "Pixel 7") + item(1, "Google"))])
        let facts = try read(movie(B.mvhd(version: 0, created: 0), meta))
        #expect(facts.make == "Google")
        #expect(facts.model == "Pixel 7")
    }

    @Test func sizeOfFirstVideoTrack() throws {
        let facts = try read(movie(
            B.mvhd(version: 0, created: 0),
            B.trak(handler: "soun", width: 0, height: 0),
            B.trak(handler: "vide", width: 1920, height: 1080),
            B.trak(handler: "vide", width: 640, height: 480)))
        #expect(facts.width == 1920 && facts.height == 1080)

        let version1 = try read(movie(B.mvhd(version: 0, created: 0), B.trak(handler: "vide", width: 568, height: 320, tkhdVersion: 1)))
        #expect(version1.width == 568 && version1.height == 320)

        // No video track: no size, even if another track has one.
        let audioOnly = try read(movie(B.mvhd(version: 0, created: 0), B.trak(handler: "soun", width: 300, height: 200)))
        #expect(audioOnly.width == nil && audioOnly.height == nil)
    }

    @Test func xmpPacketsFromUUIDBoxAndUserData() throws {
        let inMovie = "<x:xmpmeta xmlns:x='adobe:ns:meta/'>qt</x:xmpmeta>"
        let topLevel = "<x:xmpmeta xmlns:x='adobe:ns:meta/'>uuid</x:xmpmeta>"
        let otherUUID = B.box("uuid", [UInt8](repeating: 7, count: 16) + Array("not xmp".utf8))
        let file = B.ftyp
            + B.box("moov", children: [B.mvhd(version: 0, created: 0), B.box("udta", B.box("XMP_", Array(inMovie.utf8)))])
            + B.box("mdat", [0, 0, 0, 0]) + otherUUID + B.xmpUUIDBox(topLevel)
        let facts = try read(file)
        #expect(facts.xmpPackets == [Array(inMovie.utf8), Array(topLevel.utf8)])
    }

    @Test func threeGPPLocationAndRecordingDate() throws {
        func fixed(_ value: Double) -> [UInt8] { B.be32(UInt32(bitPattern: Int32((value * 65536).rounded()))) }
        let loci = B.box("loci", B.be32(0) + B.be16(0x55C4) + Array("Home".utf8) + [0] + [0]
            + fixed(-118.25) + fixed(34.5) + fixed(10.5) + Array("earth".utf8) + [0, 0])
        let date = B.box("date", Array("2020-11-20T15:04:02+0100".utf8))
        let facts = try read(movie(B.mvhd(version: 0, created: B.seconds1904(2020, 11, 20, 14, 4, 36)), B.box("udta", loci + date)))
        #expect(facts.gps == GPSPosition(latitude: 34.5, longitude: -118.25, altitude: 10.5))
        #expect(facts.capturedAt == "2020-11-20T15:04:02+01:00")
    }

    @Test(arguments: [
        ("+37.3318-122.0312+012.000/", 37.3318, -122.0312, 12.0 as Double?),
        ("+51.4169-000.0806/", 51.4169, -0.0806, nil),
        ("-33.8568+151.2153/", -33.8568, 151.2153, nil),
        ("+4030-07358/", 40.5, -73.9666666666667, nil),                 // DDMM
        ("+403000.0-0735800.0-010.5/", 40.5, -73.9666666666667, -10.5),  // DDMMSS, below sea level
        ("+40.75-073.99CRSWGS_84/", 40.75, -73.99, nil),
        ("+40.75-073.99+5CRSWGS_84/\0\0", 40.75, -73.99, 5.0),
    ] as [(String, Double, Double, Double?)])
    func parsesISO6709(text: String, latitude: Double, longitude: Double, altitude: Double?) throws {
        let gps = try #require(QuickTimeLocation.parseISO6709(text))
        #expect(abs(gps.latitude - latitude) < 1e-9)
        #expect(abs(gps.longitude - longitude) < 1e-9)
        #expect(gps.altitude == altitude)
    }

    @Test(arguments: [
        "", "37.3318-122.0312/", "+37.3318", "+91.0000+000.0000/", "+45.0+181.0/", "+4060-07358/",
        "+37.3318-122.0312+012.000/junk", "+37.-122.0312/", "+3-122.0312/", "+37.3318 -122.0312/",
    ])
    func rejectsMalformedISO6709(text: String) {
        #expect(QuickTimeLocation.parseISO6709(text) == nil)
    }

    @Test func normalizesTimestamps() {
        #expect(QuickTimeTimestamps.normalize("2019-07-24T11:25:40+0300") == "2019-07-24T11:25:40+03:00")
        #expect(QuickTimeTimestamps.normalize("2021-05-16T19:27:55Z") == "2021-05-16T19:27:55Z")
        #expect(QuickTimeTimestamps.normalize("2021-05-16T19:27:55.123-04:30") == "2021-05-16T19:27:55-04:30")
        #expect(QuickTimeTimestamps.normalize("2021-05-16 19:27:55") == "2021-05-16T19:27:55")
        #expect(QuickTimeTimestamps.normalize("2010") == nil)
        #expect(QuickTimeTimestamps.normalize("2021-02-30T10:00:00Z") == nil)
        #expect(QuickTimeTimestamps.normalize("2021-05-16T19:27:55Zjunk") == nil)
        #expect(QuickTimeTimestamps.iso8601(secondsSince1904: 0) == nil)
        #expect(QuickTimeTimestamps.iso8601(secondsSince1904: UInt64.max) == nil)
    }
}
