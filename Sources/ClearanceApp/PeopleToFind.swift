import ClearanceCore
import Foundation
import Ledger

/// The people to find: faces a reviewer decided are someone identifiable whom nobody has
/// registered yet (`tag --face N --not-registered`). Each keeps its picture blocked; officers
/// and the DPO work through the list to find the person, register them and take their consent,
/// after which an editor decides the face as that person and it leaves the list.
///
/// A face is on the list while the decision that holds for it (the latest, carried over to a
/// newer detection as `FaceReview` does) is `not-registered`. The list shows what finding them
/// needs and no more: a crop of the face (never the whole picture), the file's name, its folder
/// (usually the event), the capture date, who decided and when; never the server's paths or
/// anyone's name.
public struct PeopleToFind: Sendable {
    public struct Entry: Sendable, Equatable, Encodable {
        public var asset: String
        /// The face's number, as `clearance faces` numbers it.
        public var n: Int
        public var box: FaceBox
        /// Video: the time of the face's frame, in seconds.
        public var t: Double?
        /// The file's name where it was last seen; the folder it was in (the event, usually).
        public var file: String
        public var folder: String
        public var kind: String?
        public var capturedAt: String?
        public var decidedBy: String
        public var decidedAt: Timestamp
        /// Whether a crop of the face can be made (a picture; videos have none).
        public var hasCrop: Bool

        enum CodingKeys: String, CodingKey {
            case asset, n, box, t, file, folder, kind, capturedAt, decidedBy, decidedAt, hasCrop
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(asset, forKey: .asset)
            try c.encode(n, forKey: .n)
            try c.encode(box, forKey: .box)
            try c.encode(t, forKey: .t)
            try c.encode(file, forKey: .file)
            try c.encode(folder, forKey: .folder)
            try c.encode(kind, forKey: .kind)
            try c.encode(capturedAt, forKey: .capturedAt)
            try c.encode(decidedBy, forKey: .decidedBy)
            try c.encode(decidedAt.description, forKey: .decidedAt)
            try c.encode(hasCrop, forKey: .hasCrop)
        }
    }

    public struct Page: Sendable, Equatable, Encodable {
        public var page: Int
        public var pageCount: Int
        public var pageSize: Int
        /// Faces on the list, on every page.
        public var total: Int
        public var faces: [Entry]
    }

    let ledger: Ledger

    public init(_ operations: LedgerOperations) {
        ledger = operations.ledger
    }

    /// Every face on the list: newest capture day first (undated last), then by folder, file
    /// and face number. Each asset is read through the ledger's confirmed path: only decisions
    /// its signed events make are believed.
    public func all() throws -> [Entry] {
        var entries: [Entry] = []
        for sha256 in try ledger.assetsEverDecidedNotRegistered() {
            guard let stored = try ledger.asset(sha256) else { continue }
            entries += Self.entries(of: stored)
        }
        return entries.sorted { a, b in
            let (dayA, dayB) = (ReviewQueue.day(a.capturedAt) ?? "", ReviewQueue.day(b.capturedAt) ?? "")
            if dayA != dayB { return dayA > dayB }
            if a.folder != b.folder { return a.folder < b.folder }
            if a.file != b.file { return a.file < b.file }
            return (a.asset, a.n) < (b.asset, b.n)
        }
    }

    /// Page `number` (from 1; past the end, the last page), `size` faces a page.
    public func page(_ number: Int, size: Int = 24) throws -> Page {
        let entries = try all()
        let size = max(1, size)
        let pageCount = max(1, (entries.count + size - 1) / size)
        let index = min(max(1, number), pageCount) - 1
        return Page(page: index + 1, pageCount: pageCount, pageSize: size, total: entries.count,
                    faces: Array(entries.dropFirst(index * size).prefix(size)))
    }

    /// The face `n` of the asset, when it is on the list.
    public func entry(asset sha256: String, face n: Int) throws -> Entry? {
        guard let stored = try ledger.asset(sha256.lowercased()) else { return nil }
        return Self.entries(of: stored).first { $0.n == n }
    }

    /// The asset's faces whose holding decision is `not-registered`.
    static func entries(of stored: StoredAsset) -> [Entry] {
        guard case .found(let faces) = stored.faces else { return [] }
        let path = stored.paths.first ?? ""
        let file = path.isEmpty ? String(stored.record.sha256.prefix(12)) : (path as NSString).lastPathComponent
        let folder = ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent
        return faces.compactMap { face in
            guard let decision = face.decision, decision.decision == .notRegistered else { return nil }
            return Entry(asset: stored.record.sha256, n: face.number, box: face.box, t: face.t, file: file, folder: folder,
                         kind: stored.record.kind, capturedAt: stored.record.capturedAt, decidedBy: decision.by,
                         decidedAt: decision.at, hasCrop: stored.record.kind == "image")
        }
    }
}
