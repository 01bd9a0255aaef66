import ClearanceApp
import ClearanceCore
import ClearanceHTTP
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing

/// A long-running process keeps what it learnt about people and assets between checks
/// (`RegisterMemo`). These tests change the ledger between two checks in every way it can
/// change, and require the second answer to see the change. They check as of today, since a
/// withdrawal counts from the day it was received.
@Suite("Checks remembered between calls")
struct CheckMemoTests {
    func check(_ client: some TestClientProtocol, _ fixture: ServiceFixture, _ asset: String) async throws -> [String: Any] {
        let body = try JSONSerialization.data(withJSONObject: ["assets": [asset], "channel": "facebook"])
        return try await client.execute(uri: "/api/v1/check", method: .post, headers: fixture.headers(.editor, json: true),
                                        body: ByteBuffer(bytes: body)) { response in
            #expect(response.status == .ok)
            return try #require((try response.json() as? [[String: Any]])?.first)
        }
    }

    func codes(_ verdict: [String: Any]) -> [String] {
        ((verdict["reasons"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
    }

    @Test("the server sees a withdrawal made through its own writer at once")
    func withdrawalThroughTheServer() async throws {
        let fixture = try ServiceFixture()
        let amira = try fixture.sha(of: "amira-stage.jpg")
        try await fixture.application().test(.router) { client in
            for _ in 0..<3 { #expect(try await check(client, fixture, amira)["cleared"] as? Bool == true) }
            _ = try fixture.service.ledger.withdraw(fixture.amiraConsent, receivedVia: "email", recordedBy: "test", note: nil)
            let after = try await check(client, fixture, amira)
            #expect(after["cleared"] as? Bool == false)
            #expect(codes(after).contains("consent-withdrawn"), "\(codes(after))")
        }
    }

    @Test("the server sees a row edited in SQL by another process as tampering at once")
    func sqlEditWhileServing() async throws {
        let fixture = try ServiceFixture()
        let amira = try fixture.sha(of: "amira-stage.jpg")
        try await fixture.application().test(.router) { client in
            for _ in 0..<3 { #expect(try await check(client, fixture, amira)["cleared"] as? Bool == true) }
            // Someone with the sqlite3 shell extends Amira's consent without a signed event.
            let outsider = try DatabaseQueue(path: fixture.databasePath)
            try await outsider.write { try $0.execute(sql: "UPDATE consents SET expires_at = '2099-01-01' WHERE reference = ?",
                                                arguments: [fixture.amiraConsent]) }
            let after = try await check(client, fixture, amira)
            #expect(after["cleared"] as? Bool == false)
            #expect(codes(after).contains("record-tampered"), "\(codes(after))")
        }
    }

    @Test("one connection reading and writing (the command line) sees its own changes")
    func ownWritesOnOneConnection() throws {
        let fixture = try ServiceFixture()
        let amira = try fixture.sha(of: "amira-stage.jpg")
        let ledger = try LedgerOperations.open(databasePath: fixture.databasePath, configuration: fixture.service.ledger.configuration,
                                               forWriting: true)
        let assets = AssetOperations(ledger)
        // As of today, after the withdrawal: a check as of an earlier day would rightly still clear.
        let date: CalendarDate? = nil
        #expect(try assets.check(storedAssets: [amira], channel: "facebook", at: date)[0].verdict.cleared)
        #expect(try assets.check([amira], channel: "facebook", at: date)[0].verdict.cleared)
        _ = try ledger.withdraw(fixture.amiraConsent, receivedVia: "letter", recordedBy: "test", note: nil)
        let after = try assets.check(storedAssets: [amira], channel: "facebook", at: date)[0].verdict
        #expect(after.reasons.map(\.code.rawValue).contains("consent-withdrawn"), "\(after.reasons)")
    }

    @Test("a review tagged after a check changes the next check")
    func reviewAfterCheck() async throws {
        let fixture = try ServiceFixture()
        let hall = try fixture.sha(of: "empty-hall.jpg")
        try await fixture.application().test(.router) { client in
            let before = try await check(client, fixture, hall)
            #expect(codes(before).contains("not-reviewed"), "\(codes(before))")
            _ = try fixture.service.assets.tag(hall, people: [], notPeople: [], noPeople: true, serviceUsers: false, by: "test")
            let after = try await check(client, fixture, hall)
            #expect(after["cleared"] as? Bool == true, "\(codes(after))")
        }
    }
}
