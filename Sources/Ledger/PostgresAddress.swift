import Foundation

/// Where a PostgreSQL ledger lives, written as libpq and most tools write it:
/// `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=MODE` (or `postgresql://`), with
/// percent-encoding in the user, password and database names.
///
/// Addresses end up in logs, error messages and `ps` listings of whoever printed them, so the
/// password is kept for connecting but never shown: `description`, `debugDescription`, the
/// mirror `dump` uses and every parsing error leave it out (a parsing error repeats nothing of
/// what it was given, since a malformed address may have split the password anywhere).
public struct PostgresAddress: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// libpq's `sslmode` values that make sense here. `prefer` (libpq's default) tries TLS and
    /// falls back; `prefer` and `require` do not check the server's certificate, as in libpq;
    /// `verify-full` checks it against the system's roots and the host name.
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable
        case prefer
        case require
        case verifyFull = "verify-full"
    }

    public static let defaultPort = 5432

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var tlsMode: TLSMode

    public init(user: String, password: String?, host: String, port: Int = defaultPort,
                database: String, tlsMode: TLSMode = .prefer) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.tlsMode = tlsMode
    }

    /// True when `text` is meant as a PostgreSQL address (its scheme), well formed or not.
    public static func isPostgresAddress(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// Parses `text`, refusing anything malformed with a `LedgerError.invalid` that says what is
    /// wrong and how the address is written, without repeating any of it.
    public init(parsing text: String) throws {
        func refuse(_ problem: String) -> LedgerError {
            .invalid("the PostgreSQL address \(problem) (it is written postgres://USER:PASSWORD@HOST:PORT/DATABASE, "
                     + "with %XX for special characters in the user, password and database)")
        }
        guard let schemeEnd = text.range(of: "://"),
              ["postgres", "postgresql"].contains(text[..<schemeEnd.lowerBound].lowercased()) else {
            throw refuse("does not start with postgres:// or postgresql://")
        }
        var rest = text[schemeEnd.upperBound...]
        guard !rest.contains("#") else { throw refuse("has a # in it") }
        guard !rest.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true }) else {
            throw refuse("has a space or control character in it")
        }

        // The authority ends at the first "/" or "?" (RFC 3986), so a "/" in a password has to
        // be percent-encoded; the user information ends at the last "@", so a bare "@" in a
        // password still parses.
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        guard let at = authority.lastIndex(of: "@") else { throw refuse("names no user") }
        let userInformation = authority[..<at]
        let hostAndPort = authority[authority.index(after: at)...]

        let userText: Substring
        var password: String?
        if let colon = userInformation.firstIndex(of: ":") {
            userText = userInformation[..<colon]
            guard let decoded = Self.percentDecoded(userInformation[userInformation.index(after: colon)...]) else {
                throw refuse("has a password with a malformed %-escape or a NUL character")
            }
            password = decoded
        } else {
            userText = userInformation
        }
        guard let user = Self.percentDecoded(userText), !user.isEmpty else {
            throw refuse(userText.isEmpty ? "names no user" : "has a user name with a malformed %-escape or a NUL character")
        }

        var host: String
        var portText: Substring?
        if hostAndPort.hasPrefix("[") {
            // An IPv6 literal, [::1] or [::1]:5432.
            guard let close = hostAndPort.firstIndex(of: "]") else { throw refuse("has an unclosed [ in its host") }
            host = String(hostAndPort[hostAndPort.index(after: hostAndPort.startIndex)..<close])
            let after = hostAndPort[hostAndPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw refuse("has something other than :PORT after its [IPv6] host") }
                portText = after.dropFirst()
            }
        } else if let colon = hostAndPort.firstIndex(of: ":") {
            host = String(hostAndPort[..<colon])
            portText = hostAndPort[hostAndPort.index(after: colon)...]
        } else {
            host = String(hostAndPort)
        }
        guard let decodedHost = Self.percentDecoded(Substring(host)), !decodedHost.isEmpty else {
            throw refuse("names no host")
        }
        host = decodedHost
        var port = Self.defaultPort
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCII), let number = Int(portText),
                  (1...65_535).contains(number) else {
                throw refuse("has a port that is not a number from 1 to 65535")
            }
            port = number
        }

        var path = rest
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            path = rest[..<mark]
            query = rest[rest.index(after: mark)...]
        }
        guard path.hasPrefix("/"), path.count > 1 else { throw refuse("names no database (…/DATABASE after the host)") }
        let databaseText = path.dropFirst()
        guard !databaseText.contains("/") else { throw refuse("has a / in its database name") }
        guard let database = Self.percentDecoded(databaseText), !database.isEmpty else {
            throw refuse("has a database name with a malformed %-escape or a NUL character")
        }

        var tlsMode = TLSMode.prefer
        var seen: Set<String> = []
        for parameter in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let name = Self.percentDecoded(parts[0]), let value = Self.percentDecoded(parts[1]) else {
                throw refuse("has a parameter that is not NAME=VALUE after the ?")
            }
            guard name == "sslmode" else {
                throw refuse("has a parameter other than sslmode after the ? (only sslmode=disable|prefer|require|verify-full is understood)")
            }
            guard seen.insert(name).inserted else { throw refuse("gives sslmode twice") }
            guard let mode = TLSMode(rawValue: value) else {
                throw refuse("has an sslmode other than disable, prefer, require or verify-full")
            }
            tlsMode = mode
        }

        self.init(user: user, password: password, host: host, port: port, database: database, tlsMode: tlsMode)
    }

    /// The same server and login, another database (the tests make one per case).
    public func naming(database name: String) -> PostgresAddress {
        var copy = self
        copy.database = name
        return copy
    }

    /// The address without its password, percent-encoded so that it parses back.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(Self.percentEncoded(user))@\(hostPart):\(port)/\(Self.percentEncoded(database))?sslmode=\(tlsMode.rawValue)"
    }

    public var debugDescription: String { "PostgresAddress(\(description)\(password == nil ? "" : ", password hidden"))" }

    public var customMirror: Mirror {
        Mirror(self, children: ["user": user, "password": password == nil ? "none" : "(hidden)", "host": host,
                                "port": port, "database": database, "tlsMode": tlsMode.rawValue],
               displayStyle: .struct)
    }

    /// Nil for a malformed %-escape, invalid UTF-8 or a NUL (which no PostgreSQL name or
    /// password can hold).
    private static func percentDecoded(_ text: Substring) -> String? {
        guard let decoded = String(text).removingPercentEncoding, !decoded.unicodeScalars.contains("\0") else { return nil }
        return decoded
    }

    /// RFC 3986's unreserved characters: everything else is %XX in `description`.
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
