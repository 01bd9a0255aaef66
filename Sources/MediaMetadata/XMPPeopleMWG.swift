/// MWG regions (`mwg-rs:Regions`), as Lightroom, digiKam, Picasa and iPhones write them.
/// Only regions of type Face are people; an unnamed face (iPhones write no names) is still
/// a person shown, listed with no name.
enum XMPPeopleMWG {
    static func read(_ doc: XMPDocument, _ ns: XMPNamespaces.Table, image: ImageGeometry) -> XMPPeopleReading {
        var reading = XMPPeopleReading()
        let rs = ns.mwgRS
        let root = rs("Regions")
        let list = "\(root)/\(rs("RegionList"))"
        let applied = "\(root)/\(rs("AppliedToDimensions"))"
        let appliedW = XMPNumber.parse(doc.string(rs, "\(applied)/\(ns.stDim("w"))"))
        let appliedH = XMPNumber.parse(doc.string(rs, "\(applied)/\(ns.stDim("h"))"))

        for index in 0..<doc.count(rs, list) {
            let item = "\(list)[\(index + 1)]"
            guard doc.string(rs, "\(item)/\(rs("Type"))")?.lowercased() == "face" else { continue }
            let name = doc.string(rs, "\(item)/\(rs("Name"))")
            let region = area(doc, ns, "\(item)/\(rs("Area"))", appliedW: appliedW, appliedH: appliedH, image: image)
            let ids = extensionIdentifiers(doc, ns, "\(item)/\(rs("Extensions"))")
            reading.people.append(PersonShown(name: name, identifiers: ids, source: .mwgRegion, region: region))
            reading.regions.append(XMPRegionMark(source: .mwgRegion, region: region, names: name.map { [$0] } ?? []))
        }
        return reading
    }

    /// `stArea` x/y are the centre; unit `normalized` (the default) or `pixel`, the latter
    /// measured against AppliedToDimensions, else the stored image size.
    private static func area(
        _ doc: XMPDocument, _ ns: XMPNamespaces.Table, _ path: String,
        appliedW: Double?, appliedH: Double?, image: ImageGeometry
    ) -> NormalizedRegion? {
        let st = ns.stArea
        func value(_ field: String) -> Double? { XMPNumber.parse(doc.string(ns.mwgRS, "\(path)/\(st(field))")) }
        guard var x = value("x"), var y = value("y"), var w = value("w"), var h = value("h") else { return nil }
        if doc.string(ns.mwgRS, "\(path)/\(st("unit"))")?.lowercased() == "pixel" {
            guard let width = appliedW ?? image.width.map(Double.init),
                  let height = appliedH ?? image.height.map(Double.init),
                  width > 0, height > 0
            else { return nil }
            x /= width; w /= width
            y /= height; h /= height
        }
        return RegionNormalizer.displayed(RegionNormalizer.fromCenter(x: x, y: y, w: w, h: h), orientation: image.orientation)
    }

    /// MWG leaves `Extensions` open; where a tool put IPTC person identifiers there, keep them.
    private static func extensionIdentifiers(_ doc: XMPDocument, _ ns: XMPNamespaces.Table, _ path: String) -> [String] {
        let ext = ns.iptcExt
        var ids = doc.strings(ns.mwgRS, "\(path)/\(ext("PersonId"))")
        let details = "\(path)/\(ext("PersonInImageWDetails"))"
        for index in 0..<doc.count(ns.mwgRS, details) {
            ids += doc.strings(ns.mwgRS, "\(details)[\(index + 1)]/\(ext("PersonId"))")
        }
        return ids
    }
}
