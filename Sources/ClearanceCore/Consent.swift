import Foundation

/// How consent was captured.
public enum ConsentMethod: String, Hashable, Codable, Sendable, CaseIterable {
    case tablet
    /// On a tablet that kept it in its outbox until the server answered: given on the day it was
    /// captured on the device, recorded when it arrived.
    case tabletOffline = "tablet-offline"
    case paper
    /// Self-service through a QR code.
    case qr
    /// Said aloud; needs a witness other than the recorder.
    case verbal
    /// The person renewed through the link in a renewal reminder (recorded only by that page).
    case renewalLink = "renewal-link"

    public var requiresWitness: Bool { self == .verbal }
}

public enum ConsentState: String, Hashable, Codable, Sendable, CaseIterable {
    case active
    case withdrawn
    /// A later version replaced this one.
    case superseded
    /// The person was erased; the record stays as proof that a consent existed.
    case erased
}

/// What a person (or their guardian) agreed to, as it was recorded. Nothing here identifies the
/// person, so it is kept after erasure.
public struct ConsentTerms: Hashable, Codable, Sendable {
    /// Expanded at recording time (`social` becomes the networks it meant then).
    public var channels: [Channel]
    public var purposes: [String]
    public var event: String?
    /// Which wording they were shown.
    public var formVersion: String
    public var method: ConsentMethod
    /// The officer who recorded it.
    public var recordedBy: String
    public var givenAt: CalendarDate
    public var expiresAt: CalendarDate
    /// Set when a guardian agreed, e.g. `parent`.
    public var guardianRelationship: String?
    /// SHA-256 (hex) of the signature image, when one was captured.
    public var signatureSHA256: String?

    public init(channels: [Channel], purposes: [String], event: String?, formVersion: String,
                method: ConsentMethod, recordedBy: String, givenAt: CalendarDate, expiresAt: CalendarDate,
                guardianRelationship: String?, signatureSHA256: String?) {
        self.channels = channels
        self.purposes = purposes
        self.event = event
        self.formVersion = formVersion
        self.method = method
        self.recordedBy = recordedBy
        self.givenAt = givenAt
        self.expiresAt = expiresAt
        self.guardianRelationship = guardianRelationship
        self.signatureSHA256 = signatureSHA256
    }

    public var givenByGuardian: Bool { guardianRelationship != nil }
}

/// The parts of a consent that identify people: stored only encrypted with the person's key.
public struct ConsentPrivateDetails: Hashable, Codable, Sendable {
    public var guardianName: String?
    public var witness: String?
    public var signatureImage: Data?

    public init(guardianName: String? = nil, witness: String? = nil, signatureImage: Data? = nil) {
        self.guardianName = guardianName
        self.witness = witness
        self.signatureImage = signatureImage
    }
}

/// When and how a withdrawal arrived, and who recorded it.
public struct Withdrawal: Hashable, Sendable {
    public var at: Timestamp
    public var receivedVia: String
    public var recordedBy: String
    /// Free text; nil when none was given or the person was erased.
    public var note: String?

    public init(at: Timestamp, receivedVia: String, recordedBy: String, note: String? = nil) {
        self.at = at
        self.receivedVia = receivedVia
        self.recordedBy = recordedBy
        self.note = note
    }
}

/// One version of a consent, with its current state.
public struct ConsentRecord: Hashable, Sendable {
    public let reference: ConsentReference
    public let person: PersonID
    public var terms: ConsentTerms
    /// Nil once the person has been erased.
    public var details: ConsentPrivateDetails?
    public var state: ConsentState
    /// 1 for a first consent, n + 1 for one that supersedes version n.
    public var version: Int
    public var supersedes: ConsentReference?
    public var supersededBy: ConsentReference?
    public var recordedAt: Timestamp
    public var withdrawal: Withdrawal?
    public var erasedAt: Timestamp?

    public init(reference: ConsentReference, person: PersonID, terms: ConsentTerms,
                details: ConsentPrivateDetails?, state: ConsentState, version: Int,
                supersedes: ConsentReference?, supersededBy: ConsentReference?, recordedAt: Timestamp,
                withdrawal: Withdrawal?, erasedAt: Timestamp?) {
        self.reference = reference
        self.person = person
        self.terms = terms
        self.details = details
        self.state = state
        self.version = version
        self.supersedes = supersedes
        self.supersededBy = supersededBy
        self.recordedAt = recordedAt
        self.withdrawal = withdrawal
        self.erasedAt = erasedAt
    }

    public func covers(_ channel: Channel) -> Bool { terms.channels.contains(channel) }

    /// Expired on `date`: the expiry day itself is still covered.
    public func isExpired(on date: CalendarDate) -> Bool { date > terms.expiresAt }

    /// Withdrawn on or before `date` (UTC day of the withdrawal).
    public func isWithdrawn(by date: CalendarDate) -> Bool {
        guard let withdrawal else { return false }
        return withdrawal.at.utcDate <= date
    }
}
