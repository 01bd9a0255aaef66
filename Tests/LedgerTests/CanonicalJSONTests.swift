import ClearanceCore
import Foundation
@testable import Ledger
import Testing

/// The hand reading of event payloads (`LedgerEvent.decodePlain`) against `JSONDecoder`'s: for
/// every payload it reads, the same event to the last bit; for anything outside the plain form,
/// no answer of its own, so that `decode` gives `JSONDecoder`'s.
@Suite struct CanonicalJSONTests {
    static let ada = PersonID(parsing: "P-K5TM-KH89")!
    static let reference = ConsentReference(parsing: "C-65TK-FE2X")!
    static let sha = String(repeating: "ab", count: 32)

    static func terms(_ event: String?, guardian: String?, signature: String?, by officer: String = "officer") -> ConsentTerms {
        ConsentTerms(channels: [Channel("facebook"), Channel("web/site")], purposes: ["publicity", event ?? ""], event: event,
                     formVersion: "2", method: .tabletOffline, recordedBy: officer,
                     givenAt: CalendarDate(parsing: "2026-05-01")!, expiresAt: CalendarDate(parsing: "2029-04-30")!,
                     guardianRelationship: guardian, signatureSHA256: signature)
    }

    /// Events of every kind read by hand, with optional fields there and not, and strings that
    /// need escaping (which the hand reading leaves to `JSONDecoder`).
    static let events: [LedgerEvent] = {
        let sealed = Data((0..<61).map { UInt8($0 * 7 % 256) })
        let faces = [LedgerEvent.FacePayload(x: 0.1 + 0.2, y: 0.000123, w: 1.0 / 3.0, h: 0.5, score: 0.9999999999999999, t: 12.345),
                     LedgerEvent.FacePayload(x: 0, y: -0.0, w: 1, h: 0.1, score: 0.5, t: nil),
                     LedgerEvent.FacePayload(x: 1e-7, y: .leastNonzeroMagnitude, w: 1e300, h: 0.25, score: 0.75, t: 0)]
        let facts = LedgerEvent.AssetFactsPayload(kind: "image", format: "jpeg", readable: true, error: nil,
                                                  capturedAt: "2025-07-12T14:03:21+01:00", width: 6000, height: 4000, orientation: 1,
                                                  faceRegions: 2, releaseStatus: nil, documentID: "xmp.did:1", originalDocumentID: nil,
                                                  derivedFrom: nil)
        var broken = facts
        broken.readable = false
        broken.error = "not a JPEG: \"truncated\"\n\u{1}"
        broken.width = nil
        broken.kind = nil
        let mentions = [LedgerEvent.MentionPayload(source: "mwg-region", region: "[0.35,0.24000000000000002,0.24,0.45]", commitment: sealed),
                        LedgerEvent.MentionPayload(source: "iptc-person", region: nil, commitment: Data())]
        return [
            .personAdded(.init(person: ada, roles: PersonRoles(), sealed: sealed)),
            .personAdded(.init(person: ada, roles: PersonRoles(serviceUser: true, electedMember: false, staff: true), sealed: Data([0]))),
            .consentRecorded(.init(reference: reference, person: ada, version: 1, supersedes: nil,
                                   terms: terms("Summer fair", guardian: nil, signature: nil), sealed: sealed)),
            .consentRecorded(.init(reference: reference, person: ada, version: 3, supersedes: reference,
                                   terms: terms(nil, guardian: "parent", signature: String(repeating: "0f", count: 32)), sealed: sealed)),
            .consentRecorded(.init(reference: reference, person: ada, version: 2, supersedes: nil,
                                   terms: terms("Fête de l'été 🎉", guardian: "grand-parent", signature: nil), sealed: sealed)),
            .consentRecorded(.init(reference: reference, person: ada, version: 4, supersedes: nil,
                                   terms: terms(nil, guardian: nil, signature: nil, by: "officer \"Bo\""), sealed: sealed)),
            .consentWithdrawn(.init(reference: reference, person: ada, receivedVia: "email", recordedBy: "dpo", sealedNote: nil)),
            .consentWithdrawn(.init(reference: reference, person: ada, receivedVia: "letter\\post", recordedBy: "dpo", sealedNote: sealed)),
            .assetIngested(.init(asset: sha, facts: facts, mentions: mentions, adoptedFrom: nil)),
            .assetIngested(.init(asset: sha, facts: broken, mentions: [], adoptedFrom: 1_700_000_000_000)),
            .assetReviewed(.init(asset: sha, action: "person", person: ada, by: "Editor A", adoptedFrom: nil)),
            .assetReviewed(.init(asset: sha, action: "not-identifiable", person: nil, by: "Éditeur </script>", adoptedFrom: 42)),
            .facesDetected(.init(asset: sha, detector: "yunet-2023mar/1", faces: faces, failure: nil)),
            .facesDetected(.init(asset: sha, detector: "yunet-2023mar/1", faces: nil, failure: "could not decode", framesExamined: 12,
                                 limitation: "time ran out")),
            .faceDecided(.init(asset: sha, detection: 7, face: 2, decision: "person", person: ada, by: "Editor B")),
            .faceDecided(.init(asset: sha, detection: -1, face: 0, decision: "not-a-face", person: nil, by: "")),
        ]
    }()

    /// Both readings give the same event, and the same bytes when written again (which tells
    /// -0.0 from 0, as a derived row would).
    static func expectSame(_ plain: LedgerEvent, _ foundation: LedgerEvent, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(plain == foundation, sourceLocation: sourceLocation)
        #expect(try plain.canonicalPayload() == foundation.canonicalPayload(), sourceLocation: sourceLocation)
    }

    @Test func everyKindReadByHandIsWhatJSONDecoderReads() throws {
        var byHand = 0
        for event in Self.events {
            let payload = try event.canonicalPayload()
            let foundation = try #require(LedgerEvent.decodeWithFoundation(kind: event.kind, payload: payload))
            #expect(foundation == event)
            let escaped = payload.contains(UInt8(ascii: "\\"))
            let exponent = String(decoding: payload, as: UTF8.self).contains("e-") || String(decoding: payload, as: UTF8.self).contains("e+")
            guard let plain = LedgerEvent.decodePlain(kind: event.kind, payload: payload) else {
                #expect(escaped || exponent, "read by hand: \(String(decoding: payload, as: UTF8.self))")
                continue
            }
            byHand += 1
            try Self.expectSame(plain, foundation)
            #expect(LedgerEvent.decode(kind: event.kind, payload: payload) == event)
        }
        #expect(byHand >= 10, "most of these are in the plain form")
    }

    /// Random values where a hand reading could part from `JSONDecoder`: every bit pattern of a
    /// finite double, every byte in sealed data, integers to their limits.
    @Test func randomPayloadsReadTheSameBothWays() throws {
        var random = SystemRandomNumberGenerator()
        func double() -> Double {
            while true {
                let value = Double(bitPattern: random.next())
                if value.isFinite { return Bool.random(using: &random) ? value : Double.random(in: 0...1, using: &random) }
            }
        }
        var byHand = 0
        for _ in 0..<2_000 {
            let faces = (0..<Int.random(in: 0...4, using: &random)).map { _ in
                LedgerEvent.FacePayload(x: double(), y: double(), w: double(), h: double(), score: double(),
                                        t: Bool.random(using: &random) ? double() : nil)
            }
            let sealed = Data((0..<Int.random(in: 0...90, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
            let events: [LedgerEvent] = [
                .facesDetected(.init(asset: Self.sha, detector: "d", faces: faces, failure: nil,
                                     framesExamined: Bool.random(using: &random) ? Int.random(in: Int.min...Int.max, using: &random) : nil)),
                .personAdded(.init(person: Self.ada, roles: PersonRoles(serviceUser: Bool.random(using: &random)), sealed: sealed)),
                .faceDecided(.init(asset: Self.sha, detection: Int64.random(in: Int64.min...Int64.max, using: &random),
                                   face: Int.random(in: Int.min...Int.max, using: &random), decision: "person", person: nil, by: "x")),
            ]
            for event in events {
                let payload = try event.canonicalPayload()
                let foundation = try #require(LedgerEvent.decodeWithFoundation(kind: event.kind, payload: payload))
                if let plain = LedgerEvent.decodePlain(kind: event.kind, payload: payload) {
                    byHand += 1
                    try Self.expectSame(plain, foundation)
                }
            }
        }
        #expect(byHand >= 4_000, "person.added and face.decided are always plain; \(byHand)")
    }

    /// Payloads this version would not write: the hand reading gives no answer, and `decode`
    /// gives `JSONDecoder`'s, a value or nil.
    @Test(arguments: [
        // White space, a key twice, an unknown key, a missing or null field, a value of another type.
        (#"{ "person":"P-K5TM-KH89","roles":{"electedMember":false,"serviceUser":false,"staff":false},"sealed":"AA=="}"#, true),
        (#"{"person":"P-K5TM-KH89","person":"P-K5TM-KH89","roles":{"electedMember":false,"serviceUser":false,"staff":false},"sealed":"AA=="}"#, true),
        (#"{"extra":1,"person":"P-K5TM-KH89","roles":{"electedMember":false,"serviceUser":false,"staff":false},"sealed":"AA=="}"#, true),
        (#"{"person":"P-K5TM-KH89","roles":{"electedMember":false,"serviceUser":false},"sealed":"AA=="}"#, false),
        (#"{"person":null,"roles":{"electedMember":false,"serviceUser":false,"staff":false},"sealed":"AA=="}"#, false),
        (#"{"person":"P-K5TM-KH89","roles":{"electedMember":0,"serviceUser":false,"staff":false},"sealed":"AA=="}"#, false),
        // An escape, base64 not as written, an id that does not parse.
        (#"{"person":"P-K5TM-KH8\u0039","roles":{"electedMember":false,"serviceUser":false,"staff":false},"sealed":"AA=="}"#, true),
        (#"{"person":"P-K5TM-KH89","roles":{"electedMember":false,"serviceUser":false,"staff":false},"sealed":"AA"}"#, false),
        (#"{"person":"P-K5TM-KH89","roles":{"electedMember":false,"serviceUser":false,"staff":false},"sealed":"AB=="}"#, true),
        (#"{"person":"P-K5TM-KH89","roles":{"electedMember":false,"serviceUser":false,"staff":false},"sealed":"AAB="}"#, true),
        (#"{"person":"P-K5TM-KH88","roles":{"electedMember":false,"serviceUser":false,"staff":false},"sealed":"AA=="}"#, false),
        (#"{"person":"P-K5TM-KH89","roles":{"electedMember":false,"serviceUser":false,"staff":false},"sealed":"AA=="} x"#, false),
    ])
    func offTheFormIsLeftToJSONDecoder(payload: String, decodes: Bool) throws {
        let bytes = Data(payload.utf8)
        #expect(LedgerEvent.decodePlain(kind: "person.added", payload: bytes) == nil)
        let foundation = LedgerEvent.decodeWithFoundation(kind: "person.added", payload: bytes)
        #expect(LedgerEvent.decode(kind: "person.added", payload: bytes) == foundation)
        #expect((foundation != nil) == decodes, "JSONDecoder's own answer, as this table expects it")
    }

    @Test func numbersAndIntegersOutsideThePlainFormAreLeftToJSONDecoder() throws {
        func decided(_ detection: String) -> Data {
            Data(#"{"asset":"a","by":"b","decision":"person","detection":\#(detection),"face":1}"#.utf8)
        }
        #expect(LedgerEvent.decodePlain(kind: "face.decided", payload: decided("7")) != nil)
        for text in ["7.0", "7e0", "07", "-", "9223372036854775808", "\"7\"", "true"] {
            #expect(LedgerEvent.decodePlain(kind: "face.decided", payload: decided(text)) == nil, "\(text)")
            #expect(LedgerEvent.decode(kind: "face.decided", payload: decided(text))
                    == LedgerEvent.decodeWithFoundation(kind: "face.decided", payload: decided(text)), "\(text)")
        }
    }

    @Test(arguments: ["", "01", "1.", ".5", "-", "1e", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\"1}", "{a:1}", "[1] ", " [1]",
                      "\"tab\there\"", "\"\u{1}\"", "tru", "nul", "[" + String(repeating: "[", count: 40) + "]"])
    func malformedTextIsNotRead(text: String) {
        #expect(CanonicalJSON(plain: text) == nil)
    }

    @Test func plainTextIsRead() throws {
        let value = try #require(CanonicalJSON(plain: #"{"a":[1,-0.5,2.5e-3,true,false,null,"é 🎉"],"b":{}}"#))
        #expect(value == .object([.init(key: "a", value: .array([.number("1"), .number("-0.5"), .number("2.5e-3"), .bool(true), .bool(false),
                                                                 .null, .string("é 🎉")])),
                                  .init(key: "b", value: .object([]))]))
        #expect(CanonicalJSON(plain: "[0.35,0.24000000000000002,0.24,0.45]")?.array(\.double) == [0.35, 0.24000000000000002, 0.24, 0.45])
        #expect(CanonicalJSON(plain: "[1e-05]")?.array(\.double) == nil, "an exponent goes to JSONDecoder")
        #expect(CanonicalJSON(plain: Data([0x22, 0xFF, 0x22])) == nil, "not UTF-8")
    }

    /// The faces a `face_detections` row holds, written by hand: the encoder's bytes exactly, for
    /// numbers of every size and sign (a difference would make every replayed row look edited).
    @Test func facesWrittenByHandAreTheEncodersBytes() throws {
        var random = SystemRandomNumberGenerator()
        func double() -> Double {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return Double.random(in: 0...1, using: &random)
            case 1: return Double(Int.random(in: -100_000...100_000, using: &random)) / [1, 10, 100, 1000][Int.random(in: 0..<4, using: &random)]
            case 2: return [0, -0.0, 1, -1, 0.1, 1e15, 123456789012345.0, 1e16, 1e-4, 1e-5, 0.30000000000000004].randomElement(using: &random)!
            default:
                while true {
                    let value = Double(bitPattern: random.next())
                    if value.isFinite { return value }
                }
            }
        }
        var byHand = 0
        for _ in 0..<5_000 {
            let faces = (0..<Int.random(in: 0...3, using: &random)).map { _ in
                LedgerEvent.FacePayload(x: double(), y: double(), w: double(), h: double(), score: double(),
                                        t: Bool.random(using: &random) ? double() : nil)
            }
            let written = try Ledger.json(faces: faces)
            #expect(written == (try Ledger.json(faces)), "\(faces)")
            if !written.contains("e") { byHand += 1 }
            let read = try #require(LedgerEvent.FacePayload.list(json: written))
            #expect(read.map { [$0.x, $0.y, $0.w, $0.h, $0.score, $0.t ?? .nan].map(\.bitPattern) }
                    == faces.map { [$0.x, $0.y, $0.w, $0.h, $0.score, $0.t ?? .nan].map(\.bitPattern) })
        }
        #expect(byHand > 1_000)
    }

    /// A person's sealed data, read by hand or by `JSONDecoder`: the same, escapes and all.
    @Test(arguments: [
        PersonalData(name: "Ada Lovelace"),
        PersonalData(name: "Zoë O'Brien 🎉", aliases: ["Zo", "Z. O'Brien"], dateOfBirth: CalendarDate(parsing: "2014-02-28"),
                     email: "zoe@example.org", phone: "+44 20 7946 0000"),
        PersonalData(name: "Bo \"Quote\" \\ Slash/Back", aliases: [], email: "a/b@example.org"),
        PersonalData(name: "", aliases: [""]),
    ])
    func personalDataReadsTheSameBothWays(data: PersonalData) throws {
        let key = PersonalDataSeal.newKey()
        let seal = PersonalDataSeal(keyBytes: key, person: Self.ada)
        let sealed = try seal.seal(data)
        #expect(seal.open(PersonalData.self, from: sealed) == data)
        let plain = try JSONEncoder().encode(data)
        #expect(PersonalData.decode(plain) == data)
        #expect(PersonalData.decode(plain) == (try JSONDecoder().decode(PersonalData.self, from: plain)))
        #expect(PersonalDataSeal(keyBytes: PersonalDataSeal.newKey(), person: Self.ada).open(PersonalData.self, from: sealed) == nil,
                "another key opens nothing")
    }
}
