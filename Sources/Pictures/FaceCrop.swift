import Foundation

extension Picture {
    /// The part of the picture under `region` (`x, y, w, h` fractions of the picture), widened by
    /// `margin` of its size on every side and clipped to the picture; nil when nothing of it is
    /// inside (or the numbers are not finite).
    public func cropped(to region: [Double], margin: Double = 0) -> Picture? {
        guard region.count == 4, region.allSatisfy({ $0.isFinite }), margin.isFinite else { return nil }
        let (x, y, w, h) = (region[0], region[1], max(0, region[2]), max(0, region[3]))
        let left = x - w * margin, top = y - h * margin, right = x + w * (1 + margin), bottom = y + h * (1 + margin)
        // Clamped in floating point first: a hostile region of 1e300 must not overflow Int.
        let x0 = Int((min(max(left, 0), 1) * Double(width)).rounded(.down))
        let x1 = Int((min(max(right, 0), 1) * Double(width)).rounded(.up))
        let y0 = Int((min(max(top, 0), 1) * Double(height)).rounded(.down))
        let y1 = Int((min(max(bottom, 0), 1) * Double(height)).rounded(.up))
        guard x0 < x1, y0 < y1 else { return nil }
        var out = [UInt8](repeating: 0, count: (x1 - x0) * (y1 - y0) * 3)
        let rowBytes = (x1 - x0) * 3
        for row in y0..<y1 {
            let source = (row * width + x0) * 3
            out.replaceSubrange(((row - y0) * rowBytes)..<((row - y0 + 1) * rowBytes), with: pixels[source..<(source + rowBytes)])
        }
        return Picture(width: x1 - x0, height: y1 - y0, pixels: out)
    }
}

extension PictureDecoder {
    /// A small, upright JPEG of one face: the face's box (fractions of the picture as displayed)
    /// with `margin` of its size around it, its longer side at most `longSide`. The picture is
    /// decoded only as large as the face needs (a JPEG at a reduced DCT scale), and the result
    /// is encoded afresh from pixels alone, like a thumbnail: no metadata of the original.
    public static func faceCropJPEG(_ data: Data, orientation: Int?, face: [Double], margin: Double = 0.5,
                                    longSide: Int = 256, quality: Int = 85, limits: PictureLimits = .standard) throws -> Data {
        guard face.count == 4, face.allSatisfy({ $0.isFinite }), face[2] > 0, face[3] > 0 else {
            throw PictureError("a face box is four finite numbers with a width and height above zero")
        }
        guard longSide > 0 else { throw PictureError("a crop needs a size of at least one pixel") }
        // The share of the picture's longer side the crop spans, at most: decode so that it gets
        // `longSide` pixels (never less than the crop's own size, never more than 4,096 pixels).
        let span = min(1, max(face[2], face[3]) * (1 + 2 * margin))
        let wanted = min(4096, max(longSide, Int((Double(longSide) / span).rounded(.up))))
        let picture = try decode(data, orientation: orientation, longSide: wanted, limits: limits)
        guard let crop = picture.cropped(to: face, margin: margin) else {
            throw PictureError("the face's box lies outside the picture")
        }
        return try crop.scaled(toFit: longSide).jpegData(quality: quality)
    }
}
