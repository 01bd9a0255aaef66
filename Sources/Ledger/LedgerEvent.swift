import ClearanceCore
import Foundation

/// What happened, as stored in an event's payload. Personal data travels only inside `sealed`
/// fields (AES-GCM ciphertext under the person's key), so erasure never changes event bytes.
enum LedgerEvent: Equatable, Sendable {
    case personAdded(PersonAdded)
    case consentRecorded(ConsentRecorded)
    case consentWithdrawn(ConsentWithdrawn)
    case personErased(PersonErased)

    struct PersonAdded: Codable, Equatable, Sendable {
        var person: PersonID
        var roles: PersonRoles
        var sealed: Data
    }

    struct ConsentRecorded: Codable, Equatable, Sendable {
        var reference: ConsentReference
        var person: PersonID
        var version: Int
        var supersedes: ConsentReference?
        var terms: ConsentTerms
        var sealed: Data
    }

    struct ConsentWithdrawn: Codable, Equatable, Sendable {
        var reference: ConsentReference
        var person: PersonID
        var receivedVia: String
        var recordedBy: String
        var sealedNote: Data?
    }

    struct PersonErased: Codable, Equatable, Sendable {
        var person: PersonID
        /// Every consent reference of the person, so the event alone says what was erased.
        var consents: [ConsentReference]
    }

    var kind: String {
        switch self {
        case .personAdded: "person.added"
        case .consentRecorded: "consent.recorded"
        case .consentWithdrawn: "consent.withdrawn"
        case .personErased: "person.erased"
        }
    }

    var person: PersonID {
        switch self {
        case .personAdded(let e): e.person
        case .consentRecorded(let e): e.person
        case .consentWithdrawn(let e): e.person
        case .personErased(let e): e.person
        }
    }

    var consentReference: ConsentReference? {
        switch self {
        case .consentRecorded(let e): e.reference
        case .consentWithdrawn(let e): e.reference
        case .personAdded, .personErased: nil
        }
    }

    /// Sorted keys, integers, `YYYY-MM-DD` days and base64: the same value always gives the same bytes.
    func canonicalPayload() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch self {
        case .personAdded(let e): return try encoder.encode(e)
        case .consentRecorded(let e): return try encoder.encode(e)
        case .consentWithdrawn(let e): return try encoder.encode(e)
        case .personErased(let e): return try encoder.encode(e)
        }
    }

    /// Nil for an unknown kind or a payload that does not decode.
    static func decode(kind: String, payload: Data) -> LedgerEvent? {
        let decoder = JSONDecoder()
        switch kind {
        case "person.added": return (try? decoder.decode(PersonAdded.self, from: payload)).map(LedgerEvent.personAdded)
        case "consent.recorded": return (try? decoder.decode(ConsentRecorded.self, from: payload)).map(LedgerEvent.consentRecorded)
        case "consent.withdrawn": return (try? decoder.decode(ConsentWithdrawn.self, from: payload)).map(LedgerEvent.consentWithdrawn)
        case "person.erased": return (try? decoder.decode(PersonErased.self, from: payload)).map(LedgerEvent.personErased)
        default: return nil
        }
    }
}
