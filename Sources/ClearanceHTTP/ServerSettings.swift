import ClearanceApp
import Foundation

/// How `clearance serve` runs: where the ledger is and the limits of the web service.
public struct ServerSettings: Sendable {
    public var databasePath: String
    /// The instance key file; nil for `DB.key` beside the database.
    public var keyPath: String?
    public var configuration: ClearanceConfiguration
    /// Uploaded files are kept here, named by their SHA-256 (never by the name the client gave).
    public var uploadDirectory: String
    /// Thumbnails of stored pictures for the pages, made by the server (see `Thumbnails`).
    public var thumbnailDirectory: String
    /// The thumbnail folder is trimmed to stay under this.
    public var thumbnailCacheBytes: Int
    public var maxUploadBytes: Int
    public var sessionLifetime: Duration
    /// `Secure` on the session cookie. Browsers accept it on http://localhost; turn it off only
    /// behind a plain-HTTP test address.
    public var secureCookies: Bool
    /// The address people's withdrawal links start with (e.g. `https://consent.example.org`);
    /// when nil, the Host of the request that made the receipt.
    public var publicBaseURL: String?
    public var bcryptCost: UInt8
    /// Failed sign-ins allowed per (address, account name) within `loginWindow`.
    public var loginAttemptLimit: Int
    public var loginWindow: Duration
    /// Peers whose `X-Forwarded-For` is believed for the sign-in throttle: the reverse proxy in
    /// front of the service. Without it, behind a proxy every sign-in comes from one address.
    public var trustedProxies: Set<String>

    public init(databasePath: String, keyPath: String? = nil, configuration: ClearanceConfiguration = .standard,
                uploadDirectory: String? = nil, thumbnailDirectory: String? = nil, thumbnailCacheBytes: Int = 256 << 20,
                maxUploadBytes: Int? = nil,
                sessionLifetime: Duration = .seconds(8 * 3600), secureCookies: Bool = true,
                publicBaseURL: String? = nil, bcryptCost: UInt8 = 12,
                loginAttemptLimit: Int = 5, loginWindow: Duration = .seconds(300), trustedProxies: Set<String> = []) {
        self.databasePath = databasePath
        self.keyPath = keyPath
        self.configuration = configuration
        self.uploadDirectory = uploadDirectory ?? databasePath + ".uploads"
        self.thumbnailDirectory = thumbnailDirectory ?? databasePath + ".thumbnails"
        self.thumbnailCacheBytes = thumbnailCacheBytes
        // The configuration's limit unless the caller (`serve --max-upload-mb`) gives one.
        self.maxUploadBytes = maxUploadBytes ?? configuration.maxUploadBytes
        self.sessionLifetime = sessionLifetime
        self.secureCookies = secureCookies
        self.publicBaseURL = publicBaseURL
        self.bcryptCost = bcryptCost
        self.loginAttemptLimit = loginAttemptLimit
        self.loginWindow = loginWindow
        self.trustedProxies = trustedProxies
    }
}
