import Foundation
import Synchronization

/// Slows password guessing: after `limit` failed logins for one account name within `window`,
/// further attempts for that name are refused (429) until the window has passed, whether the
/// password is right or not. Kept in memory: a restart forgets it, which is acceptable for a
/// limit measured in minutes.
final class LoginThrottle: Sendable {
    let limit: Int
    let window: Duration
    private let failures = Mutex<[String: [ContinuousClock.Instant]]>([:])

    init(limit: Int = 5, window: Duration = .seconds(300)) {
        self.limit = limit
        self.window = window
    }

    private func key(_ name: String) -> String { name.lowercased() }

    /// Whether another attempt for `name` may be tried now.
    func allows(_ name: String, now: ContinuousClock.Instant = .now) -> Bool {
        failures.withLock { table in
            let recent = (table[key(name)] ?? []).filter { now - $0 < window }
            table[key(name)] = recent.isEmpty ? nil : recent
            return recent.count < limit
        }
    }

    func recordFailure(_ name: String, now: ContinuousClock.Instant = .now) {
        failures.withLock { table in
            // Bound memory under a flood of made-up names.
            if table.count > 10_000 { table.removeAll() }
            table[key(name), default: []].append(now)
        }
    }

    func recordSuccess(_ name: String) {
        _ = failures.withLock { $0.removeValue(forKey: key(name)) }
    }
}
