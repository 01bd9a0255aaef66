/// What Clearance reads from an MP4, MOV or M4V file.
public struct QuickTimeFacts: Sendable, Equatable {
    /// ISO 8601: with the recorded offset when the file has one (Apple `creationdate`,
    /// 3GPP `date`), else the movie header's UTC time as `…Z`.
    public var capturedAt: String?
    public var gps: GPSPosition?
    public var make: String?
    public var model: String?
    /// Display size of the first video track (`tkhd`), before any rotation matrix.
    public var width: Int?
    public var height: Int?
    /// Raw XMP packets: a top-level XMP `uuid` box, `moov/udta/XMP_`, in file order.
    public var xmpPackets: [[UInt8]]

    public init(
        capturedAt: String? = nil, gps: GPSPosition? = nil, make: String? = nil, model: String? = nil,
        width: Int? = nil, height: Int? = nil, xmpPackets: [[UInt8]] = []
    ) {
        self.capturedAt = capturedAt
        self.gps = gps
        self.make = make
        self.model = model
        self.width = width
        self.height = height
        self.xmpPackets = xmpPackets
    }
}

/// Facts read from a damaged file up to the damage, and what the damage was.
public struct QuickTimeReading: Sendable, Equatable {
    public var facts: QuickTimeFacts
    /// Why the file is not whole (e.g. truncated); nil when it read cleanly.
    public var damage: MediaReadError?

    public init(facts: QuickTimeFacts, damage: MediaReadError? = nil) {
        self.facts = facts
        self.damage = damage
    }
}
