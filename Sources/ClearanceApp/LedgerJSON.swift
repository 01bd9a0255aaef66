import ClearanceCore
import Foundation
import Ledger

/// JSON shapes for `--json` output of people, consents and verify.
public enum LedgerJSON {
    struct PersonView: Encodable {
        var id: String
        var name: String?
        var aliases: [String]?
        var born: String?
        var email: String?
        var phone: String?
        var roles: [String]
        var addedAt: String
        var erasedAt: String?
        var consents: [ConsentView]?
    }

    struct ConsentView: Encodable {
        struct GuardianView: Encodable { var name: String?; var relationship: String }
        struct WithdrawalView: Encodable { var at: String; var receivedVia: String; var recordedBy: String; var note: String? }
        var reference: String
        var person: String
        var version: Int
        var state: String
        var supersedes: String?
        var supersededBy: String?
        var channels: [String]
        var purposes: [String]
        var event: String?
        var formVersion: String
        var method: String
        var witness: String?
        var recordedBy: String
        var recordedAt: String
        var givenAt: String
        var expiresAt: String
        var guardian: GuardianView?
        var signatureSHA256: String?
        var withdrawal: WithdrawalView?
        var erasedAt: String?
    }

    struct VerifyView: Encodable {
        var intact: Bool
        var events: Int
        var people: Int
        var erasedPeople: Int
        var consents: Int
        var lastHash: String?
        var assets: Int
        var problem: String?
        var badEvent: Int64?
        var badTable: String?
        /// Every problem found (`problem` and the two `bad…` keys describe the first).
        var problems: [ProblemView]
        /// What could not be checked, and why.
        var unchecked: [String]
    }

    struct ProblemView: Encodable {
        var event: Int64?
        var table: String?
        var row: String?
        var message: String
        var text: String
    }

    static func view(_ person: PersonEntry, consents: [ConsentRecord]?) -> PersonView {
        PersonView(id: person.id.description, name: person.personalData?.name, aliases: person.personalData?.aliases,
                   born: person.personalData?.dateOfBirth?.description, email: person.personalData?.email,
                   phone: person.personalData?.phone, roles: person.roles.labels, addedAt: person.addedAt.description,
                   erasedAt: person.erasedAt?.description, consents: consents?.map(view))
    }

    static func view(_ consent: ConsentRecord) -> ConsentView {
        ConsentView(
            reference: consent.reference.description, person: consent.person.description, version: consent.version,
            state: consent.state.rawValue, supersedes: consent.supersedes?.description,
            supersededBy: consent.supersededBy?.description, channels: consent.terms.channels.map(\.name),
            purposes: consent.terms.purposes, event: consent.terms.event, formVersion: consent.terms.formVersion,
            method: consent.terms.method.rawValue, witness: consent.details?.witness, recordedBy: consent.terms.recordedBy,
            recordedAt: consent.recordedAt.description, givenAt: consent.terms.givenAt.description,
            expiresAt: consent.terms.expiresAt.description,
            guardian: consent.terms.guardianRelationship.map { .init(name: consent.details?.guardianName, relationship: $0) },
            signatureSHA256: consent.terms.signatureSHA256,
            withdrawal: consent.withdrawal.map { .init(at: $0.at.description, receivedVia: $0.receivedVia,
                                                       recordedBy: $0.recordedBy, note: $0.note) },
            erasedAt: consent.erasedAt?.description)
    }

    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public static func people(_ people: [PersonEntry], consents: [PersonID: [ConsentRecord]]? = nil) throws -> String {
        try encode(people.map { view($0, consents: consents?[$0.id] ?? (consents == nil ? nil : [])) })
    }

    public static func consents(_ consents: [ConsentRecord]) throws -> String {
        try encode(consents.map(view))
    }

    public static func consent(_ consent: ConsentRecord) throws -> String {
        try encode(view(consent))
    }

    public static func verification(_ report: LedgerVerification) throws -> String {
        try encode(VerifyView(intact: report.isIntact, events: report.events, people: report.people,
                              erasedPeople: report.erasedPeople, consents: report.consents,
                              lastHash: report.lastHash.map { Hex.lowercase($0) },
                              assets: report.assets, problem: report.problem?.description, badEvent: report.problem?.event,
                              badTable: report.problem?.table,
                              problems: report.problems.map { ProblemView(event: $0.event, table: $0.table, row: $0.row,
                                                                         message: $0.message, text: $0.description) },
                              unchecked: report.unchecked))
    }
}
