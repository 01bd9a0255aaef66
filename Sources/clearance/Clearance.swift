import ArgumentParser
import ClearanceApp
import Foundation

@main
struct Clearance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clearance",
        abstract: "GDPR consent for photos and videos: who is shown, who agreed, what may be published.",
        discussion: """
            Exit codes: 0 success (or all cleared), 1 blocked or check failed, 2 bad input or usage.
            Commands that use the database take --db (default $CLEARANCE_DB, else ./clearance.db).
            """,
        subcommands: [
            // In the order people meet them: read files, register, judge, publish, answer, operate.
            Inspect.self,
            Init.self,
            PersonCommand.self,
            ConsentCommand.self,
            Ingest.self,
            Tag.self,
            Faces.self,
            Check.self,
            Export.self,
            Takedowns.self,
            TakedownCommand.self,
            ReportCommand.self,
            Sar.self,
            Erase.self,
            Verify.self,
            Backup.self,
            Restore.self,
            Copy.self,
            Notify.self,
            UserCommand.self,
            Serve.self,
        ]
    )

    /// ArgumentParser exits 64 on usage errors; the contract is 2, with a one-line reason.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as InputError {
            FileHandle.standardError.write(Data("clearance: \(error.description)\n".utf8))
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .success || code.rawValue == 1 {
                exit(withError: error)
            }
            if code == .validationFailure || code.rawValue == 64 {
                let reason = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid usage"
                FileHandle.standardError.write(Data("clearance: \(reason) (see --help)\n".utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
