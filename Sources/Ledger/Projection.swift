import ClearanceCore
import Foundation

/// Where derived rows live: the database when writing, memory when `verify` replays.
protocol DerivedStore {
    func personRow(_ id: PersonID) throws -> PersonRow?
    func consentRow(_ reference: ConsentReference) throws -> ConsentRow?
    func consentRows(of person: PersonID) throws -> [ConsentRow]
    mutating func insert(_ row: PersonRow) throws
    mutating func update(_ row: PersonRow) throws
    mutating func insert(_ row: ConsentRow) throws
    mutating func update(_ row: ConsentRow) throws
}

/// The rules that turn events into current state. The same code runs when an event is written
/// and when `verify` replays the chain, so both always agree on what the tables should hold.
enum Projection {
    /// Applies one event; throws `LedgerError` when the event is not allowed in this state
    /// (a write is refused; during `verify` the chain is reported as bad at this event).
    static func apply(_ event: LedgerEvent, seq: Int64, at: Int64, to store: inout some DerivedStore) throws {
        switch event {
        case .personAdded(let added):
            guard try store.personRow(added.person) == nil else {
                throw LedgerError.invalid("\(added.person) already exists")
            }
            try store.insert(PersonRow(id: added.person.description, sealed: added.sealed,
                                       serviceUser: added.roles.serviceUser, electedMember: added.roles.electedMember,
                                       staff: added.roles.staff, addedSeq: seq, addedAt: at,
                                       erasedSeq: nil, erasedAt: nil))

        case .consentRecorded(let recorded):
            guard let person = try store.personRow(recorded.person) else {
                throw LedgerError.unknownPerson(recorded.person.description)
            }
            guard person.erasedAt == nil else { throw LedgerError.personErased(recorded.person) }
            guard try store.consentRow(recorded.reference) == nil else {
                throw LedgerError.invalid("\(recorded.reference) already exists")
            }
            guard recorded.terms.givenAt <= recorded.terms.expiresAt else {
                throw LedgerError.invalid("expiry is before the day consent was given")
            }
            if let previousReference = recorded.supersedes {
                guard var previous = try store.consentRow(previousReference) else {
                    throw LedgerError.unknownConsent(previousReference.description)
                }
                guard previous.personID == recorded.person.description else {
                    throw LedgerError.wrongPerson(previousReference, recorded.person)
                }
                guard previous.state == ConsentState.active.rawValue else {
                    throw LedgerError.notActive(previousReference, previous.consentState ?? .active)
                }
                guard recorded.version == previous.version + 1 else {
                    throw LedgerError.invalid("version \(recorded.version) does not follow \(previous.version)")
                }
                previous.state = ConsentState.superseded.rawValue
                previous.supersededBy = recorded.reference.description
                try store.update(previous)
            } else if recorded.version != 1 {
                throw LedgerError.invalid("a first consent must be version 1")
            }
            try store.insert(ConsentRow(recorded: recorded, seq: seq, at: at))

        case .consentWithdrawn(let withdrawn):
            guard var row = try store.consentRow(withdrawn.reference) else {
                throw LedgerError.unknownConsent(withdrawn.reference.description)
            }
            guard row.personID == withdrawn.person.description else {
                throw LedgerError.wrongPerson(withdrawn.reference, withdrawn.person)
            }
            if row.state == ConsentState.withdrawn.rawValue { throw LedgerError.alreadyWithdrawn(withdrawn.reference) }
            guard row.state == ConsentState.active.rawValue else {
                throw LedgerError.notActive(withdrawn.reference, row.consentState ?? .active)
            }
            row.state = ConsentState.withdrawn.rawValue
            row.withdrawnAt = at
            row.withdrawalVia = withdrawn.receivedVia
            row.withdrawnBy = withdrawn.recordedBy
            row.withdrawalNote = withdrawn.sealedNote
            row.withdrawnSeq = seq
            try store.update(row)

        case .personErased(let erased):
            guard var person = try store.personRow(erased.person) else {
                throw LedgerError.unknownPerson(erased.person.description)
            }
            guard person.erasedAt == nil else { throw LedgerError.personErased(erased.person) }
            let rows = try store.consentRows(of: erased.person)
            guard rows.map(\.reference).sorted() == erased.consents.map(\.description).sorted() else {
                throw LedgerError.invalid("the erasure does not list exactly the person's consents")
            }
            person.sealed = nil
            person.erasedSeq = seq
            person.erasedAt = at
            try store.update(person)
            for var row in rows {
                row.state = ConsentState.erased.rawValue
                row.sealed = nil
                row.withdrawalNote = nil
                row.erasedAt = at
                try store.update(row)
            }
        }
    }
}

/// Derived state held in memory, for `verify`.
struct MemoryStore: DerivedStore {
    var people: [String: PersonRow] = [:]
    var consents: [String: ConsentRow] = [:]
    var consentsByPerson: [String: [String]] = [:]

    func personRow(_ id: PersonID) -> PersonRow? { people[id.description] }
    func consentRow(_ reference: ConsentReference) -> ConsentRow? { consents[reference.description] }
    func consentRows(of person: PersonID) -> [ConsentRow] {
        (consentsByPerson[person.description] ?? []).compactMap { consents[$0] }
    }
    mutating func insert(_ row: PersonRow) { people[row.id] = row }
    mutating func update(_ row: PersonRow) { people[row.id] = row }
    mutating func insert(_ row: ConsentRow) {
        consents[row.reference] = row
        consentsByPerson[row.personID, default: []].append(row.reference)
    }
    mutating func update(_ row: ConsentRow) { consents[row.reference] = row }
}
