import ClearanceCore
import Foundation
import GRDB
@testable import Ledger

/// A fresh ledger in its own temporary directory, removed when the value is released.
final class TemporaryLedger {
    let directory: URL
    let path: String
    let ledger: Ledger

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("clearance.db").path
        ledger = try Ledger.create(at: path)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Plain SQL on the file, bypassing the ledger API, as someone editing the file would.
    func tamper(_ sql: String, arguments: StatementArguments = []) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in try db.execute(sql: sql, arguments: arguments) }
    }

    static func terms(channels: [String] = ["facebook", "website"], given: String = "2025-03-01",
                      expires: String = "2028-03-01", guardian: String? = nil) -> ConsentTerms {
        ConsentTerms(channels: channels.map(Channel.init), purposes: ["council news"], event: "Spring fair",
                     formVersion: "photo-consent-v2", method: .tablet, recordedBy: "Officer Jones",
                     givenAt: CalendarDate(parsing: given)!, expiresAt: CalendarDate(parsing: expires)!,
                     guardianRelationship: guardian, signatureSHA256: nil)
    }

    /// Two people, three consents, one withdrawal, one new version.
    func populate() throws -> (alice: PersonID, bob: PersonID, references: [ConsentReference]) {
        try ledger.write { tx in
            let alice = try tx.addPerson(PersonalData(name: "Alice Ávila", aliases: ["Ali"], email: "alice@example.org"),
                                         roles: PersonRoles(staff: true))
            let bob = try tx.addPerson(PersonalData(name: "Bob Brown", dateOfBirth: CalendarDate(parsing: "1980-05-06")),
                                       roles: PersonRoles(electedMember: true))
            let first = try tx.recordConsent(person: alice, terms: Self.terms(), details: ConsentPrivateDetails())
            let second = try tx.recordConsent(person: bob, terms: Self.terms(), details: ConsentPrivateDetails())
            try tx.withdraw(second, receivedVia: "email", recordedBy: "DPO")
            let third = try tx.recordConsent(person: alice, terms: Self.terms(channels: ["print"]),
                                             details: ConsentPrivateDetails(), supersedes: first)
            return (alice, bob, [first, second, third])
        }
    }
}
