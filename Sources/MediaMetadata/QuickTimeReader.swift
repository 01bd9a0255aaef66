/// Reads capture time, location, camera, frame size and XMP from MP4, MOV and M4V files.
///
/// The file is read by seeking: only the top-level box headers, the `moov` box (capped) and
/// XMP `uuid` boxes are read, never the media data.
public enum QuickTimeReader {
    /// Larger `moov` boxes are refused rather than loaded.
    public static let maxMovieBytes: Int64 = 64 << 20
    /// Larger XMP packets are skipped and reported.
    public static let maxXMPBytes: Int64 = 16 << 20
    /// Bigger user-data and metadata items than this are not text we want.
    static let maxItemBytes: Int64 = 1 << 20

    /// The Adobe XMP `uuid` box type (BE7ACFCB-97A9-42E8-9C71-999491E3AFAC).
    public static let xmpUUID: [UInt8] = [
        0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC,
    ]

    /// Facts of a whole, well-formed file. Throws `MediaReadError` when the file cannot be
    /// opened, is empty, is not a box file, has no `moov`, or is damaged anywhere (truncated
    /// included); use `readPartially` to keep what a damaged file still tells.
    public static func read(fileAt path: String) throws -> QuickTimeFacts {
        let reading = try readPartially(fileAt: path)
        if let damage = reading.damage { throw damage }
        return reading.facts
    }

    /// Facts read up to any damage, and the damage. Throws only when nothing can be read:
    /// the file cannot be opened, is empty, is not a box file, or has no readable `moov`.
    public static func readPartially(fileAt path: String) throws(MediaReadError) -> QuickTimeReading {
        let file = try QuickTimeFile(path: path)
        guard file.fileLength > 0 else { throw .empty }

        let top = QuickTimeBoxWalker.boxes(in: 0..<file.fileLength, of: file, topLevel: true)
        var damages: [QuickTimeDamage] = top.damage.map { [$0] } ?? []

        var movie = top.boxes.first { $0.type == "moov" }
        if movie == nil, let damaged = top.damage?.box, damaged.type == "moov", top.damage?.kind == .truncated {
            movie = damaged
        }
        guard let movie else {
            if let damage = top.damage { throw .malformed(damage.message) }
            throw .malformed("no movie box ('moov') found")
        }
        guard movie.payloadSize <= maxMovieBytes else {
            throw .malformed("'moov' box at offset \(movie.offset) declares \(movie.payloadSize) bytes, over the \(maxMovieBytes >> 20) MiB limit")
        }
        let available = min(movie.payloadSize, file.fileLength - movie.payloadOffset)
        guard let movieBytes = file.bytes(at: movie.payloadOffset, count: Int(available)) else {
            throw .malformed("cannot read the 'moov' box at offset \(movie.offset)")
        }
        let loaded = QuickTimeLoadedBytes(baseOffset: movie.payloadOffset, storage: movieBytes, fileLength: file.fileLength)

        var scan = QuickTimeMovieScan()
        damages += scan.scan(movie: movie, in: loaded)

        // All packets together stay under the packet cap too: many uuid boxes must not add up.
        var xmpBudget = maxXMPBytes - scan.xmp.reduce(0) { $0 + Int64($1.packet.count) }
        for box in top.boxes where box.type == "uuid" {
            switch xmpPacket(in: box, of: file, budget: xmpBudget) {
            case .packet(let bytes):
                scan.xmp.append((box.offset, bytes))
                xmpBudget -= Int64(bytes.count)
            case .tooLarge(let damage): damages.append(damage)
            case .notXMP: break
            }
        }

        let first = damages.min { $0.offset < $1.offset }
        return QuickTimeReading(facts: scan.facts(), damage: first.map { .malformed($0.message) })
    }

    enum XMPBox {
        case notXMP
        case packet([UInt8])
        case tooLarge(QuickTimeDamage)
    }

    /// The packet in a `uuid` box whose user type is the XMP one.
    static func xmpPacket(in box: QuickTimeBox, of source: some QuickTimeByteSource, budget: Int64 = maxXMPBytes) -> XMPBox {
        guard box.payloadSize >= 16, source.bytes(at: box.payloadOffset, count: 16) == xmpUUID else { return .notXMP }
        let length = box.payloadSize - 16
        guard length <= budget else {
            return .tooLarge(QuickTimeDamage(
                kind: .limit, offset: box.offset,
                message: "XMP box at offset \(box.offset) holds \(length) bytes, over the \(maxXMPBytes >> 20) MiB limit for XMP; not read",
                box: box))
        }
        guard let bytes = source.bytes(at: box.payloadOffset + 16, count: Int(length)) else { return .notXMP }
        return .packet(bytes)
    }
}
