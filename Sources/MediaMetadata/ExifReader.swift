import Foundation
import CExif

/// The EXIF fields Clearance uses.
struct ExifFacts: Sendable, Equatable {
    var capturedAt: String?
    var gps: GPSPosition?
    var make: String?
    var model: String?
    var serial: String?
    var orientation: Int?
    /// PixelXDimension/PixelYDimension: what the camera says, used only when the container
    /// gives no frame size.
    var pixelWidth: Int?
    var pixelHeight: Int?
}

/// Reads EXIF through libexif, from a block rebuilt by `ExifBlock` (no maker note ever reaches
/// libexif). libexif is told not to "fix" data (which would invent default values).
enum ExifReader {
    static func read(_ tiff: TIFFStructure) -> ExifFacts? {
        guard let block = ExifBlock.sanitized(tiff) else { return nil }
        return read(block: block)
    }

    /// `block` is "Exif\0\0" + TIFF bytes.
    static func read(block: [UInt8]) -> ExifFacts? {
        guard let data = exif_data_new() else { return nil }
        defer { exif_data_unref(data) }
        exif_data_set_option(data, EXIF_DATA_OPTION_IGNORE_UNKNOWN_TAGS)
        exif_data_unset_option(data, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION)
        exif_data_set_option(data, EXIF_DATA_OPTION_DONT_CHANGE_MAKER_NOTE)
        block.withUnsafeBufferPointer { buffer in
            exif_data_load_data(data, buffer.baseAddress, UInt32(buffer.count))
        }
        let order = exif_data_get_byte_order(data)
        let ifds = data.pointee.ifd
        let view = ExifView(ifd0: ifds.0, exif: ifds.2, gps: ifds.3, order: order)

        var facts = ExifFacts()
        facts.make = view.text(EXIF_TAG_MAKE, in: view.ifd0)
        facts.model = view.text(EXIF_TAG_MODEL, in: view.ifd0)
        facts.serial = view.text(EXIF_TAG_BODY_SERIAL_NUMBER, in: view.exif)
        if let orientation = view.integer(EXIF_TAG_ORIENTATION, in: view.ifd0), (1...8).contains(orientation) {
            facts.orientation = orientation
        }
        facts.pixelWidth = view.integer(EXIF_TAG_PIXEL_X_DIMENSION, in: view.exif).flatMap { $0 > 0 ? $0 : nil }
        facts.pixelHeight = view.integer(EXIF_TAG_PIXEL_Y_DIMENSION, in: view.exif).flatMap { $0 > 0 ? $0 : nil }
        facts.capturedAt = captureTime(view)
        facts.gps = position(view)
        return facts
    }

    /// DateTimeOriginal (+ OffsetTimeOriginal), else CreateDate/DateTimeDigitized (+ OffsetTimeDigitized).
    private static func captureTime(_ view: ExifView) -> String? {
        let pairs: [(ExifTag, ExifTag)] = [
            (EXIF_TAG_DATE_TIME_ORIGINAL, EXIF_TAG_OFFSET_TIME_ORIGINAL),
            (EXIF_TAG_DATE_TIME_DIGITIZED, EXIF_TAG_OFFSET_TIME_DIGITIZED),
        ]
        for (dateTag, offsetTag) in pairs {
            guard let raw = view.text(dateTag, in: view.exif), let local = ExifDate.iso8601(raw) else { continue }
            let offset = view.text(offsetTag, in: view.exif).flatMap(ExifDate.offset)
            return local + (offset ?? "")
        }
        return nil
    }

    private static func position(_ view: ExifView) -> GPSPosition? {
        guard let latitude = view.degrees(GPSTag.latitude),
              let longitude = view.degrees(GPSTag.longitude),
              (-90...90).contains(latitude), (-180...180).contains(longitude)
        else { return nil }
        let south = view.text(GPSTag.latitudeRef, in: view.gps)?.uppercased() == "S"
        let west = view.text(GPSTag.longitudeRef, in: view.gps)?.uppercased() == "W"
        var altitude = view.rationals(GPSTag.altitude, in: view.gps)?.first
        if let value = altitude, view.bytes(GPSTag.altitudeRef, in: view.gps)?.first == 1 {
            altitude = -value
        }
        return GPSPosition(latitude: south ? -latitude : latitude, longitude: west ? -longitude : longitude, altitude: altitude)
    }
}

/// GPS tag numbers: libexif declares them as macros, which Swift imports as plain integers.
private enum GPSTag {
    static let latitudeRef = ExifTag(rawValue: 0x0001)
    static let latitude = ExifTag(rawValue: 0x0002)
    static let longitudeRef = ExifTag(rawValue: 0x0003)
    static let longitude = ExifTag(rawValue: 0x0004)
    static let altitudeRef = ExifTag(rawValue: 0x0005)
    static let altitude = ExifTag(rawValue: 0x0006)
}

/// Typed access to the entries libexif loaded, checked against each entry's size.
private struct ExifView {
    let ifd0: UnsafeMutablePointer<ExifContent>?
    let exif: UnsafeMutablePointer<ExifContent>?
    let gps: UnsafeMutablePointer<ExifContent>?
    let order: ExifByteOrder

    func entry(_ tag: ExifTag, in content: UnsafeMutablePointer<ExifContent>?) -> ExifEntry? {
        guard let content, let entry = exif_content_get_entry(content, tag) else { return nil }
        let value = entry.pointee
        guard value.data != nil, value.size > 0 else { return nil }
        return value
    }

    func bytes(_ tag: ExifTag, in content: UnsafeMutablePointer<ExifContent>?) -> [UInt8]? {
        guard let entry = entry(tag, in: content), let data = entry.data else { return nil }
        return Array(UnsafeBufferPointer(start: data, count: Int(entry.size)))
    }

    /// ASCII (or UNDEFINED) text up to the first NUL, trimmed of spaces; nil when empty.
    func text(_ tag: ExifTag, in content: UnsafeMutablePointer<ExifContent>?) -> String? {
        guard let entry = entry(tag, in: content),
              entry.format == EXIF_FORMAT_ASCII || entry.format == EXIF_FORMAT_UNDEFINED || entry.format == EXIF_FORMAT_BYTE,
              let raw = bytes(tag, in: content)
        else { return nil }
        let upToNul = raw.prefix { $0 != 0 }
        let text = String(decoding: upToNul, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// First value of a SHORT or LONG entry.
    func integer(_ tag: ExifTag, in content: UnsafeMutablePointer<ExifContent>?) -> Int? {
        guard let entry = entry(tag, in: content), let data = entry.data else { return nil }
        switch entry.format {
        case EXIF_FORMAT_SHORT where entry.size >= 2: return Int(exif_get_short(data, order))
        case EXIF_FORMAT_LONG where entry.size >= 4: return Int(exif_get_long(data, order))
        default: return nil
        }
    }

    /// Rationals as doubles; nil if any denominator is zero. Signed rationals are accepted
    /// too: some phones (e.g. HMD Nokia) write GPS coordinates as SRATIONAL.
    func rationals(_ tag: ExifTag, in content: UnsafeMutablePointer<ExifContent>?) -> [Double]? {
        guard let entry = entry(tag, in: content), let data = entry.data,
              entry.format == EXIF_FORMAT_RATIONAL || entry.format == EXIF_FORMAT_SRATIONAL
        else { return nil }
        let count = min(Int(entry.components), Int(entry.size) / 8)
        guard count > 0 else { return nil }
        var values: [Double] = []
        for i in 0..<count {
            if entry.format == EXIF_FORMAT_RATIONAL {
                let r = exif_get_rational(data + i * 8, order)
                guard r.denominator != 0 else { return nil }
                values.append(Double(r.numerator) / Double(r.denominator))
            } else {
                let r = exif_get_srational(data + i * 8, order)
                guard r.denominator != 0 else { return nil }
                values.append(Double(r.numerator) / Double(r.denominator))
            }
        }
        return values
    }

    /// Degrees, minutes, seconds (GPS) to unsigned decimal degrees.
    func degrees(_ tag: ExifTag) -> Double? {
        guard let parts = rationals(tag, in: gps), !parts.isEmpty else { return nil }
        let minutes = parts.count > 1 ? parts[1] : 0
        let seconds = parts.count > 2 ? parts[2] : 0
        return parts[0] + minutes / 60 + seconds / 3600
    }
}

/// EXIF date strings ("2008:05:30 15:56:01", offsets "+02:00") to ISO 8601.
enum ExifDate {
    static func iso8601(_ raw: String) -> String? {
        let digits = Array(raw.utf8)
        guard digits.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard (0x30...0x39).contains(digits[i]) else { return nil }
                value = value * 10 + Int(digits[i] - 0x30)
            }
            return value
        }
        // Separators vary in the wild (':' per spec, '-' or '/' from some software).
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              year > 0, (1...12).contains(month), (1...31).contains(day),
              hour < 24, minute < 60, second < 61
        else { return nil }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let y = String(repeating: "0", count: 4 - String(year).count) + String(year)
        return "\(y)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))"
    }

    /// "+02:00", "-05:00"; "Z"/"+00:00" kept as "+00:00"; nil for anything else.
    static func offset(_ raw: String) -> String? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        let chars = Array(text.utf8)
        guard chars.count == 6, chars[0] == 0x2B || chars[0] == 0x2D, chars[3] == 0x3A,
              [1, 2, 4, 5].allSatisfy({ (0x30...0x39).contains(chars[$0]) })
        else { return nil }
        let hours = Int(chars[1] - 0x30) * 10 + Int(chars[2] - 0x30)
        let minutes = Int(chars[4] - 0x30) * 10 + Int(chars[5] - 0x30)
        guard hours <= 14, minutes < 60 else { return nil }
        return text
    }
}
