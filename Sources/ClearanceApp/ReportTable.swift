import ClearanceCore
import Foundation

/// A report as rows of named columns, printable as a terminal table, JSON or CSV.
public struct ReportTable: Sendable {
    public enum Cell: Sendable, Equatable {
        case text(String?)
        case number(Int)
        case list([String])

        var plain: String {
            switch self {
            case .text(let value): value ?? ""
            case .number(let value): String(value)
            case .list(let values): values.joined(separator: "; ")
            }
        }

        var json: Any {
            switch self {
            case .text(let value): value.map { $0 as Any } ?? NSNull()
            case .number(let value): value
            case .list(let values): values
            }
        }
    }

    public struct Column: Sendable {
        /// The JSON key and CSV header.
        public var key: String
        /// The terminal heading.
        public var title: String
    }

    public var name: String
    /// The day the report is as of.
    public var at: CalendarDate
    /// What the report is about, one line for the terminal.
    public var caption: String
    public var columns: [Column]
    public var rows: [[Cell]]
    /// Counts printed under the table (e.g. per reason code), also in JSON.
    public var counts: [(key: String, count: Int)] = []

    /// Columns padded to their widest cell, a header and a rule.
    public func text() -> String {
        var lines = [caption]
        if rows.isEmpty {
            lines.append("(none)")
        } else {
            let cells = [columns.map(\.title)] + rows.map { $0.map(\.plain) }
            let widths = columns.indices.map { i in cells.map { $0[i].count }.max() ?? 0 }
            func line(_ row: [String]) -> String {
                row.enumerated().map { i, cell in
                    i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                }.joined(separator: "  ")
            }
            lines.append(line(cells[0]))
            lines.append(line(widths.map { String(repeating: "-", count: $0) }))
            lines += cells.dropFirst().map(line)
        }
        if !counts.isEmpty {
            lines.append("")
            let width = counts.map(\.key.count).max() ?? 0
            lines += counts.map { "\($0.key.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.count)" }
        }
        return lines.joined(separator: "\n")
    }

    /// `{"report", "at", "rows": [{column: value}], "counts": {key: n}}`.
    public func json() throws -> String {
        var object: [String: Any] = [
            "report": name, "at": at.description,
            "rows": rows.map { row in
                Dictionary(uniqueKeysWithValues: zip(columns.map(\.key), row.map(\.json)))
            },
        ]
        if !counts.isEmpty { object["counts"] = Dictionary(uniqueKeysWithValues: counts.map { ($0.key, $0.count) }) }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// RFC 4180: a header of column keys, then one line per row; lists joined with "; ".
    /// A cell starting with = + - @ is prefixed with ' so spreadsheets do not run it as a formula.
    public func csv() -> String {
        func field(_ text: String) -> String {
            var value = text
            if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
            guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        let lines = [columns.map { field($0.key) }.joined(separator: ",")]
            + rows.map { $0.map { field($0.plain) }.joined(separator: ",") }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
