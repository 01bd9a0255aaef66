/// The organisation's rules, from configuration.
public struct Policy: Hashable, Sendable {
    /// Below this age a guardian must consent (13 in the UK for online services).
    public var ageOfConsent: Int
    public var defaultExpiryYears: Int
    /// How long records are kept after a consent ends (expiry or withdrawal): 3 years by default.
    public var retentionYears: Int
    public var preElectionPeriods: [DateWindow]
    /// Channels the council publishes on, where pre-election rules apply.
    public var councilChannels: Set<Channel>

    public init(ageOfConsent: Int = 13, defaultExpiryYears: Int = 3, retentionYears: Int = 3,
                preElectionPeriods: [DateWindow] = [], councilChannels: Set<Channel> = Set(ChannelCatalog.standard.channels)) {
        self.ageOfConsent = ageOfConsent
        self.defaultExpiryYears = defaultExpiryYears
        self.retentionYears = retentionYears
        self.preElectionPeriods = preElectionPeriods
        self.councilChannels = councilChannels
    }

    public func defaultExpiry(givenAt: CalendarDate) -> CalendarDate {
        givenAt.adding(years: defaultExpiryYears)
    }

    /// A child on `date` when the date of birth is known and they are under the age of consent.
    public func isChild(bornOn dateOfBirth: CalendarDate?, on date: CalendarDate) -> Bool {
        guard let dateOfBirth else { return false }
        return dateOfBirth.age(at: date) < ageOfConsent
    }

    public func isPreElection(_ date: CalendarDate) -> Bool {
        preElectionPeriods.contains { $0.contains(date) }
    }
}
