/// Walks PNG chunks, reading only the chunk headers and the payloads Clearance needs:
/// IHDR (size), eXIf (EXIF) and iTXt `XML:com.adobe.xmp` (XMP). Image data is skipped by offset.
///
/// Compressed iTXt is skipped: Foundation offers no zlib API on Linux. `Raw profile type exif`
/// text chunks (ImageMagick) are not read either; eXIf is the standard place.
enum PNGChunks {
    static let maxChunks = 100_000
    /// EXIF never needs more than libexif reads; XMP packets may be larger.
    static let maxExifChunk = 1 << 20
    static let maxMetadataChunk = 4 << 20
    private static let xmpKeyword = Array("XML:com.adobe.xmp".utf8)

    static func read(_ file: RandomAccessFile) -> ImageMetadata {
        var result = ImageMetadata()
        var position = 8 // after the signature
        var sawHeader = false
        for index in 0..<maxChunks {
            guard let head = file.readExactly(at: position, count: 8),
                  let declared = head.uint32(at: 0, .big)
            else {
                result.problem = .malformed("PNG ends before its IEND chunk (truncated)")
                return result
            }
            let length = Int(declared)
            let type = String(decoding: head[4..<8], as: UTF8.self)
            let dataStart = position + 8
            // Length field is at most 2^31-1 by the PNG spec; data + CRC must fit in the file.
            guard declared <= 0x7FFF_FFFF, dataStart + length + 4 <= file.size else {
                result.problem = .malformed("PNG chunk \(type.debugDescription) runs past the end of the file")
                return result
            }
            if index == 0 {
                guard type == "IHDR", length >= 8, let ihdr = file.readExactly(at: dataStart, count: 8),
                      let width = ihdr.uint32(at: 0, .big), let height = ihdr.uint32(at: 4, .big)
                else {
                    result.problem = .malformed("PNG does not start with an IHDR chunk")
                    return result
                }
                result.width = Int(width)
                result.height = Int(height)
                sawHeader = true
            }
            switch type {
            case "IEND":
                return result
            case "eXIf" where result.exif == nil && length <= maxExifChunk:
                if var exif = file.readExactly(at: dataStart, count: length) {
                    // Some writers keep the JPEG-style "Exif\0\0" prefix.
                    if exif.hasBytes(ExifBlock.exifHeader) { exif.removeFirst(6) }
                    result.exif = TIFFStructure(source: TIFFBuffer(data: exif))
                }
            case "iTXt" where length <= maxMetadataChunk:
                if let text = file.readExactly(at: dataStart, count: length), let xmp = xmpPacket(iTXt: text) {
                    result.xmpPackets.append(xmp)
                }
            default:
                break
            }
            position = dataStart + length + 4
        }
        if !sawHeader { result.problem = .malformed("PNG has no IHDR chunk") }
        result.problem = result.problem ?? .malformed("PNG has too many chunks")
        return result
    }

    /// The XMP packet of an uncompressed iTXt chunk with keyword `XML:com.adobe.xmp`.
    /// iTXt layout: keyword\0 compression-flag compression-method language\0 translated\0 text.
    static func xmpPacket(iTXt data: [UInt8]) -> [UInt8]? {
        guard data.hasBytes(xmpKeyword + [0]) else { return nil }
        var index = xmpKeyword.count + 1
        guard index + 2 <= data.count, data[index] == 0 else { return nil } // compressed: skipped
        index += 2
        for _ in 0..<2 { // language tag, translated keyword
            guard let end = data[index...].firstIndex(of: 0) else { return nil }
            index = end + 1
        }
        return Array(data[index...])
    }
}
