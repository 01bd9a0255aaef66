import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird
import Logging

/// The web service: the ledger and asset operations, the accounts, and the routes over them.
/// Routes only translate HTTP to these operations and back.
public struct ClearanceService: Sendable {
    public let settings: ServerSettings
    public let ledger: LedgerOperations
    public let assets: AssetOperations
    public let accounts: Accounts
    let selfService: SelfServiceForms
    public let thumbnails: Thumbnails
    public let review: ReviewQueue
    public let peopleToFind: PeopleToFind
    let throttle: LoginThrottle
    let pages: PageTemplates
    let staticAssets: StaticAssets
    let metrics = ServiceMetrics()

    public init(settings: ServerSettings) throws {
        self.settings = settings
        var operations = try LedgerOperations.open(databasePath: settings.databasePath, keyPath: settings.keyPath,
                                                   configuration: settings.configuration, forWriting: true, concurrentReads: true)
        // Erasure reaches the uploads this server keeps, now and from the command line later.
        operations.uploadDirectory = settings.uploadDirectory
        try operations.recordUploadDirectory()
        ledger = operations
        assets = AssetOperations(ledger)
        review = ReviewQueue(ledger)
        peopleToFind = PeopleToFind(ledger)
        thumbnails = try Thumbnails(ledger, directory: URL(fileURLWithPath: settings.thumbnailDirectory),
                                    capacityBytes: settings.thumbnailCacheBytes)
        accounts = try Accounts.open(forDatabase: settings.databasePath, keyPath: settings.keyPath, bcryptCost: settings.bcryptCost)
        // Unknown names at sign-in are checked against a decoy hash: made now, not on the first one.
        accounts.prepare()
        selfService = SelfServiceForms(accounts)
        throttle = LoginThrottle(limit: settings.loginAttemptLimit, window: settings.loginWindow)
        pages = try PageTemplates()
        staticAssets = StaticAssets()
        try FileManager.default.createDirectory(atPath: settings.uploadDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    /// The router and the list of what it serves, with who may call each route.
    public func router() -> (router: Router<ClearanceRequestContext>, routes: [RouteEntry]) {
        let router = Router(context: ClearanceRequestContext.self)
        // Outermost, so that error responses made by the log middleware carry the headers too.
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: RequestLogMiddleware(metrics: metrics))
        router.add(middleware: IdentityMiddleware(accounts: accounts))
        let book = RouteBook(router: router)
        addAccountRoutes(book)
        addPeopleRoutes(book)
        addConsentRoutes(book)
        addCaptureRoutes(book)
        addAssetRoutes(book)
        addExportRoutes(book)
        addDPORoutes(book)
        addReviewRoutes(book)
        addPeopleToFindRoutes(book)
        addPageRoutes(book)
        addMetricsRoute(book)
        return (router, book.entries)
    }

    public func application(host: String, port: Int, logger: Logger? = nil,
                            onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(router: router().router,
                    configuration: .init(address: .hostname(host, port: port), serverName: "clearance"),
                    onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
                    logger: logger ?? Logger(label: "clearance.http"))
    }
}
