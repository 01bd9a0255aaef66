/// People found in one XMP packet, with the face regions they came from.
struct XMPPeopleReading {
    var people: [PersonShown] = []
    /// One entry per face/person region, so a region naming two people counts once.
    var regions: [XMPRegionMark] = []
}

/// What identifies one region when the file and its sidecar are merged: the same region
/// written in both places must be counted once.
struct XMPRegionMark: Equatable {
    var source: PeopleSource
    var region: NormalizedRegion?
    var names: [String]

    /// Same people and rectangles within 2% of the image on every edge (schemas round
    /// differently: centre vs corner, six decimals vs pixels).
    func sameFace(as other: XMPRegionMark) -> Bool {
        guard names.sorted() == other.names.sorted() else { return false }
        switch (region, other.region) {
        case (nil, nil): return true
        case let (a?, b?):
            let tolerance = 0.02
            return abs(a.x - b.x) <= tolerance && abs(a.y - b.y) <= tolerance
                && abs(a.w - b.w) <= tolerance && abs(a.h - b.h) <= tolerance
        default: return false
        }
    }
}

/// Number parsing shared by the region readers.
enum XMPNumber {
    /// A decimal as XMP writers put it, also accepting a decimal comma ("0,5") that some
    /// locale-unaware tools write; nil for anything non-finite.
    static func parse(_ text: String?) -> Double? {
        guard var t = text?.xmpTrimmed(), !t.isEmpty, t.count < 64 else { return nil }
        if !t.contains("."), t.filter({ $0 == "," }).count == 1 { t = t.replacingOccurrences(of: ",", with: ".") }
        guard let v = Double(t), v.isFinite else { return nil }
        return v
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
