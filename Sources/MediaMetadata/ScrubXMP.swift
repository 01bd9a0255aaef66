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
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || v >= 0x10000 {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// A TIFF structure (big-endian) whose IFD0 holds one entry, Orientation, and no next IFD:
    /// no thumbnail, no sub-IFDs, nothing else.
    static func orientationTIFF(_ orientation: Int) -> [UInt8] {
        let value = UInt8(clamping: orientation)
        return [
            0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, // "MM", 42, IFD0 at 8
            0x00, 0x01, // one entry
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, value, 0x00, 0x00, // Orientation SHORT 1
            0x00, 0x00, 0x00, 0x00, // no next IFD
        ]
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
