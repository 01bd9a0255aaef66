/// Capture times in QuickTime files, turned into the ISO 8601 form of `MediaFacts.capturedAt`.
public enum QuickTimeTimestamps {
    /// Seconds from 1904-01-01 to 1970-01-01.
    static let macEpochOffset: Int64 = 2_082_844_800

    /// A movie-header time (seconds since 1904-01-01 UTC) as `YYYY-MM-DDTHH:MM:SSZ`.
    /// Zero means "not set"; times past year 9999 are nonsense and give nil too.
    public static func iso8601(secondsSince1904 seconds: UInt64) -> String? {
        guard seconds > 0, seconds < 254_000_000_000 else { return nil }
        let unix = Int64(seconds) - macEpochOffset
        let days = unix >= 0 ? unix / 86_400 : (unix - 86_399) / 86_400
        let secondOfDay = unix - days * 86_400
        let (year, month, day) = civilDate(daysSince1970: days)
        guard (1904...9999).contains(year) else { return nil }
        return digits(year, 4) + "-" + digits(month, 2) + "-" + digits(day, 2) + "T"
            + digits(secondOfDay / 3600, 2) + ":" + digits(secondOfDay / 60 % 60, 2) + ":" + digits(secondOfDay % 60, 2) + "Z"
    }

    /// A date-time string as cameras write it in metadata (`2019-07-24T11:25:40+0300`,
    /// `2021-05-16T19:27:55Z`), checked and rewritten as `2019-07-24T11:25:40+03:00`.
    /// Fractions of a second are dropped; a string without a time of day gives nil.
    public static func normalize(_ text: String) -> String? {
        let b = Array(text.utf8.prefix(64))
        var i = 0
        func number(_ count: Int) -> Int64? {
            guard i + count <= b.count else { return nil }
            var value: Int64 = 0
            for byte in b[i..<i + count] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            i += count
            return value
        }
        func literal(_ characters: String) -> Bool {
            guard i < b.count, characters.utf8.contains(b[i]) else { return false }
            i += 1
            return true
        }
        guard let year = number(4), literal("-"), let month = number(2), literal("-"), let day = number(2),
            literal("T "), let hour = number(2), literal(":"), let minute = number(2), literal(":"),
            let second = number(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
            hour < 24, minute < 60, second <= 60
        else { return nil }
        if literal(".") {
            let start = i
            while i < b.count, (0x30...0x39).contains(b[i]) { i += 1 }
            guard i > start else { return nil }
        }
        var zone = ""
        if literal("Z") {
            zone = "Z"
        } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "+") ? "+" : "-"
            i += 1
            guard let zoneHours = number(2), zoneHours <= 14 else { return nil }
            var zoneMinutes: Int64 = 0
            if i < b.count {
                _ = literal(":")
                guard let value = number(2), value < 60 else { return nil }
                zoneMinutes = value
            }
            zone = sign + digits(zoneHours, 2) + ":" + digits(zoneMinutes, 2)
        }
        // Trailing NULs are padding; anything else means we did not understand the string.
        guard b[i...].allSatisfy({ $0 == 0 }) else { return nil }
        return digits(year, 4) + "-" + digits(month, 2) + "-" + digits(day, 2) + "T" + digits(hour, 2) + ":"
            + digits(minute, 2) + ":" + digits(second, 2) + zone
    }

    private static func digits(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Proleptic Gregorian date of a day count from 1970-01-01, by counting whole 400-year eras
    /// (146 097 days each) and then years, with March as the first month so leap days come last.
    private static func civilDate(daysSince1970 days: Int64) -> (Int64, Int64, Int64) {
        let shifted = days + 719_468 // days from 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
