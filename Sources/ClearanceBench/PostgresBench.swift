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
///    rows each check relies on, the same number of round trips doing nothing, and the same check
///    on the SQLite register. `--gate-url URL --gate-key FILE` measures a register copied there
///    before (`clearance copy --to URL`) instead, skipping the copy's minutes, e.g. to profile;
///    it is compared with `--gate-db` only when that holds the same assets.
struct PostgresBench {
    var server: String?
    var seconds = 3.0
    var samples = 1_000
    var gateDatabase = "/tmp/clearance-gate-bench-\(GateBenchLedger.version)-20000p-100000a.db"
    var gateURL: String?
    var gateKey: String?
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
            case "--gate-url": gateURL = value
            case "--gate-key": gateKey = value
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
        if let gateURL {
            guard let gateKey else { throw InputError("--gate-url needs --gate-key, the key the register was copied with") }
            let address = try PostgresAddress(parsing: gateURL)
            let ledger = try Ledger.open(in: address, keyPath: gateKey, forWriting: false)
            let hashes = try ledger.allAssetHashes()
            return try checks(on: ledger, hashes: hashes, server: address, sqlite: try register(holding: hashes))
        }
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
            let copy = try Ledger.open(in: address, keyPath: source.keyPath, forWriting: false)
            try checks(on: copy, hashes: try copy.allAssetHashes(), server: address, sqlite: source)
        }
    }

    /// The SQLite register at `--gate-db`, when it holds the same assets as the copy at
    /// `--gate-url`: the same checks on it are a reference only if they are the same checks.
    private func register(holding hashes: [String]) throws -> Ledger? {
        guard FileManager.default.fileExists(atPath: gateDatabase + ".complete") else {
            print("postgres: no SQLite register at \(gateDatabase): the checks are not compared with it (--gate-db names the one copied)")
            return nil
        }
        let register = try Ledger.open(at: gateDatabase, forWriting: false)
        guard try register.allAssetHashes() == hashes else {
            print("postgres: \(gateDatabase) does not hold the assets of the copy at --gate-url: the checks are not compared with it (--gate-db names the one copied)")
            return nil
        }
        return register
    }

    /// `hashes`: the ledger's assets, read once by the caller; `server`: where the ledger is, for
    /// pgbench's reference on the same server; `sqlite`: the register the copy was made from,
    /// whose checks give the same answers without a server.
    private func checks(on ledger: Ledger, hashes: [String], server: PostgresAddress, sqlite: Ledger?) throws {
        let operations = AssetOperations(LedgerOperations(ledger: ledger, configuration: .standard))
        let sqliteOperations = sqlite.map { AssetOperations(LedgerOperations(ledger: $0, configuration: .standard)) }
        var random = SplitMix64(seed: 2026)
        let sampled = (0..<samples).map { _ in hashes[Int(random.next() % UInt64(hashes.count))] }
        // The people's key files and the SQLite register read through first, as `gate` reads
        // its register: a server has the keys it uses in memory, and this machine drops files
        // from its page cache within minutes (a check then waited on the disk for each person's
        // key, 6% of its CPU time in a profile, and more of its wall time).
        try Self.readThroughFolder(ledger.keyPath + ".person-keys")
        if let sqlite { try GateBench.readThrough(sqlite.path) }
        for hash in sampled.prefix(100) {
            _ = try operations.check([hash], channel: channel, at: date)
            _ = try sqliteOperations?.check([hash], channel: channel, at: date)
        }
        let readsBefore = try PostgresBenchReference.serverReads(in: ledger)
        // Each check, then its references for the same asset: taken in turn, so that the
        // machine's speed, which moves over a run here, weighs on all alike.
        var latencies: [Double] = []
        var plain: [Double] = []
        var waits: [Double] = []
        var local: [Double] = []
        var totalWaits = 0
        // Per check, in the order of `sampled`: its latency, the CPU time it used, and its waits.
        var costs: [(latency: Double, cpu: CPUTime, waits: Int)] = []
        let machineBefore = MachineCPU.now()
        for hash in sampled {
            let before = ledger.postgresRoundTrips ?? 0
            let started = CPUTime.now()
            var begin = DispatchTime.now().uptimeNanoseconds
            _ = try operations.check([hash], channel: channel, at: date)
            let latency = Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e6
            latencies.append(latency)
            let made = (ledger.postgresRoundTrips ?? 0) - before
            costs.append((latency, CPUTime.now().since(started), made))
            totalWaits += made
            plain += try PostgresBenchReference.readLatencies(of: [hash], in: ledger)
            waits.append(try PostgresBenchReference.emptyReadLatency(waits: made, in: ledger))
            if let sqliteOperations {
                begin = DispatchTime.now().uptimeNanoseconds
                _ = try sqliteOperations.check([hash], channel: channel, at: date)
                local.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e6)
            }
        }
        let machine = MachineCPU.since(machineBefore)
        let byKind = try LatencyByKind(hashes: sampled, latencies: latencies, in: sqlite ?? ledger)
        let localByKind = try sqlite.map { try LatencyByKind(hashes: sampled, latencies: local, in: $0) }
        latencies.sort()
        plain.sort()
        waits.sort()
        local.sort()
        func figures(_ sorted: [Double]) -> String {
            "p50 \(format(percentile(sorted, 0.5))) ms, p99 \(format(percentile(sorted, 0.99))) ms; check / this: "
                + "p50 \(format(percentile(latencies, 0.5) / percentile(sorted, 0.5)))x, p99 \(format(percentile(latencies, 0.99) / percentile(sorted, 0.99)))x"
        }
        print("postgres: single-asset check, \(samples) random assets of \(hashes.count): p50 \(format(percentile(latencies, 0.5))) ms, "
              + "p99 \(format(percentile(latencies, 0.99))) ms (aim: p99 < 5 ms), "
              + "waiting on the server \(format(Double(totalWaits) / Double(max(1, sampled.count)))) times a check (its BEGIN and COMMIT go out without a wait)")
        // A group's count and percentiles, for the split by group shots.
        func counted(_ sorted: [Double]) -> String {
            "\(sorted.count), p50 \(format(percentile(sorted, 0.5))) ms, p99 \(format(percentile(sorted, 0.99))) ms"
        }
        print("postgres: " + byKind.line(counted))
        print("postgres: " + slowestLine(costs))
        if let machine { print("postgres: while the checks and their references ran, " + machine.line) }
        print("postgres: reference, plain reads of the same assets' rows, a read transaction each: " + figures(plain))
        print("postgres: reference, the waits alone: a read transaction waiting as often as each check did, on statements doing nothing (SELECT 1): "
              + figures(waits))
        if sqlite != nil {
            print("postgres: reference, the same checks on the SQLite register the copy came from (no server): " + figures(local))
            if let localByKind {
                print("postgres: on SQLite, " + localByKind.line(counted))
            }
        }
        // A server process reports its counts when it goes idle, at most once a second (else up
        // to ten seconds later), so the last checks' reads may be missing: enough to tell none
        // from thousands.
        let readsAfter = try PostgresBenchReference.serverReads(in: ledger)
        print("postgres: the server read \(readsAfter.blocksRead - readsBefore.blocksRead) blocks of 8 kB from outside its shared buffers "
              + "(shared_buffers \(readsAfter.sharedBuffers)) while the checks and their references ran: from the page cache, or from the disk "
              + "when this machine has dropped them (a server whose buffers hold its database reads none)")
        let perCheck = Int((Double(totalWaits) / Double(max(1, sampled.count))).rounded())
        if let libpq = try pgbenchMean(server: server, selects: perCheck) {
            print("postgres: reference, libpq (pgbench) on the same server, a read transaction of BEGIN, \(perCheck) × SELECT 1 and COMMIT, each waited for, "
                  + "2,000 times: mean \(format(libpq)) ms (check mean \(format(latencies.reduce(0, +) / Double(max(1, latencies.count)))) ms)")
        }
    }

    /// Where the slowest 1% of the checks spent their time, beside all of them: on the
    /// process's CPU (the client's own work, on the calling thread and the event loop's), or
    /// elsewhere (the server's work, or the machine busy with something else). A p99 set by the
    /// client's code shows as CPU time.
    func slowestLine(_ costs: [(latency: Double, cpu: CPUTime, waits: Int)]) -> String {
        func median(_ values: [Double]) -> Double { percentile(values.sorted(), 0.5) }
        func summary(_ checks: ArraySlice<(latency: Double, cpu: CPUTime, waits: Int)>) -> String {
            let count = Double(max(1, checks.count))
            return "latency p50 \(format(median(checks.map(\.latency)))) ms, the process's CPU p50 \(format(median(checks.map(\.cpu.process)))) ms "
                + "(the calling thread's \(format(median(checks.map(\.cpu.thread)))) ms), "
                + "\(format(Double(checks.map(\.waits).reduce(0, +)) / count)) waits and \(format(Double(checks.map(\.cpu.preempted).reduce(0, +)) / count)) preemptions a check"
        }
        let bySpeed = costs.sorted { $0.latency > $1.latency }
        let slowest = bySpeed.prefix(max(1, costs.count / 100))
        return "where the time went: the slowest 1% (\(slowest.count)): " + summary(slowest) + "; all checks: " + summary(bySpeed[...])
    }

    /// Reads every file in `folder` and discards the bytes, leaving them in the page cache.
    static func readThroughFolder(_ folder: String) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            try GateBench.readThrough(folder + "/" + name)
        }
    }

    /// The mean latency in milliseconds `pgbench` reports for a read transaction of `selects`
    /// statements between BEGIN and COMMIT, run 2,000 times; nil when pgbench is not installed.
    /// The mean only: pgbench's per-transaction log reads its clock lazily and logs most of
    /// them as 0 µs.
    private func pgbenchMean(server: PostgresAddress, selects: Int) throws -> Double? {
        let directories = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let candidates = [ProcessInfo.processInfo.environment["POSTGRES_BIN"].map { $0 + "/pgbench" }]
            + directories.sorted { $0.compare($1, options: .numeric) == .orderedDescending }.map { "/usr/lib/postgresql/\($0)/bin/pgbench" }
        guard selects >= 1, let pgbench = candidates.compactMap({ $0 }).first(where: FileManager.default.isExecutableFile) else { return nil }
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-pgbench-\(UUID().uuidString).sql")
        defer { try? FileManager.default.removeItem(at: script) }
        let statements = ["BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;"] + Array(repeating: "SELECT 1;", count: selects) + ["COMMIT;"]
        try statements.joined(separator: "\n").appending("\n").write(to: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: pgbench)
        process.arguments = ["-n", "-M", "prepared", "-f", script.path, "-t", "2000", "-c", "1",
                             "-h", server.host, "-p", String(server.port), "-U", server.user, server.database]
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = server.password
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("latency average = ") }) else { return nil }
        return Double(line.dropFirst("latency average = ".count).split(separator: " ").first ?? "")
    }

    private func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
    }

    private func format(_ value: Double) -> String { String(format: value >= 100 ? "%.0f" : "%.3g", value) }
}
