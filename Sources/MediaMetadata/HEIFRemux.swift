import Foundation
import Pictures

/// HEIC kept as HEIF for channels that take it: the primary picture's coded data copied as it
/// is (never re-encoded) into a new file whose `meta` box is built from scratch. Kept: the
/// primary item and the items it is derived from (the tiles of a `grid`), and of their
/// properties only those that say how to decode and show the picture (`hvcC`, `ispe`, `colr`,
/// `pixi`, `irot`, `imir`, `clap`, `pasp`). Dropped: Exif and XMP items, thumbnails, depth maps,
/// HDR gain maps and every other auxiliary picture, item names, groups, and SEI messages inside
/// the HEVC data (where encoders put free-form user data). The release stamp is added as an XMP
/// item describing the primary picture, as iPhones store XMP.
///
/// libheif (Debian's 1.15) reads HEIF but cannot write coded images it did not encode, so this
/// rewrite is Clearance's own; every count and offset is checked against its box and the file.
enum HEIFRemux {
    static let maxMetaBytes: Int64 = 16 << 20
    /// Coded picture data kept in all; more is refused (the picture is then converted to JPEG).
    static let maxDataBytes = 256 << 20
    static let maxItems = 4_096

    static let keptItemTypes: Set<String> = ["hvc1", "grid", "iden"]
    static let keptProperties: Set<String> = ["hvcC", "ispe", "colr", "pixi", "irot", "imir", "clap", "pasp"]

    struct Item {
        var id: UInt32
        var type: String
        var hidden: Bool
        var extents: [(method: Int, offset: Int64, length: Int64)] = []
    }

    struct Association {
        var property: Int
        var essential: Bool
    }

    /// The parts of a source's `meta` box this rewrite uses.
    struct Source {
        var primary: UInt32
        var items: [UInt32: Item] = [:]
        /// `dimg` references: derived item → the items it is made from, in order.
        var derivedFrom: [UInt32: [UInt32]] = [:]
        /// Property boxes of `ipco`, whole, 1-based as `ipma` counts them (index 0 unused).
        var properties: [(type: String, bytes: [UInt8])] = [("", [])]
        var associations: [UInt32: [Association]] = [:]
        var itemData: [UInt8] = [] // `idat` payload
    }

    static func write(from path: String, to staged: String, release: ReleaseStamp, limits: PictureLimits) throws -> ScrubbedCopyReport {
        let file = try QuickTimeFile(path: path)
        guard file.fileLength > 0 else { throw MediaReadError.empty }
        let source = try parse(file)
        let bytes = try rebuild(source, file: file, stamp: ScrubXMP.packet(release))
        try ScrubOutput.create(staged) { try $0.write(bytes) }
        try CopyCheck.metadata(of: staged, release: release)
        guard let shown = HEIFReader.displaySize(path: path) else {
            throw ScrubError.copyCheckFailed("the original's picture size is unknown")
        }
        try CopyCheck.picture(staged, orientation: nil, width: shown.width, height: shown.height, limits: limits)
        return ScrubbedCopyReport(format: .heic, notes: [
            "kept as HEIF: the coded picture copied, every metadata item, thumbnail and auxiliary picture left out",
            "checked: decodes at \(shown.width)×\(shown.height)",
        ])
    }

    // MARK: Reading

    static func refuse(_ why: String) -> ScrubError { .cannotScrubSafely("HEIF: \(why)") }

    static func parse(_ file: QuickTimeFile) throws -> Source {
        let top = QuickTimeBoxWalker.boxes(in: 0..<file.fileLength, of: file, topLevel: true)
        if let damage = top.damage { throw MediaReadError.malformed(damage.message) }
        if top.boxes.contains(where: { $0.type == "moov" }) { throw refuse("image sequences are not kept as HEIF") }
        let metas = top.boxes.filter { $0.type == "meta" }
        guard metas.count == 1, let meta = metas.first else { throw refuse("expected exactly one top-level 'meta' box") }
        guard meta.payloadSize >= 4, meta.payloadSize <= maxMetaBytes,
              let stored = file.bytes(at: meta.offset, count: Int(meta.size)) else { throw refuse("'meta' box is too large or cut short") }
        let loaded = QuickTimeLoadedBytes(baseOffset: meta.offset, storage: stored, fileLength: file.fileLength)
        let children = QuickTimeBoxWalker.boxes(in: (meta.payloadOffset + 4)..<meta.end, of: loaded, topLevel: false)
        if let damage = children.damage { throw MediaReadError.malformed(damage.message) }
        func payload(_ box: QuickTimeBox) -> [UInt8] { loaded.bytes(at: box.payloadOffset, count: Int(box.payloadSize)) ?? [] }
        func only(_ type: QuickTimeBoxType) throws -> [UInt8]? {
            let found = children.boxes.filter { $0.type == type }
            guard found.count <= 1 else { throw refuse("more than one '\(type)' box") }
            return found.first.map(payload)
        }
        if children.boxes.contains(where: { $0.type == "pinf" || $0.type == "ipro" }) { throw refuse("protected (encrypted) items") }
        guard let handler = try only("hdlr"), handler.count >= 12, Array(handler[8..<12]) == Array("pict".utf8) else {
            throw refuse("not a picture ('pict' handler)")
        }
        guard let pitm = try only("pitm"), let primary = pitm.count >= 6 && pitm[0] == 0 ? pitm.uint16(at: 4, .big).map(UInt32.init) : pitm.uint32(at: 4, .big) else {
            throw refuse("no primary item")
        }
        var source = Source(primary: primary)
        guard let iinf = try only("iinf") else { throw refuse("no item list ('iinf')") }
        for item in try items(iinf) {
            guard source.items[item.id] == nil else { throw refuse("item \(item.id) is listed twice") }
            source.items[item.id] = item
        }
        guard let iloc = try only("iloc") else { throw refuse("no item locations ('iloc')") }
        try locations(iloc, into: &source)
        if let iref = try only("iref") { try references(iref, into: &source) }
        guard let iprp = try only("iprp") else { throw refuse("no item properties ('iprp')") }
        try properties(iprp, into: &source)
        source.itemData = try only("idat") ?? []
        return source
    }

    /// A reader over one box payload that fails instead of running past it.
    struct Cursor {
        let bytes: [UInt8]
        var at: Int

        init(_ bytes: [UInt8], at: Int = 0) {
            self.bytes = bytes
            self.at = at
        }

        mutating func take(_ count: Int) throws -> [UInt8] {
            guard count >= 0, at <= bytes.count - count else { throw HEIFRemux.refuse("a box is cut short") }
            defer { at += count }
            return Array(bytes[at..<at + count])
        }

        /// A big-endian unsigned integer of `size` bytes (0, 1, 2, 4 or 8).
        mutating func integer(_ size: Int) throws -> UInt64 {
            try take(size).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }

        mutating func u8() throws -> Int { Int(try integer(1)) }
        mutating func u16() throws -> Int { Int(try integer(2)) }
        mutating func u32() throws -> UInt32 { UInt32(try integer(4)) }

        mutating func cString() throws -> [UInt8] {
            guard let end = bytes[at...].firstIndex(of: 0) else { throw HEIFRemux.refuse("a name is not terminated") }
            defer { at = end + 1 }
            return Array(bytes[at..<end])
        }
    }

    static func items(_ iinf: [UInt8]) throws -> [Item] {
        var cursor = Cursor(iinf)
        let version = try cursor.u8()
        _ = try cursor.take(3)
        let declared = version == 0 ? try cursor.u16() : Int(try cursor.u32())
        guard declared <= maxItems * 4 else { throw refuse("more items than Clearance reads") }
        let entries = QuickTimeBoxWalker.boxes(in: Int64(cursor.at)..<Int64(iinf.count),
                                               of: QuickTimeLoadedBytes(baseOffset: 0, storage: iinf, fileLength: Int64(iinf.count)),
                                               topLevel: false)
        if let damage = entries.damage { throw MediaReadError.malformed(damage.message) }
        return try entries.boxes.filter { $0.type == "infe" }.map { box in
            var entry = Cursor(Array(iinf[Int(box.payloadOffset)..<Int(box.end)]))
            let version = try entry.u8()
            let flags = try entry.integer(3)
            guard version >= 2 else { throw refuse("old-style item entries (version \(version))") }
            let id = version == 2 ? UInt32(try entry.u16()) : try entry.u32()
            guard try entry.u16() == 0 else { throw refuse("protected (encrypted) items") }
            let type = String(decoding: try entry.take(4), as: UTF8.self)
            return Item(id: id, type: type, hidden: flags & 1 == 1)
        }
    }

    static func locations(_ iloc: [UInt8], into source: inout Source) throws {
        var cursor = Cursor(iloc)
        let version = try cursor.u8()
        _ = try cursor.take(3)
        guard version <= 2 else { throw refuse("unknown item location version \(version)") }
        let sizes = try cursor.u8(), more = try cursor.u8()
        let offsetSize = sizes >> 4, lengthSize = sizes & 15, baseSize = more >> 4
        let indexSize = version == 0 ? 0 : more & 15
        for size in [offsetSize, lengthSize, baseSize, indexSize] where ![0, 4, 8].contains(size) {
            throw refuse("item locations use a field of \(size) bytes")
        }
        let count = version < 2 ? try cursor.u16() : Int(try cursor.u32())
        for _ in 0..<count {
            let id = version < 2 ? UInt32(try cursor.u16()) : try cursor.u32()
            let method = version == 0 ? 0 : try cursor.u16() & 15
            let reference = try cursor.u16()
            let base = try cursor.integer(baseSize)
            let extentCount = try cursor.u16()
            var extents: [(method: Int, offset: Int64, length: Int64)] = []
            for _ in 0..<extentCount {
                _ = try cursor.integer(indexSize)
                let offset = try cursor.integer(offsetSize), length = try cursor.integer(lengthSize)
                guard base <= UInt64(Int64.max / 2), offset <= UInt64(Int64.max / 2), length <= UInt64(maxDataBytes) else {
                    throw refuse("an item's location is out of range")
                }
                extents.append((method, Int64(base + offset), Int64(length)))
            }
            // Only items kept later need to be readable; others may point anywhere.
            guard source.items[id] != nil else { continue }
            if reference != 0 { source.items[id]?.extents = [(-1, 0, 0)] } else { source.items[id]?.extents = extents }
        }
    }

    static func references(_ iref: [UInt8], into source: inout Source) throws {
        let version = iref.first ?? 0
        let width = version == 0 ? 2 : 4
        let boxes = QuickTimeBoxWalker.boxes(in: 4..<Int64(iref.count),
                                             of: QuickTimeLoadedBytes(baseOffset: 0, storage: iref, fileLength: Int64(iref.count)),
                                             topLevel: false)
        if let damage = boxes.damage { throw MediaReadError.malformed(damage.message) }
        for box in boxes.boxes where box.type == "dimg" {
            var cursor = Cursor(Array(iref[Int(box.payloadOffset)..<Int(box.end)]))
            let from = UInt32(try cursor.integer(width))
            let count = try cursor.u16()
            var to: [UInt32] = []
            for _ in 0..<count { to.append(UInt32(try cursor.integer(width))) }
            guard source.derivedFrom[from] == nil else { throw refuse("item \(from) is derived twice") }
            source.derivedFrom[from] = to
        }
    }

    static func properties(_ iprp: [UInt8], into source: inout Source) throws {
        let bytes = QuickTimeLoadedBytes(baseOffset: 0, storage: iprp, fileLength: Int64(iprp.count))
        let children = QuickTimeBoxWalker.boxes(in: 0..<Int64(iprp.count), of: bytes, topLevel: false)
        if let damage = children.damage { throw MediaReadError.malformed(damage.message) }
        guard let ipco = children.boxes.first(where: { $0.type == "ipco" }) else { throw refuse("no property container ('ipco')") }
        let list = QuickTimeBoxWalker.boxes(in: ipco.payloadRange, of: bytes, topLevel: false, limit: maxItems * 4)
        if let damage = list.damage { throw MediaReadError.malformed(damage.message) }
        for box in list.boxes {
            source.properties.append((box.type.description, Array(iprp[Int(box.offset)..<Int(box.end)])))
        }
        for box in children.boxes where box.type == "ipma" {
            var cursor = Cursor(Array(iprp[Int(box.payloadOffset)..<Int(box.end)]))
            let version = try cursor.u8()
            let flags = try cursor.integer(3)
            let count = Int(try cursor.u32())
            guard count <= maxItems * 4 else { throw refuse("more property associations than Clearance reads") }
            for _ in 0..<count {
                let id = version < 1 ? UInt32(try cursor.u16()) : try cursor.u32()
                let associations = try cursor.u8()
                var list: [Association] = []
                for _ in 0..<associations {
                    let value = flags & 1 == 1 ? try cursor.u16() : try cursor.u8()
                    let high = flags & 1 == 1 ? 0x8000 : 0x80
                    list.append(Association(property: value & (high - 1), essential: value & high != 0))
                }
                source.associations[id, default: []] += list
            }
        }
    }

    // MARK: Writing

    /// The new file: `ftyp`, `meta`, `mdat`.
    static func rebuild(_ source: Source, file: QuickTimeFile, stamp: [UInt8]) throws -> [UInt8] {
        // The primary item and, transitively, what it is derived from.
        var kept: [UInt32] = []
        var queue = [source.primary]
        while let id = queue.first {
            queue.removeFirst()
            guard !kept.contains(id) else { continue }
            guard let item = source.items[id] else { throw refuse("item \(id) is referenced but not listed") }
            guard keptItemTypes.contains(item.type) else {
                throw refuse("pictures coded as '\(item.type)' are not kept as HEIF")
            }
            kept.append(id)
            guard kept.count <= maxItems else { throw refuse("more items than Clearance reads") }
            let parts = source.derivedFrom[id] ?? []
            guard item.type == "hvc1" ? parts.isEmpty : !parts.isEmpty else {
                throw refuse("item \(id) ('\(item.type)') has \(parts.isEmpty ? "no" : "unexpected") source pictures")
            }
            queue += parts
        }

        // Properties: the decoding and display ones of the kept items, renumbered.
        var newIndex: [Int: Int] = [:]
        var newProperties: [[UInt8]] = []
        var newAssociations: [UInt32: [Association]] = [:]
        var lengthSizes: [UInt32: Int] = [:]
        for id in kept {
            for association in source.associations[id] ?? [] where association.property != 0 {
                guard association.property < source.properties.count else { throw refuse("item \(id) names a missing property") }
                let property = source.properties[association.property]
                guard keptProperties.contains(property.type) else {
                    if association.essential { throw refuse("item \(id) needs a '\(property.type)' property Clearance does not keep") }
                    continue
                }
                if property.type == "hvcC" { lengthSizes[id] = try lengthSize(ofConfiguration: property.bytes) }
                if newIndex[association.property] == nil {
                    newProperties.append(property.type == "hvcC" ? try parameterSetsOnly(property.bytes) : property.bytes)
                    newIndex[association.property] = newProperties.count
                }
                newAssociations[id, default: []].append(Association(property: newIndex[association.property]!, essential: association.essential))
            }
        }

        // Item data, in the order the items are kept, with SEI messages taken out of HEVC data.
        var data: [UInt8] = []
        var spans: [UInt32: (offset: Int, length: Int)] = [:]
        for id in kept {
            let item = source.items[id]!
            var bytes: [UInt8] = []
            for extent in item.extents {
                guard extent.length > 0, bytes.count + Int(extent.length) <= maxDataBytes else {
                    throw refuse("item \(id) has an empty or too large extent")
                }
                let part: [UInt8]?
                switch extent.method {
                case 0: part = file.bytes(at: extent.offset, count: Int(extent.length))
                case 1:
                    let end = extent.offset + extent.length
                    part = end <= Int64(source.itemData.count) ? Array(source.itemData[Int(extent.offset)..<Int(end)]) : nil
                default: throw refuse("item \(id) is stored in a way Clearance does not copy")
                }
                guard let part else { throw refuse("item \(id)'s data lies outside the file") }
                bytes += part
            }
            if item.type == "hvc1" {
                guard let size = lengthSizes[id] else { throw refuse("item \(id) has no decoder configuration ('hvcC')") }
                bytes = try withoutSEI(bytes, lengthSize: size)
            }
            guard !bytes.isEmpty, data.count + bytes.count <= maxDataBytes else { throw refuse("item \(id) has no data or the picture is too large") }
            spans[id] = (data.count, bytes.count)
            data += bytes
        }
        let stampID = (kept.max() ?? 0) + 1
        spans[stampID] = (data.count, stamp.count)
        data += stamp

        let ftyp = box("ftyp", Array("heic".utf8) + [0, 0, 0, 0] + Array("mif1heic".utf8))
        func meta(dataStart: Int) -> [UInt8] {
            fullBox("meta", payload:
                fullBox("hdlr", payload: [0, 0, 0, 0] + Array("pict".utf8) + [UInt8](repeating: 0, count: 12) + [0])
                + fullBox("pitm", payload: be(source.primary, 2))
                + itemLocations(kept + [stampID], spans: spans, dataStart: dataStart)
                + itemInfos(kept.map { source.items[$0]! }, stampID: stampID)
                + itemReferences(kept, source: source, stampID: stampID)
                + box("iprp", box("ipco", newProperties.flatMap { $0 })
                      + itemAssociations(kept, newAssociations, wide: newProperties.count > 127)))
        }
        let sized = meta(dataStart: 0)
        let mdatHeader = data.count + 8 <= Int(UInt32.max) ? 8 : 16
        let start = ftyp.count + sized.count + mdatHeader
        guard source.primary <= 0xFFFF, (kept.max() ?? 0) < 0xFFFF, start + data.count <= Int(UInt32.max) else {
            throw refuse("item numbers or the picture are too large for this rewrite")
        }
        let final = meta(dataStart: start)
        guard final.count == sized.count else { throw refuse("the new 'meta' box changed size") }
        return ftyp + final + box("mdat", data)
    }

    /// `iloc` version 0: 4-byte offsets and lengths, one extent per item, all in `mdat`.
    static func itemLocations(_ ids: [UInt32], spans: [UInt32: (offset: Int, length: Int)], dataStart: Int) -> [UInt8] {
        var payload: [UInt8] = [0x44, 0x00] + be(UInt32(ids.count), 2)
        for id in ids {
            let span = spans[id]!
            payload += be(id, 2) + [0, 0] + [0, 1] + be(UInt32(dataStart + span.offset), 4) + be(UInt32(span.length), 4)
        }
        return fullBox("iloc", payload: payload)
    }

    /// `iinf` with version-2 entries and no item names; the stamp is an XMP `mime` item.
    static func itemInfos(_ items: [Item], stampID: UInt32) -> [UInt8] {
        var entries: [UInt8] = []
        for item in items {
            entries += fullBox("infe", version: 2, flags: item.hidden ? 1 : 0, payload: be(item.id, 2) + [0, 0] + Array(item.type.utf8) + [0])
        }
        entries += fullBox("infe", version: 2, payload: be(stampID, 2) + [0, 0] + Array("mime".utf8) + [0]
                           + Array("application/rdf+xml".utf8) + [0])
        return fullBox("iinf", payload: be(UInt32(items.count + 1), 2) + entries)
    }

    /// `iref`: the kept `dimg` references, and `cdsc` from the stamp to the primary picture.
    static func itemReferences(_ kept: [UInt32], source: Source, stampID: UInt32) -> [UInt8] {
        var boxes: [UInt8] = []
        for id in kept {
            guard let parts = source.derivedFrom[id], !parts.isEmpty else { continue }
            boxes += box("dimg", be(id, 2) + be(UInt32(parts.count), 2) + parts.flatMap { be($0, 2) })
        }
        boxes += box("cdsc", be(stampID, 2) + be(1, 2) + be(source.primary, 2))
        return fullBox("iref", payload: boxes)
    }

    static func itemAssociations(_ kept: [UInt32], _ associations: [UInt32: [Association]], wide: Bool) -> [UInt8] {
        var payload = be(UInt32(kept.count), 4)
        for id in kept {
            let list = associations[id] ?? []
            payload += be(id, 2) + [UInt8(list.count)]
            for association in list {
                if wide {
                    payload += be(UInt32(association.property) | (association.essential ? 0x8000 : 0), 2)
                } else {
                    payload += [UInt8(association.property) | (association.essential ? 0x80 : 0)]
                }
            }
        }
        return fullBox("ipma", version: 0, flags: wide ? 1 : 0, payload: payload)
    }

    // MARK: HEVC

    /// Bytes of each NAL unit's length prefix, from an `hvcC` box.
    static func lengthSize(ofConfiguration hvcC: [UInt8]) throws -> Int {
        guard hvcC.count >= 8 + 23 else { throw refuse("decoder configuration ('hvcC') is cut short") }
        let size = Int(hvcC[8 + 21] & 3) + 1
        guard size != 3 else { throw refuse("decoder configuration ('hvcC') has a 3-byte length size") }
        return size
    }

    /// NAL unit types a picture is made of: coded slices (0–31), parameter sets, delimiters and
    /// filler (32–38). SEI (39, 40) and the reserved and unspecified types carry anything else.
    static func isPictureNAL(_ type: UInt8) -> Bool { type <= 38 }

    /// An `hvcC` box with only its VPS, SPS and PPS arrays: a configuration record may also
    /// carry SEI messages.
    static func parameterSetsOnly(_ hvcC: [UInt8]) throws -> [UInt8] {
        guard hvcC.count >= 8 + 23 else { throw refuse("decoder configuration ('hvcC') is cut short") }
        var cursor = Cursor(hvcC, at: 8 + 23)
        let arrays = Int(hvcC[8 + 22])
        var kept: [[UInt8]] = []
        for _ in 0..<arrays {
            let start = cursor.at
            let type = try cursor.u8() & 0x3F
            let count = try cursor.u16()
            for _ in 0..<count { _ = try cursor.take(try cursor.u16()) }
            if (32...34).contains(type) { kept.append(Array(hvcC[start..<cursor.at])) }
        }
        let header = Array(hvcC[8..<(8 + 22)]) + [UInt8(kept.count)]
        return box("hvcC", header + kept.flatMap { $0 })
    }

    /// Length-prefixed HEVC data without its SEI and non-picture NAL units.
    static func withoutSEI(_ data: [UInt8], lengthSize: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count)
        var at = 0
        while at < data.count {
            guard at + lengthSize <= data.count else { throw refuse("HEVC data ends inside a length") }
            let length = data[at..<at + lengthSize].reduce(0) { $0 << 8 | Int($1) }
            let end = at + lengthSize + length
            guard length >= 2, end <= data.count else { throw refuse("HEVC data has a NAL unit that runs past its item") }
            if isPictureNAL((data[at + lengthSize] >> 1) & 0x3F) { out += data[at..<end] }
            at = end
        }
        return out
    }

    // MARK: Boxes

    static func be(_ value: UInt32, _ size: Int) -> [UInt8] {
        (0..<size).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) }
    }

    static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] {
        be(UInt32(payload.count + 8), 4) + Array(type.utf8) + payload
    }

    static func fullBox(_ type: String, version: UInt8 = 0, flags: UInt32 = 0, payload: [UInt8]) -> [UInt8] {
        box(type, [version] + be(flags, 3) + payload)
    }
}
