import ClearanceCore
import Foundation
import Ledger

/// A consent a tablet captured with no signal and kept in its outbox, as the tablet sends it.
/// Unchecked; `recordOfflineCapture` checks everything before anything is written.
public struct OfflineCaptureRequest: Sendable {
    /// The UUID the tablet gave the capture: the same on every resend.
    public var id: String
    /// The reference the receipt showed, reserved for this officer while the tablet was online.
    public var reference: String
    /// The account signed in on the tablet when the consent was captured.
    public var officer: String
    /// The tablet's clock at capture, in milliseconds since 1970 UTC.
    public var capturedAt: Int64
    public var event: String?
    public var formVersion: String?
    public var name: String?
    public var born: String?
    /// `adult` or `child` when no date of birth was given.
    public var ageBand: String?
    public var email: String?
    public var channels: [String] = []
    public var guardianName: String?
    public var guardianRelationship: String?
    /// The last day the receipt showed; at most the configured default after the day given.
    public var expires: String?
    /// The drawn signature, PNG bytes.
    public var signature: Data?

    public init(id: String, reference: String, officer: String, capturedAt: Int64) {
        self.id = id
        self.reference = reference
        self.officer = officer
        self.capturedAt = capturedAt
    }
}

/// Why a capture was not recorded. Nothing was written.
public enum OfflineCaptureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not something a tablet of ours sends (no UUID, no reference, an absurd time).
    case malformed(String)
    /// Sent by someone other than the officer who captured it.
    case wrongOfficer(String)
    /// The reference cannot be used for it, or its id arrived before with another reference.
    /// The officer cannot fix this on the tablet; the consent stays there until discarded.
    case conflict(String)
    /// The consent cannot be recorded as it stands (a channel since removed, a child without a
    /// guardian): the officer may correct `field` on the tablet and send it again.
    case refused(field: String, message: String)
    /// The ledger could not be read or written (a failing disk): the tablet tries again later.
    case unavailable(String)

    public var description: String {
        switch self {
        case .malformed(let message), .wrongOfficer(let message), .conflict(let message), .unavailable(let message): message
        case .refused(_, let message): message
        }
    }
}

/// What became of a capture the tablet sent.
public struct OfflineCaptureResult: Sendable {
    public var record: OfflineCaptureRecord
    /// False when the capture had arrived before (a resend after a lost answer): nothing new
    /// was written and the answer is the same reference.
    public var isNew: Bool
}

extension LedgerOperations {
    /// How far a tablet's clock may run ahead of the server's, or behind the moment a
    /// reference was reserved, before a capture's time is refused.
    public static let offlineClockSkew: Duration = .seconds(300)
    /// At most this many references are asked for at once, and held per officer on all tablets.
    public static let maximumReferencesPerRequest = 50
    public static let maximumReferencesHeld = 200

    /// Tops up the references one officer's tablet holds for offline capture to `count`: the
    /// unused, unexpired ones it already has, plus new ones valid `offlineReferenceDays`.
    public func reserveReferences(officer: String, device: String, count: Int, at now: Timestamp = .now) throws -> [ReservedReference] {
        guard Self.isDeviceID(device) else { throw InputError("device must be the UUID the tablet made for itself") }
        guard (1...Self.maximumReferencesPerRequest).contains(count) else {
            throw InputError("count must be between 1 and \(Self.maximumReferencesPerRequest)")
        }
        return try Self.translatingLedgerErrors {
            try ledger.reserveReferences(officer: officer, device: device.lowercased(), count: count,
                                         lifetime: .seconds(configuration.offlineReferenceDays * 86_400),
                                         maximumHeld: Self.maximumReferencesHeld, at: now)
        }
    }

    /// Records a consent a tablet captured offline, sent by `officer` (the signed-in account):
    /// the person and their consent (method `tablet-offline`, given on the capture's day, recorded
    /// by `officer` now) under the reserved reference the receipt showed, with the capture's id, in
    /// one transaction. A capture that arrived before answers the same record and writes nothing.
    public func recordOfflineCapture(_ request: OfflineCaptureRequest, sentBy officer: String,
                                     at now: Timestamp = .now) throws(OfflineCaptureError) -> OfflineCaptureResult {
        guard Self.isDeviceID(request.id) else { throw .malformed("id must be the UUID the tablet gave the capture") }
        guard let reference = ConsentReference(parsing: request.reference) else {
            throw .malformed("reference must be a consent reference (C-XXXX-XXXX) reserved for this tablet")
        }
        guard request.officer == officer else {
            throw .wrongOfficer("this consent was captured by another officer; only they can send it, signed in as themselves")
        }
        let id = request.id.lowercased()
        do {
            if let earlier = try ledger.offlineCapture(id: id) {
                return try Self.resend(earlier, reference: reference, officer: officer)
            }
        } catch let error as OfflineCaptureError {
            throw error
        } catch {
            throw .unavailable("the ledger could not be read; the tablet will try again")
        }
        let checked = try check(request, at: now)
        do {
            return try ledger.write { tx in
                // Checked again inside the transaction: two copies sent at once make one consent.
                if let earlier = try tx.offlineCapture(id: id) {
                    return try Self.resend(earlier, reference: reference, officer: officer)
                }
                let record = try tx.recordOfflineCapture(id: id, reference: reference, officer: officer,
                                                         capturedAt: checked.capturedAt, person: checked.person,
                                                         terms: checked.terms, details: checked.details,
                                                         clockSkew: Self.offlineClockSkew, at: now)
                return OfflineCaptureResult(record: record, isNew: true)
            }
        } catch let error as OfflineCaptureError {
            throw error
        } catch let refusal as ReservationRefusal {
            throw .conflict(refusal.description)
        } catch let error as LedgerError where error.isInputError {
            throw .refused(field: "form", message: error.description)
        } catch {
            // A damaged store or a failing disk: not the capture's fault, and the tablet retries.
            throw .unavailable("the ledger could not record it; the tablet will try again")
        }
    }

    /// A capture id seen before: the same answer, when it is really the same capture.
    static func resend(_ earlier: OfflineCaptureRecord, reference: ConsentReference,
                       officer: String) throws(OfflineCaptureError) -> OfflineCaptureResult {
        guard earlier.reference == reference, earlier.officer == officer else {
            throw .conflict("this capture id arrived before with another reference or officer")
        }
        return OfflineCaptureResult(record: earlier, isNew: false)
    }

    static func isDeviceID(_ text: String) -> Bool {
        text.utf8.count == 36 && UUID(uuidString: text) != nil
    }

    struct CheckedCapture {
        var capturedAt: Timestamp
        var person: PersonalData
        var terms: ConsentTerms
        var details: ConsentPrivateDetails
    }

    /// The rules of the tablet's form, applied on the day the consent was captured.
    func check(_ request: OfflineCaptureRequest, at now: Timestamp) throws(OfflineCaptureError) -> CheckedCapture {
        // Clearance did not exist before 2020; a time before that is not a tablet's clock.
        guard request.capturedAt > 1_577_836_800_000 else { throw .malformed("capturedAt must be the tablet's clock in milliseconds since 1970") }
        let capturedAt = Timestamp(millisecondsSinceEpoch: request.capturedAt)
        guard request.capturedAt <= now.millisecondsSinceEpoch + Self.offlineClockSkew.components.seconds * 1000 else {
            throw .refused(field: "form", message: "the capture is dated in the future: the tablet's clock is wrong")
        }
        let given = min(capturedAt, now).utcDate
        let policy = configuration.policy

        func text(_ value: String?, _ field: String, _ label: String) throws(OfflineCaptureError) -> String? {
            do {
                return try InputCheck.text(value, field: label)
            } catch {
                throw .refused(field: field, message: error.description)
            }
        }
        guard let event = try text(request.event, "event", "event") else { throw .refused(field: "event", message: "Name the event.") }
        guard let name = try text(request.name, "name", "name") else {
            throw .refused(field: "name", message: "Enter the person's full name.")
        }
        let band = try text(request.ageBand, "born", "age band")
        guard band == nil || band == "adult" || band == "child" else {
            throw .refused(field: "born", message: "The age band is adult or child.")
        }
        var child = band == "child"
        var born: String?
        if let typed = try text(request.born, "born", "date of birth") {
            guard let date = CalendarDate(parsing: typed), date <= given else {
                throw .refused(field: "born", message: "Enter a real date of birth before the day of the event.")
            }
            child = policy.isChild(bornOn: date, on: given)
            born = date.description
        } else if band == nil {
            throw .refused(field: "born", message: "Enter a date of birth or choose an age band.")
        }

        guard !request.channels.isEmpty else { throw .refused(field: "channels", message: "Tick at least one channel.") }
        let gone = request.channels.filter { !configuration.catalog.contains(Channel($0)) }
        guard gone.isEmpty else {
            let names = gone.prefix(3).map { String($0.unicodeScalars.prefix(40)) }.joined(separator: ", ")
            throw .refused(field: "channels", message: "Not a channel here any more: \(names). Untick it and send again.")
        }
        let channels: [Channel]
        do {
            channels = try configuration.catalog.expand(list: request.channels.joined(separator: ","))
        } catch {
            throw .refused(field: "channels", message: error.description)
        }

        let guardianName = try text(request.guardianName, "guardian", "guardian's name")
        let relationship = try text(request.guardianRelationship, "guardian", "relationship")
        if child && (guardianName == nil || relationship == nil) {
            throw .refused(field: "guardian", message: "A child needs a parent or guardian's name and relationship.")
        }
        guard (guardianName == nil) == (relationship == nil) else {
            throw .refused(field: "guardian", message: "Give both the guardian's name and relationship, or neither.")
        }

        guard let signature = request.signature, !signature.isEmpty else {
            throw .refused(field: "signature", message: "Please sign in the box.")
        }
        let latest = policy.defaultExpiry(givenAt: given)
        var expires = latest
        if let text = request.expires {
            guard let date = CalendarDate(parsing: text), date >= given, date <= latest else {
                throw .refused(field: "form", message: "The expiry date must be between the day given and \(latest).")
            }
            expires = date
        }
        let person: PersonalData
        do {
            person = try checked(PersonRequest(name: name, born: born, email: request.email))
        } catch {
            throw .refused(field: request.email == nil ? "name" : "email", message: error.description)
        }
        let terms = ConsentTerms(
            channels: channels, purposes: ["publicity"], event: event,
            formVersion: try text(request.formVersion, "form", "form version") ?? configuration.formVersion,
            method: .tabletOffline, recordedBy: request.officer, givenAt: given, expiresAt: expires,
            guardianRelationship: relationship, signatureSHA256: SHA256Hex.of(signature))
        return CheckedCapture(capturedAt: capturedAt, person: person, terms: terms,
                              details: ConsentPrivateDetails(guardianName: guardianName, signatureImage: signature))
    }
}
