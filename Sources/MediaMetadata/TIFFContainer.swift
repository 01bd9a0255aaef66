/// A TIFF file (and TIFF-based raw formats) is itself the EXIF structure. Its directories are
/// read from the file on demand, never the whole file.
enum TIFFContainer {
    static let maxXMP = 4 << 20
    static let maxSubIFDs = 8

    static func read(_ file: RandomAccessFile) -> ImageMetadata {
        var result = ImageMetadata()
        guard let tiff = TIFFStructure(source: TIFFFileSource(file: file, base: 0)),
              let ifd0 = tiff.directory(at: tiff.firstDirectory)
        else {
            result.problem = .malformed("TIFF first directory is missing or outside the file")
            return result
        }
        result.exif = tiff
        let size = frameSize(tiff, ifd0.entries)
        result.width = size.width
        result.height = size.height
        if let entry = ifd0.entries.first(where: { $0.tag == TIFFTag.xmp }),
           entry.type == 1 || entry.type == 7 || entry.type == 2,
           let packet = tiff.value(of: entry, limit: maxXMP) {
            result.xmpPackets.append(packet)
        }
        return result
    }

    /// IFD0's size, unless IFD0 is a reduced-resolution preview (NewSubfileType bit 0, as in
    /// many raw files) and a SubIFD holds the full-resolution image.
    private static func frameSize(_ tiff: TIFFStructure, _ entries: [TIFFEntry]) -> (width: Int?, height: Int?) {
        func size(_ entries: [TIFFEntry]) -> (width: Int?, height: Int?) {
            (entries.first { $0.tag == TIFFTag.imageWidth }.flatMap { tiff.integer(of: $0) },
             entries.first { $0.tag == TIFFTag.imageLength }.flatMap { tiff.integer(of: $0) })
        }
        func isPreview(_ entries: [TIFFEntry]) -> Bool {
            (entries.first { $0.tag == TIFFTag.newSubfileType }.flatMap { tiff.integer(of: $0) } ?? 0) & 1 == 1
        }
        let main = size(entries)
        guard isPreview(entries), let subIFDs = entries.first(where: { $0.tag == TIFFTag.subIFDs }) else { return main }
        for offset in tiff.offsets(of: subIFDs, max: maxSubIFDs) {
            guard let sub = tiff.directory(at: offset), !isPreview(sub.entries) else { continue }
            let candidate = size(sub.entries)
            if candidate.width != nil, candidate.height != nil { return candidate }
        }
        return main
    }
}
