/// Why a message could not be composed or was not accepted by the mail server.
public enum MailError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A field that would end up in a header held a line break or another control character:
    /// refused rather than folded, so no caller can add a header or a recipient.
    case headerInjection(field: String)
    case badAddress(String)
    case badSettings(String)
    /// The server refused, or could not be reached; `transient` says whether trying later may help.
    case notAccepted(String, transient: Bool)

    public var description: String {
        switch self {
        case .headerInjection(let field): "\(field) contains a line break or control character"
        case .badAddress(let address): "not a mail address Clearance sends to: \(address)"
        case .badSettings(let reason): reason
        case .notAccepted(let reason, _): reason
        }
    }
}
