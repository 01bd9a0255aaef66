import ArgumentParser
import ClearanceApp
import ClearanceCore
import Foundation

struct Faces: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the numbered faces of an ingested asset and the decisions about them.",
        discussion: """
            Faces 1, 2, … are those the face detector found (source `detected`, with its score); \\
            after them come regions of the file's metadata that lie over no detected face (source \\
            `mwg-region`, `mp-region`, …). Each line says who it is (the decision, or the named \\
            region over it), the decision, who made it and when. Decide a face with \\
            `clearance tag FILE --face N --person ID | --not-identifiable | --not-a-face`.

            --redetect runs the current detector again over the assets named (or every stored \\
            asset with --all) whose newest detection is by another detector or could not look. \\
            It adds a detection and replaces none; a decision about a face carries over to the \\
            face of the new detection that overlaps it (intersection over union at least 0.5, \\
            same video frame). Examples:
              clearance faces photo.jpg
              clearance faces <sha256> --json
              clearance faces --redetect --all
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "A file or an asset's SHA-256 (several with --redetect).")
    var assets: [String] = []

    @Flag(help: "Print JSON (the same object GET /api/v1/assets/{sha256} gives as `faces`).")
    var json = false

    @Flag(help: "Run the current face detector again over the assets named.")
    var redetect = false

    @Flag(help: "With --redetect: every stored asset.")
    var all = false

    func validate() throws {
        if all && !redetect { throw ValidationError("--all goes with --redetect") }
        if !redetect && assets.count != 1 { throw ValidationError("name one file or asset") }
    }

    func run() throws {
        if redetect {
            let operations = AssetOperations(try database.open(forWriting: true))
            let onTerminal = isatty(STDERR_FILENO) == 1
            let summary = try operations.redetect(assets, all: all) { done, total in
                if onTerminal { FileHandle.standardError.write(Data("\rlooking for faces \(done)/\(total)".utf8)) }
            }
            if onTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            print("\(summary.detected) looked at again, \(summary.current) already current, \(summary.missing.count) with no file to read")
            for sha in summary.missing { print("  no file with the bytes of \(sha) at any path it was seen at") }
            if !summary.missing.isEmpty { throw ExitCode(1) }
            return
        }
        let operations = AssetOperations(try database.open(forWriting: false))
        let listing = try operations.faces(assets[0])
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(listing), as: UTF8.self))
            return
        }
        print("\(listing.asset)\(listing.path.map { "  \(ExportText.printable($0))" } ?? "")")
        if listing.lookedFor {
            print("detector: \(listing.detector ?? "none")\(listing.detectedAt.map { ", \($0)" } ?? "")")
        } else {
            print("faces could not be looked for: \(listing.failure ?? "unknown reason")")
        }
        for face in listing.faces {
            let box = [face.box.x, face.box.y, face.box.w, face.box.h].map { String(format: "%.3f", $0) }.joined(separator: " ")
            var parts = ["\(face.n).", face.source, "[\(box)]"]
            if let score = face.score { parts.append(String(format: "score %.2f", score)) }
            if let t = face.t { parts.append(String(format: "at %.1f s", t)) }
            let who = [face.name, face.person?.description].compactMap { $0 }.joined(separator: " ")
            if !who.isEmpty { parts.append(who) }
            if let named = face.namedBy { parts.append("(named by \(named))") }
            if let decision = face.decision {
                parts.append("decided \(decision.decision.action) by \(decision.by) at \(decision.at)")
            } else if !face.accounted {
                parts.append("UNDECIDED")
            }
            print("  " + parts.map(ExportText.printable).joined(separator: "  "))
        }
        print(Self.remaining(listing))
    }

    /// One line on what is left to decide.
    static func remaining(_ listing: FaceListing) -> String {
        guard listing.lookedFor else { return "faces could not be looked for: a person must review the picture (`clearance tag`)" }
        if listing.unaccounted == 0 { return "every face is accounted for" }
        return "\(listing.unaccounted) face\(listing.unaccounted == 1 ? "" : "s") not accounted for (`clearance tag FILE --face N …`)"
    }
}
