/// A four-character box type. Stored as the raw 32 bits because types are not always text:
/// `ilst` items are numbered (`0x00000001`) and QuickTime user data uses `©` (0xA9).
public struct QuickTimeBoxType: RawRepresentable, Hashable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Four characters, each U+0000...U+00FF (so `"©xyz"` works). Others become `?`.
    public init(stringLiteral value: String) {
        var raw: UInt32 = 0
        for scalar in value.unicodeScalars.prefix(4) {
            raw = raw << 8 | (scalar.value <= 0xFF ? scalar.value : 0x3F)
        }
        rawValue = raw
    }

    public init(_ bytes: some Collection<UInt8>) {
        rawValue = bytes.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    public var bytes: [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: rawValue >> $0) } }

    /// Printable ASCII only: top-level boxes always have such types, so anything else there
    /// means the data is not a box at all.
    public var isPrintableASCII: Bool { bytes.allSatisfy { (0x20...0x7E).contains($0) } }

    public var description: String {
        String(bytes.map { (0x20...0x7E).contains($0) || $0 == 0xA9 ? Character(Unicode.Scalar($0)) : "." })
    }
}

/// One box as found in the file. All offsets are absolute file offsets.
public struct QuickTimeBox: Sendable, Equatable {
    public var type: QuickTimeBoxType
    /// Where the box (its size field) starts.
    public var offset: Int64
    /// 8, or 16 with a 64-bit largesize. A `uuid` box's 16-byte user type is payload here.
    public var headerSize: Int
    public var payloadOffset: Int64
    /// As declared (or, for size 0, up to the end of the file).
    public var payloadSize: Int64
    /// Declared with size 0: runs to the end of the file.
    public var extendsToEndOfFile: Bool

    public var size: Int64 { Int64(headerSize) + payloadSize }
    public var end: Int64 { payloadOffset + payloadSize }
    public var payloadRange: Range<Int64> { payloadOffset..<end }
}

/// Something wrong with the box structure. Reading stops at the damaged box; what came
/// before it is still good.
public struct QuickTimeDamage: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The file ends before a box does.
        case truncated
        /// A size or structure that cannot be right.
        case malformed
        /// A safety limit (depth, count, size) was reached.
        case limit
    }

    public var kind: Kind
    public var offset: Int64
    public var message: String
    /// The box that does not fit, when its header could be read (e.g. a truncated `moov`).
    public var box: QuickTimeBox?

    public var description: String { message }
}

/// The boxes directly inside one range, in file order, and why listing stopped early.
public struct QuickTimeBoxLevel: Sendable, Equatable {
    public var boxes: [QuickTimeBox]
    public var damage: QuickTimeDamage?
}

/// Bounded box walking. Never recurses: nesting is followed with an explicit stack, capped in
/// depth and in total box count, and every size is checked against its parent and the file.
public enum QuickTimeBoxWalker {
    public static let maxDepth = 16
    public static let maxBoxes = 100_000

    /// Boxes whose payload is a list of boxes. Children of `ilst` (metadata items) are too.
    public static let containerTypes: Set<QuickTimeBoxType> = [
        "moov", "trak", "mdia", "minf", "stbl", "dinf", "edts", "udta", "meta", "ilst",
        "tref", "mvex", "moof", "traf", "mfra", "tapt",
    ]

    /// Lists the boxes directly inside `range`. `topLevel` allows size 0 (to end of file) and
    /// requires printable types, since top-level garbage would otherwise pass as boxes.
    public static func boxes(
        in range: Range<Int64>, of source: some QuickTimeByteSource, topLevel: Bool, limit: Int = maxBoxes
    ) -> QuickTimeBoxLevel {
        var found: [QuickTimeBox] = []
        var position = range.lowerBound
        let end = min(range.upperBound, source.fileLength)
        // The range reaching the end of the file means an overrun is a cut-off file, not a bad size.
        let endIsEndOfFile = end == source.fileLength

        func stop(_ kind: QuickTimeDamage.Kind, _ message: String, _ box: QuickTimeBox? = nil) -> QuickTimeBoxLevel {
            QuickTimeBoxLevel(boxes: found, damage: QuickTimeDamage(kind: kind, offset: position, message: message, box: box))
        }

        while position < end {
            let remaining = end - position
            if remaining < 8 {
                // QuickTime ends some user-data lists with a 32-bit zero; tolerate zero padding
                // inside boxes. At the top level a short tail is a cut-off header.
                if !topLevel, let tail = source.bytes(at: position, count: Int(remaining)), tail.allSatisfy({ $0 == 0 }) {
                    break
                }
                return endIsEndOfFile
                    ? stop(.truncated, "truncated: file ends inside a box header at offset \(position)")
                    : stop(.malformed, "\(remaining) stray bytes at offset \(position) are not a box")
            }
            guard found.count < limit else {
                return stop(.limit, "more than \(limit) boxes; stopped at offset \(position)")
            }
            guard let header = source.bytes(at: position, count: 8) else {
                return stop(.truncated, "truncated: cannot read the box header at offset \(position)")
            }
            let size32 = UInt32(header[0]) << 24 | UInt32(header[1]) << 16 | UInt32(header[2]) << 8 | UInt32(header[3])
            let type = QuickTimeBoxType(header[4..<8])
            if topLevel, !type.isPrintableASCII {
                return stop(.malformed, "no valid box at offset \(position) (type bytes \(type.bytes))")
            }
            var headerSize = 8
            var size: Int64
            var toEnd = false
            switch size32 {
            case 0:
                guard topLevel else {
                    return stop(.malformed, "box '\(type)' at offset \(position) has size 0, which is only allowed at the top level")
                }
                size = remaining
                toEnd = true
            case 1:
                guard remaining >= 16 else {
                    return endIsEndOfFile
                        ? stop(.truncated, "truncated: file ends inside the 64-bit size of box '\(type)' at offset \(position)")
                        : stop(.malformed, "box '\(type)' at offset \(position) has no room for its 64-bit size")
                }
                guard let large = source.bytes(at: position + 8, count: 8) else {
                    return stop(.truncated, "truncated: cannot read the 64-bit size of box '\(type)' at offset \(position)")
                }
                let value = large.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                guard value <= UInt64(Int64.max) else {
                    return stop(.malformed, "box '\(type)' at offset \(position) declares an impossible size \(value)")
                }
                headerSize = 16
                size = Int64(value)
            default:
                size = Int64(size32)
            }
            guard size >= Int64(headerSize) else {
                return stop(.malformed, "box '\(type)' at offset \(position) declares \(size) bytes, less than its \(headerSize)-byte header")
            }
            let box = QuickTimeBox(
                type: type, offset: position, headerSize: headerSize, payloadOffset: position + Int64(headerSize),
                payloadSize: size - Int64(headerSize), extendsToEndOfFile: toEnd)
            guard size <= remaining else {
                return endIsEndOfFile
                    ? stop(.truncated, "truncated: box '\(type)' at offset \(position) declares \(size) bytes but the file ends after \(remaining)", box)
                    : stop(.malformed, "box '\(type)' at offset \(position) declares \(size) bytes, past the end of its parent at \(end)", box)
            }
            found.append(box)
            position += size
        }
        return QuickTimeBoxLevel(boxes: found, damage: nil)
    }

    /// Whether `box` holds child boxes, given its parent (metadata items inside `ilst` do).
    public static func isContainer(_ box: QuickTimeBox, parent: QuickTimeBox?) -> Bool {
        containerTypes.contains(box.type) || parent?.type == "ilst"
    }

    /// Where a container's children start. `meta` is a full box (4 bytes of version and flags)
    /// in ISO files but not in QuickTime ones, where `hdlr` follows the header at once.
    public static func childRange(of box: QuickTimeBox, in source: some QuickTimeByteSource) -> Range<Int64> {
        guard box.type == "meta", box.payloadSize >= 4 else { return box.payloadRange }
        if box.payloadSize >= 8, let probe = source.bytes(at: box.payloadOffset + 4, count: 4),
            QuickTimeBoxType(probe) == "hdlr"
        {
            return box.payloadRange
        }
        return (box.payloadOffset + 4)..<box.end
    }

    /// One open container during a walk: its children and how far we are through them.
    private struct Frame {
        var boxes: [QuickTimeBox]
        var next: Int
        var ancestors: [QuickTimeBox]
    }

    /// What a visitor wants after seeing a box.
    public enum Visit: Sendable {
        /// Look inside it if it is a container.
        case descend
        /// Do not look inside it.
        case skip
        /// End the walk.
        case stop
    }

    /// Visits every box inside `range` depth-first in file order. The visitor gets each box's
    /// enclosing boxes, outermost first, starting with `ancestors` (the boxes that hold `range`).
    /// Returns every damage met; damage in one container does not stop its siblings being read.
    @discardableResult
    public static func walk(
        _ range: Range<Int64>, of source: some QuickTimeByteSource, topLevel: Bool = false,
        ancestors: [QuickTimeBox] = [],
        visit: (_ box: QuickTimeBox, _ ancestors: [QuickTimeBox]) -> Visit
    ) -> [QuickTimeDamage] {
        var damages: [QuickTimeDamage] = []
        var budget = maxBoxes
        let first = boxes(in: range, of: source, topLevel: topLevel, limit: budget)
        budget -= first.boxes.count
        if let damage = first.damage { damages.append(damage) }
        var stack = [Frame(boxes: first.boxes, next: 0, ancestors: ancestors)]

        while let top = stack.last {
            guard top.next < top.boxes.count else {
                stack.removeLast()
                continue
            }
            let box = top.boxes[top.next]
            stack[stack.count - 1].next += 1
            switch visit(box, top.ancestors) {
            case .stop:
                return damages
            case .skip:
                continue
            case .descend:
                break
            }
            guard isContainer(box, parent: top.ancestors.last) else { continue }
            let depth = top.ancestors.count + 1
            guard depth < maxDepth else {
                damages.append(QuickTimeDamage(
                    kind: .limit, offset: box.offset,
                    message: "boxes nested deeper than \(maxDepth) levels at offset \(box.offset)", box: box))
                continue
            }
            guard budget > 0 else {
                damages.append(QuickTimeDamage(
                    kind: .limit, offset: box.offset, message: "more than \(maxBoxes) boxes; stopped at offset \(box.offset)",
                    box: box))
                return damages
            }
            let children = boxes(in: childRange(of: box, in: source), of: source, topLevel: false, limit: budget)
            budget -= children.boxes.count
            if let damage = children.damage { damages.append(damage) }
            stack.append(Frame(boxes: children.boxes, next: 0, ancestors: top.ancestors + [box]))
        }
        return damages
    }
}
