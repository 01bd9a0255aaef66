import ArgumentParser
import ClearanceApp
import Foundation

struct Sar: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sar",
        abstract: "Write a subject access pack (UK GDPR Art. 15) for one person into a new folder.",
        discussion: """
            The folder holds index.html (for the person, in plain words) and data.json: their details, \
            every consent with its versions, receipts and signatures and whether each record verifies, \
            every photo or video showing them with other people's regions and detected faces blacked \
            out (JPEG; other formats are copied only when no one else is known to be in them), and every publication. \
            DIR must not exist or be empty; nothing is written outside it.
            """
    )

    @OptionGroup var options: DatabaseOptions
    @Argument(help: "Person id, or a name matching exactly one person.") var person: String
    @Option(name: .customLong("to"), help: "A new (or empty) folder for the pack.") var directory: String

    func run() throws {
        let pack = try options.open(forWriting: false).subjectAccessPack(person, to: directory)
        let copies = pack.assets.filter { $0.file != nil }.count
        let redacted = pack.assets.filter(\.redacted).count
        let publications = pack.assets.reduce(0) { $0 + $1.publications.count }
        print("wrote \(directory): index.html, data.json; \(pack.consents.count) consent version\(pack.consents.count == 1 ? "" : "s"), "
              + "\(pack.assets.count) asset\(pack.assets.count == 1 ? "" : "s") (\(copies) copied, \(redacted) with others blacked out), "
              + "\(publications) publication\(publications == 1 ? "" : "s")")
    }
}
