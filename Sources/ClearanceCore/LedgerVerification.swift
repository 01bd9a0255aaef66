// What `verify` reports; defined here so that the layers above ClearanceApp never name a
// store type.
import Foundation

/// What `verify` found: counts and the chain head when intact, or every problem.
public struct LedgerVerification: Sendable {
    public var events = 0
    public var people = 0
    public var erasedPeople = 0
    public var consents = 0
    public var assets = 0
    /// SHA-256 of the last event; worth writing down elsewhere, since it pins the whole history.
    public var lastHash: Data?
    /// Every problem found, chain first, then table by table. When the chain is broken the
    /// tables are not compared (what they should hold cannot be worked out).
    public var problems: [Problem] = []
    /// What could not be checked, and why (MACs without the key file).
    public var unchecked: [String] = []

    public struct Problem: Sendable, CustomStringConvertible {
        /// The bad event, when the chain itself is broken.
        public var event: Int64?
        /// The table holding a bad row, when the chain is intact but a table disagrees.
        public var table: String?
        /// The row's key, when one row is at fault.
        public var row: String?
        public var message: String

        public init(event: Int64? = nil, table: String? = nil, row: String? = nil, message: String) {
            self.event = event
            self.table = table
            self.row = row
            self.message = message
        }

        public var description: String {
            if let event { return "event \(event): \(message)" }
            if let table, let row { return "\(table) row \(row): \(message)" }
            if let table { return "\(table): \(message)" }
            return message
        }
    }

    /// The first problem.
    public var problem: Problem? { problems.first }
    public var isIntact: Bool { problems.isEmpty }

    public init() {}
}
