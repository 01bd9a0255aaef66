// A value the ledger returns and every layer shows; defined here, beside Person, so that the
// layers above ClearanceApp never name a store type.
import Foundation

/// A registered person as the ledger knows them now.
public struct PersonEntry: Hashable, Sendable {
    public let id: PersonID
    public let roles: PersonRoles
    /// Nil once erased.
    public let personalData: PersonalData?
    public let addedAt: Timestamp
    public let erasedAt: Timestamp?

    public var isErased: Bool { erasedAt != nil }

    public init(id: PersonID, roles: PersonRoles, personalData: PersonalData? = nil, addedAt: Timestamp,
                erasedAt: Timestamp? = nil) {
        self.id = id
        self.roles = roles
        self.personalData = personalData
        self.addedAt = addedAt
        self.erasedAt = erasedAt
    }
}
