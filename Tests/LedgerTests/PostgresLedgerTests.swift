import ClearanceCore
import Foundation
@testable import Ledger
import Synchronization
import Testing

/// The ledger itself on PostgreSQL (issue 16): the same operations as on SQLite, the same
/// answers, `verify` intact, edits behind its back found, and several servers on one database.
@Suite(.enabled(if: TestServer.address != nil, "CLEARANCE_TEST_POSTGRES is not set (run under scripts/postgres-cluster.sh)"))
struct PostgresLedgerTests {
    /// A fresh database with a new ledger in it, its key in a temporary folder; both removed after.
    private func withLedger<T>(_ body: (Ledger, PostgresAddress, String) throws -> T) throws -> T {
        try TestServer.withScratchDatabase { address in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-ledger-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let keyPath = folder.appendingPathComponent("instance.key").path
            let ledger = try Ledger.create(in: address, keyPath: keyPath)
            defer { (ledger.store as? PostgresStore)?.close() }
            return try body(ledger, address, keyPath)
        }
    }

    private let sha = SHA256Hex.of(Data("a group photo on PostgreSQL".utf8))

    private func ingest(_ ledger: Ledger, mentioning name: String) throws {
        let record = AssetRecord(sha256: sha, kind: "image", format: "jpeg", readable: true, error: nil, capturedAt: "2026-06-01T10:00:00",
                                 width: 4000, height: 3000, orientation: 1, faceRegions: 1, releaseStatus: nil,
                                 documentID: "xmp.did:group-1", originalDocumentID: nil, derivedFrom: nil)
        let mention = AssetMention(source: "iptc-person-in-image", label: name, identifiers: [], region: nil)
        _ = try ledger.storeAssets([AssetIngestItem(record: record, mentions: [mention], path: "/photos/Group ½ ✓.jpg",
                                                    faces: FaceEventTests.two)])
    }

    @Test func recordsChecksAndVerifiesAsOnSQLite() throws {
        try withLedger { ledger, _, _ in
            let (ada, reference) = try ledger.write { tx in
                let ada = try tx.addPerson(PersonalData(name: "Ada Łovelace", aliases: ["Ada"], email: "ada@example.org"), roles: PersonRoles())
                let reference = try tx.recordConsent(person: ada, terms: TemporaryLedger.terms(), details: ConsentPrivateDetails())
                return (ada, reference)
            }
            try ingest(ledger, mentioning: "Ada Łovelace")
            let stored = try #require(try ledger.asset(sha))
            #expect(stored.isConfirmed, "\(stored.problems)")
            #expect(stored.mentions.first?.label == "Ada Łovelace")
            let detection = try #require(stored.faceDetections.first)
            try ledger.review(sha, reviews: [], faces: [(face: 1, detection: detection.id, decision: .person(ada)),
                                                        (face: 2, detection: detection.id, decision: .notRegistered)], by: "Editor A")
            #expect(try ledger.assetsEverDecidedNotRegistered() == [sha])
            #expect(try ledger.assetListing(matching: "group ½", limit: 10).total == 1, "ILIKE: case ignored as on SQLite")
            try ledger.write { tx in try tx.withdraw(reference, receivedVia: "email", recordedBy: "DPO") }
            let standing = try ledger.snapshot { try $0.standing(ada) }
            #expect(standing?.consents.first?.state == .withdrawn && standing?.recordTampered == false)

            let verification = try ledger.verify()
            #expect(verification.isIntact, "\(verification.problems)")
            #expect(verification.people == 1 && verification.consents == 1 && verification.assets == 1)
            #expect(verification.events == 8, "created, person, consent, ingested, faces detected, two decisions, the withdrawal")
        }
    }

    @Test func anEditBehindTheLedgersBackIsFoundByVerifyAndTheCheck() throws {
        try withLedger { ledger, address, _ in
            let (ada, reference) = try ledger.write { tx in
                let ada = try tx.addPerson(PersonalData(name: "Ada Lovelace"), roles: PersonRoles())
                return (ada, try tx.recordConsent(person: ada, terms: TemporaryLedger.terms(channels: ["website"]), details: ConsentPrivateDetails()))
            }
            // Read twice first, so that whatever a check keeps between snapshots is kept.
            for _ in 0..<2 { #expect(try ledger.snapshot { try $0.standing(ada)?.recordTampered } == false) }
            let intruder = try PostgresStore(address: address, maximumConnections: 1)
            defer { intruder.close() }
            try intruder.write { db in
                try db.execute("UPDATE consents SET channels = 'facebook,print,website' WHERE reference = ?", [reference.description])
            }
            // The edit commits a new snapshot: the very next check reads afresh and sees it.
            #expect(try ledger.snapshot { try $0.standing(ada)?.recordTampered } == true)
            let verification = try ledger.verify()
            #expect(!verification.isIntact)
            #expect(verification.problems.contains { $0.table == "consents" })
            try intruder.write { db in _ = try db.execute("CREATE TABLE notes (id BIGINT)") }
            #expect(try ledger.verify().problems.contains { $0.table == "notes" })
        }
    }

    @Test func reopenedWithItsKeyAndRefusedWithoutIt() throws {
        try withLedger { _, address, keyPath in
            let reader = try Ledger.open(in: address, keyPath: keyPath, forWriting: false)
            defer { (reader.store as? PostgresStore)?.close() }
            #expect(try reader.verify().isIntact)
            #expect(throws: LedgerError.missingKey(keyPath)) { try reader.write { _ in } }
            #expect(throws: LedgerError.alreadyExists(address.description)) {
                _ = try Ledger.create(in: address, keyPath: keyPath + ".second")
            }
            #expect(!FileManager.default.fileExists(atPath: keyPath + ".second"), "a refused init writes no key")
            #expect(throws: LedgerError.self) { _ = try Ledger.open(in: address, keyPath: keyPath + ".missing", forWriting: true) }
        }
    }

    /// Two servers on one database: every consent each was given a reference for is there, the
    /// chain has no gap, and a withdrawal made on one shows in the other's very next check.
    @Test func twoServersWriteOneChainAndSeeEachOthersChanges() throws {
        try withLedger { first, address, keyPath in
            let second = try Ledger.open(in: address, keyPath: keyPath, forWriting: true)
            defer { (second.store as? PostgresStore)?.close() }
            let references = Mutex<[ConsentReference]>([])
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { server in
                let ledger = server == 0 ? first : second
                for index in 0..<15 {
                    do {
                        let reference = try ledger.write { tx in
                            let person = try tx.addPerson(PersonalData(name: "Person \(server)-\(index)"), roles: PersonRoles())
                            return try tx.recordConsent(person: person, terms: TemporaryLedger.terms(), details: ConsentPrivateDetails())
                        }
                        references.withLock { $0.append(reference) }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
            #expect(failures.withLock { $0 }.isEmpty)
            let verification = try first.verify()
            #expect(verification.isIntact, "\(verification.problems)")
            #expect(verification.consents == 30 && verification.events == 61)
            let reference = try #require(references.withLock { $0.first })
            let person = try #require(try second.consent(reference)?.person)
            #expect(try second.snapshot { try $0.standing(person)?.consents.first?.state } == .active)
            try first.write { tx in try tx.withdraw(reference, receivedVia: "email", recordedBy: "DPO") }
            #expect(try second.snapshot { try $0.standing(person)?.consents.first?.state } == .withdrawn)
        }
    }

    @Test func accountsLiveInTheSameDatabaseAndNamesIgnoreCase() throws {
        try withLedger { ledger, _, _ in
            let accounts = try UserStore(accountsOf: ledger)
            let user = try accounts.addUser(name: "Dana.DPO", role: "dpo", passwordHash: "x")
            #expect(throws: LedgerError.self) { _ = try accounts.addUser(name: "dana.dpo", role: "editor", passwordHash: "y") }
            let token = try accounts.addToken(sha256: String(repeating: "a", count: 64), userID: user.id, label: "laptop", by: "admin",
                                              expiresAt: Timestamp(millisecondsSinceEpoch: Timestamp.now.millisecondsSinceEpoch + 60_000))
            #expect(token > 0)
            #expect(try accounts.user(tokenSHA256: String(repeating: "a", count: 64))?.name == "Dana.DPO")
            #expect(try ledger.verify().isIntact, "the accounts tables are part of a PostgreSQL ledger")
        }
    }

    /// A person's key file removed by hand, with nothing committed since: the next check no
    /// longer uses what the connection's memo opened with it. The folder's stamp is part of the
    /// memo's key, read once a transaction.
    @Test func aKeyFileRemovedByHandShowsAtTheNextCheck() throws {
        try withLedger { ledger, _, keyPath in
            let ada = try ledger.write { tx in try tx.addPerson(PersonalData(name: "Ada Lovelace"), roles: PersonRoles()) }
            for _ in 0..<2 { #expect(try ledger.snapshot { try $0.standing(ada) }?.displayName == "Ada Lovelace") }
            try FileManager.default.removeItem(atPath: keyPath + ".person-keys/" + ada.description)
            let after = try ledger.snapshot { try $0.standing(ada) }
            #expect(after?.recordTampered == true && after?.displayName == nil, "\(String(describing: after))")
        }
    }

    /// Erasure on PostgreSQL (issue 16): the person's key never enters the database, so neither
    /// its WAL, its old pages nor a dump can hold it; erasure overwrites and removes the key's
    /// file, and `verify` and the gate name any edit of the folder.
    @Test func personKeysNeverReachTheDatabaseAndErasureDestroysThem() throws {
        try withLedger { ledger, address, keyPath in
            let (erin, other) = try ledger.write { tx in
                let erin = try tx.addPerson(PersonalData(name: "Erin Erase", email: "erin@example.org"), roles: PersonRoles())
                _ = try tx.recordConsent(person: erin, terms: TemporaryLedger.terms(), details: ConsentPrivateDetails())
                let other = try tx.addPerson(PersonalData(name: "Olu Other"), roles: PersonRoles())
                _ = try tx.recordConsent(person: other, terms: TemporaryLedger.terms(), details: ConsentPrivateDetails())
                return (erin, other)
            }
            let folder = keyPath + ".person-keys"
            let erinFile = folder + "/" + erin.description, otherFile = folder + "/" + other.description
            let erinKey = try Data(contentsOf: URL(fileURLWithPath: erinFile))
            #expect(erinKey.count == 32)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == [erin.description, other.description].sorted())
            #expect(try ledger.verify().isIntact)

            // Every byte PostgreSQL wrote (WAL, tables, indexes): the key is in none of it, while
            // the hash of the event that registered Erin is (the search would find a key there).
            let data = try #require(ProcessInfo.processInfo.environment["CLEARANCE_TEST_POSTGRES_DATA"], "run under scripts/postgres-cluster.sh")
            let registered = try #require(try ledger.store.read { db in
                try db.fetchValue(Data.self, "SELECT hash FROM events WHERE kind = 'person.added' AND person_id = ?", [erin.description])
            })
            // The test cluster commits without waiting for its WAL (synchronous_commit=off): a
            // checkpoint puts everything committed into the files before they are searched.
            let admin = try PostgresStore(address: try #require(TestServer.superuser, "run under scripts/postgres-cluster.sh"), maximumConnections: 1)
            try admin.executeOutsideTransaction("CHECKPOINT")
            admin.close()
            let held = try Self.filesHolding([registered, erinKey], under: data)
            #expect(held == [true, false], "the registration's hash found: \(held[0]); the key found: \(held[1])")

            let references = try ledger.write { tx in try tx.erase(erin) }
            #expect(references.count == 1)
            #expect(!FileManager.default.fileExists(atPath: erinFile), "the key's file is gone")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [other.description])
            #expect(try ledger.snapshot { try $0.standing(erin) } == nil)
            #expect(try ledger.snapshot { try $0.standing(other) }?.displayName == "Olu Other")
            let erased = try ledger.verify()
            #expect(erased.isIntact && erased.erasedPeople == 1, "\(erased.problems)")

            // Edits of the folder: a key put back for the erased person, another's key changed
            // or removed. Each is named, and the gate no longer trusts the changed person.
            try erinKey.write(to: URL(fileURLWithPath: erinFile))
            #expect(try ledger.verify().problems.contains { $0.row == erin.description && $0.message.contains("still there (remove \(erinFile))") })
            try FileManager.default.removeItem(atPath: erinFile)
            let otherKey = try Data(contentsOf: URL(fileURLWithPath: otherFile))
            // Replaced as editors and `cp` over a file via a new file do; the next check sees it.
            try Data(otherKey.reversed()).write(to: URL(fileURLWithPath: otherFile), options: .atomic)
            #expect(try ledger.verify().problems.contains { $0.row == other.description && $0.message.contains("does not open") })
            #expect(try ledger.snapshot { try $0.standing(other) }?.recordTampered == true)
            try Data(otherKey.prefix(31)).write(to: URL(fileURLWithPath: otherFile))
            #expect(try ledger.verify().problems.contains { $0.row == other.description && $0.message.contains("not a key of 32 bytes") })
            try FileManager.default.removeItem(atPath: otherFile)
            #expect(try ledger.verify().problems.contains { $0.row == other.description && $0.message.contains("missing") })
            try otherKey.write(to: URL(fileURLWithPath: otherFile))
            #expect(try ledger.verify().isIntact)

            // Without its folder the ledger does not open, and says where the folder should be.
            try FileManager.default.moveItem(atPath: folder, toPath: folder + ".moved")
            #expect { try Ledger.open(in: address, keyPath: keyPath, forWriting: false) } throws: { error in
                "\(error)".contains("person keys folder \(folder) is missing")
            }
            try FileManager.default.moveItem(atPath: folder + ".moved", toPath: folder)
        }
    }

    /// Whether any file under `folder` holds each of `needles`, read straight from disk.
    private static func filesHolding(_ needles: [Data], under folder: String) throws -> [Bool] {
        var found = Array(repeating: false, count: needles.count)
        let files = try #require(FileManager.default.enumerator(atPath: folder))
        for case let name as String in files {
            let path = folder + "/" + name
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue,
                  let bytes = FileManager.default.contents(atPath: path) else { continue }
            for (index, needle) in needles.enumerated() where !found[index] {
                found[index] = contains(bytes, needle)
            }
        }
        return found
    }

    /// memchr for the first byte, memcmp for the rest: fast enough for a cluster's files in a debug build.
    private static func contains(_ haystack: Data, _ needle: Data) -> Bool {
        haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                guard let base = hay.baseAddress, let pinBase = pin.baseAddress, let first = pin.first, hay.count >= pin.count else { return false }
                var offset = 0
                while offset + pin.count <= hay.count {
                    guard let found = memchr(base + offset, Int32(first), hay.count - offset - pin.count + 1) else { return false }
                    let hit = UnsafeRawPointer(found)
                    let at = base.distance(to: hit)
                    if memcmp(hit, pinBase, pin.count) == 0 { return true }
                    offset = at + 1
                }
                return false
            }
        }
    }
}
