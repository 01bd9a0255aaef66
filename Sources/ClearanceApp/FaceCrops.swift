import Foundation
import Ledger
import Pictures

extension PeopleToFind {
    /// A small JPEG of one face on the list: the face with a margin round it, upright, made from
    /// pixels alone like a thumbnail (no metadata of the original). Only a face on the list has
    /// one: a crop is personal data, and those who look for people need no other face. The
    /// original is found where the asset was seen and hashed before it is decoded.
    public func crop(of entry: Entry) throws -> Data {
        guard entry.hasCrop else { throw Thumbnails.Failure.notAPicture(kind: entry.kind ?? "file of unknown kind") }
        guard let asset = try ledger.asset(entry.asset) else { throw Thumbnails.Failure.unknownAsset }
        let original = try Thumbnails.original(of: asset)
        do {
            return try PictureDecoder.faceCropJPEG(original, orientation: asset.record.orientation,
                                                   face: [entry.box.x, entry.box.y, entry.box.w, entry.box.h])
        } catch let error as PictureError {
            throw Thumbnails.Failure.undecodable(error.description)
        }
    }
}

extension Thumbnails {
    /// The crop of a face on the people-to-find list (`PeopleToFind.crop(of:)`), from the cache
    /// when it is there.
    public func faceJPEG(of entry: PeopleToFind.Entry, from list: PeopleToFind) throws -> Data {
        let box = [entry.box.x, entry.box.y, entry.box.w, entry.box.h]
        // Named by the asset and the box itself, so a newer detection's renumbering never shows
        // another face's crop; only hex and digits name a file in the cache folder.
        guard entry.asset.count == 64, entry.asset.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }),
              box.allSatisfy({ $0.isFinite && abs($0) <= 2 }) else { throw Failure.unknownAsset }
        let key = box.map { String(Int(($0 * 10_000).rounded())) }.joined(separator: "_")
        let cached = directory.appendingPathComponent("\(entry.asset)-face-\(key).jpg")
        if let data = try? Data(contentsOf: cached) {
            try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: cached.path)
            return data
        }
        let crop = try list.crop(of: entry)
        try crop.write(to: cached, options: .atomic)
        trim(keeping: cached)
        return crop
    }
}
