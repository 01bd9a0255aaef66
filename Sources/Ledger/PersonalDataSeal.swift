import ClearanceCore
import Crypto
import Foundation

/// Encrypts a person's personal data with their own AES-256-GCM key. The person id is bound as
/// associated data so ciphertext cannot be moved to another person.
struct PersonalDataSeal {
    let key: SymmetricKey
    let person: PersonID

    static func newKey() -> Data {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    }

    init(keyBytes: Data, person: PersonID) {
        key = SymmetricKey(data: keyBytes)
        self.person = person
    }

    func seal<Value: Encodable>(_ value: Value) throws -> Data {
        let plain = try JSONEncoder().encode(value)
        let box = try AES.GCM.seal(plain, using: key, authenticating: Data(person.description.utf8))
        guard let combined = box.combined else { throw LedgerError.io("AES-GCM gave no combined form") }
        return combined
    }

    /// Nil when the ciphertext does not open under this key or does not decode.
    func open<Value: Decodable>(_ type: Value.Type, from sealed: Data) -> Value? {
        openBytes(sealed).flatMap { try? JSONDecoder().decode(type, from: $0) }
    }

    /// The same for a person's data, which a check opens for everyone a name may mean: read by
    /// hand when it can be (`PersonalData.decode`).
    func open(_ type: PersonalData.Type, from sealed: Data) -> PersonalData? {
        openBytes(sealed).flatMap(PersonalData.decode)
    }

    private func openBytes(_ sealed: Data) -> Data? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed) else { return nil }
        return try? AES.GCM.open(box, using: key, authenticating: Data(person.description.utf8))
    }
}

/// Keyed digests of folded names: lookup by exact name without storing the name.
/// `@unchecked` only because swift-crypto's `SymmetricKey` is not marked Sendable; it is an
/// immutable value.
struct NameIndex: @unchecked Sendable {
    let key: SymmetricKey
    /// HMAC keyed once, copied for each name.
    private let keyed: HMAC<SHA256>

    init(keyBytes: Data) {
        key = SymmetricKey(data: keyBytes)
        keyed = HMAC(key: key)
    }

    func digest(_ name: NameKey) -> Data {
        var hmac = keyed
        hmac.update(data: Data(name.folded.utf8))
        return Data(hmac.finalize())
    }

    /// Distinct digests for a person's name and aliases.
    func digests(for data: PersonalData) -> Set<Data> {
        Set(data.allNames.compactMap(NameKey.init).map(digest))
    }
}
