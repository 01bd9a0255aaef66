import ArgumentParser
import ClearanceApp
import ClearanceHTTP
import Foundation
import Hummingbird
import ClearanceCore
import Logging
import Synchronization

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the web service: consent capture, editor checks, DPO dashboard and the JSON API under /api/v1.",
        discussion: """
            Listens on 127.0.0.1:8080 unless told otherwise. Accounts live beside the ledger in DB.users \
            (create them with `clearance user add`); uploads are kept in DB.uploads, or in the folder \
            given by --uploads (shared storage when several servers run). That folder is listed beside \
            the ledger in DB.upload-folders, so that `clearance erase` reaches the copies kept there \
            without being told. GET /health answers without an account.
            """
    )

    @OptionGroup var options: DatabaseOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: ArgumentHelp("Folder for uploaded files; it must exist and be writable (default: DB.uploads, made when missing; required with a PostgreSQL --db, and shared by every server).",
                               valueName: "dir"))
    var uploads: String?
    @Option(help: "Largest upload accepted, in MiB (default: maxUploadBytes in --config, else 50).") var maxUploadMb: Int?
    @Option(help: "Hours a browser session lasts.") var sessionHours = 8
    @Option(help: "Address withdrawal links start with, e.g. https://consent.example.org (default: the request's Host).")
    var publicUrl: String?
    @Flag(help: "Leave Secure off the session cookie (only for a plain-HTTP address other than localhost).")
    var insecureCookies = false
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"
    @Option(help: ArgumentHelp("Address of a reverse proxy in front of the service whose X-Forwarded-For is believed for the sign-in throttle (repeatable).",
                               valueName: "address"))
    var trustedProxy: [String] = []
    @Flag(help: "Do not run the notice pass in the background (run `clearance notify` from a timer instead).")
    var noNotify = false

    func run() async throws {
        guard (0...65535).contains(port) else { throw InputError("--port must be between 0 and 65535") }
        if let maxUploadMb, !(1...4096).contains(maxUploadMb) { throw InputError("--max-upload-mb must be between 1 and 4096") }
        guard (1...24 * 30).contains(sessionHours) else { throw InputError("--session-hours must be between 1 and 720") }
        guard let level = Logger.Level(rawValue: logLevel) else { throw InputError("unknown --log-level \(logLevel)") }
        let onPostgreSQL = LedgerOperations.isPostgreSQL(options.databasePath)
        if onPostgreSQL && uploads == nil {
            throw InputError("a server on a PostgreSQL ledger needs --uploads DIR: the folder, shared by every server, where uploaded files are kept")
        }
        if let uploads { try Self.checkUploadFolder(uploads) }
        let configuration = try options.configuration()
        let settings = ServerSettings(databasePath: options.databasePath, keyPath: options.keyPath, configuration: configuration,
                                      uploadDirectory: uploads,
                                      // Each server's own cache; with no ledger file to sit beside, beside the uploads.
                                      thumbnailDirectory: onPostgreSQL ? uploads.map { $0 + ".thumbnails" } : nil,
                                      maxUploadBytes: maxUploadMb.map { $0 << 20 } ?? configuration.maxUploadBytes, sessionLifetime: .seconds(sessionHours * 3600),
                                      secureCookies: !insecureCookies, publicBaseURL: publicUrl ?? configuration.publicURL,
                                      trustedProxies: Set(trustedProxy))
        let service = try ClearanceService(settings: settings)
        var logger = Logger(label: "clearance.http")
        logger.logLevel = level
        let host = self.host
        let app = service.application(host: host, port: port, logger: logger) { port in
            printFlushed("clearance: serving on http://\(host == "127.0.0.1" ? "localhost" : host):\(port)")
        }
        guard !noNotify, configuration.notices != nil else {
            try await app.runService()
            return
        }
        let notices = try Notices(service.ledger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            let noticeLogger = logger
            group.addTask { await Self.sendNotices(notices, logger: noticeLogger) }
            // The server stops (a signal, a failure): the notice loop stops with it.
            try await group.next()
            group.cancelAll()
        }
    }

    /// `--uploads DIR` names a folder that is there and writable: checked before anything is
    /// opened or made, so a mistyped path changes nothing.
    static func checkUploadFolder(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError("--uploads \(path) does not exist; make the folder first")
        }
        guard isDirectory.boolValue else { throw InputError("--uploads \(path) is not a folder") }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw InputError("--uploads \(path) is not writable by this user")
        }
    }

    /// The notice pass at start and then every `notifyIntervalMinutes`, on a thread of its own
    /// (SQLite and libcurl block). Several servers may run it: each notice is claimed by one.
    static func sendNotices(_ notices: Notices, logger: Logger) async {
        let stopping = StopFlag()
        while !Task.isCancelled {
            do {
                let run = try await withTaskCancellationHandler {
                    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<NoticeRun, any Error>) in
                        DispatchQueue.global().async {
                            continuation.resume(with: Result {
                                try notices.run(day: Timestamp.now.utcDate, now: .now, stop: { stopping.isSet })
                            })
                        }
                    }
                } onCancel: {
                    // The server is stopping: finish the notice in hand, claim no other.
                    stopping.set()
                }
                logger.info("notices", metadata: ["sent": "\(run.sent.count)", "failed": "\(run.failed.count)",
                                                  "inDoubt": "\(run.inDoubt.count)", "waiting": "\(run.waiting)"])
            } catch {
                logger.error("notice pass failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(notices.settings.intervalMinutes * 60))
        }
    }
}

/// Set once from a cancellation handler, read from the notice pass's thread.
final class StopFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
