import ArgumentParser
import ClearanceApp
import Foundation
import MediaMetadata

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the metadata and the people found in media files (no database needed).",
        discussion: """
            Reads EXIF (libexif), XMP (Exempi; embedded or a sidecar photo.jpg.xmp / photo.xmp), \
            HEIC metadata (libheif) and MP4/MOV/M4V boxes. Directories are read recursively. \
            Files that cannot be read are reported with an error and make the exit code 2; \
            the other files are still reported.
            """
    )

    @Argument(help: "Files or directories to read.", completion: .file())
    var paths: [String]

    @Flag(help: "Print a JSON array, one object per file.")
    var json = false

    func run() throws {
        let files = try Inspection.expand(paths)
        let results = Inspection().inspect(paths: files)
        if json {
            print(try MediaFactsJSON.encode(results))
        } else {
            for facts in results { print(InspectText.render(facts)) }
        }
        if results.contains(where: { $0.error != nil }) {
            throw ExitCode(2)
        }
    }
}
