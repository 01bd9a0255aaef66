import CHeif

/// Reads a HEIC/HEIF file through libheif: the primary image's size and its Exif and XMP
/// metadata items. Nothing is decoded.
enum HEIFReader {
    static let maxExif = 1 << 20
    static let maxXMP = 4 << 20

    static func read(path: String) -> ImageMetadata {
        var result = ImageMetadata()
        guard let context = heif_context_alloc() else {
            result.problem = .malformed("HEIF reader could not start")
            return result
        }
        defer { heif_context_free(context) }
        let opened = heif_context_read_from_file(context, path, nil)
        guard opened.code == heif_error_Ok else {
            result.problem = .malformed("HEIF: \(message(opened))")
            return result
        }
        var handle: OpaquePointer?
        let primary = heif_context_get_primary_image_handle(context, &handle)
        guard primary.code == heif_error_Ok, let handle else {
            result.problem = .malformed("HEIF has no primary image: \(message(primary))")
            return result
        }
        defer { heif_image_handle_release(handle) }

        // ispe is the stored size, before the irot/imir transforms, matching EXIF Orientation.
        let width = heif_image_handle_get_ispe_width(handle)
        let height = heif_image_handle_get_ispe_height(handle)
        if width > 0, height > 0 {
            result.width = Int(width)
            result.height = Int(height)
        }

        let count = heif_image_handle_get_number_of_metadata_blocks(handle, nil)
        guard count > 0 else { return result }
        var ids = [heif_item_id](repeating: 0, count: Int(min(count, 64)))
        let listed = heif_image_handle_get_list_of_metadata_block_IDs(handle, nil, &ids, Int32(ids.count))
        for id in ids.prefix(Int(max(0, listed))) {
            let type = heif_image_handle_get_metadata_type(handle, id).map { String(cString: $0) } ?? ""
            let contentType = heif_image_handle_get_metadata_content_type(handle, id).map { String(cString: $0) } ?? ""
            let isExif = type == "Exif"
            let isXMP = type == "mime" && contentType == "application/rdf+xml"
            guard isExif || isXMP else { continue }
            let size = heif_image_handle_get_metadata_size(handle, id)
            guard size > 0, size <= (isExif ? maxExif : maxXMP) else { continue }
            var data = [UInt8](repeating: 0, count: size)
            let got = data.withUnsafeMutableBytes { heif_image_handle_get_metadata(handle, id, $0.baseAddress) }
            guard got.code == heif_error_Ok else { continue }
            if isExif, result.exif == nil, let tiff = exifTIFF(data) {
                result.exif = TIFFStructure(source: TIFFBuffer(data: tiff))
            } else if isXMP {
                result.xmpPackets.append(data)
            }
        }
        return result
    }

    /// HEIF Exif items start with a 4-byte big-endian offset from there to the TIFF header.
    static func exifTIFF(_ item: [UInt8]) -> [UInt8]? {
        guard let skip = item.uint32(at: 0, .big).map(Int.init), skip <= item.count - 4 else { return nil }
        let start = 4 + skip
        if ByteOrder(tiffMark: item[start...]) != nil { return Array(item[start...]) }
        // Some writers leave the offset at 0 and keep a JPEG-style "Exif\0\0" prefix.
        if item.hasBytes(ExifBlock.exifHeader, at: 4) { return Array(item[10...]) }
        return nil
    }

    private static func message(_ error: heif_error) -> String {
        error.message.map { String(cString: $0) } ?? "error \(error.code.rawValue)"
    }
}
