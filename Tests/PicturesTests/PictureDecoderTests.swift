import Foundation
import Pictures
import Testing

/// Decoding real files: pictures ImageMagick writes in each format, corpus HEIC and TIFF files
/// compared with ExifTool's sizes, and hostile files that must cost bounded memory or be refused.
struct PictureDecoderTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/corpus").standardizedFileURL
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../samples/photos").standardizedFileURL

    static var hasImageMagick: Bool { Tool.find("convert") != nil }

    /// A 64×32 picture, left half red and right half blue, written by ImageMagick in `format`.
    static func halves(_ format: String, options: [String] = []) throws -> Data {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-halves-\(UUID().uuidString).\(format)")
        defer { try? FileManager.default.removeItem(at: url) }
        try Tool.run("convert", ["-size", "32x32", "xc:red", "xc:blue", "+append"] + options + [url.path])
        return try Data(contentsOf: url)
    }

    static func expectHalves(_ picture: Picture, tolerance: Int = 40) {
        #expect(picture.width == 64 && picture.height == 32)
        let left = picture.rgb(8, 16), right = picture.rgb(56, 16)
        #expect(abs(Int(left.r) - 255) <= tolerance && Int(left.b) <= tolerance, "left half \(left)")
        #expect(abs(Int(right.b) - 255) <= tolerance && Int(right.r) <= tolerance, "right half \(right)")
    }

    @Test(.enabled(if: hasImageMagick), arguments: [
        ("jpg", [String]()), ("jpg", ["-interlace", "JPEG"]), ("png", []), ("png", ["-type", "Palette"]),
        ("png", ["-depth", "16"]), ("png", ["-alpha", "on"]), ("tif", []), ("tif", ["-compress", "LZW"]),
        ("tif", ["-compress", "JPEG"]),
    ])
    func everyFormatDecodesToTheSamePixels(format: String, options: [String]) throws {
        let data = try Self.halves(format, options: options)
        Self.expectHalves(try PictureDecoder.decode(data, orientation: 1))
    }

    @Test(.enabled(if: hasImageMagick)) func orientationTurnsThePictureUpright() throws {
        // Stored left red / right blue; orientation 6 shows it rotated 90° clockwise: red on top.
        let picture = try PictureDecoder.decode(try Self.halves("jpg"), orientation: 6)
        #expect(picture.width == 32 && picture.height == 64)
        #expect(picture.rgb(16, 8).r > 200 && picture.rgb(16, 56).b > 200)
    }

    @Test func jpegIsDecodedAtAReducedScaleWhenAskedFor() throws {
        let data = try Data(contentsOf: Self.samples.appendingPathComponent("amira-and-leo.jpg"))
        let full = try PictureDecoder.decode(data, orientation: 1)
        let half = try PictureDecoder.decode(data, orientation: 1, longSide: max(full.width, full.height) / 2)
        #expect(max(half.width, half.height) >= max(full.width, full.height) / 2)
        #expect(half.width < full.width && half.height < full.height)
        // The same picture: the mean colour barely moves.
        #expect(abs(full.meanLuma - half.meanLuma) < 2)
    }

    /// Stray bytes before a marker ("Corrupt JPEG data: 14 extraneous bytes before marker 0xdb",
    /// as in the corpus's `issue 121.jpg`) are a warning to libjpeg and every viewer shows the
    /// picture; TurboJPEG's header call reports it as a failure, which must not refuse the file.
    @Test func strayBytesBeforeAMarkerStillDecode() throws {
        let data = try Data(contentsOf: Self.samples.appendingPathComponent("amira-and-leo.jpg"))
        let bytes = [UInt8](data)
        let table = try #require((2..<bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDB })
        let damaged = Data(bytes[..<table] + [UInt8](repeating: 0, count: 14) + bytes[table...])
        let picture = try PictureDecoder.decode(damaged, orientation: 1)
        #expect(picture == (try PictureDecoder.decode(data, orientation: 1)))
        let cut = Data(bytes[..<table] + [UInt8](repeating: 0, count: 14))
        #expect(throws: PictureError.self) { try PictureDecoder.decode(cut, orientation: 1) }
    }

    @Test(arguments: ["exif-samples/heic/IMG_5195.HEIC", "exif-samples/heic/samplefilehub.heif",
                      "exif-samples/heic/mobile/iphone_13_pro_max.HEIC", "metadata-extractor-images/heic/IMG_2927.HEIC"])
    func corpusHEICDecodesAtTheSizeExifToolReports(path: String) throws {
        let url = Self.corpus.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path), let size = try ExifToolSize.displayed(url) else { return }
        let picture = try PictureDecoder.decode(contentsOf: url, orientation: nil)
        #expect(picture.width == size.width && picture.height == size.height, "\(path): \(picture.width)×\(picture.height) vs \(size)")
        #expect(picture.meanLuma > 5 && picture.meanLuma < 250)
    }

    @Test func corpusTIFFsDecodeOrAreRefusedWithAReason() throws {
        let folder = Self.corpus.appendingPathComponent("exif-samples/tiff")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        var decoded = 0
        for name in names.sorted() where name.lowercased().hasSuffix(".tiff") || name.lowercased().hasSuffix(".tif") {
            let url = folder.appendingPathComponent(name)
            do {
                let picture = try PictureDecoder.decode(contentsOf: url, orientation: 1)
                if let size = try ExifToolSize.stored(url) {
                    #expect(picture.width == size.width && picture.height == size.height, "\(name)")
                }
                decoded += 1
            } catch let error as PictureError {
                #expect(!error.description.isEmpty)
            }
        }
        #expect(decoded >= names.count / 2, "most corpus TIFFs decode")
    }

    @Test func hostileFilesAreRefusedWithAReason() throws {
        let good = try Data(contentsOf: Self.samples.appendingPathComponent("amira-and-leo.jpg"))
        for bad in [Data(), Data("not a picture".utf8), good.prefix(3), Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]),
                    Data([0x49, 0x49, 0x2A, 0x00, 0xFF, 0xFF, 0xFF, 0x7F]), Data([0, 0, 0, 24] + Array("ftypheic".utf8) + [0, 0, 0, 0])] {
            #expect(throws: PictureError.self) { try PictureDecoder.decode(bad, orientation: 1) }
        }
        // A frame header claiming 65535×65535 pixels is refused before anything is allocated.
        var huge = good
        let sof = try #require(huge.firstRange(of: Data([0xFF, 0xC0])))
        huge.replaceSubrange((sof.lowerBound + 5)..<(sof.lowerBound + 9), with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: PictureError.self) { try PictureDecoder.decode(huge, orientation: 1) }
        // Seeded damage anywhere: refused or decoded, never a crash.
        var seed: UInt64 = 0x9E3779B97F4A7C15
        for _ in 0..<60 {
            var damaged = good
            for _ in 0..<8 {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                damaged[Int((seed >> 33) % UInt64(damaged.count))] = UInt8(truncatingIfNeeded: seed >> 13)
            }
            _ = try? PictureDecoder.decode(damaged, orientation: Int(seed % 10))
        }
    }

    @Test func aSmallJPEGDeclaringAnEnormousPictureIsDecodedSmall() throws {
        // A baseline JPEG whose frame header says 12000×12000: decoded at a reduced DCT scale, so the
        // picture in memory stays within the decode limit whatever the file declares.
        let good = try Data(contentsOf: Self.samples.appendingPathComponent("amira-and-leo.jpg"))
        var big = good
        let sof = try #require(big.firstRange(of: Data([0xFF, 0xC0])))
        big.replaceSubrange((sof.lowerBound + 5)..<(sof.lowerBound + 9), with: [0x2E, 0xE0, 0x2E, 0xE0])
        let picture = try PictureDecoder.decode(big, orientation: 1)
        #expect(picture.width * picture.height <= PictureLimits.standard.maximumDecodedPixels)
        #expect(picture.width < 12000)
    }

    @Test(.enabled(if: hasImageMagick)) func largePNGsAndTIFFsAreRefusedNotDecoded() throws {
        let limits = PictureLimits(maximumDecodedPixels: 1000)
        #expect(throws: PictureError.self) { try PictureDecoder.decode(try Self.halves("png"), orientation: 1, limits: limits) }
        #expect(throws: PictureError.self) { try PictureDecoder.decode(try Self.halves("tif"), orientation: 1, limits: limits) }
    }
}

extension Picture {
    func rgb(_ x: Int, _ y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }

    var meanLuma: Double {
        var sum = 0
        for i in stride(from: 0, to: pixels.count, by: 3) { sum += (Int(pixels[i]) * 3 + Int(pixels[i + 1]) * 6 + Int(pixels[i + 2])) / 10 }
        return Double(sum) / Double(width * height)
    }
}

/// Sizes as ExifTool, the reader users trust, reports them.
enum ExifToolSize {
    static func stored(_ url: URL) throws -> (width: Int, height: Int)? {
        guard let object = try read(url) else { return nil }
        guard let w = object["ImageWidth"] as? Int, let h = object["ImageHeight"] as? Int else { return nil }
        return (w, h)
    }

    /// HEIF sizes after the file's own rotation (`irot`), as a viewer shows them.
    static func displayed(_ url: URL) throws -> (width: Int, height: Int)? {
        guard let object = try read(url), let w = object["ImageWidth"] as? Int, let h = object["ImageHeight"] as? Int else { return nil }
        let rotation = object["Rotation"] as? Int ?? 0
        return rotation == 90 || rotation == 270 ? (h, w) : (w, h)
    }

    static func read(_ url: URL) throws -> [String: Any]? {
        guard Tool.find("exiftool") != nil else { return nil }
        let output = try Tool.run("exiftool", ["-json", "-n", "-ImageWidth", "-ImageHeight", "-Rotation", url.path])
        return (try JSONSerialization.jsonObject(with: output) as? [[String: Any]])?.first
    }
}

enum Tool {
    static func find(_ name: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @discardableResult
    static func run(_ name: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(find(name)))
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(name) \(arguments.joined(separator: " ")) failed")
        return output
    }
}
