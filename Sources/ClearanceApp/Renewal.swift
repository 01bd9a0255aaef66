import ClearanceCore
import Foundation
import Ledger

/// What a renewal link offers: the consent as agreed, and until when a renewal would last.
public struct RenewalOffer: Sendable {
    public let consent: ConsentRecord
    public let renewedUntil: CalendarDate
    /// A guardian's consent for someone who has since reached the age of consent: the guardian
    /// can no longer renew it (the gate would answer `reconsent-required`); they decide now.
    public let childDecidesNow: Bool
}

extension LedgerOperations {
    /// Nil when the link is unknown, used, expired, or its consent is no longer active.
    public func renewalOffer(secret: String) throws -> RenewalOffer? {
        guard LinkSecret.looksValid(secret),
              let reference = try ledger.noticeLink(secretSHA256: LinkSecret.sha256(secret), purpose: .renew, at: .now),
              let consent = try ledger.consent(reference), consent.state == .active,
              !consent.isExpired(on: InputCheck.today) else { return nil }
        let today = InputCheck.today
        var childDecidesNow = false
        if consent.terms.givenByGuardian, let born = try ledger.person(consent.person)?.personalData?.dateOfBirth {
            childDecidesNow = !configuration.policy.isChild(bornOn: born, on: today)
        }
        return RenewalOffer(consent: consent, renewedUntil: configuration.policy.defaultExpiry(givenAt: today),
                            childDecidesNow: childDecidesNow)
    }

    /// The renewal page's button: a new version of the consent, for the channels still ticked
    /// (only ones it had), given today, expiring per the policy, method `renewal-link`. The link
    /// is used up in the same transaction, and the new receipt queued in it.
    public func renew(secret: String, channels: [String]) throws -> ConsentReference {
        guard let offer = try renewalOffer(secret: secret) else {
            throw InputError("this renewal link is not valid, has been used, or has expired")
        }
        guard !offer.childDecidesNow else {
            throw InputError("a guardian's consent cannot be renewed once the child has reached the age of consent: they give their own")
        }
        let old = offer.consent
        let kept = Set(channels.map { $0.lowercased() })
        let chosen = old.terms.channels.filter { kept.contains($0.name) }
        guard !chosen.isEmpty else { throw InputError("tick at least one channel to renew") }
        guard kept.count == chosen.count else { throw InputError("a renewal can only keep channels the consent had") }
        var request = ConsentRequest(person: old.person.description, channels: chosen.map(\.name).joined(separator: ","))
        request.purposes = old.terms.purposes
        request.event = old.terms.event
        request.formVersion = old.terms.formVersion
        request.recordedBy = "the person (renewal link)"
        request.guardianName = old.details?.guardianName
        request.guardianRelationship = old.terms.guardianRelationship
        request.supersedes = old.reference.description
        var checked = try check(request)
        checked.terms.method = .renewalLink
        return try record(checked, renewalLink: LinkSecret.sha256(secret))
    }
}
