import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Killing `clearance` with SIGKILL in the middle of a batch of writes loses nothing it had
/// acknowledged and leaves no partial event.
@Suite(.serialized) struct LedgerCrashTests {
    @Test func killedMidBatchKeepsEveryPrintedReference() throws {
        let fixture = try LedgerCLIFixture()
        let person = try fixture.succeed(["person", "add", "--name", "Crash Test Person"])

        let process = Process()
        process.executableURL = CLIRunner.binary
        process.arguments = ["consent", "record", "--person", person, "--channels", "social,website", "--repeat", "100000"]
        var environment = ProcessInfo.processInfo.environment
        environment["CLEARANCE_DB"] = fixture.databasePath
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let printed = LockedData()
        output.fileHandleForReading.readabilityHandler = { printed.append($0.availableData) }
        try process.run()

        // Let it commit a good number, then kill it without warning.
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, printed.string.filter({ $0 == "\n" }).count < 150, Date() < deadline {
            usleep(2_000)
        }
        #expect(process.isRunning, "the batch finished before it could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        printed.append(output.fileHandleForReading.readDataToEndOfFile())
        #expect(process.terminationReason == .uncaughtSignal)

        // Only whole lines count as acknowledged.
        let text = printed.string
        var lines = text.split(separator: "\n").map(String.init)
        if !text.hasSuffix("\n"), !lines.isEmpty { lines.removeLast() }
        #expect(lines.count >= 150)
        #expect(lines.allSatisfy(isConsentReference))

        let verify = try fixture.run(["verify"])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        let stored = try #require(try fixture.json(["consent", "list"]) as? [[String: Any]])
        let references = Set(stored.compactMap { $0["reference"] as? String })
        let missing = lines.filter { !references.contains($0) }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(5))")
        // At most the one in flight committed without being printed.
        #expect(references.count >= lines.count && references.count <= lines.count + 1)
    }
}
