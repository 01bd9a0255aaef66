import ClearanceCore
import Foundation
import Ledger

/// What `erase` did.
public struct ErasureResult: Sendable {
    public let person: PersonID
    public let consents: [ConsentReference]
    public let at: Timestamp
    /// The assets that showed them (now blocked as an unknown person) and their publications.
    public let impact: ConsentEndImpact
}

extension LedgerOperations {
    /// `erase PERSON` (Art. 17): records the erasure, destroys the person's key and name-index
    /// entries in the same transaction, then folds the WAL into the file and truncates it so no
    /// old page image of the key survives.
    public func erase(_ text: String) throws -> ErasureResult {
        let person = try resolvePerson(text)
        guard !person.isErased else { throw InputError("\(person.id) has already been erased") }
        let at = Timestamp.now
        // Found before the names that link them are blanked; their publications become takedowns.
        let assets = AssetOperations(self)
        let showing = try assets.assetsShowing(person.id)
        let requests = try assets.takedownRequests(erasing: person.id, at: at, assets: showing)
        let references = try Self.translatingLedgerErrors {
            try ledger.write { tx in
                try tx.openTakedowns(requests, at: at)
                // Also blanks the names stored file metadata gave for them (signed, per asset).
                return try tx.erase(person.id, at: at)
            }
        }
        try ledger.checkpoint()
        return ErasureResult(person: person.id, consents: references, at: at,
                             impact: try assets.impact(of: person.id, assets: showing, requests: requests))
    }
}
