/// The metadata an exported copy carries, built from scratch rather than edited out of the
/// original, so nothing the original held can slip through.
enum ScrubXMP {
    static let plusVocabulary = "http://ns.useplus.org/ldf/vocab/"
    /// A JPEG segment holds at most 65533 payload bytes.
    static let maxSegmentPayload = 65533

    /// An XMP packet holding only plus:ModelReleaseStatus and plus:ModelReleaseID.
    /// The status is stored as the PLUS vocabulary URI (as the standard and ExifTool write it;
    /// ExifTool reads it back as the bare code).
    static func packet(_ release: ReleaseStamp) -> [UInt8] {
        var fields = ""
        let status = release.status.trimmingWhitespace
        if !status.isEmpty {
            let uri = status.hasPrefix("http://") || status.hasPrefix("https://") ? status : plusVocabulary + status
            fields += "   <plus:ModelReleaseStatus>\(escaped(uri))</plus:ModelReleaseStatus>\n"
        }
        let references = release.consentReferences.map(\.trimmingWhitespace).filter { !$0.isEmpty }
        if !references.isEmpty {
            fields += "   <plus:ModelReleaseID>\n    <rdf:Bag>\n"
            for reference in references {
                fields += "     <rdf:li>\(escaped(reference))</rdf:li>\n"
            }
            fields += "    </rdf:Bag>\n   </plus:ModelReleaseID>\n"
        }
        let text = """
            <?xpacket begin="\u{FEFF}" id="W5M0MpCehiHzreSzNTczkc9d"?>
            <x:xmpmeta xmlns:x="adobe:ns:meta/">
             <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
              <rdf:Description rdf:about=""
                xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/">
            \(fields)  </rdf:Description>
             </rdf:RDF>
            </x:xmpmeta>
            <?xpacket end="r"?>
            """
        return Array(text.utf8)
    }

    /// XML character data: markup characters escaped, characters XML 1.0 forbids dropped.
    static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                if isXMLCharacter(scalar) { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    static func isXMLCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v == 0x09 || v == 0x0A || v == 0x0D || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || v >= 0x10000
    }

    /// The release as Clearance's XMP reader gives it back from `packet(release)`: the status
    /// as a bare code, the references as written. An export checks its copy against this.
    static func readBack(_ release: ReleaseStamp) -> (status: String?, ids: [String]) {
        func written(_ text: String) -> String {
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: text.unicodeScalars.filter(isXMLCharacter))
            return String(scalars).xmpTrimmed()
        }
        let status = release.status.trimmingWhitespace
        let uri = status.hasPrefix("http://") || status.hasPrefix("https://") ? status : plusVocabulary + status
        let ids = release.consentReferences.map { written($0.trimmingWhitespace) }.filter { !$0.isEmpty }
        return (status.isEmpty ? nil : XMPValues.plusCode(written(uri)), ids)
    }

    /// A TIFF structure (big-endian) whose IFD0 holds only orientation and the fields the
    /// Exif standard requires beside it (resolution, YCbCr positioning), and no next IFD:
    /// no thumbnail, no Exif or GPS sub-IFD, nothing else.
    static func exifTIFF(_ fields: ExifLayout) -> [UInt8] {
        let resolution = fields.resolution ?? ExifLayout.Resolution(x: (72, 1), y: (72, 1), unit: 2)
        func be16(_ v: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
        func be32(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> $0) } }
        let entryCount = 5
        let rationalsAt = UInt32(8 + 2 + entryCount * 12 + 4)
        func short(_ tag: Int, _ value: Int) -> [UInt8] { be16(tag) + be16(3) + be32(1) + be16(value) + [0, 0] }
        func rational(_ tag: Int, at offset: UInt32) -> [UInt8] { be16(tag) + be16(5) + be32(1) + be32(offset) }
        return [0x4D, 0x4D, 0x00, 0x2A] + be32(8) + be16(entryCount)
            + short(0x0112, fields.orientation)
            + rational(0x011A, at: rationalsAt)
            + rational(0x011B, at: rationalsAt + 8)
            + short(0x0128, resolution.unit)
            + short(0x0213, fields.yCbCrPositioning ?? 1)
            + be32(0) // no next IFD
            + be32(resolution.x.0) + be32(resolution.x.1) + be32(resolution.y.0) + be32(resolution.y.1)
    }
}

/// The IFD0 fields an export keeps from the source's Exif.
struct ExifLayout: Equatable {
    struct Resolution: Equatable {
        var x: (UInt32, UInt32)
        var y: (UInt32, UInt32)
        var unit: Int

        static func == (a: Resolution, b: Resolution) -> Bool {
            a.x == b.x && a.y == b.y && a.unit == b.unit
        }
    }

    var orientation: Int
    var resolution: Resolution?
    var yCbCrPositioning: Int?

    /// From IFD0 of a source's Exif, when it has a valid orientation.
    init?(_ tiff: TIFFStructure) {
        guard let ifd0 = tiff.directory(at: tiff.firstDirectory) else { return nil }
        func entry(_ tag: UInt16) -> TIFFEntry? { ifd0.entries.first { $0.tag == tag } }
        guard let o = entry(0x0112).flatMap(tiff.integer(of:)), (1...8).contains(o) else { return nil }
        orientation = o
        func rational(_ tag: UInt16) -> (UInt32, UInt32)? {
            guard let e = entry(tag), e.type == 5, let v = tiff.value(of: e, limit: 8),
                  let n = v.uint32(at: 0, tiff.order), let d = v.uint32(at: 4, tiff.order), n > 0, d > 0 else { return nil }
            return (n, d)
        }
        if let x = rational(0x011A), let y = rational(0x011B),
           let unit = entry(0x0128).flatMap(tiff.integer(of:)), (1...3).contains(unit) {
            resolution = Resolution(x: x, y: y, unit: unit)
        }
        if let p = entry(0x0213).flatMap(tiff.integer(of:)), (1...2).contains(p) { yCbCrPositioning = p }
    }

    init(orientation: Int, resolution: Resolution? = nil, yCbCrPositioning: Int? = nil) {
        self.orientation = orientation
        self.resolution = resolution
        self.yCbCrPositioning = yCbCrPositioning
    }
}

fileprivate extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
