/// Scrubbed MP4/MOV/M4V copies. Only `ftyp`, `moov` and `mdat` are kept at the top level;
/// inside `moov` every `udta`, `meta`, `XMP_` and `uuid` box is dropped (user data, keys and
/// item lists carry location, camera, serial and people). Media data is copied byte for byte,
/// and every chunk offset (`stco`/`co64`) is moved by however much the bytes before it moved.
/// The release stamp is appended as a top-level XMP `uuid` box.
enum ScrubQuickTime {
    /// `moov` is loaded into memory to be rewritten; a larger one is refused.
    static let maxMovieSize: Int64 = 256 << 20

    static let keptTopLevel: Set<QuickTimeBoxType> = ["ftyp", "moov", "mdat"]
    /// Boxes that carry metadata, dropped wherever they appear inside `moov`; free space too,
    /// since editors blank out removed boxes by renaming them `free` and leave their bytes.
    static let droppedInMovie: Set<QuickTimeBoxType> = ["udta", "meta", "XMP_", "uuid", "free", "skip", "wide"]
    /// Containers rebuilt (their children filtered); any other box inside `moov` is copied whole.
    static let rebuilt: Set<QuickTimeBoxType> = ["moov", "trak", "mdia", "minf", "stbl", "dinf", "edts", "tref", "tapt"]
    /// Boxes that mean a layout this rewrite does not handle.
    static let refusedTopLevel: Set<QuickTimeBoxType> = ["moof", "mfra", "sidx", "ssix", "styp", "emsg"]
    static let refusedInMovie: Set<QuickTimeBoxType> = ["mvex", "cmov", "saio", "iloc"]
    /// Tracks of timed metadata (GoPro GPMF, camera motion, Apple `mebx` faces and location):
    /// their samples sit in `mdat`, which is copied as it is, so such files are refused.
    static let metadataHandlers: Set<QuickTimeBoxType> = ["meta", "camm"]

    struct Plan {
        /// Top-level boxes kept, in file order.
        var boxes: [QuickTimeBox]
        /// The `moov` box and its payload, loaded.
        var movie: QuickTimeBox
        var movieBytes: QuickTimeLoadedBytes
    }

    static func plan(_ file: QuickTimeFile) throws -> Plan {
        guard file.fileLength > 0 else { throw MediaReadError.empty }
        let level = QuickTimeBoxWalker.boxes(in: 0..<file.fileLength, of: file, topLevel: true)
        if let damage = level.damage { throw MediaReadError.malformed(damage.message) }
        var kept: [QuickTimeBox] = []
        var movie: QuickTimeBox?
        for box in level.boxes {
            if refusedTopLevel.contains(box.type) {
                throw ScrubError.cannotScrubSafely("fragmented movie ('\(box.type)' box) is not supported")
            }
            if box.extendsToEndOfFile, box.type != "mdat" {
                throw ScrubError.cannotScrubSafely("box '\(box.type)' at offset \(box.offset) has size 0 (to end of file)")
            }
            guard keptTopLevel.contains(box.type) else { continue }
            if box.type == "moov" {
                guard movie == nil else { throw ScrubError.cannotScrubSafely("more than one 'moov' box") }
                guard box.size <= maxMovieSize else { throw ScrubError.cannotScrubSafely("'moov' box larger than \(maxMovieSize) bytes") }
                movie = box
            }
            kept.append(box)
        }
        guard let movie else { throw MediaReadError.malformed("no 'moov' box: not a playable movie") }
        guard let bytes = file.bytes(at: movie.offset, count: Int(movie.size)) else {
            throw MediaReadError.malformed("'moov' box cannot be read (truncated)")
        }
        return Plan(boxes: kept, movie: movie, movieBytes: QuickTimeLoadedBytes(baseOffset: movie.offset, storage: bytes, fileLength: file.fileLength))
    }

    /// The user type of the top-level `uuid` box that holds XMP in MP4 and QuickTime files.
    static let xmpUUID: [UInt8] = [0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC]

    static func write(_ plan: Plan, from file: QuickTimeFile, release: ReleaseStamp, to output: ScrubOutput) throws {
        // The new movie's size does not depend on the offsets written into it, so a first
        // pass with offsets unchanged gives the layout, and a second pass writes the real ones.
        let stamp = ScrubXMP.packet(release)
        let sized = try rewrite(plan.movie, in: plan.movieBytes, parent: nil) { $0 }
        var newOffsets: [Int64: Int64] = [:] // old top-level offset → new
        var position: Int64 = 0
        for box in plan.boxes {
            newOffsets[box.offset] = position
            position += box.type == "moov" ? Int64(sized.count) : box.size
        }
        let media = plan.boxes.filter { $0.type == "mdat" }
        let movie = try rewrite(plan.movie, in: plan.movieBytes, parent: nil) { old in
            guard let box = media.first(where: { $0.offset <= old && old < $0.end }), let start = newOffsets[box.offset] else {
                throw ScrubError.cannotScrubSafely("a chunk offset (\(old)) points outside the media data")
            }
            return old - box.offset + start
        }
        guard movie.count == sized.count else { throw ScrubError.cannotScrubSafely("movie size changed between passes") }
        for box in plan.boxes {
            if box.type == "moov" {
                try output.write(movie)
            } else if box.extendsToEndOfFile {
                // Size 0 ("to the end of the file") stops being true once the XMP box follows:
                // give it its real size, in the same 8-byte header so nothing after it moves.
                guard box.headerSize == 8, box.size <= Int64(UInt32.max) else {
                    throw ScrubError.cannotScrubSafely("a final 'mdat' of size 0 larger than 4 GiB cannot be followed by the release stamp")
                }
                try output.write(header(box.type, payloadCount: Int(box.payloadSize)))
                try output.copy(count: box.payloadSize, at: box.payloadOffset) { file.bytes(at: $0, count: $1) }
            } else {
                try output.copy(count: box.size, at: box.offset) { file.bytes(at: $0, count: $1) }
            }
        }
        // The release stamp goes last, so no offset in the file changes because of it.
        try output.write(header("uuid", payloadCount: xmpUUID.count + stamp.count) + xmpUUID + stamp)
    }

    /// The bytes of `box` with metadata boxes removed below it and chunk offsets moved.
    private static func rewrite(
        _ box: QuickTimeBox, in source: QuickTimeLoadedBytes, parent: QuickTimeBox?, depth: Int = 0,
        move: (Int64) throws -> Int64
    ) throws -> [UInt8] {
        guard depth < QuickTimeBoxWalker.maxDepth else { throw ScrubError.cannotScrubSafely("boxes nested too deeply") }
        if refusedInMovie.contains(box.type) {
            throw ScrubError.cannotScrubSafely("'\(box.type)' box inside the movie is not supported")
        }
        if box.type == "hdlr", parent?.type == "mdia", let handler = source.bytes(at: box.payloadOffset + 8, count: 4),
           metadataHandlers.contains(QuickTimeBoxType(handler))
        {
            throw ScrubError.cannotScrubSafely("timed metadata track ('\(QuickTimeBoxType(handler))') may carry location or people")
        }
        if box.type == "dref" {
            try requireSelfContained(box, in: source)
        }
        if box.type == "stco" || box.type == "co64" {
            return try chunkOffsets(box, in: source, move: move)
        }
        guard rebuilt.contains(box.type) else {
            guard let whole = source.bytes(at: box.offset, count: Int(box.size)) else {
                throw MediaReadError.malformed("box '\(box.type)' cannot be read")
            }
            return whole
        }
        let children = QuickTimeBoxWalker.boxes(in: box.payloadRange, of: source, topLevel: false)
        if let damage = children.damage { throw MediaReadError.malformed(damage.message) }
        var payload: [UInt8] = []
        // Zero padding after the last child (QuickTime user-data style) is kept as it is.
        let childEnd = children.boxes.last?.end ?? box.payloadOffset
        for child in children.boxes where !droppedInMovie.contains(child.type) {
            payload += try rewrite(child, in: source, parent: box, depth: depth + 1, move: move)
        }
        if childEnd < box.end, let tail = source.bytes(at: childEnd, count: Int(box.end - childEnd)) {
            payload += tail
        }
        return header(box.type, payloadCount: payload.count) + payload
    }

    /// Refuses data references to other files: their chunk offsets are not offsets in this
    /// file, and an alias record names paths and volumes on the author's machine.
    private static func requireSelfContained(_ box: QuickTimeBox, in source: QuickTimeLoadedBytes) throws {
        let entries = QuickTimeBoxWalker.boxes(in: (box.payloadOffset + 8)..<box.end, of: source, topLevel: false)
        if let damage = entries.damage { throw MediaReadError.malformed(damage.message) }
        for entry in entries.boxes {
            guard let flags = source.bytes(at: entry.payloadOffset, count: 4), flags[3] & 1 == 1 else {
                throw ScrubError.cannotScrubSafely("a track's media data lives in another file ('\(entry.type)' reference)")
            }
        }
    }

    /// `stco` (32-bit) or `co64` (64-bit) with every entry moved.
    private static func chunkOffsets(_ box: QuickTimeBox, in source: QuickTimeLoadedBytes, move: (Int64) throws -> Int64) throws -> [UInt8] {
        let width = box.type == "co64" ? 8 : 4
        guard let payload = source.bytes(at: box.payloadOffset, count: Int(box.payloadSize)), payload.count >= 8,
              let count = payload.uint32(at: 4, .big).map(Int.init), count <= (payload.count - 8) / width
        else {
            throw MediaReadError.malformed("'\(box.type)' box at offset \(box.offset) is malformed")
        }
        var rewritten = payload
        for index in 0..<count {
            let at = 8 + index * width
            var old: Int64 = 0
            for byte in payload[at..<at + width] { old = old << 8 | Int64(byte) }
            let new = try move(old)
            guard new >= 0, width == 8 || new <= Int64(UInt32.max) else {
                throw ScrubError.cannotScrubSafely("moved chunk offset does not fit in '\(box.type)'")
            }
            for i in 0..<width { rewritten[at + i] = UInt8(truncatingIfNeeded: new >> (8 * (width - 1 - i))) }
        }
        return header(box.type, payloadCount: rewritten.count) + rewritten
    }

    /// A box header: 32-bit size, or size 1 and a 64-bit size when it does not fit.
    private static func header(_ type: QuickTimeBoxType, payloadCount: Int) -> [UInt8] {
        let small = Int64(payloadCount) + 8
        if small <= Int64(UInt32.max) {
            return [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: small >> $0) } + type.bytes
        }
        let large = Int64(payloadCount) + 16
        return [0, 0, 0, 1] + type.bytes + [56, 48, 40, 32, 24, 16, 8, 0].map { UInt8(truncatingIfNeeded: large >> $0) }
    }
}
