/// Turns the region conventions found in XMP into one `NormalizedRegion`: top-left corner and
/// size, fractions 0...1 of the image as displayed.
///
/// Which image do the files' numbers refer to? The MWG Guidelines 2.0 (§5.9, image region
/// metadata) say region metadata applies to the *stored* image, and that a viewer applying
/// Exif Orientation must rotate the regions with it. Lightroom and digiKam write them that way
/// (tools that forgot to rotate them misplace faces on portrait photos). Microsoft people
/// regions follow the same frame: ExifTool converts MP and MWG regions into each other with
/// no rotation. IPTC image regions have no orientation rule of their own, so they are read in
/// the same stored frame, with pixel units taken against the stored width and height.
/// All three are therefore taken as stored-frame rectangles and mapped through the Exif
/// orientation (1...8, mirrored ones included) to the displayed frame.
enum RegionNormalizer {
    /// A rectangle in the stored image's frame: top-left corner and size, fractions 0...1.
    struct StoredRect: Equatable {
        var x, y, w, h: Double
    }

    /// MWG `stArea` gives the centre point, not the corner.
    static func fromCenter(x: Double, y: Double, w: Double, h: Double) -> StoredRect {
        StoredRect(x: x - w / 2, y: y - h / 2, w: w, h: h)
    }

    /// The rectangle as displayed, clamped to the image; nil for non-finite or empty input.
    static func displayed(_ r: StoredRect, orientation: Int?) -> NormalizedRegion? {
        guard [r.x, r.y, r.w, r.h].allSatisfy(\.isFinite), r.w >= 0, r.h >= 0 else { return nil }
        // Unrotated and inside the image: hand the numbers back untouched (no rounding drift).
        if !(2...8).contains(orientation ?? 1), r.x >= 0, r.y >= 0, r.x + r.w <= 1, r.y + r.h <= 1 {
            return NormalizedRegion(x: r.x, y: r.y, w: r.w, h: r.h)
        }
        let a = map(r.x, r.y, orientation)
        let b = map(r.x + r.w, r.y + r.h, orientation)
        let x0 = clamp(min(a.0, b.0)), x1 = clamp(max(a.0, b.0))
        let y0 = clamp(min(a.1, b.1)), y1 = clamp(max(a.1, b.1))
        return NormalizedRegion(x: x0, y: y0, w: x1 - x0, h: y1 - y0)
    }

    /// Where the stored point (u, v) lands once the orientation is applied. Orientation values
    /// follow TIFF/Exif: e.g. 6 says row 0 is the visual right side, so the image is turned
    /// 90° clockwise for display.
    static func map(_ u: Double, _ v: Double, _ orientation: Int?) -> (Double, Double) {
        switch orientation {
        case 2: (1 - u, v)          // mirrored left-right
        case 3: (1 - u, 1 - v)      // turned 180°
        case 4: (u, 1 - v)          // mirrored top-bottom
        case 5: (v, u)              // transposed
        case 6: (1 - v, u)          // turned 90° clockwise
        case 7: (1 - v, 1 - u)      // transversed
        case 8: (v, 1 - u)          // turned 90° anticlockwise
        default: (u, v)             // 1, absent or out of range: as stored
        }
    }

    /// Bounding box of points (fractions of the stored image).
    static func boundingBox(_ points: [(Double, Double)]) -> StoredRect? {
        let finite = points.filter { $0.0.isFinite && $0.1.isFinite }
        guard let first = finite.first else { return nil }
        var minX = first.0, maxX = first.0, minY = first.1, maxY = first.1
        for p in finite.dropFirst() {
            minX = min(minX, p.0); maxX = max(maxX, p.0)
            minY = min(minY, p.1); maxY = max(maxY, p.1)
        }
        return StoredRect(x: minX, y: minY, w: maxX - minX, h: maxY - minY)
    }

    private static func clamp(_ v: Double) -> Double { min(max(v, 0), 1) }
}
