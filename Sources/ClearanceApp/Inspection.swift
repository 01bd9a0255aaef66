import Dispatch
import FaceDetection
import Foundation
import MediaMetadata
import Synchronization

/// `clearance inspect`: read files without any database, on every core.
public struct Inspection: Sendable {
    public let inspector: MediaInspector

    public init(inspector: MediaInspector = MediaInspector()) {
        self.inspector = inspector
    }

    /// Metadata only. Results come back in the order of `paths`, whatever order the cores finish
    /// in. `progress` is called with the number of files done so far, from any thread.
    public func inspect(paths: [String], progress: (@Sendable (Int) -> Void)? = nil) -> [MediaFacts] {
        inspect(paths: paths, faces: .off, progress: progress).map(\.facts)
    }

    /// `clearance inspect`: each file's metadata and, unless `faces` is `.off`, the faces in its
    /// pixels, read on every core. Results come back in the order of `paths`.
    public func inspect(paths: [String], faces: FaceLookup,
                        progress: (@Sendable (Int) -> Void)? = nil) -> [InspectedMedia] {
        let results = Mutex<[InspectedMedia?]>(Array(repeating: nil, count: paths.count))
        let done = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            let media = Self.inspect(facts: inspector.inspect(path: paths[index]), faces: faces)
            results.withLock { $0[index] = media }
            progress?(done.add(1, ordering: .relaxed).newValue)
        }
        return results.withLock { $0.map { $0! } }
    }

    /// Looks for faces in a file whose metadata has been read. Detection runs whenever the format
    /// is known, even when the metadata was damaged: the pixels may still be fine. When it cannot
    /// run, a warning says why, since such a picture needs a person to look at it.
    static func inspect(facts: MediaFacts, faces: FaceLookup) -> InspectedMedia {
        var media = InspectedMedia(facts: facts, faces: nil)
        guard let kind = facts.kind else { return media }
        switch faces {
        case .off:
            return media
        case .unavailable(let reason):
            media.faces = .failed(FaceDetector.identifier, reason)
        case .on(let detector):
            media.faces = switch kind {
            case .image: detector.detectFaces(inPictureAt: facts.path, orientation: facts.orientation)
            case .video: detector.detectFaces(inVideoAt: facts.path)
            }
        }
        if let failure = media.faces?.failure { media.facts.warnings.append("faces were not looked for: \(failure)") }
        if let limitation = media.faces?.limitation { media.facts.warnings.append(limitation) }
        return media
    }

    /// A sidecar is read with its media file; named alone it would read as a broken picture
    /// (unreadable-media), which tells the user nothing. Say which file to name instead.
    static func refuseSidecar(_ argument: String) throws {
        guard argument.lowercased().hasSuffix(".xmp") else { return }
        let media = XMPReader.mediaPath(forSidecar: argument)
        throw InputError("\(argument) is an XMP sidecar, read together with its media file: "
            + (media.map { "name \($0) instead" } ?? "name the photo or video it describes instead (none was found beside it)"))
    }

    /// Expands directories recursively into the files they hold (sorted, hidden files skipped,
    /// sidecar `.xmp` files skipped since they are read with their media file).
    public static func expand(_ arguments: [String]) throws -> [String] {
        var files: [String] = []
        let manager = FileManager.default
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                throw InputError("no such file or directory: \(argument)")
            }
            guard isDirectory.boolValue else {
                try refuseSidecar(argument)
                files.append(argument)
                continue
            }
            guard let walker = manager.enumerator(atPath: argument) else {
                throw InputError("cannot read directory: \(argument)")
            }
            var found: [String] = []
            while let relative = walker.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if name.hasPrefix(".") || name.lowercased().hasSuffix(".xmp") { continue }
                let full = (argument as NSString).appendingPathComponent(relative)
                var childIsDirectory: ObjCBool = false
                if manager.fileExists(atPath: full, isDirectory: &childIsDirectory), !childIsDirectory.boolValue {
                    found.append(full)
                }
            }
            files.append(contentsOf: found.sorted())
        }
        return files
    }
}

/// Whether `inspect` looks for faces, and with what.
public enum FaceLookup: Sendable {
    /// `--no-faces`: not looked for, and not mentioned.
    case off
    case on(FaceDetector)
    /// The detector could not start (the reason); every picture says so in its warnings.
    case unavailable(String)

    /// YuNet with the standard settings, or why it could not start.
    public static func standard() -> FaceLookup {
        do { return .on(try FaceDetector()) } catch { return .unavailable("\(error)") }
    }

    /// One standard detector for the whole process, started when first needed: ingest, uploads
    /// and checks share its pool of networks.
    public static var shared: FaceLookup { sharedLookup }
    private static let sharedLookup = standard()
}

/// One file as `inspect` reports it: what its metadata says and, when looked for, the faces in
/// its pixels. The JSON is the metadata's keys (`MediaFacts`) plus `detectedFaces` and
/// `faceDetector`.
public struct InspectedMedia: Sendable, Encodable {
    public var facts: MediaFacts
    /// `nil` when faces were not looked for (`--no-faces`, or a file of no known format).
    public var faces: FaceDetectionResult?

    public init(facts: MediaFacts, faces: FaceDetectionResult?) {
        self.facts = facts
        self.faces = faces
    }

    private enum CodingKeys: String, CodingKey {
        case detectedFaces, faceDetector
    }

    /// The metadata's keys, then the faces in the same JSON object: `detectedFaces` is `null`
    /// when detection did not run (or was not asked for), `[]` when it ran and found none.
    public func encode(to encoder: any Encoder) throws {
        try facts.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(faces?.faces, forKey: .detectedFaces)
        try container.encode(faces?.ran == true ? faces?.detector : nil, forKey: .faceDetector)
    }
}

/// Bad input from the user: a one-line reason, exit code 2.
public struct InputError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
