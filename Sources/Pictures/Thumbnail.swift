import Foundation

extension PictureDecoder {
    /// A small, upright JPEG of a picture for showing on a page: JPEG is decoded at the smallest
    /// DCT scale that still covers `longSide` (so a 12-megapixel photo is never decoded whole),
    /// then area-averaged down and encoded afresh. The result is a new file made from pixels
    /// only: no EXIF, XMP, IPTC, GPS, comment or embedded thumbnail of the original reaches it.
    public static func thumbnailJPEG(_ data: Data, orientation: Int?, longSide: Int, quality: Int = 82,
                                     limits: PictureLimits = .standard) throws -> Data {
        guard longSide > 0 else { throw PictureError("a thumbnail needs a size of at least one pixel") }
        let picture = try decode(data, orientation: orientation, longSide: longSide, limits: limits)
        return try picture.scaled(toFit: longSide).jpegData(quality: quality)
    }
}
