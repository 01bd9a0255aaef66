/// A day in the proleptic Gregorian calendar, with no time zone: consents are given and expire on
/// days, and ages are counted in whole days. Parsed only from strict `YYYY-MM-DD`.
public struct CalendarDate: Hashable, Comparable, Sendable, TextCodable {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Returns nil unless the three numbers name a real day (so 2023-02-29 is rejected).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CalendarDate.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Strict `YYYY-MM-DD`: four digits, two digits, two digits, and a real day.
    public init?(parsing text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The same day `years` later; 29 February becomes 28 February in a common year.
    public func adding(years: Int) -> CalendarDate {
        let target = year + years
        let lastDay = CalendarDate.daysIn(month: month, year: target)
        return CalendarDate(year: target, month: month, day: min(day, lastDay)) ?? self
    }

    /// Whole years completed from `self` (a date of birth) to `date`; a person born on 29 February
    /// has a birthday on 1 March in common years, as in UK law.
    public func age(at date: CalendarDate) -> Int {
        var years = date.year - year
        if (date.month, date.day) < (month, day) {
            let leapBirthdayInCommonYear = month == 2 && day == 29 && date.month == 3 && date.day == 1
                && !CalendarDate.isLeap(date.year)
            if !leapBirthdayInCommonYear { years -= 1 }
        }
        return max(0, years)
    }

    /// Days since 1970-01-01 (negative before), for converting to and from timestamps.
    public var daysSinceEpoch: Int {
        // Howard Hinnant's days-from-civil algorithm.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let d = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let m = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let y = yearOfEra + era * 400 + (m <= 2 ? 1 : 0)
        self.year = y
        self.month = m
        self.day = d
    }

    public static let textDescription = "a YYYY-MM-DD date"
}

/// A moment, in whole milliseconds since 1970-01-01T00:00:00Z. Integers keep event bytes
/// deterministic (no floating point, no time zones).
public struct Timestamp: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let millisecondsSinceEpoch: Int64
    public init(millisecondsSinceEpoch: Int64) { self.millisecondsSinceEpoch = millisecondsSinceEpoch }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.millisecondsSinceEpoch < b.millisecondsSinceEpoch }

    /// The UTC day this moment falls on.
    public var utcDate: CalendarDate {
        let millisPerDay: Int64 = 86_400_000
        var days = millisecondsSinceEpoch / millisPerDay
        if millisecondsSinceEpoch % millisPerDay < 0 { days -= 1 }
        return CalendarDate(daysSinceEpoch: Int(days))
    }

    /// ISO 8601 in UTC with seconds, e.g. `2025-03-01T09:30:00Z`.
    public var description: String {
        let millisPerDay: Int64 = 86_400_000
        var withinDay = millisecondsSinceEpoch % millisPerDay
        if withinDay < 0 { withinDay += millisPerDay }
        let seconds = Int(withinDay / 1000)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(utcDate)T\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))Z"
    }

    public init(from decoder: any Decoder) throws {
        millisecondsSinceEpoch = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(millisecondsSinceEpoch)
    }
}

/// An inclusive span of days, e.g. a pre-election period.
public struct DateWindow: Hashable, Sendable {
    public let from: CalendarDate
    public let to: CalendarDate

    public init?(from: CalendarDate, to: CalendarDate) {
        guard from <= to else { return nil }
        self.from = from
        self.to = to
    }

    public func contains(_ date: CalendarDate) -> Bool { from <= date && date <= to }
}
