import ArgumentParser
import ClearanceApp
import ClearanceHTTP
import Foundation
import Hummingbird
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the web service: consent capture, editor checks, DPO dashboard and the JSON API under /api/v1.",
        discussion: """
            Listens on 127.0.0.1:8080 unless told otherwise. Accounts live beside the ledger in DB.users \
            (create them with `clearance user add`); uploads are kept in DB.uploads. GET /health answers \
            without an account.
            """
    )

    @OptionGroup var options: DatabaseOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
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

    func run() async throws {
        guard (0...65535).contains(port) else { throw InputError("--port must be between 0 and 65535") }
        if let maxUploadMb, !(1...4096).contains(maxUploadMb) { throw InputError("--max-upload-mb must be between 1 and 4096") }
        guard (1...24 * 30).contains(sessionHours) else { throw InputError("--session-hours must be between 1 and 720") }
        guard let level = Logger.Level(rawValue: logLevel) else { throw InputError("unknown --log-level \(logLevel)") }
        let configuration = try options.configuration()
        let settings = ServerSettings(databasePath: options.databasePath, configuration: configuration,
                                      maxUploadBytes: maxUploadMb.map { $0 << 20 } ?? configuration.maxUploadBytes, sessionLifetime: .seconds(sessionHours * 3600),
                                      secureCookies: !insecureCookies, publicBaseURL: publicUrl, trustedProxies: Set(trustedProxy))
        let service = try ClearanceService(settings: settings)
        var logger = Logger(label: "clearance.http")
        logger.logLevel = level
        let host = self.host
        let app = service.application(host: host, port: port, logger: logger) { port in
            printFlushed("clearance: serving on http://\(host == "127.0.0.1" ? "localhost" : host):\(port)")
        }
        try await app.runService()
    }
}
