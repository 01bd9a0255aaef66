import Foundation
import Testing
@testable import MediaMetadata

/// HEIC/HEIF and TIFF exports: converted to JPEG (or HEIC kept as HEIF), checked against
/// ExifTool's reading of the original and ImageMagick's decoding of it.
@Suite(.serialized) struct ScrubStillTests {
    static func corpus(_ extensions: Set<String>, format: ContainerFormat) -> [String] {
        ScrubSupport.corpusFiles(extensions: extensions).filter { path in
            let header = Array((try? ScrubSupport.bytes(path))?.prefix(FormatSniffer.headerLength) ?? [])
            return FormatSniffer.detect(header) == format
        }
    }

    /// The picture as displayed, by ExifTool: the stored size turned by HEIF's rotation (`irot`)
    /// or, for TIFF, by the EXIF orientation.
    static func displayedSize(_ tags: [String: Any], format: ContainerFormat) -> (width: Int, height: Int)? {
        let size = (tags["Composite:ImageSize"] as? String)?.split(separator: " ").compactMap { Int($0) } ?? []
        guard size.count == 2 else { return nil }
        let turned = format == .heic
            ? [90, 270].contains(tags["QuickTime:Rotation"] as? Int ?? 0)
            : (5...8).contains(tags["EXIF:IFD0:Orientation"] as? Int ?? 1)
        return turned ? (size[1], size[0]) : (size[0], size[1])
    }

    /// A 16×16 grey thumbnail by ImageMagick, which decodes HEIF through libheif (rotation
    /// applied) and, with `autoOrient`, applies the EXIF orientation of JPEG and TIFF.
    static func thumbnail(_ path: String, autoOrient: Bool) throws -> [UInt8]? {
        let result = try ScrubSupport.run(["convert", path + "[0]"] + (autoOrient ? ["-auto-orient"] : [])
                                          + ["-resize", "16x16!", "-colorspace", "gray", "-depth", "8", "gray:-"])
        return result.status == 0 && result.output.count == 256 ? [UInt8](result.output) : nil
    }

    static func difference(_ a: [UInt8], _ b: [UInt8]) -> Double {
        Double(zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(a.count)
    }

    /// The same thumbnail turned a quarter, to show the comparison can tell upright from not.
    static func quarterTurn(_ t: [UInt8]) -> [UInt8] {
        (0..<256).map { i in t[(15 - i % 16) * 16 + i / 16] }
    }

    func exportAll(_ sources: [String], format: ContainerFormat, options: ExportOptions, extension ext: String,
                   in directory: String) -> (written: [(source: String, output: String, report: ScrubbedCopyReport)], refused: [String: String]) {
        var written: [(String, String, ScrubbedCopyReport)] = [], refused: [String: String] = [:]
        for (index, source) in sources.enumerated() {
            let output = "\(directory)/\(index).\(ext)"
            do {
                let report = try ScrubbedCopy.write(from: source, to: output, format: format, release: ScrubSupport.stamp, options: options)
                written.append((source, output, report))
            } catch {
                refused[(source as NSString).lastPathComponent] = "\(error)"
                #expect(!FileManager.default.fileExists(atPath: output))
            }
        }
        return (written, refused)
    }

    func expectUprightCopies(_ written: [(source: String, output: String, report: ScrubbedCopyReport)], format: ContainerFormat,
                             copyFormat: ContainerFormat) throws {
        let before = try ScrubSupport.exifTool(written.map(\.source))
        let after = try ScrubSupport.exifTool(written.map(\.output))
        var turnedChecked = 0
        for (source, output, report) in written {
            #expect(report.format == copyFormat)
            let original = try #require(before[source]), copy = try #require(after[output])
            #expect(copy["File:FileType"] as? String == (copyFormat == .jpeg ? "JPEG" : "HEIC"), "\(source)")
            // A converted or kept picture is upright and needs no Exif at all: none is written.
            let leaks = copy.keys.filter { ScrubJPEGTests.leak($0) != nil || $0.hasPrefix("EXIF:") || $0.hasPrefix("MakerNotes:") }
            #expect(leaks.isEmpty, "\(source): copy still has \(leaks.sorted())")
            #expect(copy["XMP:XMP-plus:ModelReleaseStatus"] as? String == ScrubSupport.stamp.status, "\(source)")
            #expect(!copy.keys.contains { $0.contains("AuxiliaryImage") || $0.contains("DepthMap") || $0.contains("Thumbnail") || $0.contains("Preview") },
                    "\(source): \(copy.keys.sorted())")
            let shown = try #require(Self.displayedSize(original, format: format), "\(source): ExifTool gives no size")
            let size = try #require(Self.displayedSize(copy, format: copyFormat), "\(output): ExifTool gives no size")
            #expect(size.width == shown.width && size.height == shown.height,
                    "\(source): copy is \(size.width)×\(size.height), shown \(shown.width)×\(shown.height)")
            guard ScrubSupport.isInstalled("convert"),
                  let reference = try Self.thumbnail(source, autoOrient: format == .tiff),
                  let exported = try Self.thumbnail(output, autoOrient: true) else { continue }
            let difference = Self.difference(reference, exported)
            #expect(difference < 8, "\(source): copy differs from the original as displayed by \(difference)")
            if Self.difference(reference, Self.quarterTurn(reference)) > 3 * max(difference, 1) { turnedChecked += 1 }
        }
        print("\(written.count) \(format.rawValue) copies compared; \(turnedChecked) with pictures a quarter turn would change")
        // The comparison must be able to tell upright from turned for most pictures.
        #expect(!ScrubSupport.isInstalled("convert") || turnedChecked * 2 >= written.count)
    }

    @Test(.enabled(if: ScrubSupport.isInstalled("exiftool") && Fixtures.corpus != nil, "needs exiftool and ../shared/corpus"))
    func phoneHEICsBecomeUprightJPEGs() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sources = Self.corpus(["heic", "heif"], format: .heic)
        let (written, refused) = exportAll(sources, format: .heic, options: .standard, extension: "jpg", in: directory)
        print("HEIC to JPEG: \(written.count) of \(sources.count) written; refused: \(refused)")
        // iPhone 11 and 13, an iPhone XR turned 90°, Nokia: the pictures phones take.
        for name in ["IMG_5195.HEIC", "iphone_13_pro_max.HEIC", "HMD_Nokia_8.3_5G.heif", "Issue 263 dotnet.heic", "IMG_1034.heic"] {
            #expect(written.contains { $0.source.hasSuffix("/" + name) }, "\(name): \(refused[name] ?? "")")
        }
        try expectUprightCopies(written, format: .heic, copyFormat: .jpeg)
        for copy in written { #expect(copy.report.notes.first == "converted from HEIC to JPEG (quality 92)") }
    }

    @Test(.enabled(if: ScrubSupport.isInstalled("exiftool") && Fixtures.corpus != nil, "needs exiftool and ../shared/corpus"))
    func heicKeptAsHEIFLosesEveryOtherItem() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sources = Self.corpus(["heic", "heif"], format: .heic)
        let (written, refused) = exportAll(sources, format: .heic, options: ExportOptions(keepHEIC: true), extension: "heic", in: directory)
        let kept = written.filter { $0.report.format == .heic }
        print("HEIC kept: \(kept.count) of \(sources.count) as HEIF, \(written.count - kept.count) as JPEG instead; refused: \(refused)")
        for name in ["IMG_5195.HEIC", "iphone_13_pro_max.HEIC", "HMD_Nokia_8.3_5G.heif", "Issue 263 dotnet.heic", "IMG_1034.heic"] {
            #expect(kept.contains { $0.source.hasSuffix("/" + name) }, "\(name) was not kept as HEIF")
        }
        try expectUprightCopies(kept, format: .heic, copyFormat: .heic)
        // The coded picture is the original's: libheif decodes both to the same pixels.
        for copy in kept where ScrubSupport.isInstalled("convert") {
            guard let a = try Self.thumbnail(copy.source, autoOrient: false), let b = try Self.thumbnail(copy.output, autoOrient: false) else { continue }
            #expect(Self.difference(a, b) < 0.5, "\(copy.source)")
        }
    }

    @Test(.enabled(if: ScrubSupport.isInstalled("exiftool") && Fixtures.corpus != nil, "needs exiftool and ../shared/corpus"))
    func tiffsBecomeUprightJPEGs() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sources = Self.corpus(["tif", "tiff"], format: .tiff)
        let (written, refused) = exportAll(sources, format: .tiff, options: .standard, extension: "jpg", in: directory)
        print("TIFF to JPEG: \(written.count) of \(sources.count) written; refused: \(refused)")
        #expect(written.count >= 8, "\(refused)")
        try expectUprightCopies(written, format: .tiff, copyFormat: .jpeg)
    }
    /// A TIFF stored on its side (EXIF orientation 6) with location, camera and author: the
    /// JPEG is turned upright and carries none of it.
    @Test(.enabled(if: ScrubSupport.isInstalled("exiftool") && ScrubSupport.isInstalled("convert"), "needs exiftool and ImageMagick"))
    func turnedTIFFBecomesAnUprightJPEG() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = "\(directory)/scan.tif"
        #expect(try ScrubSupport.run(["convert", "-size", "90x60", "gradient:red-blue", "-fill", "white", "-draw", "rectangle 0,0 20,10",
                                      "-depth", "8", "-compress", "lzw", source]).status == 0)
        #expect(try ScrubSupport.run(["exiftool", "-q", "-overwrite_original", "-n", "-Orientation=6", "-GPSLatitude=51.5",
                                      "-GPSLatitudeRef=N", "-Make=Canon", "-Model=CanoScan", "-Artist=Mia Jones", source]).status == 0)
        let (written, refused) = exportAll([source], format: .tiff, options: .standard, extension: "jpg", in: directory)
        #expect(refused.isEmpty, "\(refused)")
        try expectUprightCopies(written, format: .tiff, copyFormat: .jpeg)
        let copy = try #require(try ScrubSupport.exifTool(written.map(\.output))[written.first?.output ?? ""])
        #expect(copy["Composite:ImageSize"] as? String == "60 90")
    }
}
