import ClearanceCore
import Foundation
import Ledger
import Pictures

/// Small JPEGs of stored pictures for the web pages, made by the server and kept on disk.
///
/// A page never gets the original file: it carries GPS, serial numbers and names in its
/// metadata, and a 12-megapixel photo is far too big for a grid. A thumbnail is decoded at a
/// reduced JPEG scale and encoded afresh from pixels alone (`PictureDecoder.thumbnailJPEG`).
///
/// The cache is a folder of files named `<sha256>-<size>.jpg`. An asset is its bytes, so a
/// thumbnail never goes stale; the folder is kept under `capacityBytes` by removing the least
/// recently used files after each write. The original is hashed before it is decoded: a path
/// is only a hint, and a file changed since it was ingested must not be shown as the asset.
public struct Thumbnails: Sendable {
    /// The sizes pages ask for (longer side in pixels): the grid and the review page. A fixed
    /// set, so that a client cannot fill the cache with every size there is.
    public static let sizes = [320, 1024]

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownAsset
        case fileMissing
        case notAPicture(kind: String)
        case undecodable(String)

        public var description: String {
            switch self {
            case .unknownAsset: "unknown asset"
            case .fileMissing: "the file is no longer where it was ingested from"
            case .notAPicture(let kind): "no thumbnail for a \(kind): only pictures have one"
            case .undecodable(let reason): "cannot make a thumbnail: \(reason)"
            }
        }
    }

    public let directory: URL
    public let capacityBytes: Int
    let ledger: Ledger

    public init(_ operations: LedgerOperations, directory: URL, capacityBytes: Int = 256 << 20) throws {
        ledger = operations.ledger
        self.directory = directory
        self.capacityBytes = capacityBytes
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    /// The thumbnail of the stored asset `sha256` (lower-case hex) with longer side `size`
    /// (one of `sizes`), from the cache when it is there.
    public func jpeg(of sha256: String, size: Int) throws -> Data {
        precondition(Self.sizes.contains(size), "thumbnail size \(size) is not one of \(Self.sizes)")
        // The hash names a file in the cache folder: nothing but 64 hex digits may.
        guard sha256.count == 64, sha256.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw Failure.unknownAsset
        }
        let cached = directory.appendingPathComponent("\(sha256)-\(size).jpg")
        if let data = try? Data(contentsOf: cached) {
            // Used now: the last to be removed when the cache is full.
            try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: cached.path)
            return data
        }
        guard let asset = try ledger.asset(sha256) else { throw Failure.unknownAsset }
        guard asset.record.kind == "image" else { throw Failure.notAPicture(kind: asset.record.kind ?? "file of unknown kind") }
        let original = try Self.original(of: asset)
        let thumbnail: Data
        do {
            thumbnail = try PictureDecoder.thumbnailJPEG(original, orientation: asset.record.orientation, longSide: size)
        } catch let error as PictureError {
            throw Failure.undecodable(error.description)
        }
        // Written whole under a temporary name and renamed: a reader never sees half a file.
        try thumbnail.write(to: cached, options: .atomic)
        trim(keeping: cached)
        return thumbnail
    }

    /// The bytes of the asset from the first of its paths that still holds them.
    static func original(of asset: StoredAsset) throws -> Data {
        for path in asset.paths {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let size = (attributes[.size] as? NSNumber)?.intValue, size <= PictureLimits.standard.maximumBytes,
                  let data = FileManager.default.contents(atPath: path), SHA256Hex.of(data) == asset.record.sha256 else { continue }
            return data
        }
        throw Failure.fileMissing
    }

    /// Removes the least recently used thumbnails until the folder is under three quarters of
    /// its capacity, once it is over; never the one just written.
    func trim(keeping kept: URL) {
        let keys: [URLResourceKey] = [.fileSizeKey, .contentModificationDateKey]
        guard let files = try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: keys) else { return }
        var entries = files.compactMap { url -> (url: URL, size: Int, used: Date)? in
            guard url.pathExtension == "jpg", let values = try? url.resourceValues(forKeys: Set(keys)) else { return nil }
            return (url, values.fileSize ?? 0, values.contentModificationDate ?? .distantPast)
        }
        var total = entries.reduce(0) { $0 + $1.size }
        guard total > capacityBytes else { return }
        entries.sort { $0.used < $1.used }
        for entry in entries where total > capacityBytes / 4 * 3 && entry.url.lastPathComponent != kept.lastPathComponent {
            if (try? FileManager.default.removeItem(at: entry.url)) != nil { total -= entry.size }
        }
    }
}
