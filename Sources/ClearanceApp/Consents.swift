import ClearanceCore
import Foundation
import Ledger

/// What `consent record` was given, unchecked.
public struct ConsentRequest: Sendable {
    /// An id, or a name that matches exactly one person.
    public var person: String
    /// Comma-separated channel and group names.
    public var channels: String
    public var purposes: [String] = []
    public var event: String?
    public var formVersion: String?
    public var method: String?
    public var witness: String?
    public var recordedBy: String?
    public var given: String?
    public var expires: String?
    public var guardianName: String?
    public var guardianRelationship: String?
    public var signaturePath: String?
    public var supersedes: String?

    public init(person: String, channels: String) {
        self.person = person
        self.channels = channels
    }
}

/// A consent request that passed every check, ready to write.
struct CheckedConsent {
    var person: PersonID
    var terms: ConsentTerms
    var details: ConsentPrivateDetails
    var supersedes: ConsentReference?
}

extension LedgerOperations {
    static let maximumSignatureBytes = 5 << 20
    static let recordableMethods = ConsentMethod.allCases.filter { $0 != .tabletOffline && $0 != .renewalLink }.map(\.rawValue).joined(separator: ", ")

    /// `consent record`: checks everything first, then writes one event; returns the reference.
    public func recordConsent(_ request: ConsentRequest) throws -> ConsentReference {
        let consent = try check(request)
        return try record(consent)
    }

    /// Writes the consent and, when notices are configured and the person has an address, queues
    /// their receipt in the same transaction. `renewalLink` (its secret's hash) is used up in it too.
    func record(_ consent: CheckedConsent, renewalLink: String? = nil) throws -> ConsentReference {
        let addressee = try configuration.notices.flatMap { _ in
            try ledger.person(consent.person)?.personalData.flatMap { data in data.email.map { (data, $0) } }
        }
        return try Self.translatingLedgerErrors {
            try ledger.write { tx in
                if let renewalLink, let old = consent.supersedes {
                    try tx.useRenewalLink(secretSHA256: renewalLink, consent: old)
                }
                let reference = try tx.recordConsent(person: consent.person, terms: consent.terms, details: consent.details,
                                                     supersedes: consent.supersedes)
                if let notices = configuration.notices, let addressee {
                    try queueReceipt(&tx, notices: notices, reference: reference, consent: consent, data: addressee.0, email: addressee.1)
                }
                return reference
            }
        }
    }

    /// Records the same checked consent `count` times, each in its own transaction, calling
    /// `committed` after each commit (used to test crash safety).
    public func recordRepeatedly(_ request: ConsentRequest, count: Int,
                                 committed: (ConsentReference) -> Void) throws {
        let consent = try check(request)
        for _ in 0..<count { committed(try record(consent)) }
    }

    func check(_ request: ConsentRequest) throws -> CheckedConsent {
        let person = try resolvePerson(request.person)
        guard let data = person.personalData else { throw InputError("\(person.id) has been erased") }

        let channels: [Channel]
        do {
            channels = try configuration.catalog.expand(list: request.channels)
        } catch {
            throw InputError(error.description)
        }
        let given = try request.given.map { try InputCheck.date($0, field: "given date") } ?? InputCheck.today
        guard given <= InputCheck.today else { throw InputError("given date \(given) is in the future") }
        let expires = try request.expires.map { try InputCheck.date($0, field: "expiry date") }
            ?? configuration.policy.defaultExpiry(givenAt: given)
        guard expires >= given else { throw InputError("expiry date \(expires) is before the given date \(given)") }

        let methodName = try InputCheck.text(request.method, field: "method")?.lowercased() ?? ConsentMethod.paper.rawValue
        guard let method = ConsentMethod(rawValue: methodName), method != .renewalLink else {
            throw InputError("unknown method \"\(methodName)\" (use \(Self.recordableMethods))")
        }
        // tablet-offline says the tablet held the consent and the server checked its reserved
        // reference and capture id: only that route (`recordOfflineCapture`) records it.
        guard method != .tabletOffline else {
            throw InputError("method tablet-offline is recorded only by a tablet's outbox (use \(Self.recordableMethods))")
        }
        let witness = try InputCheck.text(request.witness, field: "witness")
        let recordedBy = try InputCheck.text(request.recordedBy, field: "recorded by")
            ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        if method.requiresWitness {
            guard let witness else { throw InputError("verbal consent needs a witness (--witness NAME)") }
            guard NameKey(witness) != NameKey(recordedBy) else {
                throw InputError("the witness of verbal consent must be someone other than the recorder")
            }
        }

        let guardianName = try InputCheck.text(request.guardianName, field: "guardian")
        let relationship = try InputCheck.text(request.guardianRelationship, field: "relationship")
        guard (guardianName == nil) == (relationship == nil) else {
            throw InputError("a guardian needs both --guardian NAME and --relationship R")
        }
        if guardianName == nil, let born = data.dateOfBirth, configuration.policy.isChild(bornOn: born, on: given) {
            // No age or date here: the web service shows this message to officers, who may not learn either.
            throw InputError("\(person.id) is under the age of consent (\(configuration.policy.ageOfConsent)): a parent or guardian must consent (--guardian NAME --relationship R)")
        }

        var purposes: [String] = []
        for purpose in request.purposes.flatMap({ $0.split(separator: ",").map(String.init) }) {
            if let purpose = try InputCheck.text(purpose, field: "purpose"), !purposes.contains(purpose) { purposes.append(purpose) }
        }
        if purposes.isEmpty { purposes = ["publicity"] }

        var signature: Data?
        if let path = request.signaturePath {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  attributes[.type] as? FileAttributeType == .typeRegular else {
                throw InputError("cannot read signature image \(path)")
            }
            guard let size = attributes[.size] as? NSNumber, size.intValue <= Self.maximumSignatureBytes else {
                throw InputError("signature image \(path) is larger than 5 MiB")
            }
            guard let bytes = FileManager.default.contents(atPath: path), !bytes.isEmpty,
                  bytes.count <= Self.maximumSignatureBytes else {
                throw InputError("cannot read signature image \(path)")
            }
            signature = bytes
        }

        var supersedes: ConsentReference?
        if let text = request.supersedes {
            guard let reference = ConsentReference(parsing: text) else { throw InputError("not a consent reference: \(text)") }
            guard let previous = try ledger.consent(reference) else { throw InputError("unknown consent reference: \(reference)") }
            guard previous.person == person.id else { throw InputError("\(reference) belongs to \(previous.person), not \(person.id)") }
            guard previous.state == .active else { throw InputError("\(reference) is \(previous.state.rawValue); only an active consent can be superseded") }
            supersedes = reference
        }

        let terms = ConsentTerms(
            channels: channels, purposes: purposes, event: try InputCheck.text(request.event, field: "event"),
            formVersion: try InputCheck.text(request.formVersion, field: "form version") ?? configuration.formVersion,
            method: method, recordedBy: recordedBy, givenAt: given, expiresAt: expires,
            guardianRelationship: relationship,
            signatureSHA256: signature.map(SHA256Hex.of))
        return CheckedConsent(person: person.id, terms: terms,
                              details: ConsentPrivateDetails(guardianName: guardianName, witness: witness, signatureImage: signature),
                              supersedes: supersedes)
    }

    /// `consent withdraw`: the consent stays in the ledger, marked withdrawn. In the same
    /// transaction, every earlier publication that the withdrawal makes unlawful becomes a
    /// takedown item (or, for print and press, a do-not-reprint notice).
    public func withdraw(_ text: String, receivedVia: String?, recordedBy: String?, note: String?) throws -> WithdrawalResult {
        let reference = try parseReference(text)
        guard let consent = try ledger.consent(reference) else { throw InputError("unknown consent reference: \(reference)") }
        guard consent.state != .withdrawn else { throw InputError("\(reference) is already withdrawn") }
        guard consent.state == .active else {
            let later = consent.supersededBy.map { " (the current version is \($0))" } ?? ""
            throw InputError("\(reference) is \(consent.state.rawValue), not active\(later)")
        }
        let via = try InputCheck.text(receivedVia, field: "received via") ?? "unspecified"
        let by = try InputCheck.text(recordedBy, field: "recorded by") ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        let note = try InputCheck.text(note, field: "note")
        let at = Timestamp.now
        let assets = AssetOperations(self)
        let showing = try assets.assetsShowing(consent.person)
        let requests = try assets.takedownRequests(withdrawing: consent, at: at, assets: showing)
        try Self.translatingLedgerErrors {
            try ledger.write { tx in
                try tx.withdraw(reference, receivedVia: via, recordedBy: by, note: note, at: at)
                try tx.openTakedowns(requests, at: at)
            }
        }
        return WithdrawalResult(consent: try ledger.consent(reference) ?? consent,
                                impact: try assets.impact(of: consent.person, assets: showing, requests: requests))
    }

    public func parseReference(_ text: String) throws(InputError) -> ConsentReference {
        guard let reference = ConsentReference(parsing: text) else {
            throw InputError("not a consent reference: \(text) (expected C-XXXX-XXXX)")
        }
        return reference
    }

    public func consent(_ text: String) throws -> ConsentRecord {
        let reference = try parseReference(text)
        guard let consent = try ledger.consent(reference) else { throw InputError("unknown consent reference: \(reference)") }
        return consent
    }

    /// Every consent (all versions), or those of one person.
    public func consents(person: String?) throws -> [ConsentRecord] {
        guard let person else { return try ledger.allConsents() }
        return try ledger.consents(of: try resolvePerson(person).id)
    }
}
