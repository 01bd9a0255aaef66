import Foundation
import Pictures

/// Why a picture could not be redacted.
public struct RedactionError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Decodes a JPEG, turns it upright (EXIF orientation), paints black over regions, and encodes
/// a new JPEG. The result is a fresh encode: no EXIF, XMP, GPS, comments or thumbnails from the
/// original can survive in it.
public enum JPEGRedaction {
    /// Regions are widened by this fraction of their size on each side: a face box drawn tight
    /// still leaves hair and ears visible.
    static let margin = 0.05

    /// What one picture of a subject access pack may cost to decode: 8 megapixels (24 MB of RGB;
    /// a 12-megapixel phone photo comes out at 3/4 size), a third of Pictures' standard budget,
    /// so that a pack's process stays under 100 MB whatever a file declares. A copy for the
    /// person to look at needs no more.
    public static let limits = PictureLimits(maximumDecodedPixels: 8_000_000)

    /// Black rectangles, as x, y, w, h fractions of the image as displayed (after orientation).
    public static func redact(_ jpeg: Data, orientation: Int?, blackOut regions: [[Double]], quality: Int = 90) throws -> Data {
        guard PictureFormat(sniffing: jpeg) == .jpeg else { throw RedactionError("not a JPEG file") }
        do {
            var picture = try PictureDecoder.decode(jpeg, orientation: orientation, limits: limits)
            picture.blackOut(regions, margin: margin)
            return try picture.jpegData(quality: quality)
        } catch let error as PictureError {
            throw RedactionError(error.description)
        }
    }
}
