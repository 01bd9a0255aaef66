import ClearanceCore
import Crypto
import Foundation

/// One row of `events` as stored.
struct StoredEvent: Equatable, Sendable {
    var seq: Int64
    var kind: String
    var personID: String?
    var consentReference: String?
    var asset: String?
    var createdAt: Int64
    var payload: Data
    var previousHash: Data
    var hash: Data
    var signature: Data
    var mac: Data?
}

/// How events are chained: each hash covers the previous hash and every stored column of the
/// event, so editing, removing, inserting or reordering any row breaks the chain from there on.
enum EventChain {
    /// The first event links to a value bound to the instance key, so a chain cannot be moved
    /// to another instance.
    static func genesisHash(publicKey: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: Data("clearance.genesis.v1".utf8))
        hasher.update(data: publicKey)
        return Data(hasher.finalize())
    }

    /// Version 1 (every event about a person, as written since the first version) when the
    /// event has a person and no asset; version 2, which also covers the asset column and
    /// whether each subject column is NULL, for every other event. Which one applies follows
    /// from the columns themselves, so hashes of existing events never change.
    static func hash(previousHash: Data, seq: Int64, kind: String, personID: String?,
                     consentReference: String?, asset: String?, createdAt: Int64, payload: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: previousHash)
        if let personID, asset == nil {
            hasher.update(data: Data("clearance.event.v1".utf8))
            hasher.update(data: bigEndian(seq))
            for field in [kind, personID, consentReference ?? ""] {
                hasher.update(data: bigEndian(Int64(field.utf8.count)))
                hasher.update(data: Data(field.utf8))
            }
            hasher.update(data: Data([consentReference == nil ? 0 : 1]))
        } else {
            hasher.update(data: Data("clearance.event.v2".utf8))
            hasher.update(data: bigEndian(seq))
            hasher.update(data: bigEndian(Int64(kind.utf8.count)))
            hasher.update(data: Data(kind.utf8))
            for field in [personID, consentReference, asset] {
                guard let field else {
                    hasher.update(data: Data([0]))
                    continue
                }
                hasher.update(data: Data([1]))
                hasher.update(data: bigEndian(Int64(field.utf8.count)))
                hasher.update(data: Data(field.utf8))
            }
        }
        hasher.update(data: bigEndian(createdAt))
        hasher.update(data: bigEndian(Int64(payload.count)))
        hasher.update(data: payload)
        return Data(hasher.finalize())
    }

    static func hash(of event: StoredEvent) -> Data {
        hash(previousHash: event.previousHash, seq: event.seq, kind: event.kind, personID: event.personID,
             consentReference: event.consentReference, asset: event.asset, createdAt: event.createdAt,
             payload: event.payload)
    }

    static func bigEndian(_ value: Int64) -> Data {
        withUnsafeBytes(of: value.bigEndian) { Data($0) }
    }
}

/// The key of the events' MACs: HMAC-SHA256 of each event's hash, a check the key holder makes
/// in a microsecond where the Ed25519 signature takes about 60. Someone who can edit the
/// database but not read the key file can forge neither. `@unchecked` only because
/// swift-crypto's `SymmetricKey` is not marked Sendable; it is an immutable value.
struct EventMACKey: @unchecked Sendable {
    let key: SymmetricKey
    /// HMAC keyed once: each MAC then copies it instead of hashing the key again.
    private let keyed: HMAC<SHA256>

    /// Derived from the instance's private key, so the key file holds one secret only.
    init(privateKey: Curve25519.Signing.PrivateKey) {
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: privateKey.rawRepresentation),
                                     info: Data("clearance.event-mac.v1".utf8), outputByteCount: 32)
        keyed = HMAC(key: key)
    }

    func mac(of hash: Data) -> Data {
        var hmac = keyed
        hmac.update(data: hash)
        return Data(hmac.finalize())
    }

    /// Whether `mac` is the MAC of `hash`, compared in constant time.
    func isValid(_ mac: Data, for hash: Data) -> Bool {
        var hmac = keyed
        hmac.update(data: hash)
        return hmac.finalize() == mac
    }
}
