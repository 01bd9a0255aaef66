import ClearanceCore
import Foundation
import Ledger

/// Self-service consent: the links an officer opens for an event, and the forms attendees send
/// through them, held until an officer confirms (then recorded as any consent) or rejects them.
/// They live in the accounts store beside the ledger: nothing here is a consent record yet.
public struct SelfServiceForms: Sendable {
    let store: UserStore

    public init(_ accounts: Accounts) {
        store = accounts.store
    }

    /// A new link for `event`, its secret made here (it is printed as a QR code).
    @discardableResult
    public func openLink(event: String, by officer: String) throws -> EventLinkRecord {
        try store.addEventLink(secret: Secret.generate(), event: event, by: officer)
    }

    /// Stops new submissions; forms already held stay for an officer to decide.
    public func closeLink(id: Int64) throws {
        try store.closeEventLink(id: id)
    }

    /// The link with this secret, while it is open.
    public func openLink(secret: String) throws -> EventLinkRecord? {
        try store.openEventLink(secret: secret)
    }

    /// Every open link, newest first.
    public func openLinks() throws -> [EventLinkRecord] {
        try store.openEventLinks()
    }

    /// Holds a submitted form (URL-encoded fields). Refused with `SelfServiceRefusal` when the
    /// link has closed or already holds `limit` undecided forms.
    @discardableResult
    public func hold(form: String, link: Int64, limit: Int) throws -> Int64 {
        do {
            return try store.addPendingConsent(linkID: link, form: form, limit: limit)
        } catch let LedgerError.invalid(message) {
            throw SelfServiceRefusal(message: message)
        }
    }

    /// Held forms, oldest first; `limit` and `offset` page through them.
    public func pending(limit: Int = .max, offset: Int = 0) throws -> [PendingConsentRecord] {
        try store.pendingConsents(limit: limit, offset: offset)
    }

    public func pendingCount() throws -> Int {
        try store.pendingConsentCount()
    }

    public func pending(id: Int64) throws -> PendingConsentRecord? {
        try store.pendingConsent(id: id)
    }

    /// Confirmed or rejected: either way the held copy of the person's details goes.
    public func remove(id: Int64) throws {
        try store.removePendingConsent(id: id)
    }
}

/// A form that cannot be held now (the link closed, or too many wait): the sender is told why.
public struct SelfServiceRefusal: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
