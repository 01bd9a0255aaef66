import ArgumentParser
import ClearanceApp
import ClearanceCore
import Foundation

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "May these assets go to this channel? One answer per asset, with every reason.",
        discussion: """
            Exit 0 when every asset is cleared, 1 when any is blocked, 2 on bad input. A file that \
            has not been ingested is read on the fly (and not stored). --at checks as of another \
            day (default: today, UTC).
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "Files or asset SHA-256 hashes.")
    var assets: [String]

    @Option(help: "The channel (website, facebook, x, instagram, print…).")
    var channel: String

    @Option(help: "Check as of this day, YYYY-MM-DD.")
    var at: String?

    @Flag(help: "Print a JSON array of verdict objects.")
    var json = false

    func run() throws {
        var day: CalendarDate?
        if let at {
            guard let parsed = CalendarDate(parsing: at) else { throw InputError("--at: not a date (YYYY-MM-DD): \(at)") }
            day = parsed
        }
        let operations = AssetOperations(try database.open(forWriting: false))
        let results = try operations.check(assets, channel: channel, at: day)
        if json {
            print(try VerdictJSON.encode(results))
        } else {
            for result in results { print(CheckText.render(result)) }
            let blocked = results.filter { !$0.verdict.cleared }.count
            print("\(results.count - blocked) cleared, \(blocked) blocked for \(results.first?.verdict.channel.name ?? channel)")
        }
        if results.contains(where: { !$0.verdict.cleared }) { throw ExitCode(1) }
    }
}

enum CheckText {
    static func render(_ result: AssetOperations.CheckResult) -> String {
        let name = result.path.map { ($0 as NSString).lastPathComponent } ?? "asset"
        var lines = ["\(result.verdict.cleared ? "CLEARED" : "BLOCKED")  \(name)  \(result.sha256.prefix(12))"]
        if result.verdict.cleared, !result.consentsRelied.isEmpty {
            lines.append("  consents: \(result.consentsRelied.map(\.description).joined(separator: ", "))")
        }
        for reason in result.verdict.reasons {
            lines.append("  - \(reason.code.rawValue): \(reason.message)")
        }
        return lines.joined(separator: "\n")
    }
}
