/// Scrubbed JPEG copies: SOI, fresh Exif (orientation only) and XMP (release stamp only), the
/// segments a decoder needs, then the scans copied byte for byte up to EOI. Everything else —
/// Exif, XMP, ExtendedXMP, IPTC/Photoshop, comments, other APPn, trailers after EOI — is dropped.
enum ScrubJPEG {
    /// A whole marker segment of the source (marker included), to copy as it is.
    struct Segment: Equatable {
        var marker: UInt8
        var offset: Int
        var length: Int
    }

    struct Plan {
        /// JFIF APP0 (at least 14 payload bytes), written first as JFIF requires.
        var jfif: Segment?
        /// ICC profile, Adobe APP14 and the tables and frame header, in file order.
        var decoding: [Segment] = []
        /// Orientation and the IFD0 fields kept beside it, when the source's Exif has one.
        var exif: ExifLayout?
        /// The first SOS segment up to and including EOI.
        var scans: Range<Int>
    }

    private static let jfifSignature = Array("JFIF\0".utf8)
    private static let iccSignature = Array("ICC_PROFILE\0".utf8)
    private static let adobeSignature = Array("Adobe".utf8)
    private static let exifSignature: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00]

    /// Walks the source up to its first scan, deciding what to keep, then finds the EOI that
    /// ends the image. Throws on anything truncated or malformed.
    static func plan(_ file: some RandomAccessBytes) throws -> Plan {
        guard file.size > 0 else { throw MediaReadError.empty }
        guard file.read(at: 0, count: 2) == [0xFF, 0xD8] else { throw MediaReadError.malformed("not a JPEG (no SOI marker)") }
        var jfif: Segment?
        var decoding: [Segment] = []
        var exif: ExifLayout?
        var sawExif = false
        var sawFrame = false
        var position = 2
        for _ in 0..<JPEGSegments.maxSteps {
            let head = file.read(at: position, count: 4)
            guard head.count >= 2 else { throw MediaReadError.malformed("JPEG ends before the image data (truncated)") }
            guard head[0] == 0xFF else {
                // Stray bytes between segments (as the reader tolerates): skipped, so not copied.
                let window = file.read(at: position, count: JPEGSegments.maxResync)
                guard let next = window.firstIndex(of: 0xFF) else {
                    throw MediaReadError.malformed("no JPEG marker after offset \(position)")
                }
                position += next
                continue
            }
            let marker = head[1]
            switch marker {
            case 0xFF:
                position += 1
                continue
            case 0x01, 0xD0...0xD8:
                position += 2
                continue
            case 0xD9:
                throw MediaReadError.malformed("JPEG ends (EOI) before any image data")
            default:
                break
            }
            guard head.count == 4, let length = head.uint16(at: 2, .big).map(Int.init), length >= 2 else {
                throw MediaReadError.malformed("JPEG segment header at offset \(position) is cut short or invalid")
            }
            let end = position + 2 + length
            guard end <= file.size else { throw MediaReadError.malformed("JPEG segment runs past the end of the file (truncated)") }
            let segment = Segment(marker: marker, offset: position, length: 2 + length)
            func payload(_ count: Int) -> [UInt8] { file.read(at: position + 4, count: min(count, length - 2)) }
            switch marker {
            case 0xDA:
                guard sawFrame else { throw MediaReadError.malformed("JPEG has no frame header (SOF) before its image data") }
                let eoi = try endOfImage(file, from: end)
                return Plan(jfif: jfif, decoding: decoding, exif: exif, scans: position..<eoi)
            case 0xE0:
                if jfif == nil, length - 2 >= 14, payload(jfifSignature.count).hasBytes(jfifSignature) { jfif = segment }
            case 0xE1:
                if !sawExif, payload(exifSignature.count).hasBytes(exifSignature) {
                    sawExif = true
                    exif = readExif(file, payloadAt: position + 4, length: length - 2)
                }
            case 0xE2:
                if payload(iccSignature.count).hasBytes(iccSignature) { decoding.append(segment) }
            case 0xEE:
                // Adobe APP14 is exactly "Adobe", version, two flag words and the transform.
                if length - 2 == 12, payload(adobeSignature.count).hasBytes(adobeSignature) { decoding.append(segment) }
            case 0xC0...0xCF, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF:
                // Frame headers, Huffman/arithmetic/quantisation tables, DNL, DRI, DHP, EXP.
                // Copied only when their contents add up, so no other data rides along in them.
                guard let body = file.readExactly(at: position + 4, count: length - 2), isWellFormed(marker, body) else {
                    throw MediaReadError.malformed("JPEG marker segment 0x\(String(marker, radix: 16, uppercase: true)) at offset \(position) is malformed")
                }
                if (0xC0...0xCF).contains(marker), marker != 0xC4, marker != 0xC8, marker != 0xCC { sawFrame = true }
                decoding.append(segment)
            default:
                break // APP1 XMP, APP13 IPTC, COM, other APPn: dropped
            }
            position = end
        }
        throw MediaReadError.malformed("too many JPEG segments")
    }

    /// Whether a table or frame segment's payload is exactly as long as its contents say.
    static func isWellFormed(_ marker: UInt8, _ body: [UInt8]) -> Bool {
        switch marker {
        case 0xC4: // DHT: per table, class/id, 16 counts, then that many symbols
            var i = 0
            while i < body.count {
                guard i + 17 <= body.count else { return false }
                let symbols = body[i + 1..<i + 17].reduce(0) { $0 + Int($1) }
                i += 17 + symbols
            }
            return i == body.count && !body.isEmpty
        case 0xDB: // DQT: per table, precision/id, 64 entries of 1 or 2 bytes
            var i = 0
            while i < body.count {
                i += 1 + (body[i] >> 4 == 0 ? 64 : 128)
            }
            return i == body.count && !body.isEmpty
        case 0xCC: // DAC: 2 bytes per conditioning table
            return !body.isEmpty && body.count % 2 == 0
        case 0xDD: // DRI: restart interval
            return body.count == 2
        case 0xDC: // DNL: number of lines
            return body.count == 2
        case 0xC0...0xCF, 0xDE: // SOFn, DHP: 6 bytes, then 3 per component
            return body.count >= 6 && body.count == 6 + 3 * Int(body[5])
        default: // EXP and reserved frame markers: nothing to check, refuse rather than copy
            return marker == 0xDF && body.count == 1
        }
    }

    /// What is kept of IFD0 of the Exif APP1 payload at `offset`.
    private static func readExif(_ file: some RandomAccessBytes, payloadAt offset: Int, length: Int) -> ExifLayout? {
        guard length > 6, let payload = file.readExactly(at: offset, count: length),
              let tiff = TIFFStructure(source: TIFFBuffer(data: Array(payload[6...])))
        else { return nil }
        return ExifLayout(tiff)
    }

    /// The offset just past the EOI that ends the image, walking the scans from `start` (just
    /// after the first SOS segment). Inside entropy-coded data 0xFF is followed by 0x00 or a
    /// restart marker; other markers between scans (tables, further SOS of progressive files)
    /// are segments stepped over by their length, so bytes inside them cannot pose as EOI.
    /// Metadata segments between scans are refused: they would be copied otherwise.
    static func endOfImage(_ file: some RandomAccessBytes, from start: Int) throws -> Int {
        let chunkSize = 1 << 16
        var chunk: [UInt8] = []
        var chunkStart = start
        var position = start
        var steps = 0
        while true {
            if position < chunkStart || position >= chunkStart + chunk.count {
                chunk = file.read(at: position, count: chunkSize)
                chunkStart = position
                guard !chunk.isEmpty else {
                    throw MediaReadError.malformed("JPEG image data is cut short: no end-of-image marker (truncated)")
                }
            }
            // Find the next 0xFF in this chunk.
            var index = position - chunkStart
            while index < chunk.count, chunk[index] != 0xFF { index += 1 }
            position = chunkStart + index
            if index >= chunk.count { continue }
            guard let next = file.read(at: position + 1, count: 1).first else {
                throw MediaReadError.malformed("JPEG image data is cut short: no end-of-image marker (truncated)")
            }
            switch next {
            case 0x00, 0xD0...0xD7, 0x01:
                position += 2
            case 0xFF:
                position += 1
            case 0xD9:
                return position + 2
            case 0xE0...0xEF, 0xFE:
                throw ScrubError.cannotScrubSafely("JPEG has a metadata segment between its scans at offset \(position)")
            default:
                steps += 1
                guard steps <= JPEGSegments.maxSteps,
                      let length = file.readExactly(at: position + 2, count: 2)?.uint16(at: 0, .big).map(Int.init), length >= 2
                else {
                    throw MediaReadError.malformed("JPEG segment between scans at offset \(position) is cut short or invalid")
                }
                position += 2 + length
                guard position <= file.size else {
                    throw MediaReadError.malformed("JPEG image data is damaged: a segment between scans runs past the end of the file")
                }
            }
        }
    }

    static func write(_ plan: Plan, from file: some RandomAccessBytes, release: ReleaseStamp, to output: ScrubOutput) throws {
        func copy(_ segment: Segment) throws {
            guard let bytes = file.readExactly(at: segment.offset, count: segment.length) else {
                throw MediaReadError.malformed("JPEG changed while being exported")
            }
            try output.write(bytes)
        }
        try output.write([0xFF, 0xD8])
        if let jfif = plan.jfif {
            // Version, units and density only: a JFIF APP0 may also hold a thumbnail.
            guard let header = file.readExactly(at: jfif.offset + 4, count: 12) else {
                throw MediaReadError.malformed("JPEG changed while being exported")
            }
            try output.write(segment(0xE0, header + [0, 0]))
        }
        if let exif = plan.exif {
            try output.write(segment(0xE1, exifSignature + [0x00] + ScrubXMP.exifTIFF(exif)))
        }
        let xmp = JPEGSegments.xmpSignature + ScrubXMP.packet(release)
        guard xmp.count <= ScrubXMP.maxSegmentPayload else {
            throw ScrubError.cannotScrubSafely("the release stamp does not fit in one XMP segment (too many references)")
        }
        try output.write(segment(0xE1, xmp))
        for kept in plan.decoding { try copy(kept) }
        try output.copy(count: Int64(plan.scans.count), at: Int64(plan.scans.lowerBound)) { offset, count in
            file.readExactly(at: Int(offset), count: count)
        }
    }

    /// A marker segment: marker, big-endian length (payload + 2), payload.
    private static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let length = payload.count + 2
        return [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }
}
