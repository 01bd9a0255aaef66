/// Walks the marker segments of a JPEG up to the start of scan (SOS), reading only segment
/// headers and the few payloads Clearance needs: APP1 Exif, APP1 XMP and ExtendedXMP, SOFn.
/// The compressed image data after SOS is never read.
enum JPEGSegments {
    /// Steps (segments or fill bytes) before giving up on a hostile file.
    static let maxSteps = 8192
    /// ExtendedXMP is reassembled into memory; cap it.
    static let maxExtendedXMP = 8 << 20
    /// How far to look for the next marker after stray bytes.
    static let maxResync = 1 << 20

    static let xmpSignature = Array("http://ns.adobe.com/xap/1.0/\0".utf8)
    static let extendedXMPSignature = Array("http://ns.adobe.com/xmp/extension/\0".utf8)
    private static let exifSignature: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00]

    static func read(_ file: RandomAccessFile) -> ImageMetadata {
        var result = ImageMetadata()
        var mainXMP: [UInt8]?
        var extended = ExtendedXMPAssembly()
        var position = 2 // after SOI
        var steps = 0
        walk: while true {
            steps += 1
            guard steps <= maxSteps else {
                result.problem = .malformed("too many JPEG segments")
                break
            }
            let head = file.read(at: position, count: 4)
            guard head.count >= 2 else {
                result.problem = .malformed("JPEG ends before the image data (truncated)")
                break
            }
            guard head[0] == 0xFF else {
                // Stray bytes between segments are common in the wild; like ExifTool, skip to
                // the next marker instead of giving up on the file.
                guard let next = nextMarker(in: file, from: position) else {
                    result.problem = .malformed("no JPEG marker after offset \(position)")
                    break
                }
                position = next
                continue walk
            }
            let marker = head[1]
            switch marker {
            case 0xFF: // fill byte before a marker
                position += 1
                continue walk
            case 0x01, 0xD0...0xD8: // markers without a length
                position += 2
                continue walk
            case 0xD9:
                result.problem = .malformed("JPEG ends (EOI) before any image data")
                break walk
            default:
                break
            }
            guard head.count == 4, let length = head.uint16(at: 2, .big).map(Int.init) else {
                result.problem = .malformed("JPEG ends inside a segment header (truncated)")
                break
            }
            guard length >= 2 else {
                result.problem = .malformed("JPEG segment with invalid length \(length) at offset \(position)")
                break
            }
            let payloadStart = position + 4
            let segmentEnd = position + 2 + length
            guard segmentEnd <= file.size else {
                result.problem = .malformed("JPEG segment runs past the end of the file (truncated)")
                break
            }
            switch marker {
            case 0xDA: // start of scan: everything Clearance needs comes before it
                if result.width == nil {
                    result.problem = .malformed("JPEG has no frame header (SOF) before its image data")
                } else if !hasEndOfImage(file, after: segmentEnd) {
                    result.problem = .malformed("JPEG image data is cut short: no end-of-image marker (truncated)")
                }
                break walk
            case 0xE1:
                guard let payload = file.readExactly(at: payloadStart, count: length - 2) else {
                    result.problem = .malformed("JPEG APP1 segment cannot be read")
                    break walk
                }
                if payload.hasBytes(exifSignature), payload.count > 6, result.exif == nil {
                    result.exif = TIFFStructure(source: TIFFBuffer(data: Array(payload[6...])))
                } else if payload.hasBytes(xmpSignature), mainXMP == nil {
                    mainXMP = Array(payload[xmpSignature.count...])
                } else if payload.hasBytes(extendedXMPSignature) {
                    extended.add(Array(payload[extendedXMPSignature.count...]))
                }
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
                if result.width == nil, let frame = file.readExactly(at: payloadStart, count: 5),
                   let height = frame.uint16(at: 1, .big), let width = frame.uint16(at: 3, .big) {
                    result.width = Int(width)
                    // Height 0 means "defined later by a DNL marker": unknown here.
                    result.height = height == 0 ? nil : Int(height)
                }
            default:
                break
            }
            position = segmentEnd
        }
        if let mainXMP {
            result.xmpPackets.append(mainXMP)
        }
        result.xmpPackets += extended.packets(referencedBy: mainXMP)
        return result
    }

    /// Whether the compressed data ends with EOI. Usually the last two bytes say so; files
    /// with a trailer (Motion Photos append a video, some phones a block of their own) are
    /// scanned from the image data on. Inside entropy-coded data 0xFF is always followed by
    /// 0x00 or a restart marker, so the first 0xFF 0xD9 is the real end of the image.
    static func hasEndOfImage(_ file: RandomAccessFile, after start: Int) -> Bool {
        if file.read(at: file.size - 2, count: 2) == [0xFF, 0xD9] { return true }
        let chunk = 1 << 16
        var offset = start
        var previous: UInt8 = 0
        while offset < file.size {
            let bytes = file.read(at: offset, count: chunk)
            if bytes.isEmpty { return false }
            for byte in bytes {
                if previous == 0xFF && byte == 0xD9 { return true }
                previous = byte
            }
            offset += bytes.count
        }
        return false
    }

    /// Offset of the next 0xFF byte within `maxResync` bytes of `start`.
    private static func nextMarker(in file: RandomAccessFile, from start: Int) -> Int? {
        var offset = start
        while offset < min(file.size, start + maxResync) {
            let chunk = file.read(at: offset, count: 4096)
            if chunk.isEmpty { return nil }
            if let index = chunk.firstIndex(of: 0xFF) { return offset + index }
            offset += chunk.count
        }
        return nil
    }
}

/// ExtendedXMP chunks (GUID, full length, offset, data) reassembled by GUID.
struct ExtendedXMPAssembly {
    private struct Packet {
        var bytes: [UInt8]
        var offsets: Set<Int> = []
        var filled = 0
    }

    private var packets: [[UInt8]: Packet] = [:]
    private var order: [[UInt8]] = []

    /// `chunk` is the APP1 payload after the ExtendedXMP signature.
    mutating func add(_ chunk: [UInt8]) {
        guard chunk.count > 40, let total = chunk.uint32(at: 32, .big).map(Int.init),
              let offset = chunk.uint32(at: 36, .big).map(Int.init),
              total > 0, total <= JPEGSegments.maxExtendedXMP
        else { return }
        let guid = Array(chunk[0..<32])
        let data = chunk[40...]
        var packet = packets[guid] ?? Packet(bytes: [UInt8](repeating: 0, count: total))
        guard packet.bytes.count == total, offset <= total - data.count, !packet.offsets.contains(offset) else { return }
        if packets[guid] == nil { order.append(guid) }
        packet.bytes.replaceSubrange(offset..<offset + data.count, with: data)
        packet.offsets.insert(offset)
        packet.filled += data.count
        packets[guid] = packet
    }

    /// Complete packets: the one whose GUID the main packet names (xmpNote:HasExtendedXMP),
    /// or, when the main packet names none of them, every complete one.
    func packets(referencedBy main: [UInt8]?) -> [[UInt8]] {
        let complete = order.compactMap { guid -> ([UInt8], [UInt8])? in
            guard let packet = packets[guid], packet.filled >= packet.bytes.count else { return nil }
            return (guid, packet.bytes)
        }
        if let main, let named = complete.first(where: { main.firstIndex(of: $0.0) != nil }) {
            return [named.1]
        }
        return complete.map(\.1)
    }
}
