// Offline capture as the ledger holds it: values the operations and the API use, defined here
// so that the layers above ClearanceApp never name a store type.

/// A consent reference handed to one officer's tablet while it was online, for a consent it
/// may capture offline (`Migrations/0006_offline_capture.sql`).
public struct ReservedReference: Hashable, Sendable {
    public var reference: ConsentReference
    public var officer: String
    public var device: String
    public var reservedAt: Timestamp
    /// A capture made after this moment may not use it.
    public var expiresAt: Timestamp

    public init(reference: ConsentReference, officer: String, device: String, reservedAt: Timestamp, expiresAt: Timestamp) {
        self.reference = reference
        self.officer = officer
        self.device = device
        self.reservedAt = reservedAt
        self.expiresAt = expiresAt
    }
}

/// A capture a tablet sent: the id it gave the capture, and the consent it became.
public struct OfflineCaptureRecord: Hashable, Sendable {
    public var captureID: String
    public var reference: ConsentReference
    public var person: PersonID
    public var officer: String
    /// The tablet's clock.
    public var capturedAt: Timestamp
    /// The server's clock when the capture arrived (the consent event's time).
    public var receivedAt: Timestamp

    public init(captureID: String, reference: ConsentReference, person: PersonID, officer: String, capturedAt: Timestamp,
                receivedAt: Timestamp) {
        self.captureID = captureID
        self.reference = reference
        self.person = person
        self.officer = officer
        self.capturedAt = capturedAt
        self.receivedAt = receivedAt
    }
}
