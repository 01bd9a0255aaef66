/// Why a message could not be composed or was not accepted by the mail server.
public enum MailError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A field that would end up in a header held a line break or another control character:
    /// refused rather than folded, so no caller can add a header or a recipient.
    case headerInjection(field: String)
    case badAddress(String)
    case badSettings(String)
    /// The server refused, or could not be reached; `transient` says whether trying later may help.
    case notAccepted(String, transient: Bool)
    /// The whole message was handed over and then the server did not answer (the connection
    /// dropped or timed out after the end of DATA): it may have been delivered.
    case noAnswer(String)

    public var description: String {
        switch self {
        case .headerInjection(let field): "\(field) contains a line break or control character"
        case .badAddress(let address): "not a mail address Clearance sends to: \(address)"
        case .badSettings(let reason): reason
        case .notAccepted(let reason, _): reason
        case .noAnswer(let reason): "no answer after the whole message was sent, so it may have been delivered: \(reason)"
        }
    }
}
