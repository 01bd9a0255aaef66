/// Detects the container from the first bytes; file names lie (wrong extensions are common).
public enum FormatSniffer {
    /// How many leading bytes `detect` needs.
    public static let headerLength = 16

    public static func detect(_ header: [UInt8]) -> ContainerFormat? {
        func starts(_ bytes: [UInt8], at offset: Int = 0) -> Bool {
            header.count >= offset + bytes.count && Array(header[offset..<offset + bytes.count]) == bytes
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(Array("ftyp".utf8), at: 4), header.count >= 12 {
            let brand = String(decoding: header[8..<12], as: UTF8.self)
            switch brand {
            case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1": return .heic
            case "qt  ": return .mov
            case "M4V ", "M4VH", "M4VP": return .m4v
            // Same box structure, but audio, raw photos or other image codecs: not ours to read.
            case "M4A ", "M4B ", "M4P ", "F4A ", "F4B ", "crx ", "avif", "avis", "jxl ": return nil
            default: return .mp4
            }
        }
        // QuickTime files from older cameras may open with a moov/mdat/wide/free box, not ftyp.
        for box in ["moov", "mdat", "wide", "free", "skip", "pnot"] where starts(Array(box.utf8), at: 4) {
            return .mov
        }
        return nil
    }
}
