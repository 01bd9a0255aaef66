/// What the XMP reader needs to know about the picture to place regions on it.
public struct ImageGeometry: Sendable {
    /// Stored pixel size (the JPEG frame / TIFF ImageWidth, before orientation is applied).
    /// Used for IPTC regions in pixels and MWG regions whose area unit is pixels.
    public var width: Int?
    public var height: Int?
    /// Exif orientation 1...8; nil or 1 means the stored image is displayed as is.
    public var orientation: Int?

    public init(width: Int?, height: Int?, orientation: Int?) {
        self.width = width
        self.height = height
        self.orientation = orientation
    }
}

/// What XMP (embedded packets and sidecar together) says about a picture.
public struct XMPFacts: Sendable, Equatable {
    public var people: [PersonShown]
    /// Face/person regions, named or not: MWG Face regions, Microsoft people regions and
    /// IPTC image regions of a human. One face written in several schemas (same names,
    /// same place) counts once.
    public var faceRegions: Int
    public var modelRelease: ModelRelease?
    public var keywords: [String]
    public var documentID: String?
    public var originalDocumentID: String?
    public var derivedFrom: String?
    /// The following come from exif:/tiff:/aux:/xmp: properties; callers use them only
    /// where EXIF itself lacks them. ISO 8601.
    public var capturedAt: String?
    public var gps: GPSPosition?
    public var make: String?
    public var model: String?
    public var serial: String?
    /// Packets that were there but could not be used (not valid XMP), said in plain words: what
    /// they held counts as absent, and `inspect` shows why.
    public var skipped: [String] = []

    public init(
        people: [PersonShown] = [], faceRegions: Int = 0, modelRelease: ModelRelease? = nil,
        keywords: [String] = [], documentID: String? = nil, originalDocumentID: String? = nil,
        derivedFrom: String? = nil, capturedAt: String? = nil, gps: GPSPosition? = nil,
        make: String? = nil, model: String? = nil, serial: String? = nil
    ) {
        self.people = people
        self.faceRegions = faceRegions
        self.modelRelease = modelRelease
        self.keywords = keywords
        self.documentID = documentID
        self.originalDocumentID = originalDocumentID
        self.derivedFrom = derivedFrom
        self.capturedAt = capturedAt
        self.gps = gps
        self.make = make
        self.model = model
        self.serial = serial
    }
}
