/// Someone who may appear in media.
public struct Person: Hashable, Sendable {
    public let id: PersonID
    public var personalData: PersonalData
    public var roles: PersonRoles

    public init(id: PersonID, personalData: PersonalData, roles: PersonRoles) {
        self.id = id
        self.personalData = personalData
        self.roles = roles
    }
}

/// What identifies a person. Stored only encrypted with the person's own key, so that erasing
/// the key erases all of it.
public struct PersonalData: Hashable, Codable, Sendable {
    public var name: String
    public var aliases: [String]
    public var dateOfBirth: CalendarDate?
    public var email: String?
    public var phone: String?

    public init(name: String, aliases: [String] = [], dateOfBirth: CalendarDate? = nil,
                email: String? = nil, phone: String? = nil) {
        self.name = name
        self.aliases = aliases
        self.dateOfBirth = dateOfBirth
        self.email = email
        self.phone = phone
    }

    /// The name and every alias, as typed.
    public var allNames: [String] { [name] + aliases }

    /// Age in whole years on `date`, when the date of birth is known.
    public func age(at date: CalendarDate) -> Int? { dateOfBirth?.age(at: date) }
}

/// Flags the gate acts on. Kept in clear so the gate need not decrypt anything to block a
/// service user; alone they identify no one.
public struct PersonRoles: Hashable, Codable, Sendable {
    /// Never publishable, consent or not.
    public var serviceUser: Bool
    /// Subject to pre-election publicity rules.
    public var electedMember: Bool
    public var staff: Bool

    public init(serviceUser: Bool = false, electedMember: Bool = false, staff: Bool = false) {
        self.serviceUser = serviceUser
        self.electedMember = electedMember
        self.staff = staff
    }

    public var labels: [String] {
        var labels: [String] = []
        if serviceUser { labels.append("service-user") }
        if electedMember { labels.append("elected-member") }
        if staff { labels.append("staff") }
        return labels
    }
}
