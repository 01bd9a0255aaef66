import ArgumentParser
import ClearanceApp
import Foundation

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write scrubbed copies of the cleared assets only, and record them as publications.",
        discussion: """
            Each asset is checked at the moment of export. Cleared ones are copied without GPS, \
            serial numbers, maker notes, thumbnails, people or comments (orientation kept, pixels \
            not re-encoded) and carry plus:ModelReleaseStatus and the consent references as \
            plus:ModelReleaseID. Blocked ones are listed with their reasons. An existing file is \
            never overwritten. Exit 0 when all were exported, 1 when any was blocked, 2 on bad input.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "Files or asset SHA-256 hashes.")
    var assets: [String]

    @Option(help: "The channel the copies are for.")
    var channel: String

    @Option(name: .customLong("to"), help: "An existing directory to write into.")
    var directory: String

    @Option(help: "Where the post will be (recorded with each publication, for takedowns).")
    var postURL: String?

    @Option(help: "Who is exporting (default: $USER).")
    var by: String?

    func run() throws {
        let operations = AssetOperations(try database.open(forWriting: true))
        let exporter = by ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        let results = try operations.export(assets, channel: channel, to: directory, postURL: postURL, by: exporter)
        for item in results {
            if let output = item.output {
                print("EXPORTED \(output)  \(item.check.sha256.prefix(12))")
            } else {
                print(CheckText.render(item.check))
            }
        }
        let blocked = results.filter { $0.output == nil }.count
        print("\(results.count - blocked) exported, \(blocked) blocked for \(results.first?.check.verdict.channel.name ?? channel)")
        if blocked > 0 { throw ExitCode(1) }
    }
}
