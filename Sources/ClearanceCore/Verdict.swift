/// One reason an asset is blocked, with whom and which consent it concerns.
public struct Reason: Hashable, Sendable, Codable {
    public var code: ReasonCode
    public var person: PersonID?
    public var consent: ConsentReference?
    /// Plain words for the editor.
    public var message: String

    public init(_ code: ReasonCode, person: PersonID? = nil, consent: ConsentReference? = nil, message: String) {
        self.code = code
        self.person = person
        self.consent = consent
        self.message = message
    }
}

/// The answer to "may this asset go to this channel at this time?", with every reason.
public struct Verdict: Hashable, Sendable {
    public var channel: Channel
    public var at: CalendarDate
    public var reasons: [Reason]

    /// Cleared exactly when nothing stands in the way; there is no other way to be cleared.
    public var cleared: Bool { reasons.isEmpty }

    public init(channel: Channel, at: CalendarDate, reasons: [Reason]) {
        self.channel = channel
        self.at = at
        self.reasons = reasons
    }
}
