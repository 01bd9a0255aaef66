import ArgumentParser
import ClearanceApp
import ClearanceCore
import Foundation

struct Faces: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the numbered faces of an ingested asset and the decisions about them.",
        discussion: """
            Faces 1, 2, … are those the face detector found (source `detected`, with its score); \
            after them come regions of the file's metadata that lie over no detected face (source \
            `mwg-region`, `mp-region`, …). Each line says who it is (the decision, or the named \
            region over it), the decision, who made it and when. Decide a face with \
            `clearance tag FILE --face N --person ID | --not-identifiable | --not-a-face`.

            --redetect runs the current detector again over the assets named (or every stored \
            asset with --all) whose newest detection is by another detector or could not look. \
            It adds a detection and replaces none; a decision about a face carries over to the \
            face of the new detection that overlaps it (intersection over union at least 0.5, \
            same video frame).

            --to-find lists the people to find: every face decided not in the register \
            (`clearance tag FILE --face N --not-registered`), with the asset, the face's number, \
            the file's name, its folder (the event, usually), the capture date and who decided \
            when. Those pictures stay blocked. A face leaves the list when a later decision \
            replaces that one (once the person is registered: `--face N --person ID`). \
            --crops DIR also writes a small JPEG of each face (the face only, no metadata) into \
            DIR, a new or empty folder; crops are personal data: delete them when done. Examples:
              clearance faces photo.jpg
              clearance faces <sha256> --json
              clearance faces --redetect --all
              clearance faces --to-find
              clearance faces --to-find --json --crops /tmp/to-find
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

    @Flag(help: "List the people to find: faces decided not in the register (no file or asset named).")
    var toFind = false

    @Option(help: ArgumentHelp("With --to-find: write a crop of each face into this new or empty folder.", valueName: "dir"))
    var crops: String?

    func validate() throws {
        if all && !redetect { throw ValidationError("--all goes with --redetect") }
        if crops != nil && !toFind { throw ValidationError("--crops goes with --to-find") }
        if toFind {
            guard !redetect else { throw ValidationError("--to-find and --redetect are separate: give one") }
            guard assets.isEmpty else { throw ValidationError("--to-find lists every asset: name no file or asset with it") }
            return
        }
        if !redetect && assets.count != 1 { throw ValidationError("name one file or asset") }
    }

    func run() throws {
        if toFind {
            try listPeopleToFind()
            return
        }
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
        let toFind = listing.toFind == 0 ? "" : listing.toFind == 1
            ? "; 1 face is not in the register (on the people-to-find list, `clearance faces --to-find`)"
            : "; \(listing.toFind) faces are not in the register (on the people-to-find list, `clearance faces --to-find`)"
        if listing.unaccounted == 0 { return (listing.toFind == 0 ? "every face is accounted for" : "every face is decided") + toFind }
        return "\(listing.unaccounted) face\(listing.unaccounted == 1 ? "" : "s") not accounted for (`clearance tag FILE --face N …`)" + toFind
    }

    /// `--to-find`: the list, as lines or JSON, and the crops when asked for.
    func listPeopleToFind() throws {
        let operations = try database.open(forWriting: false)
        let list = PeopleToFind(operations)
        // The folder is checked before anything is read: a bad --crops changes nothing.
        let folder = try crops.map(Self.emptyFolder)
        let entries = try list.all()
        var written: [String: String] = [:], failures: [String] = []
        if let folder {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            for entry in entries {
                let name = "\(entry.asset.prefix(12))-face-\(entry.n).jpg"
                do {
                    try list.crop(of: entry).write(to: folder.appendingPathComponent(name), options: .withoutOverwriting)
                    written["\(entry.asset)/\(entry.n)"] = folder.appendingPathComponent(name).path
                } catch {
                    failures.append("no crop of face \(entry.n) of \(entry.asset.prefix(12)): \(error)")
                }
            }
        }
        if json {
            struct Line: Encodable {
                var entry: PeopleToFind.Entry
                var crop: String?
                func encode(to encoder: any Encoder) throws {
                    try entry.encode(to: encoder)
                    enum Key: String, CodingKey { case crop }
                    var c = encoder.container(keyedBy: Key.self)
                    try c.encode(crop, forKey: .crop)
                }
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(entries.map { Line(entry: $0, crop: written["\($0.asset)/\($0.n)"]) }), as: UTF8.self))
        } else {
            print(entries.isEmpty ? "no people to find: no face is decided not in the register"
                  : "\(entries.count) face\(entries.count == 1 ? "" : "s") of people not in the register (their pictures stay blocked):")
            for entry in entries {
                var parts = [String(entry.asset.prefix(12)), "face \(entry.n)", entry.file]
                if !entry.folder.isEmpty { parts.append("in \(entry.folder)") }
                parts.append("taken \(entry.capturedAt ?? "(date unknown)")")
                if let t = entry.t { parts.append(String(format: "at %.1f s", t)) }
                parts.append("decided by \(entry.decidedBy) at \(entry.decidedAt)")
                if let crop = written["\(entry.asset)/\(entry.n)"] { parts.append("crop \(crop)") }
                print("  " + parts.map(ExportText.printable).joined(separator: "  "))
            }
        }
        for failure in failures { FileHandle.standardError.write(Data((ExportText.printable(failure) + "\n").utf8)) }
        if !failures.isEmpty { throw ExitCode(1) }
    }

    /// `--crops DIR`: a folder that does not exist yet, or an empty one.
    static func emptyFolder(_ path: String) throws -> URL {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return url }
        guard isDirectory.boolValue else { throw InputError("--crops \(path): a file is there; name a new or empty folder") }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? ["?"]
        guard contents.isEmpty else { throw InputError("--crops \(path): the folder is not empty; name a new or empty folder") }
        return url
    }
}
