import ArgumentParser
import ClearanceApp
import Foundation

struct Tag: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record by hand who is shown in an ingested asset.",
        discussion: """
            A review is recorded with who made it and when, and never overwritten: a later \
            --not-person undoes an earlier --person. Any review also accounts for unnamed face \
            regions (someone looked at the picture). Examples:
              clearance tag photo.jpg --person P-3HQ8-TW2K
              clearance tag photo.jpg --no-people
              clearance tag <sha256> --service-users
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "A file or an asset's SHA-256.")
    var asset: String

    @Option(name: .customLong("person"), help: "A person shown (repeatable).")
    var people: [String] = []

    @Option(name: .customLong("not-person"), help: "A person the metadata wrongly links (repeatable).")
    var notPeople: [String] = []

    @Flag(help: "Reviewed: nobody identifiable is shown.")
    var noPeople = false

    @Flag(help: "Shows service users: never publishable.")
    var serviceUsers = false

    @Option(help: "Who is reviewing (default: $USER).")
    var by: String?

    func run() throws {
        let operations = AssetOperations(try database.open(forWriting: true))
        let reviewer = by ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        let stored = try operations.tag(asset, people: people, notPeople: notPeople, noPeople: noPeople,
                                        serviceUsers: serviceUsers, by: reviewer)
        print("\(stored.record.sha256): \(stored.reviews.count) review\(stored.reviews.count == 1 ? "" : "s") recorded")
    }
}
