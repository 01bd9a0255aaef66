/// Where TIFF bytes come from. Offsets are relative to the TIFF header ("II*\0" / "MM\0*").
protocol TIFFByteSource {
    /// Exactly `count` bytes at `offset`, or nil when they are not all there.
    func bytes(at offset: Int, count: Int) -> [UInt8]?
}

/// A TIFF structure held in memory: the EXIF block of a JPEG, PNG or HEIC file.
struct TIFFBuffer: TIFFByteSource {
    let data: [UInt8]

    func bytes(at offset: Int, count: Int) -> [UInt8]? {
        guard offset >= 0, count >= 0, offset <= data.count - count else { return nil }
        return Array(data[offset..<offset + count])
    }
}

/// A TIFF structure read from a file on demand: TIFF files can be large, and their
/// directories may sit anywhere (often after the image data).
struct TIFFFileSource: TIFFByteSource {
    let file: RandomAccessFile
    let base: Int

    func bytes(at offset: Int, count: Int) -> [UInt8]? {
        guard offset >= 0, offset <= Int.max - base else { return nil }
        return file.readExactly(at: base + offset, count: count)
    }
}

/// One 12-byte directory entry, value not yet fetched.
struct TIFFEntry {
    var tag: UInt16
    var type: UInt16
    var count: UInt32
    /// The 4-byte value/offset field, as stored.
    var field: [UInt8]

    /// Bytes per element for TIFF types 1...12 (the ones EXIF uses), nil for others.
    static func elementSize(_ type: UInt16) -> Int? {
        switch type {
        case 1, 2, 6, 7: 1
        case 3, 8: 2
        case 4, 9, 11: 4
        case 5, 10, 12: 8
        default: nil
        }
    }

    /// Size of the value in bytes, nil for unknown types.
    var byteCount: Int? {
        guard let size = Self.elementSize(type) else { return nil }
        let (total, overflow) = Int(count).multipliedReportingOverflow(by: size)
        return overflow ? nil : total
    }
}

/// A bounded walk over TIFF directories. Never follows a directory twice and never reads
/// more than `maxEntries` entries per directory, so offset loops and huge counts are harmless.
struct TIFFStructure {
    static let maxEntries = 1024

    let source: any TIFFByteSource
    let order: ByteOrder
    let firstDirectory: Int

    init?(source: any TIFFByteSource) {
        guard let header = source.bytes(at: 0, count: 8),
              let order = ByteOrder(tiffMark: header),
              header.uint16(at: 2, order) == 42,
              let first = header.uint32(at: 4, order)
        else { return nil }
        self.source = source
        self.order = order
        self.firstDirectory = Int(first)
    }

    /// The entries of the directory at `offset` and the offset of the next one (0 = none).
    func directory(at offset: Int) -> (entries: [TIFFEntry], next: Int)? {
        guard offset >= 8, let countBytes = source.bytes(at: offset, count: 2),
              let declared = countBytes.uint16(at: 0, order)
        else { return nil }
        let count = min(Int(declared), Self.maxEntries)
        guard let table = source.bytes(at: offset + 2, count: count * 12) else { return nil }
        var entries: [TIFFEntry] = []
        entries.reserveCapacity(count)
        for i in 0..<count {
            let at = i * 12
            guard let tag = table.uint16(at: at, order), let type = table.uint16(at: at + 2, order),
                  let n = table.uint32(at: at + 4, order)
            else { break }
            entries.append(TIFFEntry(tag: tag, type: type, count: n, field: Array(table[at + 8..<at + 12])))
        }
        let next = source.bytes(at: offset + 2 + Int(declared) * 12, count: 4)?.uint32(at: 0, order) ?? 0
        return (entries, Int(next))
    }

    /// The value bytes of `entry` if they fit in `limit` bytes and are inside the source.
    func value(of entry: TIFFEntry, limit: Int) -> [UInt8]? {
        guard let size = entry.byteCount, size <= limit else { return nil }
        if size <= 4 { return Array(entry.field.prefix(size)) }
        guard let offset = entry.field.uint32(at: 0, order) else { return nil }
        return source.bytes(at: Int(offset), count: size)
    }

    /// First element of a SHORT or LONG entry (how sizes and pointers are stored).
    func integer(of entry: TIFFEntry) -> Int? {
        guard entry.count >= 1 else { return nil }
        switch entry.type {
        case 3: return entry.field.uint16(at: 0, order).map(Int.init)
        case 4, 13: return entry.field.uint32(at: 0, order).map(Int.init)
        default: return nil
        }
    }

    /// Offsets in a SubIFDs (0x014A) entry, capped.
    func offsets(of entry: TIFFEntry, max: Int) -> [Int] {
        guard entry.type == 4 || entry.type == 13, entry.count >= 1 else { return [] }
        let count = min(Int(entry.count), max)
        guard let bytes = value(of: TIFFEntry(tag: entry.tag, type: entry.type, count: UInt32(count), field: entry.field), limit: 4 * max)
        else { return [] }
        return (0..<count).compactMap { bytes.uint32(at: $0 * 4, order).map(Int.init) }
    }
}

enum TIFFTag {
    static let newSubfileType: UInt16 = 0x00FE
    static let imageWidth: UInt16 = 0x0100
    static let imageLength: UInt16 = 0x0101
    static let subIFDs: UInt16 = 0x014A
    static let xmp: UInt16 = 0x02BC
    static let iptc: UInt16 = 0x83BB
    static let iccProfile: UInt16 = 0x8773
    static let exifPointer: UInt16 = 0x8769
    static let gpsPointer: UInt16 = 0x8825
    static let interopPointer: UInt16 = 0xA005
    static let makerNote: UInt16 = 0x927C
}
