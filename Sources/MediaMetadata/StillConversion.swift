import CHeif
import Foundation
import Pictures

/// HEIC/HEIF and TIFF pictures exported as JPEG, which every channel takes: decoded (through
/// `Pictures`: libheif, libtiff) and turned upright, then encoded afresh with libjpeg-turbo.
/// Nothing of the original's metadata survives a decode; the colour profile is carried over
/// (an iPhone's Display P3 picture shown as sRGB looks washed out), and the JPEG then goes
/// through the JPEG scrubber, which adds the release stamp exactly as for any other JPEG.
/// HEIF depth maps, auxiliary pictures (HDR gain maps, alpha) and thumbnails are other items
/// and are never decoded.
enum StillConversion {
    /// JPEG quality 92: visually lossless for photographs, about a third of the size of 100.
    static let quality = 92

    /// A converted picture: the JPEG bytes and the size it must show at.
    struct Converted {
        var jpeg: [UInt8]
        var width: Int
        var height: Int
    }

    static func jpeg(from path: String, format: ContainerFormat, limits: PictureLimits) throws -> Converted {
        let file = try RandomAccessFile(path: path)
        guard file.size > 0 else { throw MediaReadError.empty }
        let orientation: Int?
        let profile: [UInt8]?
        switch format {
        case .heic:
            // HEIF carries its rotation and mirroring as item properties, which libheif applies;
            // an Exif orientation inside it is informational only (HEIF specification).
            orientation = nil
            profile = HEIFReader.colourProfile(path: path)
        case .tiff:
            let container = TIFFContainer.read(file)
            orientation = container.exif.flatMap { ExifReader.read($0) }?.orientation
            profile = container.exif.flatMap(Self.tiffProfile)
        default:
            throw MediaReadError.unsupportedFormat("\(format.rawValue.uppercased()) is not converted to JPEG")
        }
        let picture: Picture
        do {
            picture = try PictureDecoder.decode(contentsOf: URL(fileURLWithPath: path), orientation: orientation, limits: limits)
        } catch let error as PictureError {
            throw ScrubError.copyFailed("cannot decode the \(format.rawValue.uppercased()) picture: \(error.description)")
        }
        let encoded: [UInt8]
        do {
            encoded = [UInt8](try picture.jpegData(quality: quality))
        } catch let error as PictureError {
            throw ScrubError.copyFailed(error.description)
        }
        return Converted(jpeg: withProfile(encoded, profile), width: picture.width, height: picture.height)
    }

    /// ICC profiles larger than this are not carried over (a real one is a few kilobytes).
    static let maxProfileBytes = 1 << 20
    /// ICC payload per APP2 segment: 65533 bytes less the "ICC_PROFILE\0" tag and two counters.
    static let profileChunk = 65533 - 14

    /// `jpeg` with `profile` inserted as APP2 ICC_PROFILE segments after SOI and JFIF APP0, when
    /// it is an RGB display profile (the pixels are RGB now, whatever the source was).
    static func withProfile(_ jpeg: [UInt8], _ profile: [UInt8]?) -> [UInt8] {
        guard let profile, profile.count >= 128, profile.count <= maxProfileBytes,
              profile.hasBytes(Array("RGB ".utf8), at: 16), profile.hasBytes(Array("acsp".utf8), at: 36),
              jpeg.count > 4, jpeg[0] == 0xFF, jpeg[1] == 0xD8
        else { return jpeg }
        var insertAt = 2
        if jpeg.count > 6, jpeg[2] == 0xFF, jpeg[3] == 0xE0 {
            insertAt = 4 + (Int(jpeg[4]) << 8 | Int(jpeg[5]))
        }
        let chunks = stride(from: 0, to: profile.count, by: profileChunk).map { Array(profile[$0..<min(profile.count, $0 + profileChunk)]) }
        var segments: [UInt8] = []
        for (index, chunk) in chunks.enumerated() {
            let payload = Array("ICC_PROFILE\0".utf8) + [UInt8(index + 1), UInt8(chunks.count)] + chunk
            let length = payload.count + 2
            segments += [0xFF, 0xE2, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        }
        return Array(jpeg[..<insertAt]) + segments + Array(jpeg[insertAt...])
    }

    /// The InterColorProfile (tag 34675) of a TIFF's first directory.
    private static func tiffProfile(_ tiff: TIFFStructure) -> [UInt8]? {
        guard let ifd0 = tiff.directory(at: tiff.firstDirectory),
              let entry = ifd0.entries.first(where: { $0.tag == TIFFTag.iccProfile }), entry.type == 7 || entry.type == 1
        else { return nil }
        return tiff.value(of: entry, limit: maxProfileBytes)
    }
}

extension HEIFReader {
    /// The primary image's ICC profile (`colr` of type `prof` or `rICC`), if it has one.
    static func colourProfile(path: String) -> [UInt8]? {
        withPrimaryImage(path: path) { handle in
            let type = heif_image_handle_get_color_profile_type(handle)
            guard type == heif_color_profile_type_prof || type == heif_color_profile_type_rICC else { return nil }
            let size = heif_image_handle_get_raw_color_profile_size(handle)
            guard size > 0, size <= StillConversion.maxProfileBytes else { return nil }
            var profile = [UInt8](repeating: 0, count: size)
            let got = profile.withUnsafeMutableBytes { heif_image_handle_get_raw_color_profile(handle, $0.baseAddress) }
            return got.code == heif_error_Ok ? profile : nil
        } ?? nil
    }

    /// The primary image's size as displayed: after libheif applies the file's rotation,
    /// mirroring and crop (`irot`, `imir`, `clap`).
    static func displaySize(path: String) -> (width: Int, height: Int)? {
        withPrimaryImage(path: path) { handle in
            let width = Int(heif_image_handle_get_width(handle)), height = Int(heif_image_handle_get_height(handle))
            return width > 0 && height > 0 ? (width, height) : nil
        } ?? nil
    }

    private static func withPrimaryImage<T>(path: String, _ body: (OpaquePointer) -> T) -> T? {
        guard let context = heif_context_alloc() else { return nil }
        defer { heif_context_free(context) }
        heif_context_set_maximum_image_size_limit(context, 65_535)
        guard heif_context_read_from_file(context, path, nil).code == heif_error_Ok else { return nil }
        var handle: OpaquePointer?
        guard heif_context_get_primary_image_handle(context, &handle).code == heif_error_Ok, let handle else { return nil }
        defer { heif_image_handle_release(handle) }
        return body(handle)
    }
}
