/// A mailbox: an address (`local@domain`) and an optional display name.
///
/// Only plain ASCII addresses are accepted (no quoted local parts, comments, IP literals or
/// SMTPUTF8): what a person types on a consent form, and nothing a header could be built from.
/// Display names may hold any text; they are encoded (RFC 2047) when written.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    public let address: String
    public let displayName: String?

    static let maximumLength = 254
    private static let localSpecials = Set("!#$%&'*+-/=?^_`{|}~.".unicodeScalars)

    public init(_ address: String, displayName: String? = nil) throws(MailError) {
        let trimmed = address.trimmingCharacters(in: .whitespaces)
        guard Self.isValid(trimmed) else { throw MailError.badAddress(Self.printable(address)) }
        if let displayName {
            guard !displayName.unicodeScalars.contains(where: HeaderText.isControl) else {
                throw MailError.headerInjection(field: "display name")
            }
        }
        self.address = trimmed
        self.displayName = displayName.flatMap { $0.isEmpty ? nil : $0 }
    }

    public var description: String { address }

    public static func isValid(_ text: String) -> Bool {
        guard text.utf8.count <= maximumLength, text.unicodeScalars.allSatisfy(\.isASCII) else { return false }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last,
              (1...64).contains(local.utf8.count), !domain.isEmpty else { return false }
        let atom: (Unicode.Scalar) -> Bool = { $0.properties.isAlphabetic || ("0"..."9").contains($0) || localSpecials.contains($0) }
        guard local.unicodeScalars.allSatisfy(atom), !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else {
            return false
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            (1...63).contains(label.utf8.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" }
        }
    }

    /// The address as it may appear in an error message: control characters shown as `?`.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(300).map { HeaderText.isControl($0) ? "?" : $0 }))
    }

    /// `Name <address>` for a header, the name encoded when it is not plain ASCII words.
    var headerValue: String {
        guard let displayName else { return address }
        return HeaderText.phrase(displayName) + " <" + address + ">"
    }
}
