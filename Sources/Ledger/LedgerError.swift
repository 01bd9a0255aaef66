import ClearanceCore

/// Why a ledger operation was refused. Everything except `io` and `corrupt` is the caller's
/// input (exit code 2 at the command line).
public enum LedgerError: Error, Equatable, Sendable, CustomStringConvertible {
    case alreadyExists(String)
    case missingDatabase(String)
    case missingKey(String)
    case badKey(String)
    case keyMismatch(String)
    case unknownPerson(String)
    case ambiguousPerson(String, [PersonID])
    case personErased(PersonID)
    case unknownConsent(String)
    case alreadyWithdrawn(ConsentReference)
    case notActive(ConsentReference, ConsentState)
    case wrongPerson(ConsentReference, PersonID)
    case invalid(String)
    case io(String)
    case corrupt(String)

    public var description: String {
        switch self {
        case .alreadyExists(let path): "\(path) already exists; refusing to overwrite it"
        case .missingDatabase(let path): "no ledger at \(path) (run `clearance init` first)"
        case .missingKey(let path): "cannot read the instance key \(path) (--key FILE or $CLEARANCE_KEY names where it is)"
        case .badKey(let path): "\(path) is not a Clearance instance key"
        case .keyMismatch(let path): "the key in \(path) does not belong to this ledger"
        case .unknownPerson(let text): "unknown person: \(text)"
        case .ambiguousPerson(let text, let ids):
            "\(text) matches \(ids.count) people (\(ids.map(\.description).joined(separator: ", "))); give an id"
        case .personErased(let id): "\(id) has been erased"
        case .unknownConsent(let text): "unknown consent reference: \(text)"
        case .alreadyWithdrawn(let reference): "\(reference) is already withdrawn"
        case .notActive(let reference, let state): "\(reference) is \(state.rawValue), not active"
        case .wrongPerson(let reference, let person): "\(reference) belongs to \(person), not this person"
        case .invalid(let reason): reason
        case .io(let reason): reason
        case .corrupt(let reason): "ledger is damaged: \(reason)"
        }
    }

    /// True when the caller gave bad input (as opposed to a damaged store or a failing disk).
    public var isInputError: Bool {
        switch self {
        case .io, .corrupt: false
        default: true
        }
    }
}
