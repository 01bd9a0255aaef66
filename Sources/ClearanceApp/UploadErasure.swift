import ClearanceCore
import Foundation
import Ledger
import Pictures

/// The files Clearance keeps itself: uploads to the web service, named `<sha256>.<format>`,
/// and the copies erasure leaves in their place, `<sha256>.redacted.jpg` (the hash is the
/// original's, so a later erasure still finds the copy through the asset it came from).
public enum UploadStore {
    /// `DB.uploads` beside a ledger file, as `clearance serve` uses unless told otherwise.
    public static func defaultDirectory(forDatabase path: String) -> String { path + ".uploads" }

    static let redactedSuffix = ".redacted.jpg"

    /// Where the folders servers were started with (`serve --uploads DIR`) are listed beside a
    /// ledger, one absolute path a line, so that `erase` reaches them without being told.
    public static func recordPath(forDatabase path: String) -> String { path + ".upload-folders" }

    /// The folders listed beside the ledger; none when nothing was recorded.
    public static func recordedDirectories(forDatabase path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: recordPath(forDatabase: path)) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).filter { $0.hasPrefix("/") }
    }

    /// Adds `directory` (made absolute) to the list unless it is the default or already there.
    /// One short line appended with O_APPEND: two servers starting at once cannot lose a line.
    public static func record(_ directory: String, forDatabase path: String) throws {
        let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
        let standard = { (text: String) in URL(fileURLWithPath: text).standardizedFileURL.path }
        guard absolute != standard(defaultDirectory(forDatabase: path)),
              !recordedDirectories(forDatabase: path).map(standard).contains(absolute) else { return }
        guard !absolute.contains("\n") else { throw InputError("the uploads folder's name contains a line break") }
        let file = recordPath(forDatabase: path)
        let descriptor = open(file, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard descriptor >= 0 else { throw InputError("cannot record the uploads folder in \(file): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let line = Array((absolute + "\n").utf8)
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count, fsync(descriptor) == 0 else {
            throw InputError("cannot record the uploads folder in \(file)")
        }
    }

    /// The files in `directory` that belong to `sha256`: paths the asset was seen at inside the
    /// directory, and any `<sha256>.*` file there (the upload and an earlier erasure's copy).
    static func files(of stored: StoredAsset, in directory: String) -> [String] {
        let root = URL(fileURLWithPath: directory).standardizedFileURL.path
        var found = stored.paths.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            .filter { isInside($0, root) && FileManager.default.fileExists(atPath: $0) }
        let prefix = stored.record.sha256 + "."
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] where name.hasPrefix(prefix) {
            let path = (root as NSString).appendingPathComponent(name)
            if !found.contains(path) { found.append(path) }
        }
        return found.sorted()
    }

    static func isInside(_ path: String, _ root: String) -> Bool {
        path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }
}

/// What erasure did to one file in Clearance's upload store.
public struct UploadErasure: Sendable, Hashable {
    public enum Action: String, Sendable {
        /// Overwritten with zeros, then removed.
        case deleted
        /// Replaced by a copy with the person's regions blacked out and no metadata.
        case replaced
    }

    public var asset: String
    public var file: String
    public var action: Action
    /// The copy now kept in its place (`replaced` only).
    public var replacement: String?
    public var regionsBlackedOut: Int
    /// Why it was deleted rather than replaced, or what the replacement is.
    public var reason: String
}

/// A file outside Clearance's store where an asset showing the person was seen: the
/// organisation's own folders, which Clearance never deletes from.
public struct FileOutsideStore: Sendable, Hashable {
    public var asset: String
    public var path: String
    /// A file exists at the path now (it may have changed since it was ingested).
    public var present: Bool
}

/// The plan for the upload store, decided before the erasure is written (the names that link
/// the person to their pictures are blanked by it) and carried out once it has committed.
struct UploadErasurePlan {
    struct Step {
        var outcome: UploadErasure
        /// The redacted copy, written and synced under a hidden name, renamed into place on commit.
        var staged: String?
    }

    var steps: [Step] = []
    var outside: [FileOutsideStore] = []

    /// Replacement copies are encoded like export's conversions: quality 92, up to 50 megapixels.
    static let quality = 92
    static let limits = PictureLimits(maximumBytes: 1 << 30, maximumDecodedPixels: 50_000_000)

    /// Removes staged copies: the erasure did not commit.
    func discard() {
        for step in steps { if let staged = step.staged { unlink(staged) } }
    }

    /// Puts the staged copies in place and destroys the files they replace. Returns what was
    /// done; a file that could not be dealt with is reported with why (the erasure itself has
    /// already committed and stands).
    func carryOut() -> (done: [UploadErasure], failed: [String]) {
        var done: [UploadErasure] = []
        var failed: [String] = []
        for step in steps {
            do {
                if let staged = step.staged, let replacement = step.outcome.replacement {
                    try FileDestruction.replace(replacement, with: staged)
                    if replacement != step.outcome.file { try FileDestruction.destroy(step.outcome.file) }
                } else {
                    try FileDestruction.destroy(step.outcome.file)
                }
                done.append(step.outcome)
            } catch {
                if let staged = step.staged { unlink(staged) }
                failed.append("\(step.outcome.file): \(error)")
            }
        }
        return (done, failed)
    }
}

extension AssetOperations {
    /// Decides, for every asset showing `person`, what happens to its files in `uploads`: a file
    /// that shows only them is deleted; one that shows others too gets their regions blacked out
    /// in a fresh JPEG without any metadata, or is deleted when that cannot be done safely (they
    /// have no marked position, it is a video, it cannot be decoded). Paths outside the store are
    /// listed for the organisation.
    func uploadErasurePlan(for person: PersonID, assets showing: [ShowingAsset], uploads: [String]) throws -> UploadErasurePlan {
        var plan = UploadErasurePlan()
        let roots = uploads.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        do {
            for asset in showing {
                let stored = asset.stored
                let sha = stored.record.sha256
                for path in Set(stored.paths) {
                    let standard = URL(fileURLWithPath: path).standardizedFileURL.path
                    guard !roots.contains(where: { UploadStore.isInside(standard, $0) }) else { continue }
                    plan.outside.append(FileOutsideStore(asset: sha, path: path, present: FileManager.default.fileExists(atPath: path)))
                }
                // Each file once, should one folder lie inside another.
                var planned = Set<String>()
                let filesByRoot = roots.map { root in
                    (root: root, files: UploadStore.files(of: stored, in: root).filter { planned.insert($0).inserted })
                }.filter { !$0.files.isEmpty }
                guard !filesByRoot.isEmpty else { continue }
                let placed = try regions(of: stored, for: person)
                let review = Self.review(from: stored.reviews)
                let othersShown = placed.mentionsOthers || asset.people.contains { $0 != person }
                    || review.showsServiceUsers || !review.people.subtracting([person]).isEmpty
                for (root, files) in filesByRoot {
                    for file in files {
                        plan.steps.append(try step(for: file, asset: stored, person: person, placed: placed,
                                                   othersShown: othersShown, root: root))
                    }
                }
            }
        } catch {
            plan.discard()
            throw error
        }
        plan.outside.sort { ($0.path, $0.asset) < ($1.path, $1.asset) }
        return plan
    }

    private func step(for file: String, asset stored: StoredAsset, person: PersonID, placed: PlacedPeople,
                      othersShown: Bool, root: String) throws -> UploadErasurePlan.Step {
        let sha = stored.record.sha256
        func delete(_ reason: String) -> UploadErasurePlan.Step {
            .init(outcome: UploadErasure(asset: sha, file: file, action: .deleted, replacement: nil, regionsBlackedOut: 0,
                                         reason: reason), staged: nil)
        }
        guard othersShown else { return delete("it showed only \(person)") }
        let isEarlierCopy = file.hasSuffix(UploadStore.redactedSuffix)
        guard isEarlierCopy || stored.record.kind == "image" else {
            return delete("it shows others too, but a \(stored.record.format ?? "video") cannot be blacked out")
        }
        guard placed.ownCount > 0 else {
            return delete("it shows others too, but \(person) has no marked region in it to black out")
        }
        let redacted: Data
        do {
            // An earlier erasure's copy is already upright and carries no orientation.
            var picture = try PictureDecoder.decode(contentsOf: URL(fileURLWithPath: file),
                                                    orientation: isEarlierCopy ? nil : stored.record.orientation,
                                                    limits: UploadErasurePlan.limits)
            picture.blackOut(placed.ownBoxes, margin: JPEGRedaction.margin)
            redacted = try picture.jpegData(quality: UploadErasurePlan.quality)
        } catch {
            return delete("it shows others too, but it could not be decoded to black \(person) out (\(error))")
        }
        let staged = (root as NSString).appendingPathComponent(".erasure-\(UUID().uuidString).jpg")
        try FileDestruction.writeSynced(redacted, to: staged)
        let replacement = (root as NSString).appendingPathComponent(sha + UploadStore.redactedSuffix)
        return .init(outcome: UploadErasure(asset: sha, file: file, action: .replaced, replacement: replacement,
                                            regionsBlackedOut: placed.ownCount,
                                            reason: "it shows others too: \(person) blacked out, no metadata kept"),
                     staged: staged)
    }
}

/// Removing a file's contents, not just its name: overwritten with zeros and synced before it is
/// unlinked, so the pixels do not linger in the freed blocks of an ordinary file system. (A
/// copy-on-write or snapshotting file system, or a backup, may still hold older blocks.)
enum FileDestruction {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func destroy(_ path: String) throws {
        let fd = open(path, O_WRONLY | O_NOFOLLOW)
        guard fd >= 0 else {
            if errno == ENOENT { return }
            throw Failure(description: "cannot open it to overwrite: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        try overwrite(fd)
        guard unlink(path) == 0 else { throw Failure(description: "cannot remove it: \(String(cString: strerror(errno)))") }
    }

    /// Renames `staged` over `path` (atomically), then overwrites what `path` held before.
    static func replace(_ path: String, with staged: String) throws {
        let old = open(path, O_WRONLY | O_NOFOLLOW)
        defer { if old >= 0 { close(old) } }
        guard rename(staged, path) == 0 else {
            throw Failure(description: "cannot put the redacted copy in place: \(String(cString: strerror(errno)))")
        }
        if old >= 0 { try overwrite(old) }
    }

    static func overwrite(_ fd: Int32) throws {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(description: "cannot read its size") }
        let zeros = [UInt8](repeating: 0, count: 1 << 16)
        var remaining = Int(info.st_size)
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw Failure(description: "cannot overwrite it") }
        while remaining > 0 {
            let written = zeros.withUnsafeBytes { write(fd, $0.baseAddress, min(remaining, zeros.count)) }
            guard written > 0 else { throw Failure(description: "cannot overwrite it: \(String(cString: strerror(errno)))") }
            remaining -= written
        }
        guard fsync(fd) == 0 else { throw Failure(description: "cannot sync it: \(String(cString: strerror(errno)))") }
    }

    /// A new private file (0600) with `data`, synced to disk.
    static func writeSynced(_ data: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var offset = 0
        try data.withUnsafeBytes { raw in
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                guard written > 0 else {
                    unlink(path)
                    throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
        guard fsync(fd) == 0 else {
            unlink(path)
            throw Failure(description: "cannot sync \(path): \(String(cString: strerror(errno)))")
        }
    }
}
