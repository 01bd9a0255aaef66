import ClearanceApp
import ClearanceCore
import Foundation
import Ledger
import Synchronization

/// `clearance-bench postgres --server URL`: a ledger in PostgreSQL, each measure beside its
/// reference in the same run, on the same server:
/// 1. consents recorded per second by two servers at once (two ledgers, each with its own
///    connections, as two `clearance serve` processes have), against plain single-row INSERTs
///    committed one by one from two connections;
/// 2. single-asset check latency over the gate benchmark's register copied into PostgreSQL
///    (`--gate-db`, the SQLite file `clearance-bench gate` caches), against plain reads of the
///    rows each check relies on.
struct PostgresBench {
    var server: String?
    var seconds = 3.0
    var samples = 1_000
    var gateDatabase = "/tmp/clearance-gate-bench-\(GateBenchLedger.version)-20000p-100000a.db"
    var channel = "facebook"
    var date = CalendarDate(year: 2026, month: 6, day: 1)!

    init(arguments: [String]) throws {
        var index = 0
        while index < arguments.count {
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch arguments[index] {
            case "--server": server = value
            case "--seconds": seconds = Double(value) ?? seconds
            case "--samples": samples = Int(value) ?? samples
            case "--gate-db": gateDatabase = value
            default: throw InputError("unknown argument \(arguments[index])")
            }
            index += 2
        }
    }

    func run() throws {
        guard let server = server ?? ProcessInfo.processInfo.environment["CLEARANCE_TEST_POSTGRES"] else {
            print("postgres: skipped (no --server and no CLEARANCE_TEST_POSTGRES; bench/run.sh starts a throwaway cluster when PostgreSQL is installed)")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-pg-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try consents(server: server, key: directory.appendingPathComponent("consents.key").path)
        try checks(server: server, key: directory)
    }

    private func consents(server: String, key: String) throws {
        let payloadBytes = try PostgresBenchReference.withScratchDatabase(server: server) { address in
            let first = try Ledger.create(in: address, keyPath: key)
            let second = try Ledger.open(in: address, keyPath: key, forWriting: true)
            let servers = [first, second].map { LedgerOperations(ledger: $0, configuration: .standard) }
            let people = try servers.enumerated().map { index, operations in
                try operations.addPerson(PersonRequest(name: "Bench Person \(index)", born: "1980-01-01", email: "bench\(index)@example.org"))
            }
            let counts = Mutex([0, 0])
            let failure = Mutex<(any Error)?>(nil)
            let start = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                var request = ConsentRequest(person: people[index].description, channels: "social,website")
                request.event = "Benchmark fair"
                request.recordedBy = "bench"
                var recorded = 0
                do {
                    while Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < seconds {
                        _ = try servers[index].recordConsent(request)
                        recorded += 1
                    }
                } catch {
                    failure.withLock { $0 = error }
                }
                counts.withLock { $0[index] = recorded }
            }
            if let error = failure.withLock({ $0 }) { throw error }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let recorded = counts.withLock { $0 }
            let verification = try first.verify()
            print("postgres: consents recorded by two servers at once (checked, signed, chained under the append lock, committed each): "
                  + "\(recorded[0]) + \(recorded[1]) in \(format(elapsed)) s = \(format(Double(recorded[0] + recorded[1]) / elapsed)) /s; "
                  + "verify: \(verification.isIntact ? "intact" : "NOT INTACT"), \(verification.events) events")
            return (Double(recorded[0] + recorded[1]) / elapsed, verification.events)
        }
        let rate = payloadBytes.0
        let plain = try PostgresBenchReference.withScratchDatabase(server: server) { address in
            try PostgresBenchReference.rowsPerSecond(address: address, writers: 2, payloadBytes: 300, seconds: seconds)
        }
        print("postgres: plain single-row INSERT committed each from two connections (300-byte rows): \(plain.rows) = \(format(plain.perSecond)) /s")
        print("postgres: consent recording runs at \(format(rate / plain.perSecond * 100))% of the plain insert rate (plain/ledger = \(format(plain.perSecond / rate))x)")
    }

    private func checks(server: String, key directory: URL) throws {
        guard FileManager.default.fileExists(atPath: gateDatabase + ".complete") else {
            print("postgres: check latency skipped: no gate bench ledger at \(gateDatabase) (run `clearance-bench gate` first)")
            return
        }
        let source = try Ledger.open(at: gateDatabase, forWriting: false)
        // The copy puts the person keys in a new folder beside the register's key; it is this
        // run's, and goes with the scratch database.
        let keysFolder = source.keyPath + ".person-keys"
        guard !FileManager.default.fileExists(atPath: keysFolder) else {
            print("postgres: check latency skipped: \(keysFolder) is left from another run; remove it and run again")
            return
        }
        defer { try? FileManager.default.removeItem(atPath: keysFolder) }
        try PostgresBenchReference.withScratchDatabase(server: server) { address in
            print("postgres: copying \(gateDatabase) into PostgreSQL (every event checked; a few minutes for the full register)…")
            let start = DispatchTime.now().uptimeNanoseconds
            let copied = try source.copy(to: address, accountsFrom: nil)
            print("postgres: copied the gate register into PostgreSQL (\(copied.verification.events) events, checked and verified) in "
                  + "\(format(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)) s")
            let ledger = try Ledger.open(in: address, keyPath: source.keyPath, forWriting: false)
            let operations = AssetOperations(LedgerOperations(ledger: ledger, configuration: .standard))
            let hashes = try ledger.allAssetHashes()
            var random = SplitMix64(seed: 2026)
            let sampled = (0..<samples).map { _ in hashes[Int(random.next() % UInt64(hashes.count))] }
            for hash in sampled.prefix(100) { _ = try operations.check([hash], channel: channel, at: date) }
            var latencies: [Double] = []
            for hash in sampled {
                let begin = DispatchTime.now().uptimeNanoseconds
                _ = try operations.check([hash], channel: channel, at: date)
                latencies.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e6)
            }
            latencies.sort()
            let plain = try PostgresBenchReference.readLatencies(of: sampled, in: ledger).sorted()
            print("postgres: single-asset check, \(samples) random assets of \(hashes.count): p50 \(format(percentile(latencies, 0.5))) ms, "
                  + "p99 \(format(percentile(latencies, 0.99))) ms (aim: p99 < 5 ms)")
            print("postgres: reference, plain reads of the same assets' rows, a read transaction each: p50 \(format(percentile(plain, 0.5))) ms, "
                  + "p99 \(format(percentile(plain, 0.99))) ms; check / plain reads: p50 \(format(percentile(latencies, 0.5) / percentile(plain, 0.5)))x, "
                  + "p99 \(format(percentile(latencies, 0.99) / percentile(plain, 0.99)))x")
        }
    }

    private func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
    }

    private func format(_ value: Double) -> String { String(format: value >= 100 ? "%.0f" : "%.3g", value) }
}
