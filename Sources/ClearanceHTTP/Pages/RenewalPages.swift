import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird

/// `/renew/{secret}`: the link in a renewal reminder. No account: the secret is the proof; it
/// works once and until the consent ends.
extension ClearanceService {
    func addRenewalPages(_ book: RouteBook) {
        book.add(.get, "/renew/{secret}", .anyone) { _, context in
            let secret = try context.parameters.require("secret")
            guard let offer = try ledger.renewalOffer(secret: secret) else { return renewalGone(context) }
            return renewalPage(offer, secret: secret, error: nil, context, status: .ok)
        }

        book.add(.post, "/renew/{secret}", .anyone, csrfHeader: false) { request, context in
            let secret = try context.parameters.require("secret")
            // The form is a handful of channel names; anything bigger is not this form.
            let form = try await FormFields.read(request, limit: 8 << 10)
            guard let offer = try ledger.renewalOffer(secret: secret) else { return renewalGone(context) }
            let channels = form.all("channels")
            guard !channels.isEmpty else {
                return renewalPage(offer, secret: secret, error: "Tick at least one channel, or simply let the consent end.",
                                   context, status: .badRequest)
            }
            do {
                let reference = try ledger.renew(secret: secret, channels: channels)
                let renewed = try ledger.consent(reference.description)
                var values = renewalValues(for: offer.consent)
                values["done"] = true
                values["newReference"] = reference.description
                values["renewedUntil"] = renewed.terms.expiresAt.description
                values["renewedChannels"] = renewed.terms.channels.map(\.name).joined(separator: ", ")
                // The receipt is queued only where notices are configured (and the record has an address).
                values["receiptFollows"] = settings.configuration.notices != nil
                return page(.renew, values, context, title: "Consent renewed")
            } catch let error as InputError {
                return renewalPage(offer, secret: secret, error: error.description, context, status: .badRequest)
            }
        }
    }

    /// Nothing personal: the page is reached by a link that could be forwarded.
    func renewalValues(for consent: ConsentRecord) -> [String: Any] {
        var values: [String: Any] = [
            "reference": consent.reference.description, "event": consent.terms.event ?? "",
            "purposes": consent.terms.purposes.joined(separator: ", "), "givenAt": consent.terms.givenAt.description,
            "expiresAt": consent.terms.expiresAt.description, "withdrawalContact": settings.configuration.withdrawalContact,
        ]
        if let relationship = consent.terms.guardianRelationship { values["guardian"] = relationship }
        return values
    }

    func renewalPage(_ offer: RenewalOffer, secret: String, error: String?, _ context: ClearanceRequestContext,
                     status: HTTPResponse.Status) -> Response {
        var values = renewalValues(for: offer.consent)
        guard !offer.childDecidesNow else {
            values["grownUp"] = true
            return page(.renew, values, context, title: "Renew your consent", status: status)
        }
        values["offer"] = true
        values["channels"] = offer.consent.terms.channels.map { ["name": $0.name] }
        values["renewedUntil"] = offer.renewedUntil.description
        values["action"] = "/renew/" + secret
        if let error { values["error"] = error }
        return page(.renew, values, context, title: "Renew your consent", status: status)
    }

    func renewalGone(_ context: ClearanceRequestContext) -> Response {
        page(.renew, ["gone": true, "withdrawalContact": settings.configuration.withdrawalContact], context,
             title: "Renewal link", status: .notFound)
    }
}
