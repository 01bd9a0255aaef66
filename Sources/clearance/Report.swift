import ArgumentParser
import ClearanceApp
import ClearanceCore
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The data protection officer's reports: expiring, ages, blocked, retention.",
        discussion: "Each prints a table, or JSON with --json, or CSV with --csv. --at reports as of another day.",
        subcommands: [Expiring.self, Ages.self, Blocked.self, Retention.self]
    )

    /// Output format and day, shared by every report.
    struct Output: ParsableArguments {
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "Print CSV (RFC 4180).") var csv = false
        @Option(help: "Report as of this day, YYYY-MM-DD (default today, UTC).") var at: String?

        func day() throws -> CalendarDate {
            guard !(json && csv) else { throw InputError("give one of --json and --csv, not both") }
            guard let at else { return Timestamp.now.utcDate }
            guard let day = CalendarDate(parsing: at) else { throw InputError("--at: not a date (YYYY-MM-DD): \(at)") }
            return day
        }

        func print(_ table: ReportTable) throws {
            if json {
                Swift.print(try table.json())
            } else if csv {
                Swift.print(table.csv(), terminator: "")
            } else {
                Swift.print(table.text())
            }
        }
    }

    struct Expiring: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Consents expiring soon, with the person, and how many assets show them and publications relied on the consent."
        )
        @OptionGroup var options: DatabaseOptions
        @OptionGroup var output: Output
        @Option(help: "Days ahead to look (default 30).") var within = 30

        func run() throws {
            let day = try output.day()
            try output.print(try Reports(try options.open(forWriting: false)).expiring(within: within, at: day))
        }
    }

    struct Ages: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Children with a guardian's consent who reach the age of consent or 18 soon: their consent needs replacing."
        )
        @OptionGroup var options: DatabaseOptions
        @OptionGroup var output: Output
        @Option(help: "Days ahead to look (default 90).") var within = 90

        func run() throws {
            let day = try output.day()
            try output.print(try Reports(try options.open(forWriting: false)).ages(within: within, at: day))
        }
    }

    struct Blocked: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ingested assets that are blocked, with their reasons, and the count per reason code."
        )
        @OptionGroup var options: DatabaseOptions
        @OptionGroup var output: Output
        @Option(help: "Only this channel (default: every configured channel).") var channel: String?

        func run() throws {
            let day = try output.day()
            try output.print(try Reports(try options.open(forWriting: false)).blocked(channel: channel, at: day))
        }
    }

    struct Retention: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Consents and people past the retention period (retentionYears, 3 by default, after expiry or withdrawal): ready for erasure."
        )
        @OptionGroup var options: DatabaseOptions
        @OptionGroup var output: Output

        func run() throws {
            let day = try output.day()
            try output.print(try Reports(try options.open(forWriting: false)).retention(at: day))
        }
    }
}
