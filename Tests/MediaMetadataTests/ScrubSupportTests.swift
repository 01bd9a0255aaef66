import Foundation
import Testing
@testable import MediaMetadata

/// Shared by the export tests: temp directories, running tools, reading ExifTool's answers.
enum ScrubSupport {
    static let stamp = ReleaseStamp(status: "MR-LMR", consentReferences: ["CR-2026-0001", "R&D <\"quoted\"> ref"])

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "scrub-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs a program found on PATH; returns its exit status and standard output.
    @discardableResult
    static func run(_ arguments: [String]) throws -> (status: Int32, output: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }

    static func isInstalled(_ tool: String) -> Bool {
        ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") } ?? false
    }

    /// `exiftool -json -n -G0:1 -a` over `files` in one run, keyed by SourceFile. Keys look like
    /// `EXIF:IFD0:Orientation`: family 0 and family 1 groups, then the tag. `validate` adds
    /// `ExifTool:Validate` ("errors warnings minor-warnings").
    static func exifTool(_ files: [String], validate: Bool = false) throws -> [String: [String: Any]] {
        guard !files.isEmpty else { return [:] }
        let list = NSTemporaryDirectory() + "scrub-args-\(UUID().uuidString).txt"
        try files.joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: list) }
        let (_, data) = try run(["exiftool", "-json", "-n", "-G0:1", "-a", "-q", "-q", "-m"] + (validate ? ["-all", "-validate"] : []) + ["-@", list])
        let array = (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
        var result: [String: [String: Any]] = [:]
        for item in array {
            if let source = item["SourceFile"] as? String { result[source] = item }
        }
        return result
    }

    /// `(group0, group1, tag)` of an ExifTool `-G0:1` key; ExifTool writes one group when both
    /// families have the same name (`IPTC:Keywords`, `File:Comment`).
    static func groups(_ key: String) -> (group0: String, group1: String, tag: String)? {
        let parts = key.split(separator: ":").map(String.init)
        switch parts.count {
        case 2: return (parts[0], parts[0], parts[1])
        case 3: return (parts[0], parts[1], parts[2])
        default: return nil
        }
    }

    static func corpusFiles(extensions: Set<String>) -> [String] {
        guard let root = Fixtures.corpus, let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            if extensions.contains((relative as NSString).pathExtension.lowercased()) { found.append("\(root)/\(relative)") }
        }
        return found.sorted()
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
