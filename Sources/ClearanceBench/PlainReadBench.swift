import ClearanceApp
import Foundation
import Ledger

/// `clearance-bench reads DB ROUNDS SHA256...`: plain indexed reads of the rows a check of each
/// asset relies on (`PlainReadReference`), the assets taken in turn ROUNDS times; prints p50 and
/// p99 in milliseconds as `reads: <p50> <p99>` for a script to put beside its own figures.
struct PlainReadBench {
    var database: String
    var rounds: Int
    var hashes: [String]

    init(arguments: [String]) throws {
        guard arguments.count >= 3, let rounds = Int(arguments[1]), rounds > 0 else {
            throw InputError("usage: clearance-bench reads DB ROUNDS SHA256...")
        }
        database = arguments[0]
        self.rounds = rounds
        hashes = Array(arguments.dropFirst(2))
    }

    func run() throws {
        let ledger = try Ledger.open(at: database, forWriting: false)
        _ = try PlainReadReference.latencies(of: hashes, in: ledger)  // warm
        var latencies: [Double] = []
        for _ in 0..<rounds {
            // One read transaction per asset, as one check request has.
            for hash in hashes { latencies += try PlainReadReference.latencies(of: [hash], in: ledger) }
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)] }
        print("reads: \(percentile(0.5)) \(percentile(0.99))")
    }
}
