import Dispatch
import Foundation
import MediaMetadata
import Synchronization

/// `clearance inspect`: read files without any database, on every core.
public struct Inspection: Sendable {
    public let inspector: MediaInspector

    public init(inspector: MediaInspector = MediaInspector()) {
        self.inspector = inspector
    }

    /// Results come back in the order of `paths`, whatever order the cores finish in.
    /// `progress` is called with the number of files done so far, from any thread.
    public func inspect(paths: [String], progress: (@Sendable (Int) -> Void)? = nil) -> [MediaFacts] {
        let results = Mutex<[MediaFacts?]>(Array(repeating: nil, count: paths.count))
        let done = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            let facts = inspector.inspect(path: paths[index])
            results.withLock { $0[index] = facts }
            let count = done.add(1, ordering: .relaxed).newValue
            progress?(count)
        }
        return results.withLock { $0.map { $0! } }
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

/// Bad input from the user: a one-line reason, exit code 2.
public struct InputError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
