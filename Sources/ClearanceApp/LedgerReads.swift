import ClearanceCore
import Foundation
import Ledger

/// What the pages and the API read besides the operations: a person, their consents, an asset,
/// a page of the asset list. The web tier asks these, never the store.
extension LedgerOperations {
    /// The person with this id as the ledger knows them now; nil when there is none.
    public func person(_ id: PersonID) throws -> PersonEntry? {
        try ledger.person(id)
    }

    /// Every version of a person's consents, private details included: who may see them is the
    /// caller's rule.
    public func consents(of person: PersonID) throws -> [ConsentRecord] {
        try ledger.consents(of: person)
    }

    /// The consent with this reference; nil when there is none.
    public func consent(_ reference: ConsentReference) throws -> ConsentRecord? {
        try ledger.consent(reference)
    }

    /// Withdrawn consents, the latest withdrawal first, without private details.
    public func withdrawals() throws -> [ConsentRecord] {
        let epoch = Timestamp(millisecondsSinceEpoch: 0)
        return try ledger.allConsents(includingPrivateDetails: false).filter { $0.withdrawal != nil }
            .sorted { ($0.withdrawal?.at ?? epoch) > ($1.withdrawal?.at ?? epoch) }
    }

    /// The events consents were recorded at, each once, in order: what the capture forms offer.
    public func consentEvents() throws -> [String] {
        Set(try ledger.allConsents(includingPrivateDetails: false).compactMap(\.terms.event)).sorted()
    }

    /// An asset by its SHA-256 (lower-case hex); nil when it was never ingested.
    public func asset(_ sha256: String) throws -> StoredAsset? {
        try ledger.asset(sha256)
    }

    /// Every asset, in the order they were ingested.
    public func allAssets() throws -> [StoredAsset] {
        try ledger.allAssetHashes().compactMap { try ledger.asset($0) }
    }

    /// One page of assets whose file name or hash contains `text` (all when nil), each with the
    /// path it was last seen at, and how many match in all.
    public func assetListing(matching text: String?, limit: Int, offset: Int = 0) throws
        -> (assets: [(sha256: String, path: String?)], total: Int) {
        try ledger.assetListing(matching: text, limit: limit, offset: offset)
    }
}
