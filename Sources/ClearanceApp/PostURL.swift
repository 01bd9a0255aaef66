import Foundation

/// Where an exported picture was posted (`export --post-url`): kept with the publication and
/// shown as a link on takedown lists and in subject access packs, so only a plain http(s)
/// address is accepted, and it is stored as Foundation writes it out again, never as sent.
public enum PostURL {
    public static let maximumLength = 2000

    /// The address as Clearance stores it.
    public static func normalised(_ text: String) throws(InputError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count <= maximumLength else {
            throw InputError("the post URL is longer than \(maximumLength) bytes")
        }
        guard let url = parsed(trimmed) else {
            throw InputError("the post URL must be an http:// or https:// address, such as https://www.facebook.com/…")
        }
        return url
    }

    /// A stored address that is still a plain http(s) URL, to show as a link; nil otherwise
    /// (publications recorded before addresses were checked may hold anything).
    public static func linkable(_ text: String?) -> String? {
        guard let text, text.utf8.count <= maximumLength, let url = parsed(text) else { return nil }
        return url
    }

    static func parsed(_ text: String) -> String? {
        // Anything a URL may not contain unencoded (spaces, quotes, angle brackets, controls,
        // non-ASCII) is refused rather than repaired: a repaired address is not what was posted.
        guard !text.isEmpty, text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && !"\"<>\\^`{|}".unicodeScalars.contains($0) }),
              var components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty,
              // `https://facebook.com@example.net/` shows one site and opens another.
              components.user == nil, components.password == nil
        else { return nil }
        components.scheme = scheme
        components.host = host.lowercased()
        guard let written = components.string, written.utf8.count <= maximumLength else { return nil }
        return written
    }
}
