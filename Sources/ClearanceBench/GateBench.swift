import ClearanceApp
import ClearanceCore
import Foundation
import Ledger

/// `clearance-bench gate`: gate decisions over a realistic register, through the same
/// `AssetOperations.check` the CLI and export use.
///
/// The ledger (20,000 people with consents in every situation the gate distinguishes, 100,000
/// assets whose mentions name registered people, aliases, strangers and unnamed faces) is built
/// through the real write APIs, so every event is signed and chained, and cached under /tmp
/// keyed by `GateBenchLedger.version` and the sizes, because building it takes a while.
struct GateBench {
    var people = 20_000
    var assets = 100_000
    var samples = 2_000
    var batch = 10_000
    var channel = "facebook"
    /// Fixed so the verdict mix does not drift with the calendar.
    var date = CalendarDate(year: 2026, month: 6, day: 1)!
    var database: String?
    var rebuild = false

    init(arguments: [String]) throws {
        var index = 0
        while index < arguments.count {
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            func number() throws -> Int {
                guard let n = Int(value), n > 0 else { throw InputError("\(arguments[index]) needs a positive number") }
                return n
            }
            switch arguments[index] {
            case "--people": people = try number()
            case "--assets": assets = try number()
            case "--samples": samples = try number()
            case "--batch": batch = try number()
            case "--channel": channel = value
            case "--db": database = value
            case "--rebuild": rebuild = true; index -= 1
            default: throw InputError("unknown argument \(arguments[index])")
            }
            index += 2
        }
    }

    func run() throws {
        let path = database ?? "/tmp/clearance-gate-bench-\(GateBenchLedger.version)-\(people)p-\(assets)a.db"
        let complete = path + ".complete"
        if rebuild || !FileManager.default.fileExists(atPath: complete) {
            for leftover in [path, path + "-wal", path + "-shm", path + ".key", complete] {
                try? FileManager.default.removeItem(atPath: leftover)
            }
            let start = DispatchTime.now().uptimeNanoseconds
            try GateBenchLedger(people: people, assets: assets, date: date).build(at: path)
            _ = FileManager.default.createFile(atPath: complete, contents: Data())
            print("gate: built \(path) in \(format(seconds(since: start))) s")
        } else {
            print("gate: using cached \(path) (--rebuild to make it again)")
        }

        let ledger = try Ledger.open(at: path, forWriting: false)
        let operations = AssetOperations(LedgerOperations(ledger: ledger, configuration: .standard))
        let hashes = try ledger.allAssetHashes()
        guard !hashes.isEmpty else { throw InputError("bench ledger has no assets") }
        print("gate: \(try ledger.allPeople().count) people, \(try ledger.allConsents(includingPrivateDetails: false).count) consents, "
              + "\(try ledger.eventCount()) events, \(hashes.count) assets; channel \(channel), as of \(date)")

        var random = SplitMix64(seed: 2026)
        // Read the whole file once, so the samples measure the gate and not the disk: the benches
        // before this one (ingest, ledger) push the file out of a small page cache, and a server's
        // ledger would be in memory. Then warm the code paths.
        try Self.readThrough(path)
        for hash in hashes.prefix(200) { _ = try operations.check([hash], channel: channel, at: date) }

        // 1. One asset per call, as `clearance check FILE` and the export gate ask.
        var latencies: [Double] = []
        latencies.reserveCapacity(samples)
        let sampled = (0..<samples).map { _ in hashes[Int(random.next() % UInt64(hashes.count))] }
        let machineBefore = MachineCPU.now()
        for hash in sampled {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try operations.check([hash], channel: channel, at: date)
            latencies.append(seconds(since: start) * 1000)
        }
        let machine = MachineCPU.since(machineBefore)
        let byKind = try LatencyByKind(hashes: sampled, latencies: latencies, in: ledger)
        latencies.sort()
        let mean = latencies.reduce(0, +) / Double(latencies.count)
        print("gate: single-asset check, \(samples) random assets: p50 \(format(percentile(latencies, 0.50))) ms, "
              + "p99 \(format(percentile(latencies, 0.99))) ms, max \(format(latencies.last ?? 0)) ms, "
              + "mean \(format(mean)) ms = \(format(1000 / mean)) decisions/s (aim: p99 < 2 ms)")

        print("gate: " + byKind.line { sorted in
            "\(sorted.count), p50 \(format(percentile(sorted, 0.5))) ms, p99 \(format(percentile(sorted, 0.99))) ms"
        })
        if let machine { print("gate: while the single checks ran, " + machine.line) }

        // The same-run reference: plain indexed reads of the rows each of those checks relies on.
        let plain = try PlainReadReference.latencies(of: sampled, in: ledger).sorted()
        let plainP50 = percentile(plain, 0.50), plainP99 = percentile(plain, 0.99)
        print("gate: reference, plain indexed reads of the same assets' rows (asset, mentions, name index, people, consents): "
              + "p50 \(format(plainP50)) ms, p99 \(format(plainP99)) ms; check / plain reads: "
              + "p50 \(format(percentile(latencies, 0.50) / plainP50))x, p99 \(format(percentile(latencies, 0.99) / plainP99))x")

        // 2. One call over many distinct assets, as a batch check or an export of a folder does.
        var shuffled = hashes
        shuffled.shuffle(using: &random)
        let chosen = Array(shuffled.prefix(batch))
        let batchMachineBefore = MachineCPU.now()
        let start = DispatchTime.now().uptimeNanoseconds
        let results = try operations.check(chosen, channel: channel, at: date)
        let elapsed = seconds(since: start)
        let batchMachine = MachineCPU.since(batchMachineBefore)
        print("gate: batch check of \(chosen.count) assets: \(format(elapsed)) s = \(format(Double(chosen.count) / elapsed)) decisions/s "
              + "(aim: 10,000 in < 5 s)")
        if let batchMachine { print("gate: while the batch ran, " + batchMachine.line) }
        // Its reference: plain indexed reads of the same assets' rows, in one read transaction too.
        let plainStart = DispatchTime.now().uptimeNanoseconds
        _ = try PlainReadReference.latencies(of: chosen, in: ledger)
        let plainBatch = seconds(since: plainStart)
        print("gate: reference, plain indexed reads of the same \(chosen.count) assets' rows: \(format(plainBatch)) s; "
              + "batch check / plain reads: \(format(elapsed / plainBatch))x")
        print("gate: verdicts in the batch: \(Self.mix(results))")
    }

    /// Reads a file start to end and discards the bytes, leaving it in the page cache.
    static func readThrough(_ path: String) throws {
        guard let file = FileHandle(forReadingAtPath: path) else { throw InputError("cannot read \(path)") }
        defer { try? file.close() }
        while let chunk = try file.read(upToCount: 1 << 20), !chunk.isEmpty {}
    }

    /// Cleared share and the commonest reasons, to show the register is not trivially uniform.
    static func mix(_ results: [AssetOperations.CheckResult]) -> String {
        let cleared = results.filter(\.verdict.cleared).count
        var codes: [ReasonCode: Int] = [:]
        for result in results {
            for code in Set(result.verdict.reasons.map(\.code)) { codes[code, default: 0] += 1 }
        }
        let top = codes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
        return "\(cleared) cleared, \(results.count - cleared) blocked (assets per reason: \(top))"
    }

    private func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    private func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private func format(_ value: Double) -> String { String(format: value >= 100 ? "%.0f" : "%.3g", value) }
}

/// A seeded generator, so every run builds and samples the same register.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
}
