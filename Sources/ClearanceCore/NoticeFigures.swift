// What the notice pass reports (the outbox, its verify runs): values the operations and the
// metrics use, defined here so that the layers above ClearanceApp never name a store type.

/// How many notices are in each state; `waiting` are queued but not due before `now`.
public struct OutboxCounts: Sendable, Equatable {
    public var due = 0, waiting = 0, sending = 0, sent = 0, dropped = 0
    public var backlog: Int { due + waiting + sending }

    public init(due: Int = 0, waiting: Int = 0, sending: Int = 0, sent: Int = 0, dropped: Int = 0) {
        self.due = due
        self.waiting = waiting
        self.sending = sending
        self.sent = sent
        self.dropped = dropped
    }
}

/// One run of `verify` by the notice pass.
public struct VerificationRun: Sendable, Equatable {
    public let at: Timestamp
    public let intact: Bool
    public let events: Int
    public let problem: String?

    public init(at: Timestamp, intact: Bool, events: Int, problem: String?) {
        self.at = at
        self.intact = intact
        self.events = events
        self.problem = problem
    }
}
