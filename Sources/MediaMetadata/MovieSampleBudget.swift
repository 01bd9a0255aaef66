/// Counts the samples a movie's boxes declare before libavformat sees the file. Its mov demuxer
/// allocates an index entry per declared sample while opening, so a 40-byte `stsz` declaring
/// four billion samples would cost gigabytes before a single packet is read; such files are
/// refused here, by reading box headers and counts only.
enum MovieSampleBudget {
    /// Sample tables and fragment runs whose counts are summed.
    static let counted: Set<QuickTimeBoxType> = ["stsz", "stz2", "stts", "trun"]

    /// Throws when the declared samples exceed `limit`, or the boxes are too many to walk.
    static func check(_ file: QuickTimeFile, limit: Int) throws(MovieError) {
        var sizes = 0, times = 0, runs = 0
        let damages = QuickTimeBoxWalker.walk(0..<file.fileLength, of: file, topLevel: true) { box, ancestors in
            if ancestors.isEmpty, box.type != "moov", box.type != "moof" { return .skip }
            guard counted.contains(box.type) else { return .descend }
            switch box.type {
            case "stsz", "stz2":
                // Version and flags, then (stsz) the constant size or (stz2) the field size, then the count.
                sizes += count(at: box.payloadOffset + 8, in: file)
            case "trun":
                runs += count(at: box.payloadOffset + 4, in: file)
            default: // stts: entry count, then (sample count, delta) pairs
                let entries = min(count(at: box.payloadOffset + 4, in: file), Int((box.payloadSize - 8) / 8))
                if entries > 0, let table = file.bytes(at: box.payloadOffset + 8, count: entries * 8) {
                    for index in 0..<entries {
                        times += Int(table.uint32(at: index * 8, .big) ?? 0)
                        if times > limit { break }
                    }
                }
            }
            return sizes > limit || times > limit || runs > limit ? .stop : .skip
        }
        if let limited = damages.first(where: { $0.kind == .limit }) {
            throw MovieError("the movie has more boxes than Clearance reads (\(limited.message))")
        }
        let declared = max(sizes, times) + runs
        guard declared <= limit else {
            throw MovieError("the movie declares more than \(limit) samples, more than Clearance reads")
        }
    }

    private static func count(at offset: Int64, in file: QuickTimeFile) -> Int {
        file.bytes(at: offset, count: 4)?.uint32(at: 0, .big).map(Int.init) ?? 0
    }
}
