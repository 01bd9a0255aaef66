import Foundation
import Testing
@testable import MediaMetadata

/// Damaged input: export either writes a complete file or throws and leaves nothing behind.
/// Never a crash, a hang or a partial file.
@Suite struct ScrubHostileInputTests {
    /// A small deterministic generator (SplitMix64) so a failure can be replayed.
    struct Mixer: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Overwrites a few bytes, mostly inside `structure` (where headers and tables live).
    static func damage(_ bytes: [UInt8], structure: Range<Int>, using rng: inout Mixer) -> [UInt8] {
        var copy = bytes
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let range = Int.random(in: 0..<4, using: &rng) > 0 ? structure : 0..<copy.count
            let at = Int.random(in: range, using: &rng)
            copy[at] = Bool.random(using: &rng) ? UInt8.random(in: 0...255, using: &rng) : [0x00, 0xFF, 0xD9, 0xDA, 0x7F][Int.random(in: 0..<5, using: &rng)]
        }
        return copy
    }

    static func run(
        _ original: [UInt8], structure: Range<Int>? = nil, format: ContainerFormat, options: ExportOptions = .standard,
        rounds: Int, seed: UInt64
    ) throws -> (written: Int, refused: Int) {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var rng = Mixer(state: seed)
        var written = 0, refused = 0
        for round in 0..<rounds {
            let source = "\(directory)/in-\(round)", output = "\(directory)/out-\(round)"
            try Data(damage(original, structure: structure ?? 0..<min(original.count, 2048), using: &rng)).write(to: URL(fileURLWithPath: source))
            do {
                try ScrubbedCopy.write(from: source, to: output, format: format, release: ScrubSupport.stamp, options: options)
                written += 1
                #expect(FileManager.default.fileExists(atPath: output))
            } catch {
                refused += 1
                #expect(!FileManager.default.fileExists(atPath: output), "round \(round) (seed \(seed)) left a partial file: \(error)")
            }
        }
        // No private staging folder or intermediate file survives, written or refused.
        let left = try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix("in-") && !$0.hasPrefix("out-") }
        #expect(left.isEmpty, "left behind: \(left)")
        return (written, refused)
    }

    @Test func damagedJPEGs() throws {
        let original = try ScrubSupport.bytes(Fixtures.path("rotated-6.jpg"))
        let result = try Self.run(original, format: .jpeg, rounds: 300, seed: 1)
        print("damaged JPEGs: \(result.written) written, \(result.refused) refused")
        #expect(result.written + result.refused == 300)
    }

    @Test func damagedMovies() throws {
        let (original, _) = ScrubQuickTimeTests.handBuiltMovie(sixtyFour: false)
        let result = try Self.run(original, format: .mp4, rounds: 300, seed: 2)
        print("damaged movies: \(result.written) written, \(result.refused) refused")
        #expect(result.written + result.refused == 300)
    }

    @Test(.enabled(if: Fixtures.corpus != nil, "needs ../shared/corpus"))
    func damagedCorpusVideo() throws {
        let path = try #require(ScrubSupport.corpusFiles(extensions: ["mp4"]).first { $0.hasSuffix("/with-gps.mp4") })
        let file = try QuickTimeFile(path: path)
        let movie = try #require(QuickTimeBoxWalker.boxes(in: 0..<file.fileLength, of: file, topLevel: true).boxes.first { $0.type == "moov" })
        let result = try Self.run(
            try ScrubSupport.bytes(path), structure: Int(movie.offset)..<Int(movie.end), format: .mp4, rounds: 60, seed: 3)
        print("damaged corpus video: \(result.written) written, \(result.refused) refused")
        #expect(result.written + result.refused == 60)
    }

    /// A corpus PNG when there is one, else one made here as a camera app or editor would.
    @Test(.enabled(if: !ScrubSupport.corpusFiles(extensions: ["png"]).isEmpty
                   || (ScrubSupport.isInstalled("exiftool") && ScrubSupport.isInstalled("convert")),
                   "needs ../shared/corpus, or exiftool and ImageMagick to make a PNG"))
    func damagedPNGs() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try ScrubSupport.corpusFiles(extensions: ["png"]).first ?? ScrubPNGTests.makePicture(in: directory)
        let result = try Self.run(try ScrubSupport.bytes(path), format: .png, rounds: 200, seed: 4)
        print("damaged PNGs: \(result.written) written, \(result.refused) refused")
        #expect(result.written + result.refused == 200)
    }

    /// HEIC converted to JPEG and kept as HEIF: libheif parses and decodes the damage, Clearance's
    /// HEIF rewrite reads its boxes.
    @Test(.enabled(if: Fixtures.corpus != nil, "needs ../shared/corpus"))
    func damagedHEIC() throws {
        let path = try #require(ScrubSupport.corpusFiles(extensions: ["heif"]).first { $0.hasSuffix("/samplefilehub.heif") })
        let original = try ScrubSupport.bytes(path)
        for (keep, seed) in [(false, UInt64(5)), (true, 6)] {
            let result = try Self.run(original, structure: 0..<min(original.count, 1024), format: .heic,
                                      options: ExportOptions(keepHEIC: keep), rounds: 40, seed: seed)
            print("damaged HEIC (\(keep ? "kept as HEIF" : "to JPEG")): \(result.written) written, \(result.refused) refused")
            #expect(result.written + result.refused == 40)
            #expect(result.written > 0, "some damage (in unused bytes) still gives a picture")
        }
    }

    @Test(.enabled(if: Fixtures.corpus != nil, "needs ../shared/corpus"))
    func damagedTIFF() throws {
        let path = try #require(ScrubSupport.corpusFiles(extensions: ["tiff"]).first { $0.hasSuffix("/Arbitro.tiff") })
        let result = try Self.run(try ScrubSupport.bytes(path), format: .tiff, rounds: 100, seed: 7)
        print("damaged TIFF: \(result.written) written, \(result.refused) refused")
        #expect(result.written + result.refused == 100)
    }

    /// A fragmented MP4 (the layout libavformat's remux now accepts) with damage in its
    /// movie and fragment headers.
    @Test(.enabled(if: MovieFixtures.available, "needs ffmpeg"))
    func damagedFragmentedMovie() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = "\(directory)/small.mp4"
        try MovieFixtures.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=160x120:rate=15:duration=1", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                                  "-g", "5", "-movflags", "frag_keyframe+empty_moov", source])
        let original = try ScrubSupport.bytes(source)
        let result = try Self.run(original, structure: 0..<min(original.count, 4096), format: .mp4, rounds: 60, seed: 8)
        print("damaged fragmented movie: \(result.written) written, \(result.refused) refused")
        #expect(result.written + result.refused == 60)
    }

    @Test func emptyAndMissingFiles() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let empty = "\(directory)/empty"
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        for format in ContainerFormat.allCases {
            let output = "\(directory)/out-\(format.rawValue)"
            #expect(throws: MediaReadError.empty) {
                try ScrubbedCopy.write(from: empty, to: output, format: format, release: ScrubSupport.stamp)
            }
            #expect(throws: MediaReadError.cannotOpen("\(directory)/missing")) {
                try ScrubbedCopy.write(from: "\(directory)/missing", to: output, format: format, release: ScrubSupport.stamp)
            }
            #expect(!FileManager.default.fileExists(atPath: output))
        }
    }
}
