/// Why an asset may not go to a channel. The raw values are stable identifiers, shown to users
/// and written in JSON; never rename one.
public enum ReasonCode: String, CaseIterable, Codable, Sendable, Comparable {
    case unreadableMedia = "unreadable-media"
    case notReviewed = "not-reviewed"
    case unidentifiedPerson = "unidentified-person"
    case ambiguousPerson = "ambiguous-person"
    case unknownPerson = "unknown-person"
    case serviceUser = "service-user"
    case noConsent = "no-consent"
    case consentWithdrawn = "consent-withdrawn"
    case consentExpired = "consent-expired"
    case channelNotCovered = "channel-not-covered"
    case guardianConsentRequired = "guardian-consent-required"
    case reconsentRequired = "reconsent-required"
    case preElectionPeriod = "pre-election-period"
    case recordTampered = "record-tampered"

    /// Declaration order, which is the order of the table in DESIGN.md.
    public static func < (a: ReasonCode, b: ReasonCode) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
