@testable import ClearanceApp
import ClearanceCore
import ClearanceHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// What officers and editors may not learn: guardians' and witnesses' names once the form is
/// done, ages and dates of birth (even by trying dates), withdrawal notes, where files are kept.
@Suite("Personal data kept from officers and editors")
struct PersonalDataTests {
    static func body(_ object: Any) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
    }

    /// A child with her guardian's consent, and a verbal consent with a witness: recorded by the DPO.
    static func guardianAndWitness(_ fixture: ServiceFixture) throws -> (child: String, guardianConsent: String, verbal: String) {
        let child = try fixture.service.ledger.addPerson(PersonRequest(name: "Mia Stone", born: "2016-03-04")).description
        var consent = ConsentRequest(person: child, channels: "website")
        consent.guardianName = "Rowena Stone"
        consent.guardianRelationship = "mother"
        consent.recordedBy = "dpo"
        let guardianConsent = try fixture.service.ledger.recordConsent(consent).description
        var verbal = ConsentRequest(person: fixture.amira, channels: "print")
        verbal.method = "verbal"
        verbal.witness = "Winston Witness"
        verbal.recordedBy = "dpo"
        return (child, guardianConsent, try fixture.service.ledger.recordConsent(verbal).description)
    }

    @Test("a receipt read again later shows an officer no guardian or witness name; the DPO sees both; its own policy is sent")
    func receiptsAreRedactedForOfficers() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let recorded = try Self.guardianAndWitness(fixture)
        try await fixture.application().test(.router) { client in
            for (role, sees) in [(Role.officer, false), (.dpo, true)] {
                for (reference, name) in [(recorded.guardianConsent, "Rowena Stone"), (recorded.verbal, "Winston Witness")] {
                    let receipt = try await client.execute(uri: "/api/v1/consents/\(reference)/receipt", method: .get,
                                                           headers: fixture.headers(role))
                    #expect(receipt.status == .ok)
                    #expect(receipt.text.contains(reference))
                    #expect(receipt.text.contains(name) == sees, "\(role) \(name)")
                    #expect(receipt.headers[.contentSecurityPolicy] == ConsentReceipt.policy.header)
                    #expect(receipt.text.contains("http-equiv=\"Content-Security-Policy\""))
                }
            }
            let officer = try await client.execute(uri: "/api/v1/consents/\(recorded.guardianConsent)/receipt", method: .get,
                                                   headers: fixture.headers(.officer))
            #expect(officer.text.contains("mother"), "the relationship stays: it is not a name")
        }
    }

    @Test("no answer to an officer gives an age or a date of birth, and officers cannot pick the day consent was given")
    func noAgeOracle() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let child = try fixture.service.ledger.addPerson(PersonRequest(name: "Ned Young", born: "2019-05-06")).description
        let today = Timestamp.now.utcDate
        try await fixture.application().test(.router) { client in
            // Today, no guardian: refused, and the message does not say how old he is.
            let refused = try await client.execute(uri: "/api/v1/consents", method: .post, headers: fixture.headers(.officer, json: true),
                                                   body: try Self.body(["person": child, "channels": ["website"]]))
            #expect(refused.status == .badRequest)
            let message = try #require((try refused.json() as? [String: Any])?["error"] as? String)
            #expect(message.contains("under the age of consent"))
            let age = try #require(CalendarDate(parsing: "2019-05-06")).age(at: today)
            for leak in ["2019", "05-06", "was \(age)", "is \(age)", "\(age) on"] {
                #expect(!message.contains(leak), "\(message)")
            }
            // Trying other days would find the birthday: an officer may only say "today".
            for given in ["2020-01-01", "2031-05-05", "2031-05-06"] {
                let tried = try await client.execute(uri: "/api/v1/consents", method: .post, headers: fixture.headers(.officer, json: true),
                                                     body: try Self.body(["person": child, "channels": ["website"], "given": given]))
                #expect(tried.status == .forbidden, "\(given)")
                #expect(!tried.text.contains("under the age"), "the refusal comes before any age rule")
            }
            let todays = try await client.execute(uri: "/api/v1/consents", method: .post, headers: fixture.headers(.officer, json: true),
                                                  body: try Self.body(["person": fixture.amira, "channels": ["website"], "given": today.description]))
            #expect(todays.status == .created)
            // The DPO records earlier paper forms.
            let paper = try await client.execute(uri: "/api/v1/consents", method: .post, headers: fixture.headers(.dpo, json: true),
                                                 body: try Self.body(["person": fixture.amira, "channels": ["print"], "given": "2026-01-02"]))
            #expect(paper.status == .created)
        }
    }

    @Test("editors are told the age rules without the age; the DPO gets the gate's own words; answers name files, not paths")
    func checkAnswersWithoutAges() async throws {
        let fixture = try ServiceFixture()
        // Leo, 8 in the samples, with a guardian's consent for everything; a check dated after
        // his 13th birthday needs his own consent.
        let leo = try fixture.service.ledger.addPerson(PersonRequest(name: "Leo Martins", born: "2017-09-30")).description
        var consent = ConsentRequest(person: leo, channels: "social,website,print")
        consent.guardianName = "Rosa Martins"
        consent.guardianRelationship = "mother"
        consent.recordedBy = "dpo"
        consent.expires = "2035-01-01"
        _ = try fixture.service.ledger.recordConsent(consent)
        let photo = try fixture.sha(of: "leo-face-painting.jpg")
        try await fixture.application().test(.router) { client in
            for role in [Role.editor, .dpo] {
                let answer = try await client.execute(uri: "/api/v1/check", method: .post, headers: fixture.headers(role, json: true),
                                                      body: try Self.body(["assets": [photo], "channel": "website", "at": "2031-06-01"]))
                #expect(answer.status == .ok)
                let verdict = try #require((try answer.json() as? [[String: Any]])?.first)
                #expect(verdict["path"] as? String == "leo-face-painting.jpg")
                let reasons = verdict["reasons"] as? [[String: Any]] ?? []
                let reconsent = try #require(reasons.first { $0["code"] as? String == "reconsent-required" })
                let message = try #require(reconsent["message"] as? String)
                #expect(message.contains("now 13") == (role == .dpo), "\(role): \(message)")
                if role == .editor { #expect(message.contains("reached the age of consent (13)")) }
            }
        }
    }

    @Test("an export that cannot find its file names the file, not the server's folders")
    func exportErrorsNameFiles() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        let folder = fixture.directory.appendingPathComponent("secret-server-folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let copy = folder.appendingPathComponent("empty-hall-copy.jpg")
        try FileManager.default.copyItem(at: ServiceFixture.samplePhotos.appendingPathComponent("empty-hall.jpg"), to: copy)
        _ = try fixture.service.assets.ingest([copy.path])
        let sha = try #require(try fixture.service.ledger.ledger.asset(atPath: copy.standardizedFileURL.path)?.record.sha256)
        _ = try fixture.service.assets.tag(sha, people: [], notPeople: [], noPeople: true, serviceUsers: false, by: "test")
        try FileManager.default.removeItem(at: copy)
        try await fixture.application().test(.router) { client in
            let answer = try await client.execute(uri: "/api/v1/export", method: .post, headers: fixture.headers(.editor, json: true),
                                                  body: try Self.body(["assets": [sha], "channel": "website"]))
            // Nothing could be exported: 409, with the reason per asset.
            #expect(answer.status == .conflict)
            #expect(answer.text.contains("empty-hall-copy.jpg"))
            #expect(!answer.text.contains("secret-server-folder") && !answer.text.contains(fixture.directory.path), "\(answer.text)")
        }
    }

    @Test("withdrawal notes are for the DPO only")
    func withdrawalNotes() async throws {
        let fixture = try ServiceFixture(ingestSamples: false)
        _ = try fixture.service.ledger.withdraw(fixture.amiraConsent, receivedVia: "phone", recordedBy: "dpo",
                                                note: "Called in tears: her ex-partner found the photo")
        try await fixture.application().test(.router) { client in
            for role in [Role.officer, .editor, .dpo] {
                for uri in ["/api/v1/people/\(fixture.amira)", "/api/v1/consents/\(fixture.amiraConsent)", "/api/v1/people"] {
                    let response = try await client.execute(uri: uri, method: .get, headers: fixture.headers(role))
                    guard response.status == .ok else {
                        #expect(role == .editor && uri.contains("consents"), "\(role) \(uri) → \(response.status)")
                        continue
                    }
                    #expect(response.text.contains("ex-partner") == (role == .dpo && !uri.hasSuffix("/people")), "\(role) \(uri)")
                    if uri.contains("consents") || uri.contains(fixture.amira) { #expect(response.text.contains("withdrawn")) }
                }
            }
        }
    }
}
