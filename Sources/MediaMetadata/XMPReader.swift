import Foundation

/// Reads who is shown in a picture, and the other facts Clearance wants, from XMP through
/// Exempi: the packets embedded in the file plus a sidecar `.xmp` beside it.
public enum XMPReader {
    /// Parses every packet (main and ExtendedXMP as separate packets) and the sidecar, and
    /// unions what they say. The sidecar is read first, so where a single value differs
    /// (a document ID, a release status) the sidecar's wins: that is the file tools like
    /// Lightroom and digiKam keep current.
    ///
    /// A packet that is not valid XMP is skipped, and said so in `skipped`: a broken packet in an
    /// otherwise good file must not hide the rest, and the missing facts show up as absent
    /// (never as consent).
    /// Throws `MediaReadError.malformed` only when a sidecar was given, could not be used,
    /// and no embedded packet could be used either.
    public static func read(packets: [[UInt8]], sidecarPath: String?, image: ImageGeometry) throws -> XMPFacts {
        guard let ns = XMPNamespaces.shared else {
            throw MediaReadError.malformed("the XMP library (Exempi) could not be initialised")
        }
        var readings: [XMPPacketReading] = []
        var sidecarFailure: String?
        if let sidecarPath {
            switch loadSidecar(sidecarPath) {
            case .success(let bytes):
                if let doc = XMPDocument(packet: bytes) {
                    readings.append(XMPPacketReading(doc, ns, image: image))
                } else {
                    sidecarFailure = "sidecar \(sidecarPath) is not valid XMP"
                }
            case .failure(let error):
                sidecarFailure = error.description
            }
        }
        var embeddedUsable = false
        var skipped: [String] = []
        for (index, packet) in packets.enumerated() {
            guard let doc = XMPDocument(packet: packet) else {
                let which = packets.count == 1 ? "the embedded XMP packet" : "embedded XMP packet \(index + 1) of \(packets.count)"
                skipped.append("\(which) \(unusable(packet)) and was skipped")
                continue
            }
            embeddedUsable = true
            readings.append(XMPPacketReading(doc, ns, image: image))
        }
        if let sidecarFailure {
            guard embeddedUsable else { throw MediaReadError.malformed(sidecarFailure) }
            skipped.insert("\(sidecarFailure); the embedded XMP was used", at: 0)
        }
        var facts = XMPPacketReading.merge(readings)
        facts.skipped = skipped
        return facts
    }

    /// Why `XMPDocument` refused a packet, in the words of a warning.
    static func unusable(_ packet: [UInt8]) -> String {
        if packet.isEmpty { return "is empty" }
        if packet.count > XMPDocument.maxPacketBytes { return "is larger than \(XMPDocument.maxPacketBytes >> 20) MiB" }
        return "is not valid XMP"
    }

    /// The sidecar beside `mediaPath` as digiKam (`photo.jpg.xmp`) or Lightroom and darktable
    /// variants (`photo.xmp`) name it, upper-case extensions too; the first that exists.
    public static func sidecarPath(for mediaPath: String) -> String? {
        let url = URL(fileURLWithPath: mediaPath)
        let ext = url.pathExtension
        if ext.lowercased() == "xmp" { return nil }
        var candidates = [mediaPath + ".xmp", mediaPath + ".XMP"]
        if !ext.isEmpty {
            let base = url.deletingPathExtension().path
            candidates += [base + ".xmp", base + ".XMP"]
        }
        let fm = FileManager.default
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
        }
        return nil
    }

    /// The media file a sidecar belongs to: `photo.jpg` for `photo.jpg.xmp`, or the file beside
    /// `photo.xmp` whose sidecar it is (`photo.JPG`, `photo.cr2`…); nil when there is none.
    public static func mediaPath(forSidecar sidecar: String) -> String? {
        let url = URL(fileURLWithPath: sidecar)
        guard url.pathExtension.lowercased() == "xmp" else { return nil }
        let stem = url.deletingPathExtension()
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if !stem.pathExtension.isEmpty, fm.fileExists(atPath: stem.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            return stem.path
        }
        let folder = url.deletingLastPathComponent().path
        let siblings = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        for name in siblings where !name.lowercased().hasSuffix(".xmp") {
            let candidate = URL(fileURLWithPath: folder).appendingPathComponent(name)
            guard candidate.deletingPathExtension().lastPathComponent == stem.lastPathComponent else { continue }
            if sidecarPath(for: candidate.path) == url.path { return candidate.path }
        }
        return nil
    }

    private static func loadSidecar(_ path: String) -> Result<[UInt8], MediaReadError> {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .failure(.cannotOpen(path)) }
        defer { try? handle.close() }
        do {
            // One byte past the cap tells an oversized file from one exactly at the limit.
            let data = try handle.read(upToCount: XMPDocument.maxPacketBytes + 1) ?? Data()
            if data.count > XMPDocument.maxPacketBytes {
                return .failure(.malformed("sidecar \(path) is larger than \(XMPDocument.maxPacketBytes >> 20) MiB"))
            }
            if data.isEmpty { return .failure(.malformed("sidecar \(path) is empty")) }
            return .success([UInt8](data))
        } catch {
            return .failure(.cannotOpen(path))
        }
    }
}

/// Facts from one packet, kept with its region marks until all packets are merged.
struct XMPPacketReading {
    var facts = XMPFacts()
    var regions: [XMPRegionMark] = []

    init(_ doc: XMPDocument, _ ns: XMPNamespaces.Table, image: ImageGeometry) {
        for part in [
            XMPPeopleMWG.read(doc, ns, image: image),
            XMPPeopleMicrosoft.read(doc, ns, image: image),
            XMPPeopleIPTC.read(doc, ns, image: image),
        ] {
            facts.people += part.people
            regions += part.regions
        }
        XMPDescriptive.read(doc, ns, into: &facts)
    }

    /// Unions packets. Within one packet every entry stands (two unnamed faces may look
    /// alike); an entry of a later packet equal to one of an earlier packet is the same
    /// person or region written twice (file and sidecar) and is dropped.
    static func merge(_ readings: [XMPPacketReading]) -> XMPFacts {
        var result = XMPFacts()
        var regions: [XMPRegionMark] = []
        for reading in readings {
            result.people = union(result.people, reading.facts.people)
            regions = union(regions, reading.regions)
            let f = reading.facts
            for keyword in f.keywords where !result.keywords.contains(keyword) { result.keywords.append(keyword) }
            if let release = f.modelRelease {
                var merged = result.modelRelease ?? ModelRelease()
                merged.status = merged.status ?? release.status
                merged.minorAgeDisclosure = merged.minorAgeDisclosure ?? release.minorAgeDisclosure
                for id in release.ids where !merged.ids.contains(id) { merged.ids.append(id) }
                result.modelRelease = merged
            }
            result.documentID = result.documentID ?? f.documentID
            result.originalDocumentID = result.originalDocumentID ?? f.originalDocumentID
            result.derivedFrom = result.derivedFrom ?? f.derivedFrom
            result.capturedAt = result.capturedAt ?? f.capturedAt
            result.gps = result.gps ?? f.gps
            result.make = result.make ?? f.make
            result.model = result.model ?? f.model
            result.serial = result.serial ?? f.serial
        }
        result.faceRegions = distinctFaces(regions)
        return result
    }

    /// Tools write one face in several schemas at once (digiKam: MWG and Microsoft; some
    /// also an IPTC region). Marks from different schemas with the same names and nearly
    /// the same rectangle are one face; marks of one schema always count separately.
    static func distinctFaces(_ marks: [XMPRegionMark]) -> Int {
        var faces: [(mark: XMPRegionMark, sources: Set<String>)] = []
        for mark in marks {
            if let i = faces.firstIndex(where: { !$0.sources.contains(mark.source.rawValue) && $0.mark.sameFace(as: mark) }) {
                faces[i].sources.insert(mark.source.rawValue)
            } else {
                faces.append((mark, [mark.source.rawValue]))
            }
        }
        return faces.count
    }

    /// `existing` plus the items of `added` not matched one-for-one by an item of `existing`.
    static func union<T: Equatable>(_ existing: [T], _ added: [T]) -> [T] {
        var unmatched = existing
        var result = existing
        for item in added {
            if let i = unmatched.firstIndex(of: item) {
                unmatched.remove(at: i)
            } else {
                result.append(item)
            }
        }
        return result
    }
}
