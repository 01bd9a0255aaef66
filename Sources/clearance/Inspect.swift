import ArgumentParser
import ClearanceApp
import Foundation
import MediaMetadata

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the metadata, the people and the faces found in media files (no database needed).",
        discussion: """
            Reads EXIF (libexif), XMP (Exempi; embedded or a sidecar photo.jpg.xmp / photo.xmp), \
            HEIC metadata (libheif) and MP4/MOV/M4V boxes. Directories are read recursively. \
            Files that cannot be read are reported with an error and make the exit code 2; \
            the other files are still reported.

            Faces are looked for in the pixels themselves with the YuNet detector (OpenCV DNN): \
            pictures at two sizes, videos one frame a second plus the first and last (at most 60 \
            frames and 30 seconds per video). Boxes are fractions of the picture as displayed; \
            --json lists them as detectedFaces (null when detection could not run, with a warning \
            saying why). --no-faces skips detection, which is much faster.
            """
    )

    @Argument(help: "Files or directories to read.", completion: .file())
    var paths: [String]

    @Flag(help: "Print a JSON array, one object per file.")
    var json = false

    @Flag(help: "Do not look for faces in the pictures and videos (metadata only).")
    var noFaces = false

    func run() throws {
        let files = try Inspection.expand(paths)
        let onTerminal = isatty(STDERR_FILENO) == 1 && files.count > 1
        let total = files.count
        let results = Inspection().inspect(paths: files, faces: noFaces ? .off : .standard()) { done in
            if onTerminal { FileHandle.standardError.write(Data("\rinspecting \(done)/\(total)".utf8)) }
        }
        if onTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if json {
            print(try MediaFactsJSON.encode(results))
        } else {
            for media in results { print(InspectText.render(media)) }
        }
        if results.contains(where: { $0.facts.error != nil }) {
            throw ExitCode(2)
        }
    }
}
