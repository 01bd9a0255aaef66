import Foundation
import Synchronization

/// Signatures this process has already checked and found valid, so a server answering many
/// checks does not verify the same Ed25519 signature for every request (about 60 µs each).
///
/// Only successes are remembered, keyed by public key, hash and signature together: a row whose
/// content changed hashes differently, and a changed signature is a different key, so tampering
/// is never hidden by the cache. `clearance verify` does not use it; it always checks everything.
enum VerifiedSignatures {
    /// Bounded: when full it starts again, which costs time, never correctness.
    static let capacity = 200_000
    private static let remembered = Mutex<Set<Data>>([])

    static func isValid(signature: Data, hash: Data, publicKey: Data) -> Bool {
        let key = publicKey + hash + signature
        if remembered.withLock({ $0.contains(key) }) { return true }
        guard InstanceKey.isValid(signature: signature, hash: hash, publicKey: publicKey) else { return false }
        remembered.withLock { set in
            if set.count >= capacity { set.removeAll(keepingCapacity: true) }
            set.insert(key)
        }
        return true
    }
}
