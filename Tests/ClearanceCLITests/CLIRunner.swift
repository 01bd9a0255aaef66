import Foundation

/// Runs the real `clearance` binary, as a user or script would, and captures what it printed.
struct CLIRunner {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        /// True when the process ended by a signal (a crash) rather than exiting.
        let crashed: Bool
        let timedOut: Bool
    }

    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: URL { packageRoot.appendingPathComponent(".build/debug/clearance") }

    /// `../shared/corpus` beside the repository, or nil when this checkout has none.
    static var corpus: URL? {
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// Builds the Riverside summer-fair ledger at `database` with samples/load.sh, as `make run` does.
    static func loadSamples(into database: String, environment: [String: String] = [:]) throws {
        let load = Process()
        load.executableURL = URL(fileURLWithPath: "/bin/bash")
        load.arguments = [packageRoot.appendingPathComponent("samples/load.sh").path, database]
        load.environment = ProcessInfo.processInfo.environment.merging(["CLEARANCE": binary.path]) { $1 }.merging(environment) { $1 }
        load.standardOutput = FileHandle.nullDevice
        try load.run()
        load.waitUntilExit()
        guard load.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "samples/load.sh failed for \(database.prefix(while: { $0 != "@" }))"])
        }
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil,
                    timeout: TimeInterval = 120) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        // Drain both pipes while the process runs so a large output cannot block it.
        let outData = LockedData(), errData = LockedData()
        out.fileHandleForReading.readabilityHandler = { outData.append($0.availableData) }
        err.fileHandleForReading.readabilityHandler = { errData.append($0.availableData) }
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline { process.terminate(); timedOut = true; break }
            usleep(10_000)
        }
        process.waitUntilExit()
        out.fileHandleForReading.readabilityHandler = nil
        err.fileHandleForReading.readabilityHandler = nil
        outData.append(out.fileHandleForReading.readDataToEndOfFile())
        errData.append(err.fileHandleForReading.readDataToEndOfFile())
        return Result(status: process.terminationStatus,
                      stdout: outData.string, stderr: errData.string,
                      crashed: process.terminationReason == .uncaughtSignal && !timedOut,
                      timedOut: timedOut)
    }
}

final class LockedData: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    func append(_ chunk: Data) { lock.lock(); data.append(chunk); lock.unlock() }
    var string: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
}
