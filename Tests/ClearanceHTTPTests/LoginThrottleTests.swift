@testable import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The sign-in throttle slows a guesser without letting a stranger keep the real user out, in
/// bounded memory that a flood of made-up names cannot wipe.
@Suite("Sign-in throttle")
struct LoginThrottleTests {
    let start = ContinuousClock.now

    @Test func failuresCountPerAddressAndName() {
        let throttle = LoginThrottle(limit: 3, window: .seconds(300))
        for _ in 0..<3 { throttle.recordFailure(source: "203.0.113.9", name: "the-dpo", now: start) }
        #expect(throttle.wait(source: "203.0.113.9", name: "THE-DPO", now: start) != nil, "names match without case")
        #expect(throttle.wait(source: "198.51.100.7", name: "the-dpo", now: start) == nil, "the real user, elsewhere, is not kept out")
        #expect(throttle.wait(source: "203.0.113.9", name: "the-editor", now: start) == nil)
        let wait = throttle.wait(source: "203.0.113.9", name: "the-dpo", now: start + .seconds(100))
        #expect(wait == .seconds(200))
        #expect(throttle.wait(source: "203.0.113.9", name: "the-dpo", now: start + .seconds(300)) == nil, "the window passes")
        throttle.recordFailure(source: "198.51.100.7", name: "the-dpo", now: start)
        throttle.recordSuccess(source: "198.51.100.7", name: "the-dpo")
        #expect(throttle.sizes.pairs == 1)
    }

    @Test func anAddressTryingManyNamesIsSlowedAsAWhole() {
        let throttle = LoginThrottle(limit: 3, window: .seconds(300), sourceLimit: 20)
        for i in 0..<20 { throttle.recordFailure(source: "203.0.113.9", name: "made-up-\(i)", now: start) }
        #expect(throttle.wait(source: "203.0.113.9", name: "never-tried", now: start) != nil)
        #expect(throttle.wait(source: "203.0.113.10", name: "never-tried", now: start) == nil)
    }

    @Test func aFloodOfMadeUpNamesNeitherGrowsMemoryNorFreesALockedGuesser() {
        let throttle = LoginThrottle(limit: 3, window: .seconds(300), sourceLimit: 50, capacity: 500)
        for _ in 0..<3 { throttle.recordFailure(source: "203.0.113.9", name: "the-dpo", now: start) }
        // 12,000 made-up names (the old throttle forgot everything after 10,001) from 1,200
        // addresses, 10 each, later in the same window.
        for i in 0..<12_000 {
            throttle.recordFailure(source: "10.0.\(i / 2560).\(i / 10 % 256)", name: "made-up-\(i)", now: start + .milliseconds(i))
        }
        let sizes = throttle.sizes
        #expect(sizes.pairs == 500 && sizes.sources == 500)
        #expect(throttle.wait(source: "203.0.113.9", name: "the-dpo", now: start + .seconds(30)) != nil,
                "a refusing entry outlives entries that refuse no one")
        // Once lapsed, entries make room first.
        throttle.recordFailure(source: "192.0.2.1", name: "late", now: start + .seconds(400))
        #expect(throttle.sizes.pairs <= 2)
    }

    @Test func addressesAreCountedByIPv6NetworkAndThroughTrustedProxiesOnly() {
        #expect(ClientAddress.key(peer: "2001:db8:1:2:aaaa::1", forwardedFor: nil, trustedProxies: [])
                == ClientAddress.key(peer: "2001:db8:1:2:bbbb::9", forwardedFor: nil, trustedProxies: []))
        #expect(ClientAddress.key(peer: "2001:db8:1:3::1", forwardedFor: nil, trustedProxies: []) == "2001:db8:1:3::/64")
        #expect(ClientAddress.key(peer: "::ffff:192.0.2.7", forwardedFor: nil, trustedProxies: []) == "192.0.2.7")
        #expect(ClientAddress.key(peer: "192.0.2.7", forwardedFor: "198.51.100.1", trustedProxies: []) == "192.0.2.7",
                "an untrusted peer cannot pick its address")
        #expect(ClientAddress.key(peer: "127.0.0.1", forwardedFor: "1.2.3.4, 198.51.100.1", trustedProxies: ["127.0.0.1"]) == "198.51.100.1",
                "the proxy's own entry, not what the client wrote before it")
    }

    /// The real server on loopback, behind a trusted proxy's X-Forwarded-For: a stranger's
    /// failures refuse the stranger, never the real user.
    @Test("on a live server: a stranger's wrong passwords do not keep the real user out; the guesser waits")
    func strangerCannotLockOut() async throws {
        let fixture = try ServiceFixture(settings: { $0.loginAttemptLimit = 3; $0.trustedProxies = ["127.0.0.1", "::1"] }, ingestSamples: false)
        try await fixture.live { client in
            func signIn(from address: String, password: String) async throws -> TestResponse {
                let page = try await client.execute(uri: "/login", method: .get)
                let token = try #require(SessionTests.hidden("csrf", in: page.text))
                let cookie = try #require(SessionTests.cookieValue(SessionTests.cookies(page)["clearance_login"]))
                var headers = SessionTests.formHeaders(cookie: "clearance_login=\(cookie)")
                headers[.init("X-Forwarded-For")!] = address
                return try await client.execute(uri: "/login", method: .post, headers: headers,
                                                body: SessionTests.form([("csrf", token), ("name", "the-dpo"), ("password", password)]))
            }
            for _ in 0..<5 { _ = try await signIn(from: "203.0.113.9", password: "guess-guess-guess") }
            let guesser = try await signIn(from: "203.0.113.9", password: fixture.passwords[.dpo]!)
            #expect(guesser.status == .tooManyRequests)
            #expect(Int(guesser.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(try await signIn(from: "198.51.100.7", password: fixture.passwords[.dpo]!).status == .seeOther)
        }
    }
}
