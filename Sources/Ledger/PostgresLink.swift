import Foundation
import Synchronization

/// One connection to the PostgreSQL server, through one of the two clients a `PostgresStore`
/// uses: postgres-nio for writes, libpq for the read transactions a check runs. A session sends
/// its statements through it; it is one transaction's at a time, handed between threads only
/// through the store's pool.
protocol PostgresLink: AnyObject, Sendable {
    /// Sends one statement (placeholders already `$1…$n`, arguments already checked) and waits
    /// for all of its rows; `written` is the statement as the caller wrote it, for errors.
    /// `committing` marks a COMMIT, whose loss leaves the outcome unknown.
    func run(_ sql: String, _ arguments: [SQLValue], as written: String, committing: Bool) throws -> PostgresOutcome

    /// The same through a statement prepared once on this connection (a named statement, which
    /// PostgreSQL plans a few times and then keeps a generic plan for); nil when this one is not
    /// prepared: arguments other than text and bytes, or `PostgresLinkCounters.preparedCapacity`
    /// statements already prepared here.
    func runPrepared(_ sql: String, _ arguments: [SQLValue], as written: String) throws -> PostgresOutcome?

    /// Whether the connection has ended (closed here, or lost).
    var isClosed: Bool { get }

    /// Ends the connection; closing twice does nothing.
    func close()
}

/// What one statement gave back: its rows, its command tag (`COMMIT`, `INSERT 0 1`) and the
/// number of rows the tag reports, when it reports one.
struct PostgresOutcome {
    var rows: [SQLRow]
    var command: String
    var rowCount: Int?
}

/// Which client a store's read transactions go through.
public enum PostgresClient: String, Sendable, CaseIterable {
    /// libpq, waiting on the socket in the calling thread: a check's few round trips cost what
    /// the server takes, without postgres-nio's hops to its event loop and back (see the README).
    case libpq
    /// postgres-nio, as writes always are.
    case postgresNIO = "postgres-nio"
}

/// How many times a store's connections have waited on the server (each statement, each
/// preparation, BEGIN and COMMIT is one round trip) and how many statements they prepared: for
/// the bench, and the tests that hold a check to its few round trips.
final class PostgresLinkCounters: Sendable {
    /// Statements kept prepared per connection; past it, reads go unnamed. A check asks a few
    /// dozen shapes (how many people, names and consents an asset carries).
    static let preparedCapacity = 128

    private let roundTripCount = Atomic<Int>(0)
    private let preparedCount = Atomic<Int>(0)

    func addRoundTrip() { roundTripCount.add(1, ordering: .relaxed) }
    func addPrepared() { preparedCount.add(1, ordering: .relaxed) }

    var roundTrips: Int { roundTripCount.load(ordering: .relaxed) }
    /// Statements prepared, on all connections, since the store opened.
    var prepared: Int { preparedCount.load(ordering: .relaxed) }
}

/// The kinds of a prepared read's arguments, which it is prepared for: only text and bytes,
/// whose parameter types the server takes from the columns they are compared with.
enum PreparedArguments {
    /// "t" and "b" for each argument in turn; nil when one is neither (or text holding NUL).
    static func signature(of arguments: [SQLValue]) -> String? {
        var signature = ""
        for value in arguments {
            switch value {
            case .text(let text) where !text.utf8.contains(0): signature.append("t")
            case .blob: signature.append("b")
            default: return nil
            }
        }
        return signature
    }
}

/// BYTEA in PostgreSQL's text form, `\x` and two hex digits a byte (libpq's rows, and BYTEA
/// inside `json_agg`).
enum PostgresHex {
    static func bytes(_ digits: UnsafeBufferPointer<UInt8>) -> Data? {
        guard digits.count >= 2, digits[0] == UInt8(ascii: "\\"), digits[1] == UInt8(ascii: "x"), digits.count % 2 == 0 else { return nil }
        // Into a byte array first: `Data.append` a byte at a time cost a third of a check's time.
        var bytes = [UInt8](repeating: 0, count: (digits.count - 2) / 2)
        var index = 2
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes[(index - 2) / 2] = high << 4 | low
            index += 2
        }
        return Data(bytes)
    }

    static func bytes(_ text: String) -> Data? {
        var text = text
        return text.withUTF8 { bytes($0) }
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
