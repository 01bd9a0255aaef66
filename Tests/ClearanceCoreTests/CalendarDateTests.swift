import ClearanceCore
import Testing

@Suite struct CalendarDateTests {
    @Test(arguments: ["2024-02-29", "2000-02-29", "1999-12-31", "0001-01-01", "9999-12-31"])
    func realDatesParseAndPrintBack(_ text: String) throws {
        #expect(try #require(CalendarDate(parsing: text)).description == text)
    }

    @Test(arguments: ["2023-02-29", "1900-02-29", "2024-04-31", "2024-13-01", "2024-00-10", "2024-01-00",
                      "24-01-01", "2024-1-01", "2024/01/01", "2024-01-01T00:00", " 2024-01-01", "２０２４-01-01", ""])
    func impossibleOrMalformedDatesAreRejected(_ text: String) {
        #expect(CalendarDate(parsing: text) == nil)
    }

    @Test func agesCountCompletedYears() throws {
        let born = try #require(CalendarDate(parsing: "2012-06-15"))
        #expect(born.age(at: try #require(CalendarDate(parsing: "2025-06-14"))) == 12)
        #expect(born.age(at: try #require(CalendarDate(parsing: "2025-06-15"))) == 13)
        #expect(born.age(at: try #require(CalendarDate(parsing: "2000-01-01"))) == 0)
    }

    @Test func leapDayBirthdaysFallOnFirstMarchInCommonYears() throws {
        let born = try #require(CalendarDate(parsing: "2012-02-29"))
        #expect(born.age(at: try #require(CalendarDate(parsing: "2025-02-28"))) == 12)
        #expect(born.age(at: try #require(CalendarDate(parsing: "2025-03-01"))) == 13)
        #expect(born.age(at: try #require(CalendarDate(parsing: "2024-02-29"))) == 12)
    }

    @Test func addingYearsClampsTheLeapDay() throws {
        #expect(try #require(CalendarDate(parsing: "2024-02-29")).adding(years: 3).description == "2027-02-28")
        #expect(try #require(CalendarDate(parsing: "2025-06-01")).adding(years: 3).description == "2028-06-01")
    }

    @Test func daysSinceEpochRoundTrip() throws {
        #expect(try #require(CalendarDate(parsing: "1970-01-01")).daysSinceEpoch == 0)
        #expect(try #require(CalendarDate(parsing: "2000-03-01")).daysSinceEpoch == 11_017)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let days = Int.random(in: -700_000...2_900_000, using: &generator)
            #expect(CalendarDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
    }

    @Test func timestampsPrintInUTC() {
        #expect(Timestamp(millisecondsSinceEpoch: 0).description == "1970-01-01T00:00:00Z")
        #expect(Timestamp(millisecondsSinceEpoch: 1_740_821_400_999).description == "2025-03-01T09:30:00Z")
        #expect(Timestamp(millisecondsSinceEpoch: -1).utcDate.description == "1969-12-31")
    }

    @Test func windowsIncludeBothEnds() throws {
        let from = try #require(CalendarDate(parsing: "2026-03-23")), to = try #require(CalendarDate(parsing: "2026-05-07"))
        let window = try #require(DateWindow(from: from, to: to))
        #expect(window.contains(from) && window.contains(to))
        #expect(!window.contains(try #require(CalendarDate(parsing: "2026-05-08"))))
        #expect(DateWindow(from: to, to: from) == nil)
    }
}
