/// What Clearance reads from one media file: the answer of `clearance inspect`.
///
/// Field names are the JSON contract of `inspect --json` (see README "inspect --json").
/// Absent values are `nil`, never guessed: absent metadata is never taken as consent.
public struct MediaFacts: Codable, Sendable, Equatable {
    public var path: String
    public var sha256: String?
    public var kind: MediaKind?
    public var format: ContainerFormat?
    /// ISO 8601. Carries the offset when the file recorded one (EXIF OffsetTimeOriginal,
    /// QuickTime UTC times as `Z`); a local time without offset otherwise.
    public var capturedAt: String?
    public var gps: GPSPosition?
    public var make: String?
    public var model: String?
    public var serial: String?
    public var width: Int?
    public var height: Int?
    /// EXIF orientation 1...8.
    public var orientation: Int?
    public var people: [PersonShown]
    /// Face/person regions found, named or not (MWG Face regions, Microsoft people regions,
    /// IPTC image regions of a human).
    public var faceRegions: Int
    public var modelRelease: ModelRelease?
    public var keywords: [String]
    public var documentID: String?
    public var originalDocumentID: String?
    public var derivedFrom: String?
    /// The sidecar `.xmp` file read beside the media file, if any.
    public var sidecar: String?
    /// Why the file could not be read; the other fields may be partly filled.
    public var error: String?
    /// What was read around: metadata that was there but could not be used (a broken XMP
    /// packet), so a reader knows why people it expected are missing. The file is still read.
    public var warnings: [String]

    public init(path: String) {
        self.path = path
        self.people = []
        self.faceRegions = 0
        self.keywords = []
        self.warnings = []
    }

    private enum CodingKeys: String, CodingKey {
        case path, sha256, kind, format, capturedAt, gps, make, model, serial, width, height, orientation
        case people, faceRegions, modelRelease, keywords, documentID, originalDocumentID, derivedFrom
        case sidecar, error, warnings
    }

    /// Every key is written, `null` when unknown, so JSON consumers see one stable shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(kind, forKey: .kind)
        try c.encode(format, forKey: .format)
        try c.encode(capturedAt, forKey: .capturedAt)
        try c.encode(gps, forKey: .gps)
        try c.encode(make, forKey: .make)
        try c.encode(model, forKey: .model)
        try c.encode(serial, forKey: .serial)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(orientation, forKey: .orientation)
        try c.encode(people, forKey: .people)
        try c.encode(faceRegions, forKey: .faceRegions)
        try c.encode(modelRelease, forKey: .modelRelease)
        try c.encode(keywords, forKey: .keywords)
        try c.encode(documentID, forKey: .documentID)
        try c.encode(originalDocumentID, forKey: .originalDocumentID)
        try c.encode(derivedFrom, forKey: .derivedFrom)
        try c.encode(sidecar, forKey: .sidecar)
        try c.encode(error, forKey: .error)
        try c.encode(warnings, forKey: .warnings)
    }
}

public enum MediaKind: String, Codable, Sendable {
    case image, video
}

/// Container formats Clearance reads, detected from the file's first bytes, never its name.
public enum ContainerFormat: String, Codable, Sendable, CaseIterable {
    case jpeg, tiff, png, heic, mp4, mov, m4v

    public var kind: MediaKind {
        switch self {
        case .jpeg, .tiff, .png, .heic: .image
        case .mp4, .mov, .m4v: .video
        }
    }
}

/// Signed decimal degrees (south and west negative); altitude in metres, negative below sea level.
public struct GPSPosition: Codable, Sendable, Equatable {
    public var latitude: Double
    public var longitude: Double
    public var altitude: Double?

    public init(latitude: Double, longitude: Double, altitude: Double? = nil) {
        self.latitude = latitude
        self.longitude = longitude
        self.altitude = altitude
    }
}

/// A rectangle in one convention whatever the file used: top-left corner and size,
/// as fractions 0...1 of the image as displayed (after EXIF orientation is applied).
public struct NormalizedRegion: Codable, Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var w: Double
    public var h: Double

    public init(x: Double, y: Double, w: Double, h: Double) {
        self.x = x
        self.y = y
        self.w = w
        self.h = h
    }
}

/// Where a mention of a person came from.
public enum PeopleSource: String, Codable, Sendable {
    /// `mwg-rs:Regions` (Lightroom, digiKam, Picasa, iPhone), type Face.
    case mwgRegion = "mwg-region"
    /// Microsoft Photo Gallery `MP:RegionInfo` people regions.
    case microsoftRegion = "mp-region"
    /// `Iptc4xmpExt:PersonInImage`.
    case iptcPersonInImage = "iptc-person-in-image"
    /// `Iptc4xmpExt:PersonInImageWDetails`.
    case iptcPersonDetails = "iptc-person-details"
    /// `Iptc4xmpExt:ImageRegion` with a human content type.
    case iptcImageRegion = "iptc-image-region"
}

/// One person shown, as the file says: a name, an identifier, a region, or any of these.
/// An entry with neither name nor identifier is an unnamed face region.
public struct PersonShown: Codable, Sendable, Equatable {
    public var name: String?
    /// `PersonInImageWDetails/PersonId` or a region's person identifier, verbatim.
    public var identifiers: [String]
    public var source: PeopleSource
    public var region: NormalizedRegion?

    public init(name: String?, identifiers: [String] = [], source: PeopleSource, region: NormalizedRegion? = nil) {
        self.name = name
        self.identifiers = identifiers
        self.source = source
        self.region = region
    }
}

/// PLUS model release claims embedded in the file. Claims only: they are matched against the
/// ledger, never trusted by themselves.
public struct ModelRelease: Codable, Sendable, Equatable {
    /// Bare PLUS code (`MR-NON`, `MR-NAP`, `MR-UMR`, `MR-LMR`, `MR-LPR`), full URIs reduced to it.
    public var status: String?
    public var ids: [String]
    /// PLUS MinorModelAgeDisclosure bare code (`AG-UNK`, `AG-A18`, …).
    public var minorAgeDisclosure: String?

    public init(status: String? = nil, ids: [String] = [], minorAgeDisclosure: String? = nil) {
        self.status = status
        self.ids = ids
        self.minorAgeDisclosure = minorAgeDisclosure
    }
}
