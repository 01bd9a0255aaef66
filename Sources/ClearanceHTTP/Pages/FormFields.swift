import Foundation
import Hummingbird

/// The fields of an `application/x-www-form-urlencoded` body; a name may repeat (tick boxes).
struct FormFields: Sendable {
    private(set) var pairs: [(String, String)] = []
    /// At most this many fields are read; a form of ours has far fewer.
    static let maximumFields = 500

    /// Refuses other content types (415) and bodies over `limit` bytes (413).
    static func read(_ request: Request, limit: Int) async throws -> FormFields {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw APIError(.unsupportedMediaType, "send the form as application/x-www-form-urlencoded")
        }
        let buffer = try await request.body.collect(upTo: limit)
        return FormFields(String(buffer: buffer))
    }

    init(_ text: String) {
        for part in text.split(separator: "&", omittingEmptySubsequences: true).prefix(Self.maximumFields) {
            let halves = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(halves[0])
            let value = halves.count > 1 ? Self.decode(halves[1]) : ""
            pairs.append((name, value))
        }
    }

    static func decode(_ text: Substring) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }

    /// The first value, trimmed; nil when missing or blank.
    subscript(name: String) -> String? {
        guard let value = pairs.first(where: { $0.0 == name })?.1.trimmingCharacters(in: .whitespacesAndNewlines),
              !value.isEmpty else { return nil }
        return value
    }

    /// The form with `name` set to `value` alone (e.g. the event an event link stands for).
    func setting(_ name: String, to value: String) -> FormFields {
        var copy = self
        copy.pairs = pairs.filter { $0.0 != name } + [(name, value)]
        return copy
    }

    /// The fields named, encoded again as a form body (what a held self-service form keeps).
    func encoded(keeping names: Set<String>) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.filter { names.contains($0.0) }.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
    }

    func all(_ name: String) -> [String] {
        pairs.filter { $0.0 == name }.map(\.1)
    }
}
