@testable import ClearanceApp
import ClearanceCore
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Synchronization
import Testing

/// The tablet's outbox against a real ledger: references reserved while online, captures sent
/// once and only once, refusals that change nothing, and captures only their officer may send.
@Suite("Offline capture: reserved references and the outbox's sync route")
struct OfflineCaptureTests {
    static let device = "6f1c2a7e-3b8d-4c55-9a0e-1d2f3a4b5c6d"
    static let otherDevice = "0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b"
    /// A 1×1 PNG, the smallest signature there is.
    static let png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    static let day: Int64 = 86_400_000

    struct Reply {
        let status: HTTPResponse.Status
        let json: [String: Any]
    }

    static func post(_ client: some TestClientProtocol, _ path: String, _ body: [String: Any], as token: String?,
                     extra: HTTPFields = [:]) async throws -> Reply {
        try await post(client, path, json: try JSONSerialization.data(withJSONObject: body), as: token, extra: extra)
    }

    static func post(_ client: some TestClientProtocol, _ path: String, json: Data, as token: String?,
                     extra: HTTPFields = [:]) async throws -> Reply {
        var headers = extra
        headers[.contentType] = "application/json"
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: json))
        return Reply(status: response.status, json: (try? response.json() as? [String: Any]) ?? [:])
    }

    static func json(_ body: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: body) }

    static func reserve(_ client: some TestClientProtocol, _ fixture: ServiceFixture, role: Role = .officer,
                        device: String = device, count: Int) async throws -> [String] {
        let reply = try await post(client, "/api/v1/captures/references", ["device": device, "count": count], as: fixture.tokens[role])
        #expect(reply.status == .ok)
        return (reply.json["references"] as? [[String: Any]] ?? []).compactMap { $0["reference"] as? String }
    }

    static func secretHash(_ secret: String) -> String {
        SHA256Hex.of(Data(secret.utf8))
    }

    /// A capture as the tablet sends it.
    static func capture(reference: String, officer: String = "the-officer", id: String = UUID().uuidString.lowercased(),
                        at capturedAt: Int64 = Timestamp.now.millisecondsSinceEpoch, name: String = "Nia Offline",
                        secret: String = "secret-made-on-the-tablet-0123456789abcdef") -> [String: Any] {
        ["id": id, "reference": reference, "officer": officer, "capturedAt": capturedAt, "event": "Park run 2026",
         "formVersion": "photo-2026", "name": name, "ageBand": "adult", "channels": ["website", "facebook"],
         "signaturePNG": png, "withdrawalSecretSHA256": secretHash(secret)]
    }

    static func counts(_ fixture: ServiceFixture) throws -> (people: Int, consents: Int) {
        (try fixture.service.ledger.allPeople().count, try fixture.service.ledger.consents(person: nil).count)
    }

    @Test("a tablet holds the references reserved for it: asking again hands back the same ones, topped up; other tablets and officers get others")
    func reservation() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        try await fixture.application().test(.router) { client in
            let first = try await Self.reserve(client, fixture, count: 5)
            #expect(first.count == 5)
            #expect(Set(first).count == 5)
            for text in first {
                let reference = try #require(ConsentReference(parsing: text), "\(text) has the alphabet and check symbol of a reference")
                #expect(reference.description == text)
                let held = try #require(try fixture.service.ledger.ledger.reservation(reference))
                #expect(held.officer == "the-officer")
                #expect(held.device == Self.device)
                // 14 days by default.
                #expect(held.expiresAt.millisecondsSinceEpoch - held.reservedAt.millisecondsSinceEpoch == 14 * Self.day)
            }
            let again = try await Self.reserve(client, fixture, count: 5)
            #expect(again == first, "the answer to a repeated request is the same references")
            let more = try await Self.reserve(client, fixture, count: 8)
            #expect(more.count == 8)
            #expect(Set(first).isSubset(of: Set(more)))
            let otherTablet = try await Self.reserve(client, fixture, device: Self.otherDevice, count: 5)
            let dpo = try await Self.reserve(client, fixture, role: .dpo, count: 5)
            #expect(Set(otherTablet).isDisjoint(with: more))
            #expect(Set(dpo).isDisjoint(with: more + otherTablet))

            // A used reference is no longer handed out; the reserve is topped up instead.
            let sent = try await Self.post(client, "/api/v1/captures", Self.capture(reference: first[0]), as: fixture.tokens[.officer])
            #expect(sent.status == .created)
            let after = try await Self.reserve(client, fixture, count: 8)
            #expect(after.count == 8)
            #expect(!after.contains(first[0]))

            // Bad requests, and a role that does not capture.
            let badDevice = try await Self.post(client, "/api/v1/captures/references", ["device": "tablet-1", "count": 5], as: fixture.tokens[.officer])
            #expect(badDevice.status == .badRequest)
            let tooMany = try await Self.post(client, "/api/v1/captures/references", ["device": Self.device, "count": 51], as: fixture.tokens[.officer])
            #expect(tooMany.status == .badRequest)
            let editor = try await Self.post(client, "/api/v1/captures/references", ["device": Self.device], as: fixture.tokens[.editor])
            #expect(editor.status == .forbidden)
        }
    }

    @Test("an officer holds at most 200 unused references over all their tablets")
    func reservationCap() throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let ledger = fixture.service.ledger
        for index in 0..<4 {
            let device = String(format: "00000000-0000-4000-8000-%012d", index)
            #expect(try ledger.reserveReferences(officer: "the-officer", device: device, count: 50).count == 50)
        }
        #expect(throws: InputError.self) {
            try ledger.reserveReferences(officer: "the-officer", device: "00000000-0000-4000-8000-000000000009", count: 1)
        }
        // Another officer is not held back, and expired reservations stop counting.
        #expect(try ledger.reserveReferences(officer: "the-dpo", device: Self.device, count: 1).count == 1)
        let later = Timestamp(millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch + 15 * Self.day)
        #expect(try ledger.reserveReferences(officer: "the-officer", device: Self.device, count: 3, at: later).count == 3)
    }

    @Test("a capture is recorded once: given on the tablet's day, recorded on arrival, tablet-offline, by its officer; a resend answers the same reference")
    func idempotentSync() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let now = Timestamp.now.millisecondsSinceEpoch
        // Reserved three days ago, captured two days ago with no signal, sent now.
        let reserved = try fixture.service.ledger.reserveReferences(officer: "the-officer", device: Self.device, count: 2,
                                                                    at: Timestamp(millisecondsSinceEpoch: now - 3 * Self.day))
        let reference = reserved[0].reference.description
        let capturedAt = now - 2 * Self.day
        let secret = "tablet-made-withdrawal-secret-0000000000000"
        let body = Self.capture(reference: reference, at: capturedAt, secret: secret)
        let id = try #require(body["id"] as? String)
        let bodyJSON = try Self.json(body)
        var changed = body
        changed["reference"] = reserved[1].reference.description
        let changedJSON = try Self.json(changed)
        let before = try Self.counts(fixture)
        try await fixture.application().test(.router) { client in
            let first = try await Self.post(client, "/api/v1/captures", json: bodyJSON, as: fixture.tokens[.officer])
            #expect(first.status == .created)
            #expect(first.json["reference"] as? String == reference)
            #expect(first.json["duplicate"] as? Bool == false)
            #expect(first.json["id"] as? String == id)

            let consent = try fixture.service.ledger.consent(reference)
            #expect(consent.terms.method == .tabletOffline)
            #expect(consent.terms.recordedBy == "the-officer")
            #expect(consent.terms.givenAt == Timestamp(millisecondsSinceEpoch: capturedAt).utcDate)
            #expect(consent.terms.expiresAt == consent.terms.givenAt.adding(years: 3))
            #expect(consent.recordedAt.millisecondsSinceEpoch >= now, "recorded when it arrived, not when captured")
            #expect(consent.terms.channels.map(\.name).sorted() == ["facebook", "website"])
            #expect(consent.details?.signatureImage?.count ?? 0 > 0)
            let person = try #require(try fixture.service.ledger.ledger.person(consent.person))
            #expect(person.personalData?.name == "Nia Offline")
            let stored = try #require(try fixture.service.ledger.ledger.offlineCapture(id: id))
            #expect(stored.capturedAt.millisecondsSinceEpoch == capturedAt)
            #expect(stored.officer == "the-officer")
            #expect(try Self.counts(fixture) == (before.people + 1, before.consents + 1))

            // The withdrawal link printed by the tablet works: the server kept the hash it was sent.
            let withdraw = try await client.execute(uri: "/withdraw/\(secret)", method: .get)
            #expect(withdraw.status == .ok)
            #expect(withdraw.text.contains(reference))

            // Sent again (the first answer was lost): the same reference, nothing new.
            for _ in 0..<3 {
                let again = try await Self.post(client, "/api/v1/captures", json: bodyJSON, as: fixture.tokens[.officer])
                #expect(again.status == .ok)
                #expect(again.json["reference"] as? String == reference)
                #expect(again.json["duplicate"] as? Bool == true)
            }
            #expect(try Self.counts(fixture) == (before.people + 1, before.consents + 1))
            #expect(try fixture.service.ledger.verify().isIntact)

            // The same id with another reference is not the same capture; nor is another id with this reference.
            let conflict = try await Self.post(client, "/api/v1/captures", json: changedJSON, as: fixture.tokens[.officer])
            #expect(conflict.status == .conflict)
            var copy = Self.capture(reference: reference, name: "Someone Else")
            copy["capturedAt"] = now
            let reused = try await Self.post(client, "/api/v1/captures", copy, as: fixture.tokens[.officer])
            #expect(reused.status == .conflict)
            #expect((reused.json["error"] as? String)?.contains("already") == true)
            #expect(try Self.counts(fixture) == (before.people + 1, before.consents + 1))
        }
    }

    @Test("sixteen copies of one capture arriving at the same moment make one consent")
    func concurrentResends() throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let reference = try fixture.service.ledger.reserveReferences(officer: "the-officer", device: Self.device, count: 1)[0].reference
        var capture = OfflineCaptureRequest(id: UUID().uuidString.lowercased(), reference: reference.description, officer: "the-officer",
                                            capturedAt: Timestamp.now.millisecondsSinceEpoch)
        capture.event = "Park run 2026"
        capture.name = "Nia Offline"
        capture.ageBand = "adult"
        capture.channels = ["website"]
        capture.signature = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let before = try Self.counts(fixture)
        // The server's pool of connections, one writer: every copy reads "not seen yet" before
        // any has written, and the check inside the write transaction must keep the rest out.
        let outcomes = Mutex<[Bool]>([])
        let ledger = fixture.service.ledger
        let request = capture
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            let result = try? ledger.recordOfflineCapture(request, sentBy: "the-officer")
            outcomes.withLock { $0.append(result?.isNew ?? false) }
            #expect(result?.record.reference == reference)
        }
        #expect(outcomes.withLock { $0.filter { $0 }.count } == 1, "one copy recorded, fifteen answered as resends")
        #expect(try Self.counts(fixture) == (before.people + 1, before.consents + 1))
    }

    @Test("a refused capture changes nothing, says what to correct, and goes through once corrected, with its reference")
    func refusals() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let references = try fixture.service.ledger.reserveReferences(officer: "the-officer", device: Self.device, count: 8)
            .map(\.reference.description)
        let before = try Self.counts(fixture)
        let now = Timestamp.now.millisecondsSinceEpoch
        let tenYearsAgo = Timestamp(millisecondsSinceEpoch: now - 3650 * Self.day).utcDate.description
        try await fixture.application().test(.router) { client in
            let cases: [(what: String, field: String, change: (inout [String: Any]) -> Void)] = [
                ("a channel since removed", "channels", { $0["channels"] = ["website", "myspace"] }),
                ("no channel", "channels", { $0["channels"] = [String]() }),
                ("a child by age band, without a guardian", "guardian", { $0["ageBand"] = "child" }),
                ("a child by date of birth, without a guardian", "guardian", { $0["born"] = tenYearsAgo; $0["ageBand"] = nil }),
                ("a guardian's name without the relationship", "guardian", { $0["guardianName"] = "Ola Parent" }),
                ("no signature", "signature", { $0["signaturePNG"] = nil }),
                ("a signature that is not a PNG", "signature", { $0["signaturePNG"] = Data("GIF89a".utf8).base64EncodedString() }),
                ("no event", "event", { $0["event"] = "  " }),
                ("no name", "name", { $0["name"] = nil }),
                ("no age", "born", { $0["ageBand"] = nil }),
                ("a date of birth after the event", "born", { $0["born"] = "2999-01-01"; $0["ageBand"] = nil }),
                ("an email that is not an address", "email", { $0["email"] = "not an address" }),
                ("a name over the form's cap", "name", { $0["name"] = String(repeating: "e\u{301}", count: 101) }),
                ("an expiry beyond the policy", "form", { $0["expires"] = "2099-01-01" }),
                ("a capture dated tomorrow", "form", { $0["capturedAt"] = now + Self.day }),
            ]
            for (index, refusal) in cases.enumerated() {
                var body = Self.capture(reference: references[index % 4])
                refusal.change(&body)
                let reply = try await Self.post(client, "/api/v1/captures", body, as: fixture.tokens[.officer])
                #expect(reply.status == .unprocessableContent, "\(refusal.what): \(reply.status)")
                #expect(reply.json["field"] as? String == refusal.field, "\(refusal.what): \(reply.json)")
                #expect((reply.json["error"] as? String)?.isEmpty == false)
            }
            #expect(try Self.counts(fixture) == before, "nothing was written")

            // Corrected on the tablet: same id, same reference, now with the guardian.
            var child = Self.capture(reference: references[5])
            child["ageBand"] = "child"
            let refused = try await Self.post(client, "/api/v1/captures", child, as: fixture.tokens[.officer])
            #expect(refused.status == .unprocessableContent)
            child["guardianName"] = "Ola Parent"
            child["guardianRelationship"] = "mother"
            let corrected = try await Self.post(client, "/api/v1/captures", child, as: fixture.tokens[.officer])
            #expect(corrected.status == .created)
            #expect(corrected.json["reference"] as? String == references[5])
            #expect(try fixture.service.ledger.consent(references[5]).terms.guardianRelationship == "mother")

            // Not a capture at all: 400, also nothing written.
            for malformed: (inout [String: Any]) -> Void in [{ $0["id"] = "not-a-uuid" }, { $0["reference"] = "C-0000-0000" },
                                                              { $0["capturedAt"] = 12 }, { $0["withdrawalSecretSHA256"] = "abc" }] {
                var body = Self.capture(reference: references[6])
                malformed(&body)
                let reply = try await Self.post(client, "/api/v1/captures", body, as: fixture.tokens[.officer])
                #expect(reply.status == .badRequest)
            }
            #expect(try Self.counts(fixture) == (before.people + 1, before.consents + 1))
        }
    }

    @Test("only the officer who captured a consent sends it, with a reference reserved for them, before it expired")
    func officersAndReferences() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let now = Timestamp.now.millisecondsSinceEpoch
        let mine = try fixture.service.ledger.reserveReferences(officer: "the-officer", device: Self.device, count: 3).map(\.reference.description)
        let before = try Self.counts(fixture)
        try await fixture.application().test(.router) { client in
            // Another account sending the officer's capture, and the officer sending one that claims another.
            let byDPO = try await Self.post(client, "/api/v1/captures", Self.capture(reference: mine[0]), as: fixture.tokens[.dpo])
            #expect(byDPO.status == .forbidden)
            let claimsDPO = try await Self.post(client, "/api/v1/captures", Self.capture(reference: mine[0], officer: "the-dpo"),
                                                as: fixture.tokens[.officer])
            #expect(claimsDPO.status == .forbidden)
            // The DPO, as themselves, with the officer's reference.
            let othersReference = try await Self.post(client, "/api/v1/captures", Self.capture(reference: mine[0], officer: "the-dpo"),
                                                      as: fixture.tokens[.dpo])
            #expect(othersReference.status == .conflict)
            // A well-formed reference nobody reserved.
            var generator = SystemRandomNumberGenerator()
            let random = ConsentReference.random(using: &generator).description
            let unreserved = try await Self.post(client, "/api/v1/captures", Self.capture(reference: random), as: fixture.tokens[.officer])
            #expect(unreserved.status == .conflict)
            // An editor may not send captures at all.
            let editor = try await Self.post(client, "/api/v1/captures", Self.capture(reference: mine[0], officer: "the-editor"),
                                             as: fixture.tokens[.editor])
            #expect(editor.status == .forbidden)
            #expect(try Self.counts(fixture) == before)
        }

        // Reserved 20 days ago for 14 days: a capture from yesterday is too late, one from 10 days ago is not.
        let old = try fixture.service.ledger.reserveReferences(officer: "the-officer", device: Self.otherDevice, count: 2,
                                                               at: Timestamp(millisecondsSinceEpoch: now - 20 * Self.day))
        try await fixture.application().test(.router) { client in
            let late = try await Self.post(client, "/api/v1/captures", Self.capture(reference: old[0].reference.description, at: now - Self.day),
                                           as: fixture.tokens[.officer])
            #expect(late.status == .conflict)
            #expect((late.json["error"] as? String)?.contains("expired") == true)
            let early = try await Self.post(client, "/api/v1/captures",
                                            Self.capture(reference: old[1].reference.description, at: now - 21 * Self.day),
                                            as: fixture.tokens[.officer])
            #expect(early.status == .conflict, "captured before it was reserved")
            let inTime = try await Self.post(client, "/api/v1/captures",
                                             Self.capture(reference: old[1].reference.description, at: now - 10 * Self.day),
                                             as: fixture.tokens[.officer])
            #expect(inTime.status == .created)
        }
    }

    @Test("a browser's session sends captures with its CSRF token; an ended session gets 401 and the tablet keeps the capture")
    func sessionAndCSRF() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let reference = try fixture.service.ledger.reserveReferences(officer: "the-officer", device: Self.device, count: 1)[0].reference
        try await fixture.application().test(.router) { client in
            let signed = try await SessionTests.signIn(client, name: "the-officer", password: fixture.passwords[.officer]!)
            let cookie = try #require(signed.cookie)
            let page = try await client.execute(uri: "/capture", method: .get, headers: [.cookie: cookie])
            let csrf = try #require(page.text.range(of: "data-csrf=\"").map { String(page.text[$0.upperBound...].prefix(while: { $0 != "\"" })) })
            let body = Self.capture(reference: reference.description)
            let noToken = try await Self.post(client, "/api/v1/captures", body, as: nil, extra: [.cookie: cookie])
            #expect(noToken.status == .forbidden)
            let sent = try await Self.post(client, "/api/v1/captures", body, as: nil,
                                           extra: [.cookie: cookie, .init("X-CSRF-Token")!: csrf])
            #expect(sent.status == .created)
            // Signed out (or expired): the route answers 401, which the tablet shows as "sign in again".
            _ = try await client.execute(uri: "/logout", method: .post, headers: SessionTests.formHeaders(cookie: cookie),
                                         body: SessionTests.form([("csrf", csrf)]))
            let after = try await Self.post(client, "/api/v1/captures", body, as: nil, extra: [.cookie: cookie, .init("X-CSRF-Token")!: csrf])
            #expect(after.status == .unauthorized)
        }
    }

    @Test("the method tablet-offline is only the outbox's: consent record refuses it")
    func methodReserved() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        try await fixture.application().test(.router) { client in
            let reply = try await Self.post(client, "/api/v1/consents", ["person": fixture.amira, "channels": ["website"], "method": "tablet-offline"],
                                            as: fixture.tokens[.dpo])
            #expect(reply.status == .badRequest)
            #expect((reply.json["error"] as? String)?.contains("tablet-offline") == true)
        }
    }

    @Test("/capture is an installable app: manifest, icons and a service worker allowed to control /capture; every page has the outbox")
    func installableApp() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        try await fixture.application().test(.router) { client in
            let signed = try await SessionTests.signIn(client, name: "the-officer", password: fixture.passwords[.officer]!)
            let cookie = try #require(signed.cookie)
            let page = try await client.execute(uri: "/capture", method: .get, headers: [.cookie: cookie])
            #expect(page.headers[.init("Clearance-Account")!] == "the-officer")
            let html = page.text
            let manifestLink = try #require(html.range(of: "<link rel=\"manifest\" href=\"").map {
                String(html[$0.upperBound...].prefix(while: { $0 != "\"" }))
            })
            let manifest = try await client.execute(uri: manifestLink, method: .get)
            #expect(manifest.status == .ok)
            #expect(manifest.headers[.contentType] == "application/manifest+json")
            let app = try #require(try manifest.json() as? [String: Any])
            #expect(app["start_url"] as? String == "/capture")
            #expect(app["scope"] as? String == "/capture")
            #expect(app["display"] as? String == "standalone")
            let icons = try #require(app["icons"] as? [[String: Any]])
            for icon in icons {
                let source = try #require(icon["src"] as? String)
                let image = try await client.execute(uri: source, method: .get)
                #expect(image.status == .ok)
                #expect(image.headers[.contentType] == "image/png")
                #expect(Array(Data(buffer: image.body).prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
            }
            #expect(Set(icons.compactMap { $0["sizes"] as? String }) == ["192x192", "512x512"])

            let worker = try #require(html.range(of: "data-worker=\"").map { String(html[$0.upperBound...].prefix(while: { $0 != "\"" })) })
            #expect(worker.hasPrefix("/static/worker.js?v="))
            let script = try await client.execute(uri: worker, method: .get)
            #expect(script.status == .ok)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(script.headers[.init("Service-Worker-Allowed")!] == "/capture")
            for file in ["qrcode.js", "capture.js", "outbox.js"] {
                #expect(html.contains("<script src=\"/static/\(file)?v="), "the capture page loads \(file)")
            }
            #expect(html.contains("data-offline=\"on\""))
            #expect(html.contains("data-link-base=\"http://"))

            // Every page shows the outbox; a signed-in page says whose.
            for path in ["/", "/capture", "/self-service"] {
                let other = try await client.execute(uri: path, method: .get, headers: [.cookie: cookie])
                #expect(other.text.contains("<p id=\"outbox\" class=\"outbox\" data-waiting=\"0\" data-officer=\"the-officer\""), "\(path)")
            }
            let login = try await client.execute(uri: "/login", method: .get)
            #expect(login.text.contains("<p id=\"outbox\" class=\"outbox\" data-waiting=\"0\" hidden>"))
            #expect(login.headers[.init("Clearance-Account")!] == nil)
        }
    }
}
