import Foundation

/// Decoders for the payloads of the few boxes Clearance reads. Each takes the payload bytes
/// (after the box header) and returns nil for anything short or odd, never trapping.
enum QuickTimePayloads {
    /// Big-endian unsigned integer of `width` bytes at `offset`, if the bytes are there.
    static func unsigned(_ bytes: [UInt8], at offset: Int, width: Int) -> UInt64? {
        guard offset >= 0, width <= 8, offset <= bytes.count - width else { return nil }
        return bytes[offset..<offset + width].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// `mvhd` creation time: version 0 has 32-bit times after version/flags, version 1 64-bit.
    static func movieCreationTime(_ mvhd: [UInt8]) -> UInt64? {
        switch mvhd.first {
        case 0: unsigned(mvhd, at: 4, width: 4)
        case 1: unsigned(mvhd, at: 4, width: 8)
        default: nil
        }
    }

    /// `tkhd` width and height, 16.16 fixed point, rounded to whole pixels; nil when zero.
    static func trackSize(_ tkhd: [UInt8]) -> (width: Int, height: Int)? {
        // version/flags, then times, track ID, reserved, duration (wider in version 1),
        // reserved[2], layer, group, volume, reserved, matrix[9], then width and height.
        let sizeOffset: Int
        switch tkhd.first {
        case 0: sizeOffset = 4 + 20 + 8 + 8 + 36
        case 1: sizeOffset = 4 + 32 + 8 + 8 + 36
        default: return nil
        }
        guard let width = unsigned(tkhd, at: sizeOffset, width: 4), let height = unsigned(tkhd, at: sizeOffset + 4, width: 4)
        else { return nil }
        let w = Int((width + 0x8000) >> 16)
        let h = Int((height + 0x8000) >> 16)
        return w > 0 && h > 0 ? (w, h) : nil
    }

    /// `hdlr` handler type (`vide`, `soun`, `mdta`…): after version/flags and a
    /// pre-defined (QuickTime: component type) field.
    static func handlerType(_ hdlr: [UInt8]) -> QuickTimeBoxType? {
        guard hdlr.count >= 12 else { return nil }
        return QuickTimeBoxType(hdlr[8..<12])
    }

    /// `keys` (QuickTime metadata): version/flags, count, then per key a 32-bit size that
    /// includes itself, a 4-byte namespace and the name. Index 0 of the result is key 1.
    static func keyNames(_ keys: [UInt8]) -> [String] {
        guard let declared = unsigned(keys, at: 4, width: 4) else { return [] }
        var names: [String] = []
        var offset = 8
        // Each entry takes at least 8 bytes, which bounds the loop whatever the count says.
        while names.count < declared, let size = unsigned(keys, at: offset, width: 4), size >= 8,
            size <= UInt64(keys.count - offset)
        {
            let nameBytes = keys[(offset + 8)..<(offset + Int(size))]
            names.append(String(decoding: nameBytes, as: UTF8.self))
            offset += Int(size)
        }
        return names
    }

    /// The value of a `data` box (inside an `ilst` item): type indicator, locale, value.
    /// Text only: type 1 is UTF-8, type 2 UTF-16BE; other types count if they are valid UTF-8.
    static func dataText(_ data: [UInt8]) -> String? {
        guard data.count >= 8, data[0] == 0 else { return nil }
        let value = Array(data[8...])
        let kind = (UInt32(data[1]) << 16) | (UInt32(data[2]) << 8) | UInt32(data[3])
        if kind == 2 {
            return cleaned(utf16BigEndian(value))
        }
        if kind == 1 { return cleaned(String(decoding: value, as: UTF8.self)) }
        return String(validating: value, as: UTF8.self).flatMap(cleaned)
    }

    /// A classic QuickTime user-data text item (`©xyz`, `©mak`, `©day`…): 16-bit length,
    /// 16-bit language, text. Some writers put an iTunes-style `data` box there instead.
    static func userDataText(_ item: [UInt8]) -> String? {
        if item.count >= 16, QuickTimeBoxType(item[4..<8]) == "data",
            let size = unsigned(item, at: 0, width: 4), size >= 16, size <= UInt64(item.count)
        {
            return dataText(Array(item[8..<Int(size)]))
        }
        guard let length = unsigned(item, at: 0, width: 2), Int(length) <= item.count - 4 else { return nil }
        let text = Array(item[4..<(4 + Int(length))])
        return cleaned(String(validating: text, as: UTF8.self) ?? String(decoding: text, as: UTF8.self))
    }

    /// 3GPP `loci`: version/flags, language, name (NUL-terminated, UTF-8 or BOM-led UTF-16),
    /// role byte, then longitude, latitude and altitude as signed 16.16 fixed point.
    static func locationInformation(_ loci: [UInt8]) -> GPSPosition? {
        var offset = 6
        guard offset < loci.count else { return nil }
        if loci.count >= offset + 2, loci[offset] == 0xFE, loci[offset + 1] == 0xFF {
            // UTF-16: ends with a two-byte NUL on an even step.
            offset += 2
            while offset + 1 < loci.count, loci[offset] != 0 || loci[offset + 1] != 0 { offset += 2 }
            offset += 2
        } else {
            while offset < loci.count, loci[offset] != 0 { offset += 1 }
            offset += 1
        }
        offset += 1 // role
        guard let lon = unsigned(loci, at: offset, width: 4), let lat = unsigned(loci, at: offset + 4, width: 4),
            let alt = unsigned(loci, at: offset + 8, width: 4)
        else { return nil }
        func fixed(_ raw: UInt64) -> Double { Double(Int32(bitPattern: UInt32(truncatingIfNeeded: raw))) / 65536 }
        let latitude = fixed(lat)
        let longitude = fixed(lon)
        guard abs(latitude) <= 90, abs(longitude) <= 180 else { return nil }
        return GPSPosition(latitude: latitude, longitude: longitude, altitude: fixed(alt))
    }

    private static func utf16BigEndian(_ bytes: [UInt8]) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = 0
        while index + 1 < bytes.count {
            units.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
            index += 2
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// Trims padding (spaces, NULs) that cameras leave around strings; empty means absent.
    static func cleaned(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines.union(.controlCharacters))
        return trimmed.isEmpty ? nil : trimmed
    }
}
