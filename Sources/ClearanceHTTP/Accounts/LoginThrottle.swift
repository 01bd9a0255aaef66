import Foundation
import Synchronization

/// Slows password guessing on the sign-in form without letting a stranger keep the real user out.
///
/// Failures are counted per (source address, account name): after `limit` of them within one
/// `window`, that address may not try that name again until the window has passed. Failures
/// from other addresses never count against the real user's own. An address failing for many
/// names is slowed as a whole: after `sourceLimit` failures within a window it may try no name.
///
/// Memory is bounded (`capacity` entries in each table) and nothing is ever cleared wholesale.
/// When a table is full, an entry whose window has passed goes first, then the entry not
/// refusing anyone whose last failure is oldest, and only then the oldest refusing one. An address
/// adds at most `sourceLimit` entries per window, so pushing out a refusing entry takes failures
/// from `capacity / sourceLimit` addresses, which could as well have guessed directly. Kept in
/// memory: a restart forgets it, acceptable for a limit measured in minutes.
final class LoginThrottle: Sendable {
    let limit: Int
    let window: Duration
    let sourceLimit: Int
    let capacity: Int

    struct Entry {
        var start: ContinuousClock.Instant
        var failures: Int
        var last: ContinuousClock.Instant
    }

    struct Tables {
        var pairs: [String: Entry] = [:]
        var sources: [String: Entry] = [:]
    }

    private let tables = Mutex(Tables())

    init(limit: Int = 5, window: Duration = .seconds(300), sourceLimit: Int = 50, capacity: Int = 10_000) {
        self.limit = max(1, limit)
        self.window = window
        self.sourceLimit = max(self.limit, sourceLimit)
        self.capacity = max(1, capacity)
    }

    static func pairKey(_ source: String, _ name: String) -> String {
        // Names are matched without case, as the users table does.
        source + "\u{0}" + name.lowercased()
    }

    /// How long `source` must wait before trying `name` again; nil when it may try now.
    func wait(source: String, name: String, now: ContinuousClock.Instant = .now) -> Duration? {
        tables.withLock { tables in
            let pair = refusal(tables.pairs[Self.pairKey(source, name)], limit: limit, now: now)
            let whole = refusal(tables.sources[source], limit: sourceLimit, now: now)
            return [pair, whole].compactMap { $0 }.max()
        }
    }

    private func refusal(_ entry: Entry?, limit: Int, now: ContinuousClock.Instant) -> Duration? {
        guard let entry, now - entry.start < window, entry.failures >= limit else { return nil }
        return window - (now - entry.start)
    }

    func recordFailure(source: String, name: String, now: ContinuousClock.Instant = .now) {
        tables.withLock { tables in
            count(&tables.pairs, Self.pairKey(source, name), limit: limit, now: now)
            count(&tables.sources, source, limit: sourceLimit, now: now)
        }
    }

    /// The right password from this address: its failures for this name are forgotten. Its
    /// failures for other names still count against the address.
    func recordSuccess(source: String, name: String) {
        _ = tables.withLock { $0.pairs.removeValue(forKey: Self.pairKey(source, name)) }
    }

    /// Entries in each table, for tests.
    var sizes: (pairs: Int, sources: Int) {
        tables.withLock { ($0.pairs.count, $0.sources.count) }
    }

    private func count(_ table: inout [String: Entry], _ key: String, limit: Int, now: ContinuousClock.Instant) {
        if var entry = table[key], now - entry.start < window {
            entry.failures += 1
            entry.last = now
            table[key] = entry
            return
        }
        if table[key] == nil, table.count >= capacity { evictOne(&table, limit: limit, now: now) }
        table[key] = Entry(start: now, failures: 1, last: now)
    }

    private func evictOne(_ table: inout [String: Entry], limit: Int, now: ContinuousClock.Instant) {
        // Lapsed entries first, then ones refusing no one, each oldest first.
        func rank(_ entry: Entry) -> Int {
            if now - entry.start >= window { return 0 }
            return entry.failures >= limit ? 2 : 1
        }
        guard let victim = table.min(by: { a, b in
            let (ra, rb) = (rank(a.value), rank(b.value))
            return ra != rb ? ra < rb : a.value.last < b.value.last
        }) else { return }
        table.removeValue(forKey: victim.key)
        // One scan can clear every lapsed entry at once: the next insertions need no scan.
        if rank(victim.value) == 0 {
            table = table.filter { now - $0.value.start < window }
        }
    }
}
