import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird

/// `/api/v1/captures`: the tablet's outbox. While online the tablet reserves consent references
/// (so a consent captured offline shows its final reference at once); when the server answers
/// again it sends each waiting capture, with its own id, until the server has it.
extension ClearanceService {
    struct ReservationBody: Decodable {
        /// The UUID the tablet made for itself: references are held per officer and tablet.
        var device: String
        /// How many unused references the tablet wants to hold (default 20).
        var count: Int?
    }

    struct ReservationsAnswer: Encodable {
        struct Held: Encodable {
            var reference: String
            var expiresAt: String
        }
        var officer: String
        var device: String
        var references: [Held]
    }

    struct CaptureBody: Decodable {
        var id: String
        var reference: String
        var officer: String
        var capturedAt: Int64
        var event: String?
        var formVersion: String?
        var name: String?
        var born: String?
        var ageBand: String?
        var email: String?
        var channels: [String]?
        var guardianName: String?
        var guardianRelationship: String?
        var expires: String?
        /// The drawn signature: a PNG as base64 or a `data:image/png;base64,` URL.
        var signaturePNG: String?
        /// SHA-256 (hex) of the withdrawal secret the tablet made and printed on the receipt.
        var withdrawalSecretSHA256: String
    }

    struct CaptureAnswer: Encodable {
        var id: String
        var reference: String
        var recordedAt: String
        /// True when the capture had arrived before: nothing new was recorded.
        var duplicate: Bool
    }

    /// A capture the server will not record: `field` names what the officer can correct.
    struct CaptureRefusal: Encodable {
        var error: String
        var field: String?
    }

    static let defaultReservation = 20

    func addCaptureRoutes(_ book: RouteBook) {
        let capturers: Access = .roles([.officer, .dpo])

        book.add(.post, "/api/v1/captures/references", capturers) { request, context in
            let body = try await request.decode(as: ReservationBody.self, context: context)
            let officer = context.user?.name ?? "unknown"
            let held = try ledger.reserveReferences(officer: officer, device: body.device, count: body.count ?? Self.defaultReservation)
            return .json(ReservationsAnswer(officer: officer, device: body.device.lowercased(), references: held.map {
                .init(reference: $0.reference.description, expiresAt: $0.expiresAt.description)
            }))
        }

        book.add(.post, "/api/v1/captures", capturers) { request, context in
            let buffer = try await request.body.collect(upTo: ConsentFormLimits.maximumBodyBytes)
            let body: CaptureBody
            do {
                body = try JSONDecoder().decode(CaptureBody.self, from: Data(buffer.readableBytesView))
            } catch {
                throw APIError(.badRequest, "send a capture as JSON: id, reference, officer, capturedAt, withdrawalSecretSHA256 and the form's fields")
            }
            guard body.withdrawalSecretSHA256.utf8.count == 64,
                  body.withdrawalSecretSHA256.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
                throw APIError(.badRequest, "withdrawalSecretSHA256 must be 64 lower-case hex digits")
            }
            if let refusal = Self.oversizedField(body) { return .json(refusal, status: .unprocessableContent) }
            var capture = OfflineCaptureRequest(id: body.id, reference: body.reference, officer: body.officer, capturedAt: body.capturedAt)
            capture.event = body.event
            capture.formVersion = body.formVersion
            capture.name = body.name
            capture.born = body.born
            capture.ageBand = body.ageBand
            capture.email = body.email
            capture.channels = body.channels ?? []
            capture.guardianName = body.guardianName
            capture.guardianRelationship = body.guardianRelationship
            capture.expires = body.expires
            if let png = body.signaturePNG {
                do {
                    capture.signature = try SignatureImage.decode(base64: png)
                } catch let error as APIError {
                    return .json(CaptureRefusal(error: error.message + "; clear the signature and sign again", field: "signature"),
                                 status: .unprocessableContent)
                }
            }
            let result: OfflineCaptureResult
            do throws(OfflineCaptureError) {
                result = try ledger.recordOfflineCapture(capture, sentBy: context.user?.name ?? "unknown")
            } catch {
                return Self.response(for: error)
            }
            // In the users file, after the ledger's commit: a resend (this one was cut off, say)
            // keeps it again, so the withdrawal link on the receipt always ends up working.
            try accounts.keepWithdrawalLink(secretSHA256: body.withdrawalSecretSHA256, for: result.record.reference)
            return .json(CaptureAnswer(id: result.record.captureID, reference: result.record.reference.description,
                                       recordedAt: result.record.receivedAt.description, duplicate: !result.isNew),
                         status: result.isNew ? .created : .ok)
        }
    }

    static func response(for error: OfflineCaptureError) -> Response {
        switch error {
        case .malformed(let message): .json(CaptureRefusal(error: message), status: .badRequest)
        case .wrongOfficer(let message): .json(CaptureRefusal(error: message), status: .forbidden)
        case .conflict(let message): .json(CaptureRefusal(error: message), status: .conflict)
        case .refused(let field, let message): .json(CaptureRefusal(error: message, field: field), status: .unprocessableContent)
        case .unavailable(let message): .json(CaptureRefusal(error: message), status: .serviceUnavailable)
        }
    }

    /// The tablet form's caps (`ConsentFormLimits`), counted in Unicode scalars, with the field
    /// the officer would correct.
    static func oversizedField(_ body: CaptureBody) -> CaptureRefusal? {
        let fields: [(name: String, shownAt: String, value: String?)] = [
            ("event", "event", body.event), ("name", "name", body.name), ("born", "born", body.born),
            ("ageBand", "born", body.ageBand), ("email", "email", body.email), ("formVersion", "form", body.formVersion),
            ("guardianName", "guardian", body.guardianName), ("guardianRelationship", "guardian", body.guardianRelationship),
            // The expiry the receipt showed: a date, as long as a date of birth.
            ("born", "form", body.expires),
        ] + (body.channels ?? []).map { (name: "channels", shownAt: "channels", value: Optional($0)) }
        if (body.channels ?? []).count > ConsentFormLimits.maximumChannelTicks {
            return CaptureRefusal(error: "Tick only the channels listed.", field: "channels")
        }
        for field in fields {
            guard let value = field.value, let limit = ConsentFormLimits.fieldScalars[field.name] else { continue }
            if value.unicodeScalars.count > limit {
                return CaptureRefusal(error: "At most \(limit) characters.", field: field.shownAt)
            }
        }
        return nil
    }
}
