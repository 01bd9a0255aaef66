import ArgumentParser
import ClearanceApp
import Foundation

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write scrubbed copies of the cleared assets only, and record them as publications.",
        discussion: """
            Each asset is checked at the moment of export. Cleared ones are copied without GPS, \
            serial numbers, maker notes, thumbnails, capture times, people or comments, and carry \
            plus:ModelReleaseStatus and the consent references as plus:ModelReleaseID. JPEG and \
            PNG keep their compressed image data and orientation. HEIC and TIFF become JPEG \
            (quality 92, turned upright; "keepHEIC" in the configuration keeps HEIC for the \
            channels it names). Videos keep their video and audio streams, copied packet for \
            packet, and their rotation; timed-metadata, data and subtitle tracks, chapters and \
            every tag are left out. Every copy is read back before it is kept: it must decode \
            (every video frame), match the original's size, frames and duration, and carry none \
            of the removed metadata.

            Blocked assets, and cleared ones that cannot be exported (file gone, copy failed or \
            failed its check), are listed with their reasons; the others are still exported. An \
            existing file is never overwritten. Exit 0 when all were exported, 1 when any was \
            blocked or not exported, 2 on bad input (nothing is written then).
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
        let onTerminal = isatty(STDERR_FILENO) == 1
        let results = try operations.export(assets, channel: channel, to: directory, postURL: postURL, by: exporter) { done, total, name in
            guard onTerminal else { return }
            let line = done < total ? "exporting \(done + 1)/\(total): \(ExportText.printable(name))" : ""
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        }
        for item in results { print(ExportText.render(item)) }
        let exported = results.filter { $0.output != nil }.count
        let blocked = results.filter { !$0.check.verdict.cleared }.count
        let notExported = results.count - exported - blocked
        print("\(exported) exported, \(blocked) blocked, \(notExported) not exportable for \(results.first?.check.verdict.channel.name ?? channel)")
        if exported < results.count { throw ExitCode(1) }
    }
}

enum ExportText {
    static func render(_ item: AssetOperations.ExportedAsset) -> String {
        if let output = item.output {
            return (["EXPORTED \(printable(output))  \(item.check.sha256.prefix(12))"] + item.notes.map { "  \(printable($0))" })
                .joined(separator: "\n")
        }
        if let reason = item.notExported {
            let name = item.check.path.map { ($0 as NSString).lastPathComponent } ?? "asset"
            return "NOT EXPORTED  \(printable(name))  \(item.check.sha256.prefix(12))\n  - \(printable(reason))"
        }
        return CheckText.render(item.check)
    }

    /// File names and reasons come from the files: control characters are shown escaped, by
    /// Unicode scalar, so a hostile name cannot move the cursor or hide a line.
    static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format {
                out += scalar.escaped(asASCII: true)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
