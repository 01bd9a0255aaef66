import Foundation

/// A value as a store binds and returns it, the same for SQLite and PostgreSQL: the five kinds
/// the ledger's columns hold. Keeping them this few is what lets one statement run on either.
enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// A Swift value that binds as, and reads back from, an `SQLValue`.
protocol SQLValueConvertible: Sendable {
    var sqlValue: SQLValue { get }
    /// Nil when `value` is NULL or not of this type (a row edited to the wrong type reads as
    /// missing, which the checks report, rather than as a zero or an empty string).
    init?(sqlValue value: SQLValue)
}

extension Int64: SQLValueConvertible {
    var sqlValue: SQLValue { .integer(self) }
    init?(sqlValue value: SQLValue) {
        guard case .integer(let integer) = value else { return nil }
        self = integer
    }
}

extension Int: SQLValueConvertible {
    var sqlValue: SQLValue { .integer(Int64(self)) }
    init?(sqlValue value: SQLValue) {
        guard case .integer(let integer) = value, let exact = Int(exactly: integer) else { return nil }
        self = exact
    }
}

extension Bool: SQLValueConvertible {
    /// Stored as 0 and 1 in both stores, so a flag column is an integer column everywhere.
    var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    init?(sqlValue value: SQLValue) {
        guard case .integer(let integer) = value else { return nil }
        self = integer != 0
    }
}

extension Double: SQLValueConvertible {
    var sqlValue: SQLValue { .real(self) }
    init?(sqlValue value: SQLValue) {
        switch value {
        case .real(let real): self = real
        case .integer(let integer): self = Double(integer)
        default: return nil
        }
    }
}

extension String: SQLValueConvertible {
    var sqlValue: SQLValue { .text(self) }
    init?(sqlValue value: SQLValue) {
        guard case .text(let text) = value else { return nil }
        self = text
    }
}

extension Data: SQLValueConvertible {
    var sqlValue: SQLValue { .blob(self) }
    init?(sqlValue value: SQLValue) {
        guard case .blob(let blob) = value else { return nil }
        self = blob
    }
}

/// The values bound to a statement's `?` placeholders, in order. Written as an array literal,
/// as GRDB's arguments are, with optionals binding as NULL.
struct SQLArguments: Sendable, Hashable, ExpressibleByArrayLiteral {
    var values: [SQLValue]

    init(_ values: [SQLValue] = []) { self.values = values }

    init(arrayLiteral elements: (any SQLValueConvertible)?...) {
        values = elements.map { $0?.sqlValue ?? .null }
    }
}

/// One row of a result, its columns by name or by position.
struct SQLRow: Sendable, Equatable {
    let columns: [String]
    let values: [SQLValue]

    init(columns: [String], values: [SQLValue]) {
        precondition(columns.count == values.count, "a row has one value per column")
        self.columns = columns
        self.values = values
    }

    /// The value of the first column called `name` (SQL allows two of the same name), NULL when
    /// there is no such column.
    func value(_ name: String) -> SQLValue {
        columns.firstIndex(of: name).map { values[$0] } ?? .null
    }

    subscript<Value: SQLValueConvertible>(_ name: String) -> Value? {
        Value(sqlValue: value(name))
    }

    subscript<Value: SQLValueConvertible>(_ index: Int) -> Value? {
        values.indices.contains(index) ? Value(sqlValue: values[index]) : nil
    }

    /// For columns the schema declares NOT NULL with a type SQLite and PostgreSQL both enforce
    /// (primary keys, counts): a value of another kind there means the store itself is broken,
    /// not that a row was edited, so it stops rather than reading on.
    subscript<Value: SQLValueConvertible>(_ name: String) -> Value {
        guard let value = Value(sqlValue: value(name)) else {
            preconditionFailure("column \(name) holds \(value(name).kind), not \(Value.self)")
        }
        return value
    }

    subscript<Value: SQLValueConvertible>(_ index: Int) -> Value {
        guard values.indices.contains(index), let value = Value(sqlValue: values[index]) else {
            preconditionFailure("column \(index) is missing or not \(Value.self)")
        }
        return value
    }
}
