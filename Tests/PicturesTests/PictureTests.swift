import Foundation
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

    @Test func aCropTakesTheRegionWithItsMarginClippedToThePicture() throws {
        let crop = try #require(Self.numbered.cropped(to: [1.0 / 3, 0, 1.0 / 3, 0.5], margin: 0))
        #expect(reds(crop) == [[1]])
        // Half the region's size on each side, clipped: the whole top row and the middle below it.
        let wider = try #require(Self.numbered.cropped(to: [1.0 / 3, 0, 1.0 / 3, 0.5], margin: 0.5))
        #expect(reds(wider) == [[0, 1, 2], [3, 4, 5]])
        let corner = try #require(Self.numbered.cropped(to: [2.0 / 3, 0.5, 1, 1]))
        #expect(reds(corner) == [[5]])
    }

    @Test func aCropOfAHostileOrOutsideRegionIsNothing() {
        for region in [[Double.nan, 0, 1, 1], [0, 0, .infinity, 1], [1e300, 1e300, 1e300, 1e300], [2, 2, 0.5, 0.5],
                       [0.5, 0.5, -1, -1], [0.2]] {
            #expect(Self.numbered.cropped(to: region) == nil, "\(region)")
        }
        #expect(Self.numbered.cropped(to: [0, 0, 1, 1], margin: .nan) == nil)
        #expect(Self.numbered.cropped(to: [-1e300, -1e300, 1e301, 1e301]) == Self.numbered, "clamped, not overflowed")
    }

    @Test func aFaceCropIsASmallFreshJPEGOrAClearError() throws {
        // A 400 × 300 picture made here: white, with a 40 × 30 black block at (100, 90).
        var pixels = [UInt8](repeating: 255, count: 400 * 300 * 3)
        for y in 90..<120 { for x in 100..<140 { for c in 0..<3 { pixels[(y * 400 + x) * 3 + c] = 0 } } }
        let jpeg = try Picture(width: 400, height: 300, pixels: pixels).jpegData(quality: 95)
        let crop = try PictureDecoder.faceCropJPEG(jpeg, orientation: nil, face: [0.25, 0.3, 0.1, 0.1])
        let decoded = try PictureDecoder.decode(crop, orientation: nil)
        // Twice the box (80 × 60 pixels), the block in its middle half.
        #expect(decoded.width == 80 && decoded.height == 60)
        #expect(decoded.pixels[(30 * 80 + 40) * 3] < 40 && decoded.pixels[(2 * 80 + 2) * 3] > 215)
        #expect(crop.range(of: Data("Exif".utf8)) == nil)
        #expect(throws: PictureError.self) { try PictureDecoder.faceCropJPEG(jpeg, orientation: nil, face: [0.25, 0.3, 0, 0.1]) }
        #expect(throws: PictureError.self) { try PictureDecoder.faceCropJPEG(jpeg, orientation: nil, face: [3, 3, 0.1, 0.1]) }
        #expect(throws: PictureError.self) { try PictureDecoder.faceCropJPEG(Data("not a picture".utf8), orientation: nil, face: [0, 0, 0.1, 0.1]) }
    }
}
