import ClearanceCore
import Foundation

/// A row of `people`, derived from events.
struct PersonRow: Codable, Equatable, Sendable, SQLRecord {
    static let tableName = "people"
    var id: String
    var sealed: Data?
    var serviceUser: Bool
    var electedMember: Bool
    var staff: Bool
    var addedSeq: Int64
    var addedAt: Int64
    var erasedSeq: Int64?
    var erasedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case id, sealed, staff
        case serviceUser = "service_user"
        case electedMember = "elected_member"
        case addedSeq = "added_seq"
        case addedAt = "added_at"
        case erasedSeq = "erased_seq"
        case erasedAt = "erased_at"
    }

    var roles: PersonRoles {
        PersonRoles(serviceUser: serviceUser, electedMember: electedMember, staff: staff)
    }
}

/// A row of `consents`, derived from events.
struct ConsentRow: Codable, Equatable, Sendable, SQLRecord {
    static let tableName = "consents"
    static let primaryKey = ["reference"]
    var reference: String
    var personID: String
    var version: Int
    var supersedes: String?
    var supersededBy: String?
    var state: String
    var channels: String
    var purposes: String
    var event: String?
    var formVersion: String
    var method: String
    var recordedBy: String
    var givenAt: String
    var expiresAt: String
    var guardianRelationship: String?
    var signatureSHA256: String?
    var sealed: Data?
    var recordedSeq: Int64
    var recordedAt: Int64
    var withdrawnAt: Int64?
    var withdrawalVia: String?
    var withdrawnBy: String?
    var withdrawalNote: Data?
    var withdrawnSeq: Int64?
    var erasedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case reference, version, supersedes, state, channels, purposes, event, method, sealed
        case personID = "person_id"
        case supersededBy = "superseded_by"
        case formVersion = "form_version"
        case recordedBy = "recorded_by"
        case givenAt = "given_at"
        case expiresAt = "expires_at"
        case guardianRelationship = "guardian_relationship"
        case signatureSHA256 = "signature_sha256"
        case recordedSeq = "recorded_seq"
        case recordedAt = "recorded_at"
        case withdrawnAt = "withdrawn_at"
        case withdrawalVia = "withdrawal_via"
        case withdrawnBy = "withdrawn_by"
        case withdrawalNote = "withdrawal_note"
        case withdrawnSeq = "withdrawn_seq"
        case erasedAt = "erased_at"
    }

    init(recorded event: LedgerEvent.ConsentRecorded, seq: Int64, at: Int64) throws {
        reference = event.reference.description
        personID = event.person.description
        version = event.version
        supersedes = event.supersedes?.description
        supersededBy = nil
        state = ConsentState.active.rawValue
        channels = event.terms.channels.map(\.name).joined(separator: ",")
        purposes = try Ledger.jsonList(event.terms.purposes)
        self.event = event.terms.event
        formVersion = event.terms.formVersion
        method = event.terms.method.rawValue
        recordedBy = event.terms.recordedBy
        givenAt = event.terms.givenAt.description
        expiresAt = event.terms.expiresAt.description
        guardianRelationship = event.terms.guardianRelationship
        signatureSHA256 = event.terms.signatureSHA256
        sealed = event.sealed
        recordedSeq = seq
        recordedAt = at
    }

    var consentState: ConsentState? { ConsentState(rawValue: state) }

    /// The terms as recorded; nil if the row does not parse (a damaged row).
    var terms: ConsentTerms? {
        guard let method = ConsentMethod(rawValue: method),
              let given = CalendarDate(parsing: givenAt), let expires = CalendarDate(parsing: expiresAt),
              let purposes = Ledger.stringList(purposes) else { return nil }
        let channels = channels.split(separator: ",").map { Channel(String($0)) }
        return ConsentTerms(channels: channels, purposes: purposes, event: event, formVersion: formVersion,
                            method: method, recordedBy: recordedBy, givenAt: given, expiresAt: expires,
                            guardianRelationship: guardianRelationship, signatureSHA256: signatureSHA256)
    }
}

// Looked up by key with fixed SQL, which a session compiles once per connection.
extension PersonRow {
    static func find(_ db: any SQLSession, id: String) throws -> PersonRow? {
        try db.fetchOne(PersonRow.self, "SELECT * FROM people WHERE id = ?", [id])
    }

    static func exists(_ db: any SQLSession, id: String) throws -> Bool {
        try db.fetchValue(Bool.self, "SELECT 1 FROM people WHERE id = ?", [id]) ?? false
    }
}

extension ConsentRow {
    static func find(_ db: any SQLSession, reference: String) throws -> ConsentRow? {
        try db.fetchOne(ConsentRow.self, "SELECT * FROM consents WHERE reference = ?", [reference])
    }

    static func exists(_ db: any SQLSession, reference: String) throws -> Bool {
        try db.fetchValue(Bool.self, "SELECT 1 FROM consents WHERE reference = ?", [reference]) ?? false
    }
}

extension PersonRow {
    /// Read by hand (`SQLRecord.init(row:)` says why), in the order of its coding keys.
    init(row: SQLRow) throws {
        let columns = SQLRowColumns(row: row)
        id = try columns.required(CodingKeys.id)
        sealed = try columns.optional(CodingKeys.sealed)
        staff = try columns.required(CodingKeys.staff)
        serviceUser = try columns.required(CodingKeys.serviceUser)
        electedMember = try columns.required(CodingKeys.electedMember)
        addedSeq = try columns.required(CodingKeys.addedSeq)
        addedAt = try columns.required(CodingKeys.addedAt)
        erasedSeq = try columns.optional(CodingKeys.erasedSeq)
        erasedAt = try columns.optional(CodingKeys.erasedAt)
    }
}

extension ConsentRow {
    /// Read by hand (`SQLRecord.init(row:)` says why), in the order of its coding keys.
    init(row: SQLRow) throws {
        let columns = SQLRowColumns(row: row)
        reference = try columns.required(CodingKeys.reference)
        version = try columns.required(CodingKeys.version)
        supersedes = try columns.optional(CodingKeys.supersedes)
        state = try columns.required(CodingKeys.state)
        channels = try columns.required(CodingKeys.channels)
        purposes = try columns.required(CodingKeys.purposes)
        event = try columns.optional(CodingKeys.event)
        method = try columns.required(CodingKeys.method)
        sealed = try columns.optional(CodingKeys.sealed)
        personID = try columns.required(CodingKeys.personID)
        supersededBy = try columns.optional(CodingKeys.supersededBy)
        formVersion = try columns.required(CodingKeys.formVersion)
        recordedBy = try columns.required(CodingKeys.recordedBy)
        givenAt = try columns.required(CodingKeys.givenAt)
        expiresAt = try columns.required(CodingKeys.expiresAt)
        guardianRelationship = try columns.optional(CodingKeys.guardianRelationship)
        signatureSHA256 = try columns.optional(CodingKeys.signatureSHA256)
        recordedSeq = try columns.required(CodingKeys.recordedSeq)
        recordedAt = try columns.required(CodingKeys.recordedAt)
        withdrawnAt = try columns.optional(CodingKeys.withdrawnAt)
        withdrawalVia = try columns.optional(CodingKeys.withdrawalVia)
        withdrawnBy = try columns.optional(CodingKeys.withdrawnBy)
        withdrawalNote = try columns.optional(CodingKeys.withdrawalNote)
        withdrawnSeq = try columns.optional(CodingKeys.withdrawnSeq)
        erasedAt = try columns.optional(CodingKeys.erasedAt)
    }
}
