import ClearanceCore
import Foundation

/// Where a ledger keeps each person's data key. Erasure destroys the key, so it must sit where
/// deleting it leaves no copy behind. A SQLite ledger runs with `secure_delete`, so its
/// `person_keys` table will do. PostgreSQL keeps deleted rows in its WAL, in old pages until
/// VACUUM, and in every `pg_dump`, so a PostgreSQL ledger's keys never enter the database: they
/// are files in a folder beside the instance key.
enum PersonKeys: Sendable {
    case table
    case folder(PersonKeyFolder)

    /// The person's key, or nil when there is none (erased, or never made).
    func key(of person: String, db: any SQLSession) throws -> Data? {
        switch self {
        case .table:
            return try db.fetchValue(Data.self, "SELECT key FROM person_keys WHERE person_id = ?", [person])
        case .folder(let folder):
            return try PersonID(parsing: person).flatMap(folder.key)
        }
    }

    /// Every key there is, by person id.
    func all(db: any SQLSession) throws -> [String: Data] {
        switch self {
        case .table:
            var keys: [String: Data] = [:]
            try db.forEachRow("SELECT person_id, key FROM person_keys", []) { row in
                if let id = row["person_id"] as String?, let key = row["key"] as Data? { keys[id] = key }
            }
            return keys
        case .folder(let folder):
            return try folder.keys()
        }
    }

    /// Keeps a new person's key. A folder's file is written at once, before the transaction
    /// commits: a transaction that then fails leaves a key that opens nothing.
    func add(_ key: Data, for person: PersonID, db: any SQLSession) throws {
        switch self {
        case .table:
            try db.execute("INSERT INTO person_keys (person_id, key) VALUES (?, ?)", [person.description, key])
        case .folder(let folder):
            try folder.write(key, for: person)
        }
    }

    /// Erasure inside the transaction: the table's row goes with it. A folder's file is destroyed
    /// by `destroyAfterCommit`, once the erasure is committed, so a transaction that fails
    /// leaves the person's data readable.
    func remove(_ person: PersonID, db: any SQLSession) throws {
        if case .table = self {
            try db.execute("DELETE FROM person_keys WHERE person_id = ?", [person.description])
        }
    }

    func destroyAfterCommit(_ people: [PersonID]) throws {
        guard case .folder(let folder) = self else { return }
        for person in people { try folder.destroy(person) }
    }
}

/// A PostgreSQL ledger's person keys: one file of 32 bytes per person, named by their id, in a
/// folder beside the instance key (`KEY.person-keys`). Every server of the ledger must see the
/// same folder, as it sees the same uploads folder. Erasure overwrites the file, then removes it.
struct PersonKeyFolder: Sendable {
    let path: String

    /// `KEY.person-keys`, beside the instance key file.
    static func beside(keyPath: String) -> PersonKeyFolder {
        PersonKeyFolder(path: keyPath + ".person-keys")
    }

    /// A new, empty folder only its owner may read; refuses one that exists.
    func create() throws {
        guard !FileManager.default.fileExists(atPath: path) else { throw LedgerError.alreadyExists(path) }
        guard mkdir(path, 0o700) == 0 else {
            throw LedgerError.invalid("cannot make the person keys folder \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Removes a folder `create` made for a ledger that was then not made.
    func removeNew() {
        try? FileManager.default.removeItem(atPath: path)
    }

    func checkExists() throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw LedgerError.invalid("the person keys folder \(path) is missing: a PostgreSQL ledger keeps each person's key there, beside the instance key, on storage every server shares")
        }
    }

    func file(of person: PersonID) -> String { path + "/" + person.description }

    /// Changes whenever a key file is added, removed or renamed into place (the folder's inode,
    /// modification and change times); nil when the folder cannot be read.
    func stamp() -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return "\(info.st_ino):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
    }

    func key(of person: PersonID) throws -> Data? {
        let file = file(of: person)
        let descriptor = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw LedgerError.invalid("cannot read the person key \(file): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 33)
        let count = read(descriptor, &bytes, bytes.count)
        guard count >= 0 else {
            throw LedgerError.invalid("cannot read the person key \(file): \(String(cString: strerror(errno)))")
        }
        // Any other length is an edited file: `verify` names it; reading it as a key opens nothing.
        return Data(bytes.prefix(count))
    }

    /// Every file named as a person, with its bytes. Other names (a copy's leftover, say) are
    /// not keys and are skipped.
    func keys() throws -> [String: Data] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw LedgerError.invalid("cannot list the person keys folder \(path): \(error.localizedDescription)")
        }
        var keys: [String: Data] = [:]
        for name in names {
            guard let person = PersonID(parsing: name), person.description == name, let key = try key(of: person) else { continue }
            keys[name] = key
        }
        return keys
    }

    /// Writes a new key and makes it durable (the file, then the folder's entry) before the
    /// transaction that uses it commits. Refuses to replace a key.
    func write(_ key: Data, for person: PersonID) throws {
        let file = file(of: person)
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw LedgerError.invalid("cannot write the person key \(file): \(String(cString: strerror(errno)))")
        }
        let written = key.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) } == key.count
            && fsync(descriptor) == 0
        let failure = String(cString: strerror(errno))
        close(descriptor)
        guard written else {
            unlink(file)
            throw LedgerError.invalid("cannot write the person key \(file): \(failure)")
        }
        try syncFolder()
    }

    /// Overwrites the key's bytes on disk, then removes the file. A key already gone is fine:
    /// erasure that is run again finishes the job.
    func destroy(_ person: PersonID) throws {
        let file = file(of: person)
        let descriptor = open(file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            if errno == ENOENT { return }
            throw LedgerError.invalid("cannot destroy the person key \(file): \(String(cString: strerror(errno))); remove it by hand")
        }
        var size = stat()
        let zeros = [UInt8](repeating: 0, count: fstat(descriptor, &size) == 0 ? max(Int(size.st_size), 32) : 32)
        let overwritten = pwrite(descriptor, zeros, zeros.count, 0) == zeros.count && fsync(descriptor) == 0
        var failure = String(cString: strerror(errno))
        close(descriptor)
        let removed = overwritten && (unlink(file) == 0 || errno == ENOENT)
        if overwritten && !removed { failure = String(cString: strerror(errno)) }
        guard removed else {
            throw LedgerError.invalid("cannot destroy the person key \(file): \(failure); remove it by hand")
        }
        try syncFolder()
    }

    private func syncFolder() throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw LedgerError.invalid("cannot open the person keys folder \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw LedgerError.invalid("cannot sync the person keys folder \(path): \(String(cString: strerror(errno)))")
        }
    }
}
