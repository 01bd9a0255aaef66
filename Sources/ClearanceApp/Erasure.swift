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
    /// What was done to Clearance's own copies in the upload store.
    public let uploads: [UploadErasure]
    /// Upload files that could not be dealt with, each with why (the erasure itself stands).
    public let uploadFailures: [String]
    /// Where the pictures showing them were ingested from, outside Clearance's store: the
    /// organisation must deal with these itself.
    public let outsideStore: [FileOutsideStore]
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
        // Also decided before the names are blanked: the redacted copies are made now and put
        // in place only once the erasure has committed.
        let plan = try assets.uploadErasurePlan(for: person.id, assets: showing, uploads: uploadDirectories)
        let references: [ConsentReference]
        do {
            references = try Self.translatingLedgerErrors {
                try ledger.write { tx in
                    try tx.openTakedowns(requests, at: at)
                    // Also blanks the names stored file metadata gave for them (signed, per asset).
                    return try tx.erase(person.id, at: at)
                }
            }
        } catch {
            plan.discard()
            throw error
        }
        let files = plan.carryOut()
        try ledger.checkpoint()
        return ErasureResult(person: person.id, consents: references, at: at,
                             impact: try assets.impact(of: person.id, assets: showing, requests: requests),
                             uploads: files.done, uploadFailures: files.failed, outsideStore: plan.outside)
    }
}

/// `erase` as terminal lines and JSON.
public enum ErasureOutput {
    public static func lines(_ result: ErasureResult, today: CalendarDate = Timestamp.now.utcDate) -> [String] {
        let consents = result.consents.isEmpty ? "no consents" : result.consents.map(\.description).joined(separator: ", ")
        var lines = ["erased \(result.person) at \(result.at) (\(consents) kept as erased)"]
        lines += TakedownOutput.lines(result.impact, today: today)
        if !result.uploads.isEmpty || !result.uploadFailures.isEmpty {
            lines.append("Clearance's uploaded copies:")
            for upload in result.uploads {
                switch upload.action {
                case .deleted: lines.append("  deleted \(upload.file): \(upload.reason)")
                case .replaced:
                    let count = upload.regionsBlackedOut == 1 ? "1 region" : "\(upload.regionsBlackedOut) regions"
                    lines.append("  replaced \(upload.file) by \(upload.replacement ?? "?"): \(count) blacked out, no metadata kept")
                }
            }
            for failure in result.uploadFailures { lines.append("  NOT DONE \(failure)") }
        }
        if !result.outsideStore.isEmpty {
            lines.append("\(result.outsideStore.count) file\(result.outsideStore.count == 1 ? "" : "s") outside Clearance's store showed them; Clearance does not touch these, deal with them yourself:")
            for file in result.outsideStore {
                lines.append("  \(file.path)  \(file.asset.prefix(12))  \(file.present ? "(a file is there now)" : "(no file there now)")")
            }
        }
        return lines
    }

    public static func json(_ result: ErasureResult, today: CalendarDate = Timestamp.now.utcDate) throws -> String {
        try LedgerJSON.encode(view(result, today: today))
    }

    struct UploadView: Encodable {
        var asset: String
        var file: String
        var action: String
        var replacement: String?
        var regionsBlackedOut: Int
        var reason: String
    }

    struct OutsideView: Encodable {
        var asset: String
        var path: String
        var present: Bool
    }

    struct View: Encodable {
        var person: String
        var erasedAt: String
        var consents: [String]
        var affects: TakedownOutput.ImpactView
        var uploads: [UploadView]
        var uploadFailures: [String]
        var outsideStore: [OutsideView]
    }

    static func view(_ result: ErasureResult, today: CalendarDate) -> View {
        View(person: result.person.description, erasedAt: result.at.description, consents: result.consents.map(\.description),
             affects: TakedownOutput.view(result.impact, today: today),
             uploads: result.uploads.map {
                 UploadView(asset: $0.asset, file: $0.file, action: $0.action.rawValue, replacement: $0.replacement,
                            regionsBlackedOut: $0.regionsBlackedOut, reason: $0.reason)
             },
             uploadFailures: result.uploadFailures,
             outsideStore: result.outsideStore.map { OutsideView(asset: $0.asset, path: $0.path, present: $0.present) })
    }
}
