import Foundation

/// Reads everything Clearance needs from one file. Never throws: a file that cannot be read
/// comes back with `error` set, so one bad file never hides the others in a batch.
public struct MediaInspector: Sendable {
    public init() {}

    public func inspect(path: String) -> MediaFacts {
        var facts = MediaFacts(path: path)
        do {
            facts.sha256 = try ContentHash.sha256(ofFileAt: path)
            let header = try Self.readHeader(path)
            if header.isEmpty { throw MediaReadError.empty }
            guard let format = FormatSniffer.detect(header) else {
                throw MediaReadError.unsupportedFormat(Self.describeExtension(path))
            }
            facts.format = format
            facts.kind = format.kind
        } catch let error as MediaReadError {
            facts.error = error.description
        } catch {
            facts.error = "\(error)"
        }
        return facts
    }

    static func readHeader(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw MediaReadError.cannotOpen(path) }
        defer { try? handle.close() }
        return [UInt8](try handle.read(upToCount: FormatSniffer.headerLength) ?? Data())
    }

    static func describeExtension(_ path: String) -> String {
        let ext = (path as NSString).pathExtension
        return ext.isEmpty ? "not a JPEG, TIFF, PNG, HEIC, MP4, MOV or M4V file" : "\(ext.lowercased()) is not a JPEG, TIFF, PNG, HEIC, MP4, MOV or M4V file"
    }
}
