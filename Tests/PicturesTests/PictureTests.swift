import Pictures
import Testing

/// The pixel operations every decoder shares: orientation, scaling, blacking out.
struct PictureTests {
    /// 3×2 picture whose pixels are numbered 0…5 row by row (in the red channel).
    static let numbered = Picture(width: 3, height: 2, pixels: (0..<6).flatMap { [UInt8($0), 0, 0] })

    func reds(_ picture: Picture) -> [[UInt8]] {
        (0..<picture.height).map { y in (0..<picture.width).map { x in picture.pixels[(y * picture.width + x) * 3] } }
    }

    // What a viewer shows for each EXIF orientation of the stored rows [0 1 2] / [3 4 5].
    @Test(arguments: [
        (1, [[0, 1, 2], [3, 4, 5]]), (2, [[2, 1, 0], [5, 4, 3]]), (3, [[5, 4, 3], [2, 1, 0]]), (4, [[3, 4, 5], [0, 1, 2]]),
        (5, [[0, 3], [1, 4], [2, 5]]), (6, [[3, 0], [4, 1], [5, 2]]), (7, [[5, 2], [4, 1], [3, 0]]), (8, [[2, 5], [1, 4], [0, 3]]),
    ] as [(Int, [[UInt8]])])
    func orientations(orientation: Int, shown: [[UInt8]]) {
        #expect(reds(Self.numbered.oriented(orientation)) == shown)
    }

    @Test func unknownOrientationsLeaveThePictureAsStored() {
        for value in [nil, 0, 9, -1, Int.max] as [Int?] { #expect(Self.numbered.oriented(value) == Self.numbered) }
    }

    @Test func scalingAveragesTheAreaEachPixelCovers() {
        let checker = Picture(width: 4, height: 2, pixels: (0..<8).flatMap { i -> [UInt8] in (i % 2 == 0) ? [200, 100, 0] : [0, 100, 200] })
        let small = checker.scaled(toFit: 2)
        #expect(small.width == 2 && small.height == 1)
        #expect(small.pixels == [100, 100, 100, 100, 100, 100])
        #expect(checker.scaled(toFit: 10) == checker)
    }

    @Test func blackOutClipsAndIgnoresHostileRegions() {
        var picture = Picture(width: 10, height: 10, pixels: [UInt8](repeating: 255, count: 300))
        picture.blackOut([[-5, 0, 5.5, 0.5], [.nan, 0, 1, 1], [0.5, 0.5, -1, -1], [0.2], [1e300, 1e300, 1e300, 1e300]])
        #expect(picture.pixels[0] == 0 && picture.pixels[(4 * 10 + 4) * 3] == 0)
        #expect(picture.pixels[(9 * 10 + 9) * 3] == 255)
    }
}
