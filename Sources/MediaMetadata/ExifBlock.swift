/// Builds the EXIF block handed to libexif: a fresh, compact TIFF structure holding only the
/// entries of IFD0, the Exif IFD, the GPS IFD and the Interoperability IFD.
///
/// Why rebuild instead of passing the file's bytes: libexif interprets maker notes inside
/// `exif_data_load_data` whenever a MakerNote tag is present, and its maker-note parsers have a
/// history of memory-safety bugs. The rebuilt block never contains a MakerNote (nor thumbnails,
/// XMP, IPTC or ICC data), so libexif has nothing to interpret. It is also small: libexif only
/// reads the first 64 KiB, while TIFF files may keep their directories anywhere.
enum ExifBlock {
    /// libexif ignores data beyond 0xFFFE bytes including the 6-byte "Exif\0\0" header.
    static let maxSize = 0xFFF0
    /// Values larger than this are never needed for Clearance's fields (dates, GPS, names).
    static let maxValueSize = 4096

    static let exifHeader: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]

    /// Tags never copied: pointers are recreated, the rest is large, unneeded or unsafe.
    private static let dropped: Set<UInt16> = [
        TIFFTag.makerNote, TIFFTag.xmp, TIFFTag.iptc, TIFFTag.iccProfile,
        TIFFTag.exifPointer, TIFFTag.gpsPointer, TIFFTag.interopPointer, TIFFTag.subIFDs,
        0x0111, 0x0117, 0x0144, 0x0145, // strip and tile offsets/byte counts
        0x0201, 0x0202, // JPEG thumbnail offset/length
        0xC4A5, // PrintIM
    ]

    private struct Entry {
        var tag: UInt16
        var type: UInt16
        var count: UInt32
        var value: [UInt8]
    }

    /// "Exif\0\0" followed by the rebuilt TIFF structure, or nil when there is no readable IFD0.
    static func sanitized(_ tiff: TIFFStructure) -> [UInt8]? {
        guard let ifd0 = tiff.directory(at: tiff.firstDirectory) else { return nil }
        var budget = maxSize - 8 - exifHeader.count
        var exifOffset: Int?, gpsOffset: Int?, interopOffset: Int?
        for entry in ifd0.entries {
            if entry.tag == TIFFTag.exifPointer { exifOffset = tiff.integer(of: entry) }
            if entry.tag == TIFFTag.gpsPointer { gpsOffset = tiff.integer(of: entry) }
        }
        let main = copy(ifd0.entries, from: tiff, budget: &budget, reserve: 2)
        let exifDirectory = exifOffset.flatMap { tiff.directory(at: $0) }
        let exif: [Entry] = exifDirectory.map { directory -> [Entry] in
            for entry in directory.entries where entry.tag == TIFFTag.interopPointer {
                interopOffset = tiff.integer(of: entry)
            }
            return copy(directory.entries, from: tiff, budget: &budget, reserve: 1)
        } ?? []
        let gps = gpsOffset.flatMap { tiff.directory(at: $0) }.map { copy($0.entries, from: tiff, budget: &budget, reserve: 0) } ?? []
        // The interoperability IFD must not be the Exif or GPS one again (a loop in hostile files).
        let interop = interopOffset.flatMap { offset in
            offset == exifOffset || offset == gpsOffset || offset == tiff.firstDirectory ? nil : tiff.directory(at: offset)
        }.map { copy($0.entries, from: tiff, budget: &budget, reserve: 0) } ?? []

        return write(ifd0: main, exif: exif, gps: gps, interop: interop, order: tiff.order)
    }

    /// Entries worth keeping, their values fetched, within the byte budget.
    private static func copy(_ entries: [TIFFEntry], from tiff: TIFFStructure, budget: inout Int, reserve: Int) -> [Entry] {
        var kept: [Entry] = []
        var seen = Set<UInt16>()
        budget -= 6 + 12 * reserve
        for entry in entries where !dropped.contains(entry.tag) && !seen.contains(entry.tag) {
            guard let size = entry.byteCount, size > 0, size <= maxValueSize else { continue }
            let cost = 12 + (size > 4 ? size + (size & 1) : 0)
            guard cost <= budget, let value = tiff.value(of: entry, limit: maxValueSize) else { continue }
            budget -= cost
            seen.insert(entry.tag)
            kept.append(Entry(tag: entry.tag, type: entry.type, count: entry.count, value: value))
        }
        return kept.sorted { $0.tag < $1.tag }
    }

    private static func directorySize(_ entries: [Entry], pointers: Int) -> Int {
        var size = 2 + 12 * (entries.count + pointers) + 4
        for entry in entries where entry.value.count > 4 { size += entry.value.count + (entry.value.count & 1) }
        return size
    }

    private static func write(ifd0: [Entry], exif: [Entry], gps: [Entry], interop: [Entry], order: ByteOrder) -> [UInt8] {
        let hasInterop = !interop.isEmpty
        let hasExif = !exif.isEmpty || hasInterop
        let hasGPS = !gps.isEmpty
        var main = ifd0
        var exifEntries = exif
        // Pointer values are filled in once the layout is known; placeholders keep the sizes right.
        if hasExif { main.append(Entry(tag: TIFFTag.exifPointer, type: 4, count: 1, value: [0, 0, 0, 0])) }
        if hasGPS { main.append(Entry(tag: TIFFTag.gpsPointer, type: 4, count: 1, value: [0, 0, 0, 0])) }
        if hasInterop { exifEntries.append(Entry(tag: TIFFTag.interopPointer, type: 4, count: 1, value: [0, 0, 0, 0])) }

        let ifd0Offset = 8
        let exifOffset = ifd0Offset + directorySize(main, pointers: 0)
        let gpsOffset = exifOffset + (hasExif ? directorySize(exifEntries, pointers: 0) : 0)
        let interopOffset = gpsOffset + (hasGPS ? directorySize(gps, pointers: 0) : 0)

        func pointer(_ offset: Int) -> [UInt8] { encode32(UInt32(offset), order) }
        for i in main.indices {
            if main[i].tag == TIFFTag.exifPointer { main[i].value = pointer(exifOffset) }
            if main[i].tag == TIFFTag.gpsPointer { main[i].value = pointer(gpsOffset) }
        }
        for i in exifEntries.indices where exifEntries[i].tag == TIFFTag.interopPointer {
            exifEntries[i].value = pointer(interopOffset)
        }

        var out = exifHeader
        out += order == .little ? [0x49, 0x49] : [0x4D, 0x4D]
        out += encode16(42, order) + encode32(UInt32(ifd0Offset), order)
        appendDirectory(main.sorted { $0.tag < $1.tag }, to: &out, order: order)
        if hasExif { appendDirectory(exifEntries.sorted { $0.tag < $1.tag }, to: &out, order: order) }
        if hasGPS { appendDirectory(gps, to: &out, order: order) }
        if hasInterop { appendDirectory(interop, to: &out, order: order) }
        return out
    }

    /// Appends one directory at the current end (offsets are relative to the TIFF header,
    /// which starts after the 6-byte "Exif\0\0").
    private static func appendDirectory(_ entries: [Entry], to out: inout [UInt8], order: ByteOrder) {
        let start = out.count - exifHeader.count
        var dataOffset = start + 2 + 12 * entries.count + 4
        var table = encode16(UInt16(entries.count), order)
        var data: [UInt8] = []
        for entry in entries {
            table += encode16(entry.tag, order) + encode16(entry.type, order) + encode32(entry.count, order)
            if entry.value.count > 4 {
                table += encode32(UInt32(dataOffset), order)
                data += entry.value
                if entry.value.count & 1 == 1 { data.append(0) }
                dataOffset += entry.value.count + (entry.value.count & 1)
            } else {
                table += entry.value + [UInt8](repeating: 0, count: 4 - entry.value.count)
            }
        }
        table += [0, 0, 0, 0] // no next directory: IFD1 (thumbnail) is never copied
        out += table + data
    }

    private static func encode16(_ value: UInt16, _ order: ByteOrder) -> [UInt8] {
        let bytes = [UInt8(value >> 8), UInt8(value & 0xFF)]
        return order == .big ? bytes : bytes.reversed()
    }

    private static func encode32(_ value: UInt32, _ order: ByteOrder) -> [UInt8] {
        let bytes = [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        return order == .big ? bytes : bytes.reversed()
    }
}
