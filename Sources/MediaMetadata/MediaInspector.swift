import Foundation

/// Reads everything Clearance needs from one file. Never throws: a file that cannot be read
/// comes back with `error` set, so one bad file never hides the others in a batch.
///
/// Pipeline: hash (the only full read) → sniff the container from its first bytes → read the
/// container (only the bytes metadata lives in) → EXIF through libexif → XMP (embedded packets
/// and sidecar) through the XMP reader. EXIF wins for capture time, GPS and camera; XMP only
/// fills what EXIF left empty.
public struct MediaInspector: Sendable {
    public init() {}

    public func inspect(path: String) -> MediaFacts {
        inspect(path: path, hashing: true)
    }

    /// Without `hashing`, `sha256` stays nil and the media data is never read: for reading back
    /// an export's copy, whose hash is taken once it is in place.
    func inspect(path: String, hashing: Bool) -> MediaFacts {
        var facts = MediaFacts(path: path)
        do {
            if hashing { facts.sha256 = try ContentHash.sha256(ofFileAt: path) }
            let file = try RandomAccessFile(path: path)
            let header = file.read(at: 0, count: FormatSniffer.headerLength)
            if header.isEmpty { throw MediaReadError.empty }
            guard let format = FormatSniffer.detect(header) else {
                throw MediaReadError.unsupportedFormat(Self.describeExtension(path))
            }
            facts.format = format
            facts.kind = format.kind
            switch format {
            case .jpeg, .tiff, .png, .heic:
                try readImage(format, file: file, into: &facts)
            case .mp4, .mov, .m4v:
                try readVideo(into: &facts)
            }
        } catch let error as MediaReadError {
            facts.error = error.description
        } catch {
            facts.error = "\(error)"
        }
        return facts
    }

    private func readImage(_ format: ContainerFormat, file: RandomAccessFile, into facts: inout MediaFacts) throws {
        let container: ImageMetadata = switch format {
        case .jpeg: JPEGSegments.read(file)
        case .tiff: TIFFContainer.read(file)
        case .png: PNGChunks.read(file)
        default: HEIFReader.read(path: facts.path)
        }
        let exif = container.exif.flatMap { ExifReader.read($0) }
        facts.capturedAt = exif?.capturedAt
        facts.gps = exif?.gps
        facts.make = exif?.make
        facts.model = exif?.model
        facts.serial = exif?.serial
        facts.orientation = exif?.orientation
        if container.width != nil || container.height != nil {
            facts.width = container.width
            facts.height = container.height
        } else if let width = exif?.pixelWidth, let height = exif?.pixelHeight {
            facts.width = width
            facts.height = height
        }
        let geometry = ImageGeometry(width: facts.width, height: facts.height, orientation: facts.orientation)
        try readXMP(container.xmpPackets, image: geometry, into: &facts)
        if let problem = container.problem { throw problem }
    }

    private func readVideo(into facts: inout MediaFacts) throws {
        let reading = try QuickTimeReader.readPartially(fileAt: facts.path)
        let movie = reading.facts
        facts.capturedAt = movie.capturedAt
        facts.gps = movie.gps
        facts.make = movie.make
        facts.model = movie.model
        facts.width = movie.width
        facts.height = movie.height
        let geometry = ImageGeometry(width: movie.width, height: movie.height, orientation: nil)
        try readXMP(movie.xmpPackets, image: geometry, into: &facts)
        if let damage = reading.damage { throw damage }
    }

    /// People, releases and identifiers come only from XMP; the rest fills gaps left by EXIF.
    private func readXMP(_ packets: [[UInt8]], image: ImageGeometry, into facts: inout MediaFacts) throws {
        let sidecar = XMPReader.sidecarPath(for: facts.path)
        guard !packets.isEmpty || sidecar != nil else { return }
        facts.sidecar = sidecar
        let xmp = try XMPReader.read(packets: packets, sidecarPath: sidecar, image: image)
        facts.people = xmp.people
        facts.faceRegions = xmp.faceRegions
        facts.modelRelease = xmp.modelRelease
        facts.keywords = xmp.keywords
        facts.documentID = xmp.documentID
        facts.originalDocumentID = xmp.originalDocumentID
        facts.derivedFrom = xmp.derivedFrom
        facts.capturedAt = facts.capturedAt ?? xmp.capturedAt
        facts.gps = facts.gps ?? xmp.gps
        facts.make = facts.make ?? xmp.make
        facts.model = facts.model ?? xmp.model
        facts.serial = facts.serial ?? xmp.serial
        facts.warnings += xmp.skipped
    }

    static func describeExtension(_ path: String) -> String {
        let ext = (path as NSString).pathExtension
        return ext.isEmpty ? "not a JPEG, TIFF, PNG, HEIC, MP4, MOV or M4V file" : "\(ext.lowercased()) is not a JPEG, TIFF, PNG, HEIC, MP4, MOV or M4V file"
    }
}
