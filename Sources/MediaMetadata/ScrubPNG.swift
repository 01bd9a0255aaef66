/// Scrubbed PNG copies: the signature, IHDR, a fresh eXIf (orientation only) and XMP iTXt
/// (release stamp only), then the chunks that decide how pixels look, copied as they are.
/// Text chunks (tEXt, zTXt, iTXt: comments, authors, XMP), the source's eXIf, tIME and any
/// private chunk are dropped, and so is anything after IEND.
enum ScrubPNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Chunks needed to show the image as its author saw it (APNG animation included).
    static let kept: Set<String> = [
        "IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "bKGD", "pHYs",
        "cICP", "mDCv", "cLLi", "acTL", "fcTL", "fdAT",
    ]

    struct Plan {
        /// Whole chunks (length, type, data, CRC) to copy, in file order, IHDR first.
        var chunks: [Range<Int>]
        var exif: ExifLayout?
    }

    static func plan(_ file: RandomAccessFile) throws -> Plan {
        guard file.size > 0 else { throw MediaReadError.empty }
        guard file.read(at: 0, count: 8) == signature else { throw MediaReadError.malformed("not a PNG (bad signature)") }
        var chunks: [Range<Int>] = []
        var exif: ExifLayout?
        var position = 8
        for index in 0..<PNGChunks.maxChunks {
            guard let head = file.readExactly(at: position, count: 8), let declared = head.uint32(at: 0, .big) else {
                throw MediaReadError.malformed("PNG ends before its IEND chunk (truncated)")
            }
            let length = Int(declared)
            let type = String(decoding: head[4..<8], as: UTF8.self)
            let end = position + 12 + length
            guard declared <= 0x7FFF_FFFF, end <= file.size else {
                throw MediaReadError.malformed("PNG chunk \(type.debugDescription) runs past the end of the file (truncated)")
            }
            if index == 0, type != "IHDR" { throw MediaReadError.malformed("PNG does not start with an IHDR chunk") }
            if type == "eXIf", exif == nil, length <= PNGChunks.maxExifChunk, var bytes = file.readExactly(at: position + 8, count: length) {
                if bytes.hasBytes(ExifBlock.exifHeader) { bytes.removeFirst(6) }
                exif = TIFFStructure(source: TIFFBuffer(data: bytes)).flatMap(ExifLayout.init)
            }
            if kept.contains(type) { chunks.append(position..<end) }
            if type == "IEND" { return Plan(chunks: chunks, exif: exif) }
            position = end
        }
        throw MediaReadError.malformed("too many PNG chunks")
    }

    static func write(_ plan: Plan, from file: RandomAccessFile, release: ReleaseStamp, to output: ScrubOutput) throws {
        try output.write(signature)
        for (index, range) in plan.chunks.enumerated() {
            try output.copy(count: Int64(range.count), at: Int64(range.lowerBound)) { file.readExactly(at: Int($0), count: $1) }
            guard index == 0 else { continue }
            // Right after IHDR: eXIf must precede IDAT, and iTXt may go anywhere.
            if let exif = plan.exif { try output.write(chunk("eXIf", ScrubXMP.exifTIFF(exif))) }
            // iTXt: keyword, NUL, not compressed, method 0, no language tag, no translated keyword.
            try output.write(chunk("iTXt", Array("XML:com.adobe.xmp".utf8) + [0, 0, 0, 0, 0] + ScrubXMP.packet(release)))
        }
    }

    /// A chunk: length, type, data, CRC-32 of type and data.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        let length = UInt32(data.count)
        let crc = CRC32.checksum(typeBytes + data)
        return [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: length >> $0) } + typeBytes + data
            + [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: crc >> $0) }
    }
}

/// CRC-32 as PNG defines it (ISO 3309, polynomial 0xEDB88320, reflected).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
