import ClearanceApp
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("GET /metrics")
struct MetricsTests {
    /// Request counts and latency by route pattern, verdicts by reason code.
    @Test("admins read Prometheus text: routes as patterns, verdicts by code, outbox and last verify")
    func content() async throws {
        let fixture = try ServiceFixture()
        let asset = try fixture.sha(of: "joan-garden.jpg")
        try await fixture.application().test(.router) { client in
            let body = ByteBuffer(string: #"{"assets": ["\#(asset)"], "channel": "facebook"}"#)
            let check = try await client.execute(uri: "/api/v1/check", method: .post, headers: fixture.headers(.editor, json: true), body: body)
            #expect(check.status == .ok)
            _ = try await client.execute(uri: "/api/v1/people/\(fixture.amira)", method: .get, headers: fixture.headers(.dpo))
            _ = try await client.execute(uri: "/api/v1/verify", method: .get, headers: fixture.headers(.dpo))
            let response = try await client.execute(uri: "/metrics", method: .get, headers: fixture.headers(.admin))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = response.text
            #expect(text.contains(#"clearance_http_requests_total{method="POST",route="/api/v1/check",status="200"} 1"#))
            #expect(text.contains(#"route="/api/v1/people/{id}""#))
            #expect(!text.contains(fixture.amira), "a concrete path (with an id) reached the metrics")
            #expect(text.contains(#"clearance_http_request_duration_seconds_bucket{method="POST",route="/api/v1/check",le="+Inf"} 1"#))
            #expect(text.contains(#"clearance_verdicts_total{channel="facebook",result="blocked"} 1"#))
            // Joan is not registered in this fixture: the gate answers unknown-person.
            #expect(text.contains(#"clearance_verdict_reasons_total{code="unknown-person"} 1"#))
            #expect(text.contains("clearance_outbox_backlog_notices 0"))
            #expect(text.contains("clearance_last_verify_intact_bool 1"))
            #expect(text.contains("clearance_last_verify_time_seconds "))
        }
    }

    @Test("from elsewhere: admins only (anonymous 401, other roles 403); through a proxy on loopback too")
    func remote() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        // The router test has no peer address: the caller is not on this machine.
        try await fixture.application().test(.router) { client in
            let status1 = try await client.execute(uri: "/metrics", method: .get).status
            #expect(status1 == .unauthorized)
            for role in [Role.officer, .editor, .dpo] {
                let status2 = try await client.execute(uri: "/metrics", method: .get, headers: fixture.headers(role)).status
                #expect(status2 == .forbidden)
            }
            let status3 = try await client.execute(uri: "/metrics", method: .get, headers: fixture.headers(.admin)).status
            #expect(status3 == .ok)
        }
        try await fixture.live { client in
            var proxied = fixture.headers(.editor)
            proxied[.init("X-Forwarded-For")!] = "203.0.113.9"
            let status4 = try await client.execute(uri: "/metrics", method: .get, headers: proxied).status
            #expect(status4 == .forbidden)
            var anonymous = HTTPFields()
            anonymous[.init("X-Forwarded-For")!] = "203.0.113.9"
            let status5 = try await client.execute(uri: "/metrics", method: .get, headers: anonymous).status
            #expect(status5 == .unauthorized)
        }
    }

    @Test("a scraper on the same machine needs no account (a live server on loopback)")
    func loopback() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        try await fixture.live { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.text.contains("clearance_outbox_backlog_notices"))
            let editor = try await client.execute(uri: "/metrics", method: .get, headers: fixture.headers(.editor))
            #expect(editor.status == .ok, "on loopback the account does not matter")
        }
    }
}
