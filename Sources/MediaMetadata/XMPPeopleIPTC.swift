/// IPTC Extension people: `PersonInImage` (names), `PersonInImageWDetails` (names with
/// identifiers) and `ImageRegion` regions that show a human.
enum XMPPeopleIPTC {
    /// IPTC NewsCodes "image region type: human".
    static let humanRegionType = "cv.iptc.org/newscodes/imageregiontype/human"

    static func read(_ doc: XMPDocument, _ ns: XMPNamespaces.Table, image: ImageGeometry) -> XMPPeopleReading {
        var reading = XMPPeopleReading()
        let ext = ns.iptcExt
        for name in doc.strings(ext, ext("PersonInImage")) {
            reading.people.append(PersonShown(name: name, source: .iptcPersonInImage))
        }
        reading.people += details(doc, ns, ext("PersonInImageWDetails"), source: .iptcPersonDetails)
        let regions = ext("ImageRegion")
        for index in 0..<doc.count(ext, regions) {
            readRegion(doc, ns, "\(regions)[\(index + 1)]", image: image, into: &reading)
        }
        return reading
    }

    /// Entries of a PersonInImageWDetails bag at `path`; entries with neither name nor id are skipped.
    private static func details(_ doc: XMPDocument, _ ns: XMPNamespaces.Table, _ path: String,
                                source: PeopleSource, region: NormalizedRegion? = nil) -> [PersonShown] {
        let ext = ns.iptcExt
        return (0..<doc.count(ext, path)).compactMap { index in
            let item = "\(path)[\(index + 1)]"
            let name = doc.text(ext, "\(item)/\(ext("PersonName"))")
            let ids = doc.strings(ext, "\(item)/\(ext("PersonId"))")
            guard name != nil || !ids.isEmpty else { return nil }
            return PersonShown(name: name, identifiers: ids, source: source, region: region)
        }
    }

    /// A region counts as a person region when its content type is human or when it names
    /// people; other regions (products, crops, artworks) are not about people.
    private static func readRegion(_ doc: XMPDocument, _ ns: XMPNamespaces.Table, _ item: String,
                                   image: ImageGeometry, into reading: inout XMPPeopleReading) {
        let ext = ns.iptcExt
        let region = boundary(doc, ns, "\(item)/\(ext("RegionBoundary"))", image: image)
        var people = doc.strings(ext, "\(item)/\(ext("PersonInImage"))").map {
            PersonShown(name: $0, source: .iptcImageRegion, region: region)
        }
        people += details(doc, ns, "\(item)/\(ext("PersonInImageWDetails"))", source: .iptcImageRegion, region: region)
        let human = isHuman(doc, ns, item)
        guard human || !people.isEmpty else { return }
        if people.isEmpty {
            // A human region with no person fields: its own name, if any, is the best label.
            people = [PersonShown(name: doc.text(ext, "\(item)/\(ext("Name"))"), source: .iptcImageRegion, region: region)]
        }
        reading.people += people
        reading.regions.append(XMPRegionMark(source: .iptcImageRegion, region: region, names: people.compactMap(\.name)))
    }

    private static func isHuman(_ doc: XMPDocument, _ ns: XMPNamespaces.Table, _ item: String) -> Bool {
        let ext = ns.iptcExt
        let types = "\(item)/\(ext("rCtype"))"
        for index in 0..<doc.count(ext, types) {
            let entity = "\(types)[\(index + 1)]"
            let ids = doc.strings(ext, "\(entity)/\(ns.xmp("Identifier"))") + doc.strings(ext, "\(entity)/\(ext("Identifier"))")
            if ids.contains(where: { $0.lowercased().contains(humanRegionType) }) { return true }
            if doc.text(ext, "\(entity)/\(ext("Name"))")?.lowercased() == "human" { return true }
        }
        return false
    }

    /// RegionBoundary to a rectangle. Rectangles give the top-left corner; circles the centre
    /// and a radius (relative radii are fractions of the image width); polygons their vertices.
    /// Circles and polygons become their bounding boxes. Pixel units need the stored size.
    private static func boundary(_ doc: XMPDocument, _ ns: XMPNamespaces.Table, _ path: String,
                                 image: ImageGeometry) -> NormalizedRegion? {
        let ext = ns.iptcExt
        guard doc.has(ext, path) else { return nil }
        func value(_ at: String, _ field: String) -> Double? { XMPNumber.parse(doc.string(ext, "\(at)/\(ext(field))")) }
        let pixels = doc.string(ext, "\(path)/\(ext("rbUnit"))")?.lowercased() == "pixel"
        let width = image.width.map(Double.init), height = image.height.map(Double.init)
        var sx = 1.0, sy = 1.0
        if pixels {
            guard let width, let height, width > 0, height > 0 else { return nil }
            sx = width; sy = height
        }
        let stored: RegionNormalizer.StoredRect?
        switch doc.string(ext, "\(path)/\(ext("rbShape"))")?.lowercased() {
        case "circle":
            guard let x = value(path, "rbX"), let y = value(path, "rbY"), let r = value(path, "rbRx") else { return nil }
            let rx = r / sx
            // Relative radii are fractions of the width; in height fractions that is r·W/H.
            var ry = r / sy
            if !pixels, let width, let height, height > 0 { ry = r * width / height }
            stored = RegionNormalizer.StoredRect(x: x / sx - rx, y: y / sy - ry, w: 2 * rx, h: 2 * ry)
        case "polygon":
            let vertices = "\(path)/\(ext("rbVertices"))"
            let points = (0..<doc.count(ext, vertices)).compactMap { index -> (Double, Double)? in
                let vertex = "\(vertices)[\(index + 1)]"
                guard let x = value(vertex, "rbX"), let y = value(vertex, "rbY") else { return nil }
                return (x / sx, y / sy)
            }
            stored = RegionNormalizer.boundingBox(points)
        default:
            guard let x = value(path, "rbX"), let y = value(path, "rbY"),
                  let w = value(path, "rbW"), let h = value(path, "rbH") else { return nil }
            stored = RegionNormalizer.StoredRect(x: x / sx, y: y / sy, w: w / sx, h: h / sy)
        }
        return stored.flatMap { RegionNormalizer.displayed($0, orientation: image.orientation) }
    }
}
