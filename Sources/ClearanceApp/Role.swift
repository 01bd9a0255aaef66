/// What an account may do. A DPO may do everything with personal data; an admin manages accounts.
public enum Role: String, CaseIterable, Sendable, Comparable {
    /// Registers people and records consents at events.
    case officer
    /// Checks, tags and exports assets; never sees contact details or dates of birth.
    case editor
    /// Everything about people and consents, withdrawals, erasure, reports.
    case dpo
    /// Accounts.
    case admin

    public static func < (a: Role, b: Role) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Whether this role may see a person's contact details and date of birth.
    public var seesPersonalDetails: Bool { self == .dpo }
}
