/// Collects the metadata Clearance needs from a loaded `moov` box, then decides between
/// sources that say the same thing (Apple keys, classic user data, 3GPP boxes, headers).
struct QuickTimeMovieScan {
    private struct Track {
        var handler: QuickTimeBoxType?
        var size: (width: Int, height: Int)?
    }

    private var creationSeconds: UInt64?
    private var tracks: [(offset: Int64, track: Track)] = []
    /// Key names of each `meta` box, by the box's offset.
    private var keyNames: [Int64: [String]] = [:]
    /// `ilst` values by their `meta` box's offset and 1-based key index.
    private var keyedValues: [(meta: Int64, index: UInt32, text: String)] = []
    /// Classic user-data items (`©xyz`, `©mak`, `date`…), first of each type.
    private var userData: [QuickTimeBoxType: String] = [:]
    private var location3GPP: GPSPosition?
    var xmp: [(offset: Int64, packet: [UInt8])] = []
    private var xmpBytes: Int64 { xmp.reduce(0) { $0 + Int64($1.packet.count) } }
    private var damages: [QuickTimeDamage] = []

    /// Walks only the branches that can hold what we read, so sample tables are never listed.
    mutating func scan(movie: QuickTimeBox, in source: QuickTimeLoadedBytes) -> [QuickTimeDamage] {
        let range = QuickTimeBoxWalker.childRange(of: movie, in: source)
        let clipped = range.lowerBound..<min(range.upperBound, source.endOffset)
        damages += QuickTimeBoxWalker.walk(clipped, of: source, ancestors: [movie]) { box, ancestors in
            self.visit(box, ancestors: ancestors, source: source)
        }
        return damages
    }

    private mutating func visit(_ box: QuickTimeBox, ancestors: [QuickTimeBox], source: QuickTimeLoadedBytes)
        -> QuickTimeBoxWalker.Visit
    {
        let path = ancestors.map(\.type)
        func payload(limit: Int64 = QuickTimeReader.maxItemBytes) -> [UInt8]? {
            guard box.payloadSize <= limit else { return nil }
            return source.bytes(at: box.payloadOffset, count: Int(box.payloadSize))
        }

        switch (path, box.type) {
        case (["moov"], "mvhd"):
            if creationSeconds == nil, let bytes = payload() { creationSeconds = QuickTimePayloads.movieCreationTime(bytes) }
        case (["moov"], "trak"):
            tracks.append((box.offset, Track()))
            return .descend
        case (["moov", "trak"], "tkhd"):
            if let bytes = payload(), let last = tracks.indices.last, tracks[last].offset == ancestors[1].offset {
                tracks[last].track.size = QuickTimePayloads.trackSize(bytes)
            }
        case (["moov", "trak"], "mdia"):
            return .descend
        case (["moov", "trak", "mdia"], "hdlr"):
            if let bytes = payload(), let last = tracks.indices.last, tracks[last].offset == ancestors[1].offset {
                tracks[last].track.handler = QuickTimePayloads.handlerType(bytes)
            }
        case (["moov"], "udta"), (["moov"], "meta"), (["moov", "udta"], "meta"):
            return .descend
        case (_, "keys") where path.last == "meta":
            if let bytes = payload() { keyNames[ancestors[ancestors.count - 1].offset] = QuickTimePayloads.keyNames(bytes) }
        case (_, "ilst") where path.last == "meta":
            return .descend
        case (_, _) where path.last == "ilst":
            return .descend // a metadata item: its `data` box follows
        case (_, "data") where path.count >= 3 && path[path.count - 2] == "ilst" && path[path.count - 3] == "meta":
            let item = ancestors[ancestors.count - 1]
            let meta = ancestors[ancestors.count - 3]
            if let bytes = payload(), let text = QuickTimePayloads.dataText(bytes),
                !keyedValues.contains(where: { $0.meta == meta.offset && $0.index == item.type.rawValue })
            {
                keyedValues.append((meta.offset, item.type.rawValue, text))
            }
        case (["moov", "udta"], "©xyz"), (["moov", "udta"], "©mak"), (["moov", "udta"], "©mod"),
            (["moov", "udta"], "©day"):
            if userData[box.type] == nil, let bytes = payload(), let text = QuickTimePayloads.userDataText(bytes) {
                userData[box.type] = text
            }
        case (["moov", "udta"], "date"):
            // 3GPP recording date: the bare string.
            if userData[box.type] == nil, let bytes = payload(),
                let text = QuickTimePayloads.cleaned(String(decoding: bytes, as: UTF8.self))
            {
                userData[box.type] = text
            }
        case (["moov", "udta"], "loci"):
            if location3GPP == nil, let bytes = payload() { location3GPP = QuickTimePayloads.locationInformation(bytes) }
        case (["moov", "udta"], "XMP_"):
            if let bytes = payload(limit: QuickTimeReader.maxXMPBytes - xmpBytes) {
                xmp.append((box.offset, bytes))
            } else {
                damages.append(QuickTimeDamage(
                    kind: .limit, offset: box.offset,
                    message: "XMP box at offset \(box.offset) holds \(box.payloadSize) bytes, over the \(QuickTimeReader.maxXMPBytes >> 20) MiB limit; not read",
                    box: box))
            }
        case (["moov"], "uuid"), (["moov", "udta"], "uuid"):
            switch QuickTimeReader.xmpPacket(in: box, of: source, budget: QuickTimeReader.maxXMPBytes - xmpBytes) {
            case .packet(let bytes): xmp.append((box.offset, bytes))
            case .tooLarge(let damage): damages.append(damage)
            case .notXMP: break
            }
        default:
            break
        }
        return .skip
    }

    /// Apple keys (`com.apple.quicktime.*`) by name, first value wins.
    private func appleKey(_ name: String) -> String? {
        for value in keyedValues {
            guard let names = keyNames[value.meta], value.index >= 1, value.index <= names.count else { continue }
            if names[Int(value.index - 1)] == "com.apple.quicktime." + name { return value.text }
        }
        return nil
    }

    func facts() -> QuickTimeFacts {
        var facts = QuickTimeFacts()
        // Times that carry the local offset beat the movie header's bare UTC.
        facts.capturedAt = [appleKey("creationdate"), userData["date"], userData["©day"]]
            .lazy.compactMap { $0.flatMap(QuickTimeTimestamps.normalize) }.first
            ?? creationSeconds.flatMap(QuickTimeTimestamps.iso8601(secondsSince1904:))
        facts.gps = appleKey("location.ISO6709").flatMap(QuickTimeLocation.parseISO6709)
            ?? userData["©xyz"].flatMap(QuickTimeLocation.parseISO6709)
            ?? location3GPP
        facts.make = appleKey("make") ?? userData["©mak"]
        facts.model = appleKey("model") ?? userData["©mod"]
        if let video = tracks.first(where: { $0.track.handler == "vide" && $0.track.size != nil })?.track.size {
            facts.width = video.width
            facts.height = video.height
        }
        facts.xmpPackets = xmp.sorted { $0.offset < $1.offset }.map(\.packet)
        return facts
    }
}
