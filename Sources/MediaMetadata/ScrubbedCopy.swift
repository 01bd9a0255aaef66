import Foundation
import Pictures
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The release information an exported copy carries: IPTC PLUS fields, claims that the
/// ledger backs, written in place of everything personal the original held.
public struct ReleaseStamp: Sendable, Equatable {
    /// PLUS model release status as a bare code ("MR-LMR", "MR-NON"…) or a full vocabulary URI.
    public var status: String
    /// Consent references, written as plus:ModelReleaseID.
    public var consentReferences: [String]

    public init(status: String, consentReferences: [String]) {
        self.status = status
        self.consentReferences = consentReferences
    }
}

/// Why a scrubbed copy was not written. Input that cannot be read at all is a `MediaReadError`.
public enum ScrubError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The destination already exists; it is left untouched.
    case destinationExists(String)
    case cannotCreate(String)
    case writeFailed(String)
    /// The file is readable but cannot be rewritten without risking a leak or a broken copy.
    case cannotScrubSafely(String)
    /// The copy could not be made: the picture does not decode, the writer refused the
    /// streams, the file is beyond the limits…
    case copyFailed(String)
    /// The copy was made but failed its check (it does not decode, differs from the original,
    /// or still carries metadata); it was deleted.
    case copyCheckFailed(String)

    public var description: String {
        switch self {
        case .destinationExists(let path): "export destination already exists: \(path)"
        case .cannotCreate(let path): "cannot create export file \(path)"
        case .writeFailed(let path): "cannot write export file \(path)"
        case .cannotScrubSafely(let why): "cannot scrub safely: \(why)"
        case .copyFailed(let why): "cannot make the copy: \(why)"
        case .copyCheckFailed(let why): "the copy failed its check and was deleted: \(why)"
        }
    }
}

/// How export copies are made.
public struct ExportOptions: Sendable {
    /// Keep HEIC/HEIF pictures as HEIF (their coded image copied, every metadata item dropped)
    /// instead of converting them to JPEG: for channels that take HEIC.
    public var keepHEIC: Bool
    /// Largest picture converted to JPEG or checked after export, in pixels. 50 million covers
    /// a 48-megapixel phone photo; decoding one costs about 150 MB of memory.
    public var maximumPicturePixels: Int
    public var movieLimits: MovieLimits

    public init(keepHEIC: Bool = false, maximumPicturePixels: Int = 50_000_000, movieLimits: MovieLimits = .standard) {
        self.keepHEIC = keepHEIC
        self.maximumPicturePixels = maximumPicturePixels
        self.movieLimits = movieLimits
    }

    public static let standard = ExportOptions()

    var pictureLimits: PictureLimits {
        PictureLimits(maximumBytes: 1 << 30, maximumDeclaredPixels: 400_000_000, maximumDecodedPixels: maximumPicturePixels)
    }
}

/// What an export copy is and how it was checked.
public struct ScrubbedCopyReport: Sendable, Equatable {
    /// The copy's format (JPEG for a converted HEIC or TIFF).
    public var format: ContainerFormat
    /// What the copy is, in words: "converted from HEIC to JPEG (quality 92)", "left out 2
    /// timed-metadata tracks", "checked: 120 video frames decode, 4.00 s".
    public var notes: [String]
}

/// Writes copies of media files for export with location, serial numbers, maker notes,
/// thumbnails, people and comments removed, and the release stamp added, then checks each copy
/// (`CopyCheck`) before putting it in place.
///
/// - JPEG, PNG: the compressed image data copied byte for byte (`ScrubJPEG`, `ScrubPNG`).
/// - HEIC/HEIF, TIFF: converted to JPEG (`StillConversion`), or HEIC kept as HEIF when asked
///   (`HEIFRemux`).
/// - MP4, MOV, M4V: video and audio remuxed packet for packet by libavformat (`MovieRemux`),
///   then finished by the QuickTime scrubber (`ScrubQuickTime`).
public enum ScrubbedCopy {
    /// Formats `write` can export.
    public static let supportedFormats: Set<ContainerFormat> = Set(ContainerFormat.allCases)

    /// The format the copy of a `format` file has.
    public static func outputFormat(for format: ContainerFormat, options: ExportOptions = .standard) -> ContainerFormat {
        switch format {
        case .tiff: .jpeg
        case .heic: options.keepHEIC ? .heic : .jpeg
        default: format
        }
    }

    /// The file name extension for a copy of `format` ("jpg" for JPEG).
    public static func fileExtension(for format: ContainerFormat) -> String {
        format == .jpeg ? "jpg" : format.rawValue
    }

    /// Writes the checked copy of `source` at `destination`, which must not exist (it is
    /// never replaced). The copy is made and checked in a private folder beside `destination`
    /// and linked into place only when it passed; on any error nothing is left behind.
    @discardableResult
    public static func write(from source: String, to destination: String, format: ContainerFormat, release: ReleaseStamp,
                             options: ExportOptions = .standard) throws -> ScrubbedCopyReport {
        let staging = try Staging(beside: destination)
        defer { staging.remove() }
        let staged = staging.path("copy")
        let report: ScrubbedCopyReport
        switch format {
        case .jpeg, .png:
            let input = try RandomAccessFile(path: source)
            if format == .jpeg {
                let plan = try ScrubJPEG.plan(input)
                try ScrubOutput.create(staged) { try ScrubJPEG.write(plan, from: input, release: release, to: $0) }
            } else {
                let plan = try ScrubPNG.plan(input)
                try ScrubOutput.create(staged) { try ScrubPNG.write(plan, from: input, release: release, to: $0) }
            }
            let original = MediaInspector().inspect(path: source, hashing: false)
            let copy = try CopyCheck.metadata(of: staged, release: release)
            guard let width = original.width, let height = original.height else {
                throw ScrubError.copyCheckFailed("the original's picture size is unknown")
            }
            let turned = (5...8).contains(original.orientation ?? 1)
            try CopyCheck.picture(staged, orientation: copy.orientation, width: turned ? height : width,
                                  height: turned ? width : height, limits: options.pictureLimits)
            report = ScrubbedCopyReport(format: format, notes: ["checked: decodes at \(turned ? height : width)×\(turned ? width : height)"])
        case .heic where options.keepHEIC:
            do {
                report = try HEIFRemux.write(from: source, to: staged, release: release, limits: options.pictureLimits)
            } catch let error as ScrubError {
                // A picture that cannot be kept as HEIF safely still goes, as JPEG.
                unlink(staged)
                var converted = try convertToJPEG(source, format: format, to: staged, release: release, options: options)
                converted.notes.insert("not kept as HEIF (\(error))", at: 0)
                report = converted
            }
        case .heic, .tiff:
            report = try convertToJPEG(source, format: format, to: staged, release: release, options: options)
        case .mp4, .mov, .m4v:
            report = try MovieCopy.write(from: source, format: format, to: staged, staging: staging, release: release,
                                         limits: options.movieLimits)
        }
        try staging.link(staged, to: destination)
        return report
    }

    private static func convertToJPEG(_ source: String, format: ContainerFormat, to staged: String, release: ReleaseStamp,
                                      options: ExportOptions) throws -> ScrubbedCopyReport {
        let converted = try StillConversion.jpeg(from: source, format: format, limits: options.pictureLimits)
        let expected = format == .heic ? HEIFReader.displaySize(path: source) : nil
        let bytes = MemoryBytes(bytes: converted.jpeg)
        let plan = try ScrubJPEG.plan(bytes)
        try ScrubOutput.create(staged) { try ScrubJPEG.write(plan, from: bytes, release: release, to: $0) }
        let copy = try CopyCheck.metadata(of: staged, release: release)
        let width = expected?.width ?? converted.width, height = expected?.height ?? converted.height
        try CopyCheck.picture(staged, orientation: copy.orientation, width: width, height: height, limits: options.pictureLimits)
        return ScrubbedCopyReport(format: .jpeg, notes: [
            "converted from \(format.rawValue.uppercased()) to JPEG (quality \(StillConversion.quality))",
            "checked: decodes at \(width)×\(height)",
        ])
    }
}

/// A private folder (mode 0700) beside an export's destination, where a copy is written and
/// checked. Only its owner can put anything in it, so libraries that open files by name
/// (libavformat) write there safely, and the finished copy is linked into place from it.
final class Staging {
    let directory: String

    init(beside destination: String) throws(ScrubError) {
        let parent = (destination as NSString).deletingLastPathComponent
        var template = Array(((parent.isEmpty ? "." : parent) + "/.clearance-copy-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw .cannotCreate(destination)
        }
        directory = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func path(_ name: String) -> String { directory + "/" + name }

    /// `link(2)` fails when `destination` exists: an export never replaces a file.
    func link(_ staged: String, to destination: String) throws(ScrubError) {
        #if canImport(Glibc)
        let linked = Glibc.link(staged, destination)
        #else
        let linked = Darwin.link(staged, destination)
        #endif
        guard linked == 0 else {
            throw errno == EEXIST ? .destinationExists(destination) : .cannotCreate(destination)
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
