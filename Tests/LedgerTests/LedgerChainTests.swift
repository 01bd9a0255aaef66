import ClearanceCore
import Foundation
import GRDB
import Testing
@testable import Ledger

@Suite struct LedgerChainTests {
    @Test(arguments: TestStore.available)
    func intactLedgerVerifies(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        let (alice, bob, references) = try temporary.populate()
        let report = try temporary.ledger.verify()
        #expect(report.problem == nil)
        #expect(report.events == 7, "ledger.created and six events")
        #expect(report.people == 2)
        #expect(report.consents == 3)
        #expect(report.lastHash?.count == 32)

        let history = try temporary.ledger.consents(of: alice)
        #expect(history.map(\.state) == [.superseded, .active])
        #expect(history[1].version == 2 && history[1].supersedes == references[0])
        #expect(history[0].supersededBy == references[2])
        #expect(try temporary.ledger.consent(references[1])?.state == .withdrawn)
        #expect(try temporary.ledger.person(bob)?.personalData?.dateOfBirth == CalendarDate(parsing: "1980-05-06"))
    }

    @Test(arguments: TestStore.available)
    func namesAreFoundWhateverTheCaseAndAccents(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        let (alice, _, _) = try temporary.populate()
        let twin = try temporary.ledger.write { tx in
            try tx.addPerson(PersonalData(name: "ALICE AVILA"), roles: PersonRoles())
        }
        #expect(try temporary.ledger.people(named: "alice  avila").map(\.id) == [alice, twin])
        #expect(try temporary.ledger.people(named: "ali").map(\.id) == [alice])
        #expect(try temporary.ledger.people(named: "Alicia").isEmpty)
    }

    @Test(arguments: TestStore.available)
    func refusedEventsWriteNothing(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        let (_, _, references) = try temporary.populate()
        let before = try temporary.ledger.eventCount()
        #expect(throws: LedgerError.alreadyWithdrawn(references[1])) {
            try temporary.ledger.write { tx in try tx.withdraw(references[1], receivedVia: "phone", recordedBy: "DPO") }
        }
        #expect(throws: LedgerError.notActive(references[0], .superseded)) {
            try temporary.ledger.write { tx in try tx.withdraw(references[0], receivedVia: "phone", recordedBy: "DPO") }
        }
        let stranger = PersonID(parsing: "P-2345-6789")
        if let stranger {
            #expect(throws: LedgerError.self) {
                try temporary.ledger.write { tx in
                    try tx.recordConsent(person: stranger, terms: TemporaryLedger.terms(), details: ConsentPrivateDetails())
                }
            }
        }
        #expect(try temporary.ledger.eventCount() == before)
        #expect(try temporary.ledger.verify().problem == nil)
    }

    @Test func initRefusesToOverwrite() throws {
        let temporary = try TemporaryLedger()
        #expect(throws: LedgerError.alreadyExists(temporary.path)) { try Ledger.create(at: temporary.path) }
        let attributes = try FileManager.default.attributesOfItem(atPath: temporary.path + ".key")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }
}

@Suite struct LedgerConnectionTests {
    /// Acknowledged commits must survive a crash: WAL with synchronous=FULL, and freed pages zeroed.
    @Test func connectionsUseWALFullSyncAndSecureDelete() throws {
        let temporary = try TemporaryLedger()
        let settings = try temporary.ledger.sqliteFile(for: "the test").read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             try Int.fetchOne(db, sql: "PRAGMA secure_delete"), try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(settings.0 == "wal")
        #expect(settings.1 == 2)
        #expect(settings.2 == 1)
        #expect(settings.3 == 1)
    }
}
