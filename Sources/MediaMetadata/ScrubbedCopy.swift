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

    public var description: String {
        switch self {
        case .destinationExists(let path): "export destination already exists: \(path)"
        case .cannotCreate(let path): "cannot create export file \(path)"
        case .writeFailed(let path): "cannot write export file \(path)"
        case .cannotScrubSafely(let why): "cannot scrub safely: \(why)"
        }
    }
}

/// Writes copies of media files for export with location, serial numbers, maker notes,
/// thumbnails, people and comments removed, and the release stamp added. Image and video data
/// are copied byte for byte, never re-encoded. JPEG, PNG, MP4, MOV and M4V are supported;
/// TIFF and HEIC are refused.
public enum ScrubbedCopy {
    /// Formats `write` can scrub; callers check before writing anything.
    public static let supportedFormats: Set<ContainerFormat> = [.jpeg, .png, .mp4, .mov, .m4v]

    /// Creates `destination` (failing if it exists) and writes the scrubbed copy of `source`
    /// into it. On any error nothing is left at `destination`.
    public static func write(from source: String, to destination: String, format: ContainerFormat, release: ReleaseStamp) throws {
        switch format {
        case .jpeg:
            let input = try RandomAccessFile(path: source)
            let plan = try ScrubJPEG.plan(input)
            try ScrubOutput.create(destination) { output in
                try ScrubJPEG.write(plan, from: input, release: release, to: output)
            }
        case .mp4, .mov, .m4v:
            let input = try QuickTimeFile(path: source)
            let plan = try ScrubQuickTime.plan(input)
            try ScrubOutput.create(destination) { output in
                try ScrubQuickTime.write(plan, from: input, release: release, to: output)
            }
        case .png:
            let input = try RandomAccessFile(path: source)
            let plan = try ScrubPNG.plan(input)
            try ScrubOutput.create(destination) { output in
                try ScrubPNG.write(plan, from: input, release: release, to: output)
            }
        case .tiff, .heic:
            throw MediaReadError.unsupportedFormat("export of \(format.rawValue.uppercased()) is not supported yet")
        }
    }
}
