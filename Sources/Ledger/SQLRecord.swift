import Foundation

/// A row of one of the ledger's derived tables as a Codable struct: its coding keys are the
/// column names, and it reads and writes through any `SQLSession`, so the same struct serves
/// both stores. Flat on purpose: a property is one column of a kind `SQLValue` has.
protocol SQLRecord: Codable, Sendable {
    static var tableName: String { get }
    /// The columns that identify a row, for `update` and `fetchOne(key:)`.
    static var primaryKey: [String] { get }
    /// The record a row holds. By default it is decoded (`init(decoding:)`). The rows a check
    /// reads for every person and asset write it out with `SQLRowColumns` instead, which gives
    /// the same values and throws the same errors: going through `Decodable`'s boxes and generic
    /// metadata at run time was 7% of a check on SQLite in a profile.
    init(row: SQLRow) throws
}

extension SQLRecord {
    static var primaryKey: [String] { ["id"] }

    /// The record's columns and values, in declaration order.
    func columns() throws -> [(name: String, value: SQLValue)] {
        let encoder = SQLRecordEncoder()
        try encode(to: encoder)
        return encoder.columns.values
    }

    init(row: SQLRow) throws {
        try self.init(decoding: row)
    }

    /// The record decoded from the row through `Decodable`: what a hand-written `init(row:)`
    /// must agree with, value for value and error for error.
    init(decoding row: SQLRow) throws {
        try self.init(from: SQLRecordDecoder(row: row))
    }
}

/// A row's columns, each read by its record's coding key as `SQLRecordDecoder` reads it: for a
/// record's hand-written `init(row:)`. That reads its columns in the order of the record's
/// `CodingKeys` cases, which is the order the synthesised decoding reads them (not the order
/// the properties are declared in), so that a row with several faults gives the same error.
struct SQLRowColumns {
    let row: SQLRow

    /// The column's value, found once; no such column is an error.
    func value(_ key: some CodingKey) throws -> SQLValue {
        guard let index = row.columns.firstIndex(of: key.stringValue) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: [key], debugDescription: "no column \(key.stringValue)"))
        }
        return row.values[index]
    }

    /// A column the record needs: NULL or a value of another kind is an error, never a default.
    func required<T: SQLValueConvertible>(_ key: some CodingKey, as type: T.Type = T.self) throws -> T {
        try converted(value(key), key)
    }

    /// nil for NULL or no such column, as the synthesised `decodeIfPresent` gives.
    func optional<T: SQLValueConvertible>(_ key: some CodingKey, as type: T.Type = T.self) throws -> T? {
        guard let index = row.columns.firstIndex(of: key.stringValue), row.values[index] != .null else { return nil }
        return try converted(row.values[index], key)
    }

    private func converted<T: SQLValueConvertible>(_ value: SQLValue, _ key: some CodingKey) throws -> T {
        guard let decoded = T(sqlValue: value) else {
            throw DecodingError.typeMismatch(T.self, .init(codingPath: [key], debugDescription: "column \(key.stringValue) holds \(value.kind)"))
        }
        return decoded
    }
}

extension SQLSession {
    func fetchAll<Record: SQLRecord>(_ type: Record.Type, _ sql: String, _ arguments: SQLArguments = []) throws -> [Record] {
        try fetchAll(sql, arguments).map(Record.init(row:))
    }

    func fetchOne<Record: SQLRecord>(_ type: Record.Type, _ sql: String, _ arguments: SQLArguments = []) throws -> Record? {
        try fetchOne(sql, arguments).map(Record.init(row:))
    }

    /// The row whose primary key is `key` (one value per key column).
    func fetchOne<Record: SQLRecord>(_ type: Record.Type, key: SQLArguments) throws -> Record? {
        let condition = Record.primaryKey.map { "\(quoted($0)) = ?" }.joined(separator: " AND ")
        return try fetchOne(type, "SELECT * FROM \(Record.tableName) WHERE \(condition)", key)
    }

    func insert<Record: SQLRecord>(_ record: Record) throws {
        let columns = try record.columns()
        let names = columns.map { quoted($0.name) }.joined(separator: ", ")
        let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        try execute("INSERT INTO \(Record.tableName) (\(names)) VALUES (\(marks))", SQLArguments(columns.map(\.value)))
    }

    /// Writes every column of the row with the record's primary key.
    func update<Record: SQLRecord>(_ record: Record) throws {
        let columns = try record.columns()
        let key = Record.primaryKey
        let assigned = columns.filter { !key.contains($0.name) }
        let identity = key.map { name in columns.first { $0.name == name }?.value ?? .null }
        try execute("UPDATE \(Record.tableName) SET " + assigned.map { "\(quoted($0.name)) = ?" }.joined(separator: ", ")
                        + " WHERE " + key.map { "\(quoted($0)) = ?" }.joined(separator: " AND "),
                    SQLArguments(assigned.map(\.value) + identity))
    }
}

/// A column name as a quoted identifier, the same in both dialects: some columns (`by`, `at`)
/// are words of SQL.
private func quoted(_ name: String) -> String { "\"" + name + "\"" }

// MARK: - Encoding a record into columns

private final class EncodedColumns {
    var values: [(name: String, value: SQLValue)] = []
}

private struct SQLRecordEncoder: Encoder {
    let columns = EncodedColumns()
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Columns<Key>(columns: columns))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        preconditionFailure("a record is a flat list of columns")
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        preconditionFailure("a record is a flat list of columns")
    }

    struct Columns<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let columns: EncodedColumns
        var codingPath: [any CodingKey] { [] }

        private func set(_ value: SQLValue, _ key: Key) { columns.values.append((key.stringValue, value)) }

        mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { set(value.sqlValue, key) }
        mutating func encode(_ value: String, forKey key: Key) throws { set(value.sqlValue, key) }
        mutating func encode(_ value: Double, forKey key: Key) throws { set(value.sqlValue, key) }
        mutating func encode(_ value: Int, forKey key: Key) throws { set(value.sqlValue, key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { set(value.sqlValue, key) }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            guard let convertible = value as? any SQLValueConvertible else {
                throw EncodingError.invalidValue(value, .init(codingPath: [key],
                                                              debugDescription: "\(T.self) is not a column type"))
            }
            set(convertible.sqlValue, key)
        }

        // Optionals: nil is NULL. Without these the synthesised code would skip a nil column.
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { set(.null, key) }
        }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { set(value?.sqlValue ?? .null, key) }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { set(value?.sqlValue ?? .null, key) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { set(value?.sqlValue ?? .null, key) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { set(value?.sqlValue ?? .null, key) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { set(value?.sqlValue ?? .null, key) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey> {
            preconditionFailure("a record is a flat list of columns")
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            preconditionFailure("a record is a flat list of columns")
        }
        mutating func superEncoder() -> any Encoder { preconditionFailure("a record is a flat list of columns") }
        mutating func superEncoder(forKey key: Key) -> any Encoder { preconditionFailure("a record is a flat list of columns") }
    }
}

// MARK: - Decoding a record from a row

/// Reads a row into a record. A column that is NULL where the record needs a value, or holds a
/// value of another kind (a row edited by hand), is a decoding error, never a default.
private struct SQLRecordDecoder: Decoder {
    let row: SQLRow
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Columns<Key>(row: row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: [], debugDescription: "a record is a flat list of columns"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: [], debugDescription: "a record is a flat list of columns"))
    }

    struct Columns<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let row: SQLRow
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { row.columns.compactMap(Key.init(stringValue:)) }

        func contains(_ key: Key) -> Bool { row.columns.contains(key.stringValue) }

        func decodeNil(forKey key: Key) throws -> Bool { row.value(key.stringValue) == .null }

        private func column<T: SQLValueConvertible>(_ type: T.Type, _ key: Key) throws -> T {
            try SQLRowColumns(row: row).required(key, as: type)
        }

        private func optionalColumn<T: SQLValueConvertible>(_ type: T.Type, _ key: Key) throws -> T? {
            try SQLRowColumns(row: row).optional(key, as: type)
        }

        // The column kinds, each decoded directly: the generic path casts the type at run time,
        // which was most of what reading a row into a record cost.
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try column(type, key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try column(type, key) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try column(type, key) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try column(type, key) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try column(type, key) }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try optionalColumn(type, key) }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try optionalColumn(type, key) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try optionalColumn(type, key) }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try optionalColumn(type, key) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try optionalColumn(type, key) }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            guard let convertible = T.self as? any SQLValueConvertible.Type else {
                throw DecodingError.typeMismatch(T.self, .init(codingPath: [key], debugDescription: "\(T.self) is not a column type"))
            }
            let value = try SQLRowColumns(row: row).value(key)
            guard let decoded = convertible.init(sqlValue: value) as? T else {
                throw DecodingError.typeMismatch(T.self, .init(codingPath: [key],
                                                               debugDescription: "column \(key.stringValue) holds \(value.kind)"))
            }
            return decoded
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey> {
            throw DecodingError.typeMismatch(T.self, .init(codingPath: [key], debugDescription: "a record is a flat list of columns"))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: [key], debugDescription: "a record is a flat list of columns"))
        }
        func superDecoder() throws -> any Decoder { SQLRecordDecoder(row: row) }
        func superDecoder(forKey key: Key) throws -> any Decoder { SQLRecordDecoder(row: row) }

        private typealias T = Any
    }
}

extension SQLValue {
    /// What kind of value this is, for error messages.
    var kind: String {
        switch self {
        case .null: "NULL"
        case .integer: "an integer"
        case .real: "a real number"
        case .text: "text"
        case .blob: "a blob"
        }
    }
}
