import CExempi

/// One parsed XMP packet, owned by one caller: a small safe face over Exempi's `XmpPtr`.
///
/// Each read creates its own document, so no Exempi object is ever shared between threads;
/// the toolkit serialises its global tables internally.
final class XMPDocument {
    /// Larger packets are refused before Exempi sees them; real ones are kilobytes, and
    /// JPEG ExtendedXMP reassembled stays far below this.
    static let maxPacketBytes = 16 << 20
    /// Arrays longer than this are read only this far: a guard against hostile files.
    static let maxArrayItems = 4096

    private let handle: XmpPtr

    /// Parses `bytes`; nil when the packet is empty, too large, or not XMP that Exempi accepts.
    init?(packet bytes: [UInt8]) {
        guard XMPNamespaces.shared != nil,
              !bytes.isEmpty, bytes.count <= Self.maxPacketBytes,
              let handle = xmp_new_empty()
        else { return nil }
        let parsed = bytes.withUnsafeBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                xmp_parse(handle, $0, buffer.count)
            }
        }
        guard parsed else {
            xmp_free(handle)
            return nil
        }
        self.handle = handle
    }

    deinit { xmp_free(handle) }

    /// The value of a simple property at `path` (an Exempi path expression rooted in `ns`),
    /// trimmed; nil when absent, empty, or not a simple value.
    func string(_ ns: XMPNamespace, _ path: String) -> String? {
        guard let (value, bits) = raw(ns, path), bits & UInt32(XMP_PROP_COMPOSITE_MASK.rawValue) == 0 else {
            return nil
        }
        let trimmed = value.xmpTrimmed()
        return trimmed.isEmpty ? nil : trimmed
    }

    func has(_ ns: XMPNamespace, _ path: String) -> Bool {
        xmp_has_property(handle, ns.uri, path)
    }

    /// Whether `path` is an array (bag, seq or alt).
    func isArray(_ ns: XMPNamespace, _ path: String) -> Bool {
        guard let (_, bits) = raw(ns, path) else { return false }
        return bits & UInt32(XMP_PROP_VALUE_IS_ARRAY.rawValue) != 0
    }

    /// Number of items in the array at `path` (0 if absent or not an array), capped.
    func count(_ ns: XMPNamespace, _ path: String) -> Int {
        guard isArray(ns, path) else { return 0 }
        var n = 0
        while n < Self.maxArrayItems, has(ns, "\(path)[\(n + 1)]") { n += 1 }
        return n
    }

    /// The simple values of an array, or the single value when a writer stored a plain
    /// string where the schema asks for a bag (common in hand-made sidecars).
    func strings(_ ns: XMPNamespace, _ path: String) -> [String] {
        if !isArray(ns, path) { return string(ns, path).map { [$0] } ?? [] }
        return (0..<count(ns, path)).compactMap { string(ns, "\(path)[\($0 + 1)]") }
    }

    /// A language alternative's default text (`x-default`, else the first item); a plain
    /// string stored instead of an alt is accepted too.
    func text(_ ns: XMPNamespace, _ path: String) -> String? {
        if !isArray(ns, path) { return string(ns, path) }
        if let value = localized(ns, path) { return value }
        return string(ns, "\(path)[1]")
    }

    private func localized(_ ns: XMPNamespace, _ path: String) -> String? {
        guard let value = xmp_string_new() else { return nil }
        defer { xmp_string_free(value) }
        guard xmp_get_localized_text(handle, ns.uri, path, nil, "x-default", nil, value, nil),
              let c = xmp_string_cstr(value)
        else { return nil }
        let trimmed = String(cString: c).xmpTrimmed()
        return trimmed.isEmpty ? nil : trimmed
    }

    private func raw(_ ns: XMPNamespace, _ path: String) -> (String, UInt32)? {
        guard let value = xmp_string_new() else { return nil }
        defer { xmp_string_free(value) }
        var bits: UInt32 = 0
        guard xmp_get_property(handle, ns.uri, path, value, &bits) else { return nil }
        guard let c = xmp_string_cstr(value) else { return ("", bits) }
        return (String(cString: c), bits)
    }
}

extension String {
    func xmpTrimmed() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace || first == "\u{0}" { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace || last == "\u{0}" { scalars.removeLast() }
        return String(scalars)
    }
}
