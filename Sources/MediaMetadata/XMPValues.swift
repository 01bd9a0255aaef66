/// Conversions of XMP text values into the forms `MediaFacts` uses.
enum XMPValues {
    /// PLUS codes appear bare (`MR-NON`) or as vocabulary URIs
    /// (`http://ns.useplus.org/ldf/vocab/MR-NON`); both become the bare code.
    static func plusCode(_ value: String) -> String {
        guard let slash = value.lastIndex(of: "/") else { return value }
        let code = value[value.index(after: slash)...]
        return code.isEmpty ? value : String(code)
    }

    /// XMP dates are ISO 8601 already ("2024-05-01T10:20:30+01:00", or only a date, or no
    /// zone). Some writers use EXIF's "2024:05:01 10:20:30"; that is rewritten. Anything not
    /// starting with a plausible date is dropped rather than guessed.
    static func isoDate(_ value: String?) -> String? {
        guard var text = value?.xmpTrimmed(), text.count >= 4, text.count <= 40 else { return nil }
        let chars = Array(text)
        if chars.count >= 19, chars[4] == ":", chars[7] == ":", chars[10] == " " {
            var fixed = chars
            fixed[4] = "-"; fixed[7] = "-"; fixed[10] = "T"
            text = String(fixed)
        }
        let digits = text.prefix(4)
        guard digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
              let year = Int(digits), year > 1800, year < 3000
        else { return nil }
        if text.count > 4 {
            let rest = Array(text)
            guard rest[4] == "-" else { return nil }
        }
        return text
    }

    /// XMP GPS coordinates: "DDD,MM,SSk" or "DDD,MM.mmk" with k one of N/S/E/W.
    static func coordinate(_ value: String?) -> Double? {
        guard var text = value?.xmpTrimmed(), !text.isEmpty, text.count < 64, let last = text.last else { return nil }
        var sign = 1.0
        switch last.uppercased() {
        case "N", "E": text.removeLast()
        case "S", "W": sign = -1; text.removeLast()
        default: break
        }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { Double($0.trimmingCharacters(in: " ")) }
        guard (1...3).contains(parts.count), parts.allSatisfy({ $0 != nil }) else { return nil }
        let numbers = parts.compactMap { $0 }
        var degrees = numbers[0]
        if numbers.count > 1 { degrees += numbers[1] / 60 }
        if numbers.count > 2 { degrees += numbers[2] / 3600 }
        if degrees < 0 { sign = -sign; degrees = -degrees }
        guard degrees.isFinite else { return nil }
        return sign * degrees
    }

    /// A rational "1234/10" or a decimal.
    static func rational(_ value: String?) -> Double? {
        guard let text = value?.xmpTrimmed(), !text.isEmpty, text.count < 64 else { return nil }
        let parts = text.split(separator: "/")
        if parts.count == 2, let n = Double(parts[0]), let d = Double(parts[1]), d != 0 {
            let v = n / d
            return v.isFinite ? v : nil
        }
        guard parts.count == 1, let v = Double(text), v.isFinite else { return nil }
        return v
    }

    static func gps(latitude: String?, longitude: String?, altitude: String?, altitudeRef: String?) -> GPSPosition? {
        guard let lat = coordinate(latitude), let lon = coordinate(longitude),
              abs(lat) <= 90, abs(lon) <= 180
        else { return nil }
        var alt = rational(altitude)
        if altitudeRef?.xmpTrimmed() == "1", let a = alt { alt = -abs(a) }
        return GPSPosition(latitude: lat, longitude: lon, altitude: alt)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var s = self
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return s
    }
}
