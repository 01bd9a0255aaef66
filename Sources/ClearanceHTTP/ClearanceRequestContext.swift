import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird

/// Per-request state: who is asking, and how they proved it.
public struct ClearanceRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The account, from a bearer token or a session cookie.
    var user: UserRecord?
    /// Present when the account came from a session cookie: forms and cookie-authenticated
    /// API calls must then carry its CSRF token.
    var session: SessionRecord?
    /// The address of the peer that opened the connection (a proxy's, behind one); nil in tests
    /// that call the router directly.
    let peerAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    var role: Role? { user.flatMap { Role(rawValue: $0.role) } }
}

/// Who is signing in, for the login throttle: the peer's address, or the address a trusted
/// proxy says it saw (the last `X-Forwarded-For` entry, the one that proxy added). An IPv6
/// address counts by its /64 prefix, which one host may fill as it likes.
enum ClientAddress {
    static func key(peer: String?, forwardedFor: String?, trustedProxies: Set<String>) -> String {
        var address = peer ?? "unknown"
        if let peer, trustedProxies.contains(peer), let forwardedFor,
           let last = forwardedFor.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty, last.utf8.count <= 64 {
            address = last
        }
        return prefix64(address) ?? address
    }

    /// `2001:db8:1:2::/64` for any address of that network; nil for anything not IPv6.
    static func prefix64(_ address: String) -> String? {
        // An IPv4 client of a dual-stack socket (`::ffff:192.0.2.1`) is that IPv4 address.
        if address.lowercased().hasPrefix("::ffff:"), address.contains(".") { return String(address.dropFirst(7)) }
        guard address.contains(":") else { return nil }
        var bytes = in6_addr()
        guard inet_pton(AF_INET6, address, &bytes) == 1 else { return nil }
        let octets = withUnsafeBytes(of: &bytes) { Array($0.prefix(8)) }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(octets[$0]) << 8 | UInt16(octets[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }
}
