import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird

/// `/api/v1/consents`: what `consent record|list|withdraw|receipt` do.
extension ClearanceService {
    struct ConsentBody: Decodable {
        var person: String
        var channels: [String]
        var purposes: [String]?
        var event: String?
        var formVersion: String?
        var method: String?
        var witness: String?
        var given: String?
        var expires: String?
        var guardianName: String?
        var guardianRelationship: String?
        var supersedes: String?
        /// The drawn signature, a PNG, base64-encoded.
        var signaturePNG: String?
    }

    struct WithdrawBody: Decodable {
        var receivedVia: String?
        var note: String?
    }

    struct RecordedConsent: Encodable {
        var reference: String
        /// The person's own withdrawal page; shown once (only a hash of its secret is kept).
        var withdrawalURL: String
    }

    func addConsentRoutes(_ book: RouteBook) {
        book.add(.get, "/api/v1/consents", .roles([.dpo])) { request, _ in
            let person = request.uri.queryParameters["person"].map(String.init)
            return .jsonText(try LedgerJSON.consents(try ledger.consents(person: person)))
        }

        book.add(.post, "/api/v1/consents", .roles([.officer, .dpo])) { request, context in
            let body = try await request.decode(as: ConsentBody.self, context: context)
            // Whether a guardian is needed depends on the person's age on the day given: an
            // officer free to pick that day could find a birthday by trying dates. Officers
            // record consent given today; earlier paper forms go through the DPO.
            if context.role?.seesPersonalDetails != true, let given = body.given,
               CalendarDate(parsing: given.trimmingCharacters(in: .whitespaces)) != CalendarDate.today {
                throw APIError(.forbidden, "given: officers record consent given today; ask the DPO to record an earlier one")
            }
            var consent = ConsentRequest(person: body.person, channels: body.channels.joined(separator: ","))
            consent.purposes = body.purposes ?? []
            consent.event = body.event
            consent.formVersion = body.formVersion
            consent.method = body.method
            consent.witness = body.witness
            consent.given = body.given
            consent.expires = body.expires
            consent.guardianName = body.guardianName
            consent.guardianRelationship = body.guardianRelationship
            consent.supersedes = body.supersedes
            let recorded = try record(consent, signatureBase64: body.signaturePNG, by: context.user?.name ?? "unknown",
                                      request: request)
            return .json(RecordedConsent(reference: recorded.reference.description, withdrawalURL: recorded.withdrawalURL),
                         status: .created)
        }

        book.add(.get, "/api/v1/consents/{reference}", .roles([.officer, .dpo])) { _, context in
            let consent = try ledger.consent(try context.parameters.require("reference"))
            return .jsonText(context.role?.seesPersonalDetails == true
                             ? try LedgerJSON.consent(consent) : try LedgerJSON.consentWithoutPersonalDetails(consent))
        }

        book.add(.post, "/api/v1/consents/{reference}/withdraw", .roles([.dpo])) { request, context in
            let body = try await request.decode(as: WithdrawBody.self, context: context)
            let result = try ledger.withdraw(try context.parameters.require("reference"), receivedVia: body.receivedVia ?? "api",
                                             recordedBy: context.user?.name, note: body.note)
            // The consent and what its withdrawal affects: assets now blocked, takedowns opened.
            return .jsonText(try TakedownOutput.json(result))
        }

        book.add(.get, "/api/v1/consents/{reference}/receipt", .roles([.officer, .dpo])) { _, context in
            // Officers read receipts without the guardian's and witness's names, as the JSON routes.
            let html = try ledger.receipt(try context.parameters.require("reference"),
                                          privateDetails: context.role?.seesPersonalDetails == true)
            var response = Response.html(html)
            // A standalone document with its own stylesheet: its own policy, which allows that and nothing else.
            response.headers[.contentSecurityPolicy] = ConsentReceipt.policy.header
            return response
        }
    }

    /// Records a consent with its signature image and issues the person's withdrawal link.
    func record(_ consent: ConsentRequest, signatureBase64: String?, by user: String,
                request: Request) throws -> (reference: ConsentReference, withdrawalURL: String) {
        var consent = consent
        consent.recordedBy = user
        var signatureFile: String?
        defer { if let signatureFile { try? FileManager.default.removeItem(atPath: signatureFile) } }
        if let signatureBase64 {
            signatureFile = try SignatureImage.store(base64: signatureBase64, in: settings.uploadDirectory)
            consent.signaturePath = signatureFile
        }
        let reference = try ledger.recordConsent(consent)
        let secret = try accounts.issueWithdrawalSecret(for: reference)
        return (reference, baseURL(for: request) + "/withdraw/" + secret)
    }

    func baseURL(for request: Request) -> String {
        if let base = settings.publicBaseURL { return base.hasSuffix("/") ? String(base.dropLast()) : base }
        let host = request.head.authority ?? "localhost"
        // Only a plausible host name goes into a link that is printed on a receipt.
        let safe = host.allSatisfy { $0.isLetter || $0.isNumber || ".-:[]".contains($0) } ? host : "localhost"
        return "http://" + safe
    }
}

/// A drawn signature sent as base64 PNG: checked, then written to a private temporary file
/// for the ledger operation to read.
enum SignatureImage {
    /// A signature drawn on a 600×200 canvas is a few tens of kilobytes.
    static let maximumBytes = ConsentFormLimits.maximumSignatureBytes
    static let pngMagic: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static func store(base64: String, in directory: String) throws -> String {
        let data = try decode(base64: base64)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("signature-\(Secret.generate(bytes: 12)).png")
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw APIError(.internalServerError, "cannot store the signature")
        }
        return path
    }

    /// The PNG bytes of a base64 string or `data:image/png;base64,` URL, checked for size and type.
    static func decode(base64: String) throws -> Data {
        var text = Substring(base64)
        if let comma = text.firstIndex(of: ","), text.hasPrefix("data:image/png;base64") { text = text[text.index(after: comma)...] }
        guard text.utf8.count <= maximumBytes * 4 / 3 + 4, let data = Data(base64Encoded: String(text)) else {
            throw APIError(.badRequest, "signature must be a base64 PNG of at most \(maximumBytes >> 10) KiB")
        }
        guard data.count >= pngMagic.count, Array(data.prefix(8)) == pngMagic else {
            throw APIError(.unsupportedMediaType, "signature must be a PNG image")
        }
        return data
    }
}
