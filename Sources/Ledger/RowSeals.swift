import Crypto
import Foundation

/// The key of the MACs on rows that no event derives but that must not change unnoticed: the
/// name index, the document index and the paths assets were seen at. Derived from the instance's
/// private key like the events' MAC key, under its own label. `@unchecked` only because
/// swift-crypto's `SymmetricKey` is not marked Sendable; it is an immutable value.
struct RowMACKey: @unchecked Sendable {
    let key: SymmetricKey
    /// HMAC keyed once, copied for each row.
    private let keyed: HMAC<SHA256>

    init(privateKey: Curve25519.Signing.PrivateKey) {
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: privateKey.rawRepresentation),
                                     info: Data("clearance.row-mac.v1".utf8), outputByteCount: 32)
        keyed = HMAC(key: key)
    }

    func mac(_ row: RowSeal) -> Data {
        var hmac = keyed
        hmac.update(data: row.bytes)
        return Data(hmac.finalize())
    }

    /// Compared in constant time.
    func isValid(_ mac: Data, for row: RowSeal) -> Bool {
        var hmac = keyed
        hmac.update(data: row.bytes)
        return hmac.finalize() == mac
    }
}

/// What a row's MAC covers: the table and every other column, each with its length, so no two
/// rows (of the same or another table) give the same bytes.
struct RowSeal {
    let bytes: Data

    private init(table: String, fields: [Data]) {
        var bytes = Data("clearance.row.v1".utf8)
        for field in [Data(table.utf8)] + fields {
            bytes.append(EventChain.bigEndian(Int64(field.count)))
            bytes.append(field)
        }
        self.bytes = bytes
    }

    /// `name_index`: a folded name's digest and the JSON list of people with it, as stored.
    static func nameIndex(digest: Data, people: Data) -> RowSeal {
        RowSeal(table: "name_index", fields: [digest, people])
    }

    /// `document_index`: an xmpMM document id and the JSON list of assets having it.
    static func documentIndex(documentID: Data, assets: Data) -> RowSeal {
        RowSeal(table: "document_index", fields: [documentID, assets])
    }

    /// `asset_paths`: where an asset was first seen, and when.
    static func assetPath(sha256: Data, path: Data, seenAt: Int64) -> RowSeal {
        RowSeal(table: "asset_paths", fields: [sha256, path, EventChain.bigEndian(seenAt)])
    }

    /// An optional value as fields: a presence byte, then the value when there is one.
    private static func optional(_ value: Data?) -> [Data] {
        value.map { [Data([1]), $0] } ?? [Data([0])]
    }

    /// `outbox`: what a notice is, for whom, and its (sealed) message, as queued.
    static func notice(key: String, kind: String, person: String?, consent: String?, message: Data, queuedAt: Int64) -> RowSeal {
        RowSeal(table: "outbox", fields: [Data(key.utf8), Data(kind.utf8)] + optional(person.map { Data($0.utf8) })
                + optional(consent.map { Data($0.utf8) }) + [message, EventChain.bigEndian(queuedAt)])
    }

    /// `notice_links`: a link's secret hash, what it does, to which consent, and until when.
    static func noticeLink(secretSHA256: String, purpose: String, consent: String, createdAt: Int64, expiresAt: Int64?) -> RowSeal {
        RowSeal(table: "notice_links", fields: [Data(secretSHA256.utf8), Data(purpose.utf8), Data(consent.utf8),
                                                EventChain.bigEndian(createdAt)] + optional(expiresAt.map(EventChain.bigEndian)))
    }

    /// `verification_runs`: one run of `verify` by the notice pass.
    static func verificationRun(at: Int64, intact: Bool, events: Int64, problem: String?) -> RowSeal {
        RowSeal(table: "verification_runs", fields: [EventChain.bigEndian(at), Data([intact ? 1 : 0]), EventChain.bigEndian(events)]
                + optional(problem.map { Data($0.utf8) }))
    }

    /// `reserved_references`: a reference held by one officer's tablet, and for how long.
    static func reservedReference(_ reference: String, officer: String, device: String, reservedAt: Int64, expiresAt: Int64) -> RowSeal {
        RowSeal(table: "reserved_references", fields: [Data(reference.utf8), Data(officer.utf8), Data(device.utf8),
                                                        EventChain.bigEndian(reservedAt), EventChain.bigEndian(expiresAt)])
    }

    /// `offline_captures`: the id a tablet gave a capture and the consent it became.
    static func offlineCapture(_ captureID: String, reference: String, person: String, officer: String,
                               capturedAt: Int64, receivedAt: Int64) -> RowSeal {
        RowSeal(table: "offline_captures", fields: [Data(captureID.utf8), Data(reference.utf8), Data(person.utf8), Data(officer.utf8),
                                                     EventChain.bigEndian(capturedAt), EventChain.bigEndian(receivedAt)])
    }
}

/// A mention's name and identifiers, committed to in the `asset.ingested` event without being
/// stored there: SHA-256 over a random 16-byte salt (kept only in the `mentions` row), the asset,
/// the mention's position, the label and the identifiers as stored. The salt is destroyed when
/// the mention is forgotten on erasure, after which nobody can test a guessed name against the
/// commitment.
enum MentionCommitment {
    static func newSalt() -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static func make(sha256: String, ordinal: Int, salt: Data, label: Data?, identifiers: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: Data("clearance.mention.v1".utf8))
        hasher.update(data: salt)
        for field in [Data(sha256.utf8), EventChain.bigEndian(Int64(ordinal)), identifiers] {
            hasher.update(data: EventChain.bigEndian(Int64(field.count)))
            hasher.update(data: field)
        }
        if let label {
            hasher.update(data: Data([1]))
            hasher.update(data: EventChain.bigEndian(Int64(label.count)))
            hasher.update(data: label)
        } else {
            hasher.update(data: Data([0]))
        }
        return Data(hasher.finalize())
    }
}
