import ClearanceApp
import ClearanceCore
import Foundation
import Ledger

/// Measures, in one run and one directory:
/// 1. consents recorded per second exactly as `clearance consent record` does (checked, sealed,
///    signed, chained, committed with synchronous=FULL), one transaction each;
/// 2. plain single-row INSERTs committed one by one with the same settings, as the reference;
/// 3. `verify` over a ledger of `events` events (20% people, 80% consents).
struct LedgerBench {
    var seconds = 3.0
    var events = 100_000
    /// Only verify this existing ledger (for profiling verify alone).
    var verifyOnly: String?
    /// Keep the built verify ledger here instead of deleting it.
    var keep: String?

    init(arguments: [String]) throws {
        var index = 0
        while index < arguments.count {
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch arguments[index] {
            case "--seconds": seconds = Double(value) ?? seconds
            case "--events": events = Int(value) ?? events
            case "--verify-only": verifyOnly = value
            case "--keep": keep = value
            default: throw InputError("unknown argument \(arguments[index])")
            }
            index += 2
        }
    }

    func run() throws {
        if let verifyOnly {
            let start = DispatchTime.now().uptimeNanoseconds
            let report = try Ledger.open(at: verifyOnly, forWriting: false).verify()
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            print("ledger: verify \(report.events) events: \(format(elapsed)) s, intact: \(report.isIntact)")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        // 1. Consents through the same operation the CLI uses.
        let ledgerPath = directory.appendingPathComponent("record.db").path
        let operations = LedgerOperations(ledger: try Ledger.create(at: ledgerPath), configuration: .standard)
        let person = try operations.addPerson(PersonRequest(name: "Bench Person", born: "1980-01-01", email: "bench@example.org"))
        var request = ConsentRequest(person: person.description, channels: "social,website")
        request.event = "Benchmark fair"
        request.recordedBy = "bench"
        var recorded = 0
        let recordStart = DispatchTime.now().uptimeNanoseconds
        var recordElapsed = 0.0
        repeat {
            _ = try operations.recordConsent(request)
            recorded += 1
            recordElapsed = Double(DispatchTime.now().uptimeNanoseconds - recordStart) / 1e9
        } while recordElapsed < seconds
        let consentRate = Double(recorded) / recordElapsed
        let payloadBytes = try averagePayloadBytes(ledgerPath)

        // 2. Plain SQLite, same settings, same directory, same run.
        let plain = try PlainInsertReference.rowsPerSecond(
            databasePath: directory.appendingPathComponent("plain.db").path, payloadBytes: payloadBytes, seconds: seconds)

        print("ledger: consents recorded (checked, signed, chained, committed each): \(recorded) in \(format(recordElapsed)) s = \(format(consentRate)) /s")
        print("ledger: plain SQLite single-row INSERT committed each (WAL, synchronous=FULL, \(payloadBytes)-byte rows): \(plain.rows) = \(format(plain.perSecond)) /s")
        print("ledger: consent recording runs at \(format(consentRate / plain.perSecond * 100))% of the plain insert rate (plain/ledger = \(format(plain.perSecond / consentRate))x)")

        // 3. Verify over `events` events, built in batches (the chain is the same as one by one).
        let verifyPath = directory.appendingPathComponent("verify.db").path
        let buildStart = DispatchTime.now().uptimeNanoseconds
        try build(events: events, at: verifyPath)
        let buildElapsed = Double(DispatchTime.now().uptimeNanoseconds - buildStart) / 1e9
        let ledger = try Ledger.open(at: verifyPath, forWriting: false)
        let verifyStart = DispatchTime.now().uptimeNanoseconds
        let report = try ledger.verify()
        let verifyElapsed = Double(DispatchTime.now().uptimeNanoseconds - verifyStart) / 1e9
        guard report.isIntact else { throw InputError("bench ledger failed verification: \(report.problem!)") }
        if let keep {
            for suffix in ["", "-wal", ".key"] where FileManager.default.fileExists(atPath: verifyPath + suffix) { try FileManager.default.copyItem(atPath: verifyPath + suffix, toPath: keep + suffix) }
        }
        print("ledger: verify \(report.events) events (\(report.people) people, \(report.consents) consents): \(format(verifyElapsed)) s = \(format(Double(report.events) / verifyElapsed)) events/s (built in \(format(buildElapsed)) s)")
        let readStart = DispatchTime.now().uptimeNanoseconds
        let rows = try PlainReadReference.readAllEvents(in: ledger)
        let readElapsed = Double(DispatchTime.now().uptimeNanoseconds - readStart) / 1e9
        print("ledger: reference, plain read of the same \(rows) event rows in order: \(format(readElapsed)) s; verify / plain read: \(format(verifyElapsed / readElapsed))x")
    }

    private func build(events: Int, at path: String) throws {
        let ledger = try Ledger.create(at: path)
        let peopleCount = max(1, events / 5)
        let terms = ConsentTerms(channels: [Channel("facebook"), Channel("website")], purposes: ["publicity"],
                                 event: "Benchmark fair", formVersion: "1", method: .tablet, recordedBy: "bench",
                                 givenAt: CalendarDate(parsing: "2025-01-01")!, expiresAt: CalendarDate(parsing: "2028-01-01")!,
                                 guardianRelationship: nil, signatureSHA256: nil)
        var people: [PersonID] = []
        var written = 0
        while written < events {
            try ledger.write { tx in
                for _ in 0..<min(1000, events - written) {
                    if people.count < peopleCount {
                        let n = people.count
                        people.append(try tx.addPerson(PersonalData(name: "Person \(n)", aliases: ["P\(n)"],
                                                                    email: "person\(n)@example.org"),
                                                       roles: PersonRoles(staff: n % 10 == 0)))
                    } else {
                        _ = try tx.recordConsent(person: people[written % people.count], terms: terms,
                                                 details: ConsentPrivateDetails())
                    }
                    written += 1
                }
            }
        }
    }

    private func averagePayloadBytes(_ path: String) throws -> Int {
        max(64, try Ledger.open(at: path, forWriting: false).averageEventBytes())
    }

    private func format(_ value: Double) -> String { String(format: value >= 100 ? "%.0f" : "%.2f", value) }
}
