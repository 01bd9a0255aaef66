import ClearanceCore
import Foundation
import Ledger

/// What `erase` did.
public struct ErasureResult: Sendable {
    public let person: PersonID
    public let consents: [ConsentReference]
    public let at: Timestamp
}

extension LedgerOperations {
    /// `erase PERSON` (Art. 17): records the erasure, destroys the person's key and name-index
    /// entries in the same transaction, then folds the WAL into the file and truncates it so no
    /// old page image of the key survives.
    public func erase(_ text: String) throws -> ErasureResult {
        let person = try resolvePerson(text)
        guard !person.isErased else { throw InputError("\(person.id) has already been erased") }
        let at = Timestamp.now
        let references = try Self.translatingLedgerErrors {
            try ledger.write { tx in
                // Names in stored file metadata go too, while the name index still finds them.
                try tx.forgetMentions(of: person.id)
                return try tx.erase(person.id, at: at)
            }
        }
        try ledger.checkpoint()
        return ErasureResult(person: person.id, consents: references, at: at)
    }
}
