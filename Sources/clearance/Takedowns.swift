import ArgumentParser
import ClearanceApp
import ClearanceCore
import Foundation

struct Takedowns: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "takedowns",
        abstract: "List takedown items opened by withdrawals and erasures.",
        discussion: """
            Each item is an earlier publication (channel, date, who exported it, post URL) of an asset \
            showing someone whose consent ended, with a due date. Print and press publications are \
            listed as "do not reprint": they cannot be recalled. Close an item with \
            `clearance takedown done ID --note TEXT`.
            """
    )

    @OptionGroup var options: DatabaseOptions
    @Flag(help: "Only open takedowns.") var open = false
    @Flag(help: "Only takedowns already done.") var done = false
    @Flag(help: "Only open takedowns past their due date.") var overdue = false
    @Flag(help: "Print JSON.") var json = false
    @Option(help: "Judge overdue as of this day, YYYY-MM-DD (default today, UTC).") var at: String?

    func run() throws {
        guard [open, done, overdue].filter({ $0 }).count <= 1 else {
            throw InputError("give at most one of --open, --done, --overdue")
        }
        var day = Timestamp.now.utcDate
        if let at {
            guard let parsed = CalendarDate(parsing: at) else { throw InputError("--at: not a date (YYYY-MM-DD): \(at)") }
            day = parsed
        }
        let filter: TakedownFilter = open ? .open : done ? .done : overdue ? .overdue : .all
        let items = try options.open(forWriting: false).takedowns(filter, on: day)
        if json {
            print(try TakedownOutput.json(items, today: day))
        } else if items.isEmpty {
            print("no takedowns\(filter == .all ? "" : " (\(filter.rawValue))")")
        } else {
            for item in items { print(TakedownOutput.line(item, today: day)) }
        }
    }
}

struct TakedownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "takedown",
        abstract: "Close a takedown item.",
        subcommands: [Done.self]
    )

    struct Done: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a takedown done, recorded with who and when.",
            discussion: "Example: clearance takedown done T-3 --note \"Post removed from the council page\""
        )

        @OptionGroup var options: DatabaseOptions
        @Argument(help: "The takedown id (T-<number>).") var id: String
        @Option(help: "What was done (required; kept in clear, so no personal data).") var note: String?
        @Option(name: .customLong("by"), help: "Who did it (default $USER).") var by: String?

        func run() throws {
            let item = try options.open(forWriting: true).closeTakedown(id, note: note, by: by)
            print(TakedownOutput.line(item))
        }
    }
}
