/// One face the detector found: a box as fractions of the picture **as displayed** (after EXIF
/// orientation or a video's display rotation), top-left `x, y` and size `w, h`, the same
/// convention as the metadata regions (`NormalizedRegion`), so the two can be compared directly.
public struct DetectedFace: Codable, Sendable, Equatable, Hashable {
    public var x: Double
    public var y: Double
    public var w: Double
    public var h: Double
    /// The detector's confidence, 0–1. Faces below the detector's threshold are never reported.
    public var score: Double
    /// For video: the time of the frame it was found in, in seconds from the start. Absent for
    /// still pictures (and then left out of the JSON).
    public var t: Double?

    public init(x: Double, y: Double, w: Double, h: Double, score: Double, t: Double? = nil) {
        self.x = x
        self.y = y
        self.w = w
        self.h = h
        self.score = score
        self.t = t
    }

    /// Intersection over union with another box: 0 when apart, 1 when identical. It does not
    /// depend on the picture's size (both axes scale alike), so fractions compare like pixels.
    public func overlap(with other: DetectedFace) -> Double {
        let left = max(x, other.x), right = min(x + w, other.x + other.w)
        let top = max(y, other.y), bottom = min(y + h, other.y + other.h)
        guard right > left, bottom > top else { return 0 }
        let intersection = (right - left) * (bottom - top)
        let union = w * h + other.w * other.h - intersection
        return union > 0 ? intersection / union : 0
    }
}
