import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird

/// Self-service consent: an officer opens a code for an event; attendees scan it and fill in
/// the capture form on their own phone (`/self/{secret}`, no account); each form waits in the
/// users store until an officer confirms it, which records it as the tablet form would.
extension ClearanceService {
    /// The form fields a held submission keeps; nothing else the client sends is stored.
    static let selfServiceFields: Set<String> = ["name", "born", "ageBand", "channels", "guardianName",
                                                 "guardianRelationship", "email", "signature", "formVersion"]
    static let maximumPendingPerEvent = 500

    func addSelfServicePages(_ book: RouteBook) {
        let officers: Access = .roles([.officer, .dpo])

        book.add(.get, "/self-service", officers) { request, context in
            try selfServicePage(context, request: request, event: nil, errors: [:], status: .ok)
        }

        book.add(.post, "/self-service", officers, csrfHeader: false) { request, context in
            let form = try await FormFields.read(request, limit: 16 << 10)
            try requireCSRF(form, context)
            let limit = ConsentFormLimits.fieldScalars["event"] ?? 200
            guard let event = form["event"], event.unicodeScalars.count <= limit,
                  !event.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                return try selfServicePage(context, request: request, event: nil,
                                           errors: ["event": "Name the event (at most \(limit) characters, no control characters)."],
                                           status: .badRequest)
            }
            try selfService.openLink(event: event, by: context.user?.name ?? "unknown")
            return .redirect(to: "/self-service", type: .normal)
        }

        book.add(.post, "/self-service/links/{id}/close", officers, csrfHeader: false) { request, context in
            try requireCSRF(try await FormFields.read(request, limit: 16 << 10), context)
            try selfService.closeLink(id: try numericID(context))
            return .redirect(to: "/self-service", type: .normal)
        }

        book.add(.get, "/self/{secret}", .anyone) { _, context in
            let link = try eventLink(context)
            return try capturePage(context, form: nil, errors: [:], formError: nil, status: .ok,
                                   action: "/self/\(link.secret)", fixedEvent: link.event)
        }

        book.add(.post, "/self/{secret}", .anyone, csrfHeader: false) { request, context in
            // The secret in the link is all the proof needed: the form only waits for an officer.
            let link = try eventLink(context)
            let form = try await FormFields.read(request, limit: ConsentFormLimits.maximumBodyBytes).setting("event", to: link.event)
            let errors = captureErrors(form)
            guard errors.isEmpty else {
                return try capturePage(context, form: form, errors: errors, formError: errors["form"] ?? "Please correct the fields marked below.",
                                       status: .badRequest, action: "/self/\(link.secret)", fixedEvent: link.event)
            }
            if let signature = form["signature"] {
                // Checked now, so an officer is never asked to confirm a form whose signature cannot be stored.
                let file = try SignatureImage.store(base64: signature, in: settings.uploadDirectory)
                try? FileManager.default.removeItem(atPath: file)
            }
            do {
                try selfService.hold(form: form.encoded(keeping: Self.selfServiceFields), link: link.id,
                                     limit: Self.maximumPendingPerEvent)
            } catch let refusal as SelfServiceRefusal {
                throw APIError(.conflict, refusal.message)
            }
            return messagePage(context, title: "Thank you", text: "Your form for \(link.event) has been sent. "
                               + "An officer will check it with you and confirm it; they will then give you your receipt "
                               + "with your own link to withdraw at any time.", status: .accepted)
        }

        book.add(.get, "/self-service/pending/{id}", officers) { _, context in
            try pendingPage(try pendingConsent(context), context, formError: nil, status: .ok)
        }

        book.add(.post, "/self-service/pending/{id}/confirm", officers, csrfHeader: false) { request, context in
            try requireCSRF(try await FormFields.read(request, limit: 16 << 10), context)
            let pending = try pendingConsent(context)
            let form = FormFields(pending.form).setting("event", to: pending.link.event)
            // The rules may have changed since it was sent (a birthday, the channel list): checked again.
            let errors = captureErrors(form)
            guard errors.isEmpty else {
                return try pendingPage(pending, context, formError: errors.values.sorted().joined(separator: " "), status: .badRequest)
            }
            do {
                let recorded = try recordCaptured(form, by: context.user?.name ?? "unknown", request: request)
                try selfService.remove(id: pending.id)
                return try receiptPage(recorded.reference, withdrawalURL: recorded.withdrawalURL, context, next: "/self-service")
            } catch let error as InputError {
                return try pendingPage(pending, context, formError: error.description, status: .badRequest)
            }
        }

        book.add(.post, "/self-service/pending/{id}/reject", officers, csrfHeader: false) { request, context in
            try requireCSRF(try await FormFields.read(request, limit: 16 << 10), context)
            try selfService.remove(id: try pendingConsent(context).id)
            return .redirect(to: "/self-service", type: .normal)
        }
    }

    func numericID(_ context: ClearanceRequestContext) throws -> Int64 {
        let text = try context.parameters.require("id")
        guard text.count <= 18, let id = Int64(text), id > 0 else { throw APIError(.badRequest, "not a number: \(text.prefix(40))") }
        return id
    }

    func eventLink(_ context: ClearanceRequestContext) throws -> EventLinkRecord {
        let secret = try context.parameters.require("secret")
        guard secret.utf8.count <= 100, let link = try selfService.openLink(secret: secret) else {
            throw APIError(.notFound, "this event's form is closed or the link is wrong; please ask an officer")
        }
        return link
    }

    func pendingConsent(_ context: ClearanceRequestContext) throws -> PendingConsentRecord {
        guard let pending = try selfService.pending(id: try numericID(context)) else {
            throw APIError(.notFound, "no such form waiting (already confirmed or rejected?)")
        }
        return pending
    }

    /// Forms waiting for confirmation are listed this many to a page, oldest first.
    static let pendingPerPage = 50

    func selfServicePage(_ context: ClearanceRequestContext, request: Request, event: String?, errors: [String: String],
                         status: HTTPResponse.Status) throws -> Response {
        let base = baseURL(for: request)
        let events = try ledger.consentEvents()
        let total = try selfService.pendingCount()
        let pages = max(1, (total + Self.pendingPerPage - 1) / Self.pendingPerPage)
        let pageText = request.uri.queryParameters["page"].map(String.init) ?? "1"
        guard pageText.count <= 9, let number = Int(pageText), number >= 1 else {
            throw APIError(.badRequest, "page must be a number from 1")
        }
        let current = min(number, pages)
        let shown = try selfService.pending(limit: Self.pendingPerPage, offset: (current - 1) * Self.pendingPerPage)
        let first = (current - 1) * Self.pendingPerPage + 1
        var values: [String: Any] = [
            "events": events, "eventValue": event ?? "", "errors": errors,
            "eventLimit": ConsentFormLimits.fieldScalars["event"] ?? 200,
            "links": try selfService.openLinks().map { link in
                let url = base + "/self/" + link.secret
                return ["id": link.id, "event": link.event, "url": url,
                        "qrCode": QRCodeSVG.dataURL(for: url, label: "QR code of this event's consent form") ?? ""] as [String: Any]
            },
            "pending": shown.map { pending in
                ["id": pending.id, "event": pending.link.event, "name": FormFields(pending.form)["name"] ?? "",
                 "submittedAt": pending.submittedAt.description] as [String: Any]
            },
            "pendingTotal": total > 0,
            "pendingRange": total <= Self.pendingPerPage ? "\(total) waiting."
                : "\(total) waiting; showing \(first)–\(first + shown.count - 1), oldest first.",
        ]
        if pages > 1 {
            var pager: [String: Any] = [:]
            if current > 1 { pager["previous"] = current - 1 }
            if current < pages { pager["next"] = current + 1 }
            values["pager"] = pager
        }
        return page(.selfService, values, context, title: "Self-service consent", status: status)
    }

    func pendingPage(_ pending: PendingConsentRecord, _ context: ClearanceRequestContext, formError: String?,
                     status: HTTPResponse.Status) throws -> Response {
        let form = FormFields(pending.form)
        var values: [String: Any] = [
            "id": pending.id, "event": pending.link.event, "name": form["name"] ?? "", "born": form["born"] ?? "",
            "ageBand": form["ageBand"] ?? "", "channels": form.all("channels").joined(separator: ", "),
            "guardian": [form["guardianName"], form["guardianRelationship"]].compactMap { $0 }.joined(separator: ", "),
            "email": form["email"] ?? "", "submittedAt": pending.submittedAt.description,
        ]
        // Only a PNG data URL is shown as an image; anything else stays out of the page.
        if let signature = form["signature"], signature.hasPrefix("data:image/png;base64,"),
           signature.dropFirst(22).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+/=".contains($0)) }) {
            values["signature"] = signature
        }
        if let formError { values["formError"] = formError }
        return page(.pending, values, context, title: "Confirm a self-service form", status: status)
    }
}
