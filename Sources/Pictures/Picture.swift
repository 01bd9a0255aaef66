/// Pixels of a still picture as it is displayed: 8-bit RGB, row by row, top-left first, already
/// turned upright. Every decoder in this module hands back this one shape, so the face detector,
/// the subject access redaction, thumbnails and HEIC export all work on the same thing.
public struct Picture: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height * 3` bytes.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 3, "pixel buffer does not match its size")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The picture as displayed after EXIF orientation `orientation` (2–8 mirror and/or rotate
    /// the stored pixels; 1, nil and out-of-range values leave it as stored).
    public func oriented(_ orientation: Int?) -> Picture {
        guard let orientation, (2...8).contains(orientation) else { return self }
        let swaps = orientation >= 5
        let displayWidth = swaps ? height : width, displayHeight = swaps ? width : height
        var out = [UInt8](repeating: 0, count: pixels.count)
        let (width, height) = (self.width, self.height)
        out.withUnsafeMutableBufferPointer { target in
            pixels.withUnsafeBufferPointer { source in
                for dy in 0..<displayHeight {
                    for dx in 0..<displayWidth {
                        // Which stored pixel is shown at (dx, dy).
                        let (sx, sy): (Int, Int)
                        switch orientation {
                        case 2: (sx, sy) = (width - 1 - dx, dy)
                        case 3: (sx, sy) = (width - 1 - dx, height - 1 - dy)
                        case 4: (sx, sy) = (dx, height - 1 - dy)
                        case 5: (sx, sy) = (dy, dx)
                        case 6: (sx, sy) = (dy, height - 1 - dx)
                        case 7: (sx, sy) = (width - 1 - dy, height - 1 - dx)
                        default: (sx, sy) = (width - 1 - dy, dx)
                        }
                        let s = (sy * width + sx) * 3, t = (dy * displayWidth + dx) * 3
                        target[t] = source[s]; target[t + 1] = source[s + 1]; target[t + 2] = source[s + 2]
                    }
                }
            }
        }
        return Picture(width: displayWidth, height: displayHeight, pixels: out)
    }

    /// A smaller copy whose longer side is at most `longSide`, each output pixel the mean of the
    /// source pixels it covers (area averaging keeps small faces and text legible, unlike skipping
    /// pixels). A picture already small enough is returned as it is.
    public func scaled(toFit longSide: Int) -> Picture {
        let longest = max(width, height)
        guard longSide > 0, longest > longSide else { return self }
        let factor = Double(longSide) / Double(longest)
        let newWidth = max(1, Int((Double(width) * factor).rounded()))
        let newHeight = max(1, Int((Double(height) * factor).rounded()))
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        let (width, height) = (self.width, self.height)
        out.withUnsafeMutableBufferPointer { target in
            pixels.withUnsafeBufferPointer { source in
                for y in 0..<newHeight {
                    let y0 = y * height / newHeight, y1 = max(y0 + 1, (y + 1) * height / newHeight)
                    for x in 0..<newWidth {
                        let x0 = x * width / newWidth, x1 = max(x0 + 1, (x + 1) * width / newWidth)
                        var r = 0, g = 0, b = 0
                        for sy in y0..<y1 {
                            var s = (sy * width + x0) * 3
                            for _ in x0..<x1 {
                                r += Int(source[s]); g += Int(source[s + 1]); b += Int(source[s + 2])
                                s += 3
                            }
                        }
                        let count = (y1 - y0) * (x1 - x0), t = (y * newWidth + x) * 3
                        target[t] = UInt8(r / count); target[t + 1] = UInt8(g / count); target[t + 2] = UInt8(b / count)
                    }
                }
            }
        }
        return Picture(width: newWidth, height: newHeight, pixels: out)
    }

    /// Paints black over each region, given as `x, y, w, h` fractions of the picture, widened by
    /// `margin` of its size on every side. Regions that are not four finite numbers are ignored.
    public mutating func blackOut(_ regions: [[Double]], margin: Double = 0) {
        let (width, height) = (self.width, self.height)
        func clamp(_ value: Int, _ limit: Int) -> Int { min(max(value, 0), limit) }
        for region in regions {
            guard region.count == 4, region.allSatisfy({ $0.isFinite }) else { continue }
            let (x, y, w, h) = (region[0], region[1], max(0, region[2]), max(0, region[3]))
            let left = x - w * margin, top = y - h * margin, right = x + w * (1 + margin), bottom = y + h * (1 + margin)
            // Clamp in floating point first: a hostile region of 1e300 must not overflow Int.
            let x0 = clamp(Int((min(max(left, 0), 1) * Double(width)).rounded(.down)), width)
            let x1 = clamp(Int((min(max(right, 0), 1) * Double(width)).rounded(.up)), width)
            let y0 = clamp(Int((min(max(top, 0), 1) * Double(height)).rounded(.down)), height)
            let y1 = clamp(Int((min(max(bottom, 0), 1) * Double(height)).rounded(.up)), height)
            guard x0 < x1, y0 < y1 else { continue }
            pixels.withUnsafeMutableBufferPointer { buffer in
                for row in y0..<y1 {
                    let start = (row * width + x0) * 3
                    for i in start..<(start + (x1 - x0) * 3) { buffer[i] = 0 }
                }
            }
        }
    }
}
