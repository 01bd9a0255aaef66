import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird

/// Consent capture on a tablet: the form, then the receipt with the withdrawal QR code.
extension ClearanceService {
    /// The installed app's icons, as the manifest names them (the service worker keeps them too).
    static let appIcons = ["/static/icon-192.png", "/static/icon-512.png"]

    func addCapturePages(_ book: RouteBook) {
        let capturers: Access = .roles([.officer, .dpo])

        book.add(.get, "/capture", capturers) { request, context in
            try capturePage(context, form: nil, errors: [:], formError: nil, status: .ok, linkBase: baseURL(for: request))
        }

        book.add(.post, "/capture", capturers, csrfHeader: false) { request, context in
            let form = try await FormFields.read(request, limit: ConsentFormLimits.maximumBodyBytes)
            try requireCSRF(form, context)
            let errors = captureErrors(form)
            guard errors.isEmpty else {
                return try capturePage(context, form: form, errors: errors, formError: errors["form"] ?? "Please correct the fields marked below.",
                                       status: .badRequest, linkBase: baseURL(for: request))
            }
            do {
                let recorded = try recordCaptured(form, by: context.user?.name ?? "unknown", request: request)
                return try receiptPage(recorded.reference, withdrawalURL: recorded.withdrawalURL, context)
            } catch let error as InputError {
                return try capturePage(context, form: form, errors: [:], formError: error.description, status: .badRequest,
                                       linkBase: baseURL(for: request))
            }
        }
    }

    /// Registers the person of a checked capture form and records their consent, signature and
    /// withdrawal link: the officer's tablet form and a confirmed self-service form alike.
    func recordCaptured(_ form: FormFields, by user: String, request: Request) throws -> (reference: ConsentReference, withdrawalURL: String) {
        let person = try ledger.addPerson(PersonRequest(name: form["name"] ?? "", born: form["born"], email: form["email"]))
        var consent = ConsentRequest(person: person.description, channels: form.all("channels").joined(separator: ","))
        consent.event = form["event"]
        consent.formVersion = form["formVersion"]
        consent.method = ConsentMethod.tablet.rawValue
        consent.guardianName = form["guardianName"]
        consent.guardianRelationship = form["guardianRelationship"]
        return try record(consent, signatureBase64: form["signature"], by: user, request: request)
    }

    /// Checks that need the form as a whole (which age field, guardian for a child), before
    /// anything is written; the operations check the rest again.
    func captureErrors(_ form: FormFields) -> [String: String] {
        // Sizes first: nothing over its cap is looked at further, kept or shown again.
        let oversized = ConsentFormLimits.errors(form)
        guard oversized.isEmpty else { return oversized }
        var errors: [String: String] = [:]
        let policy = settings.configuration.policy
        if form["event"] == nil { errors["event"] = "Name the event." }
        if form["name"] == nil { errors["name"] = "Enter the person's full name." }
        var child = form["ageBand"] == "child"
        if let born = form["born"] {
            if let date = CalendarDate(parsing: born), date <= CalendarDate.today {
                child = policy.isChild(bornOn: date, on: CalendarDate.today)
            } else {
                errors["born"] = "Enter a real date of birth in the past."
            }
        } else if form["ageBand"] == nil {
            errors["born"] = "Enter a date of birth or choose an age band."
        }
        let channels = form.all("channels")
        if channels.isEmpty {
            errors["channels"] = "Tick at least one channel."
        } else if channels.contains(where: { !settings.configuration.catalog.contains(Channel($0)) }) {
            errors["channels"] = "Tick only the channels listed."
        }
        let guardian = (form["guardianName"], form["guardianRelationship"])
        if child && (guardian.0 == nil || guardian.1 == nil) {
            errors["guardian"] = "A child needs a parent or guardian's name and relationship."
        } else if (guardian.0 == nil) != (guardian.1 == nil) {
            errors["guardian"] = "Give both the guardian's name and relationship, or neither."
        }
        if let email = form["email"] {
            if !email.contains("@") {
                errors["email"] = "Enter an email address, or leave it empty."
            } else if settings.configuration.notices != nil, !Notices.canSend(to: email) {
                // Otherwise the receipt the form promises would silently never be sent.
                errors["email"] = "Receipts go only to plain addresses such as name@example.org (no accents or spaces)."
            }
        }
        if form["signature"] == nil { errors["signature"] = "Please sign in the box." }
        return errors
    }

    /// `action` and `fixedEvent` serve the self-service form, whose event comes from its link.
    /// `linkBase` (what withdrawal links start with) makes it the officer's tablet form, which
    /// works offline: saved through the outbox, with the receipt made on the tablet.
    func capturePage(_ context: ClearanceRequestContext, form: FormFields?, errors: [String: String], formError: String?,
                     status: HTTPResponse.Status, action: String = "/capture", fixedEvent: String? = nil,
                     linkBase: String? = nil) throws -> Response {
        let configuration = settings.configuration
        let ticked = Set(form?.all("channels") ?? [])
        let events = try ledger.consentEvents()
        var values: [String: Any] = [
            "events": events, "formVersion": configuration.formVersion,
            "expiryYears": configuration.policy.defaultExpiryYears, "withdrawalContact": configuration.withdrawalContact,
            "ageOfConsent": configuration.policy.ageOfConsent,
            "channels": configuration.catalog.channels.map { ["name": $0.name, "checked": ticked.contains($0.name)] as [String: Any] },
            "errors": errors, "ageAdult": form?["ageBand"] == "adult", "ageChild": form?["ageBand"] == "child",
            "formAction": action, "editableEvent": fixedEvent == nil,
        ]
        if let fixedEvent { values["fixedEvent"] = fixedEvent }
        // What was typed is shown again, unless it was over its cap.
        var kept: [String: String] = [:]
        for name in ["event", "name", "born", "guardianName", "guardianRelationship", "email"] {
            let value = form?[name] ?? ""
            kept[name] = value.unicodeScalars.count <= (ConsentFormLimits.fieldScalars[name] ?? 0) ? value : ""
        }
        values["values"] = kept
        values["limits"] = ConsentFormLimits.fieldScalars
        if let formError { values["formError"] = formError }
        guard let linkBase else {
            return page(.capture, values, context, title: "Consent capture", status: status, scripts: ["capture.js"])
        }
        values["offline"] = true
        values["linkBase"] = linkBase
        values["icons"] = Self.appIcons.joined(separator: " ")
        values["manifest"] = staticAssets.url("capture.webmanifest") ?? ""
        return page(.capture, values, context, title: "Consent capture", status: status, scripts: ["qrcode.js", "capture.js"])
    }

    /// The receipt shown right after capture: it may show what the officer just typed (the
    /// guardian's name); later reads go through the receipt route, which hides it from officers.
    func receiptPage(_ reference: ConsentReference, withdrawalURL: String, _ context: ClearanceRequestContext,
                     next: String = "/capture") throws -> Response {
        guard let consent = try ledger.consent(reference) else { throw APIError(.notFound, "unknown consent") }
        let person = try ledger.person(consent.person)
        var values: [String: Any] = [
            "reference": reference.description, "personName": person?.personalData?.name ?? "",
            "event": consent.terms.event ?? "", "channels": consent.terms.channels.map(\.name).joined(separator: ", "),
            "formVersion": consent.terms.formVersion, "givenAt": consent.terms.givenAt.description,
            "expiresAt": consent.terms.expiresAt.description, "withdrawalURL": withdrawalURL,
            "withdrawalContact": settings.configuration.withdrawalContact,
            "qrCode": QRCodeSVG.dataURL(for: withdrawalURL, label: "QR code of your withdrawal link") ?? "",
            "nextHref": next,
        ]
        if let relationship = consent.terms.guardianRelationship {
            values["guardian"] = [consent.details?.guardianName, relationship].compactMap { $0 }.joined(separator: ", ")
        }
        return page(.receipt, values, context, title: "Consent \(reference)", status: .created)
    }
}
