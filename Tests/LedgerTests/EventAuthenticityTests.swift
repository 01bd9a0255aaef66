import ClearanceCore
import Foundation
import Testing
@testable import Ledger

/// What a check trusts about a person's events: each event's MAC when the key file is at hand,
/// else its Ed25519 signature; `verify` always checks both.
@Suite struct EventAuthenticityTests {
    private func reopened(_ temporary: TemporaryLedger, withKey: Bool) throws -> Ledger {
        if !withKey, FileManager.default.fileExists(atPath: temporary.ledger.keyPath) {
            try FileManager.default.removeItem(atPath: temporary.ledger.keyPath)
        }
        return try temporary.reopen()
    }

    private func event(_ seq: Int64, in temporary: TemporaryLedger) throws -> SQLRow {
        try #require(try temporary.rows("SELECT * FROM events WHERE seq = ?", [seq]).first)
    }

    @Test(arguments: TestStore.available)
    func everyEventCarriesTheMACOfItsHash(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        _ = try temporary.populate()
        let key = try InstanceKey.read(from: temporary.ledger.keyPath)
        let rows = try temporary.rows("SELECT hash, mac FROM events")
        #expect(rows.count == 7)
        for row in rows {
            let hash: Data = row["hash"]
            #expect(row["mac"] as Data? == key.macKey.mac(of: hash))
        }
        // A read-only open with the key file at hand uses the MACs; without it, signatures only.
        #expect(try reopened(temporary, withKey: true).macKey != nil)
        #expect(try reopened(temporary, withKey: false).macKey == nil)
    }

    /// Someone who can edit the file but not read the key rewrites a consent event and its
    /// derived row consistently, and even recomputes the event's hash: neither the copied MAC
    /// nor the copied signature matches the new hash.
    @Test(arguments: TestStore.available, [true, false])
    func rewrittenAndRehashedEventIsNotTrusted(store: TestStore, withKey: Bool) throws {
        let temporary = try TemporaryLedger(on: store)
        let (alice, _, references) = try temporary.populate()
        #expect(try temporary.ledger.unverifiedConsents(of: alice).isEmpty)
        let original = try event(4, in: temporary)
        let payload = Data(String(decoding: original["payload"] as Data, as: UTF8.self)
            .replacingOccurrences(of: "facebook", with: "tiktok").utf8)
        let hash = EventChain.hash(previousHash: original["prev_hash"], seq: 4, kind: original["kind"],
                                   personID: original["person_id"], consentReference: original["consent_ref"], asset: nil,
                                   createdAt: original["created_at"], payload: payload)
        try temporary.tamper("UPDATE events SET payload = ?, hash = ? WHERE seq = 4", arguments: [payload, hash])
        try temporary.tamper("UPDATE consents SET channels = 'tiktok,website' WHERE reference = ?",
                             arguments: [references[0].description])
        let ledger = try reopened(temporary, withKey: withKey)
        // The version that superseded it cannot be replayed without it, so it is untrusted too.
        #expect(try ledger.unverifiedConsents(of: alice) == [references[0], references[2]])
        #expect(try ledger.verify().problem?.event == 4)
    }

    @Test(arguments: TestStore.available)
    func aDamagedMACFallsBackToTheSignatureAndVerifySaysSo(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        let (alice, _, _) = try temporary.populate()
        try temporary.tamper("UPDATE events SET mac = randomblob(32) WHERE seq = 4")
        let ledger = try reopened(temporary, withKey: true)
        // The event itself is authentic (its signature says so), so the gate may rely on it…
        #expect(try ledger.unverifiedConsents(of: alice).isEmpty)
        // …but the file was edited, and verify reports where.
        let problem = try #require(try ledger.verify().problem)
        #expect(problem.event == 4)
        #expect(problem.message.contains("MAC"))
    }

    @Test(arguments: TestStore.available)
    func aDamagedSignatureIsCaughtByChecksWithoutTheKeyAndByVerify(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        let (alice, _, references) = try temporary.populate()
        try temporary.tamper("UPDATE events SET signature = randomblob(64) WHERE seq = 4")
        // With the key, the MAC proves the content; the gate's answer does not change.
        #expect(try reopened(temporary, withKey: true).unverifiedConsents(of: alice).isEmpty)
        #expect(try reopened(temporary, withKey: true).verify().problem?.event == 4)
        // A statement that the signed record is intact (a subject access pack) checks signatures.
        #expect(try reopened(temporary, withKey: true).unverifiedConsents(of: alice, bySignature: true)
                == [references[0], references[2]])
        // Without it, only the signature can vouch for the event, and it does not.
        #expect(try reopened(temporary, withKey: false).unverifiedConsents(of: alice) == [references[0], references[2]])
    }

    /// Every event of this version has a MAC, and the upgrade gives one to older events whose
    /// signature holds; a MAC set to NULL is an edit. A check still relies on the signature.
    @Test(arguments: TestStore.available)
    func aRemovedMACFallsBackToTheSignatureAndVerifySaysSo(store: TestStore) throws {
        let temporary = try TemporaryLedger(on: store)
        let (alice, _, _) = try temporary.populate()
        try temporary.tamper("UPDATE events SET mac = NULL WHERE seq = 4")
        let ledger = try reopened(temporary, withKey: true)
        #expect(try ledger.unverifiedConsents(of: alice).isEmpty)
        let problem = try #require(try ledger.verify().problem)
        #expect(problem.event == 4)
        #expect(problem.message.contains("MAC is missing"))
        // Without the key file, verify cannot check MACs and says so.
        let keyless = try reopened(temporary, withKey: false).verify()
        #expect(keyless.isIntact)
        #expect(keyless.unchecked.count == 1)
    }
}
