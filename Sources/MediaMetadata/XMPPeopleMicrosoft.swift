/// Microsoft Photo Gallery people regions (`MP:RegionInfo/MPRI:Regions`).
/// `MPReg:Rectangle` is "x, y, w, h": top-left corner and size, normalised.
enum XMPPeopleMicrosoft {
    /// Photo Gallery's name for a face the user chose to ignore: still a face, just unnamed.
    static let ignoredFaceName = "ffffffffffffffff"

    static func read(_ doc: XMPDocument, _ ns: XMPNamespaces.Table, image: ImageGeometry) -> XMPPeopleReading {
        var reading = XMPPeopleReading()
        let list = "\(ns.mp("RegionInfo"))/\(ns.mpri("Regions"))"
        for index in 0..<doc.count(ns.mp, list) {
            let item = "\(list)[\(index + 1)]"
            func field(_ name: String) -> String? { doc.string(ns.mp, "\(item)/\(ns.mpreg(name))") }
            var name = field("PersonDisplayName")
            if name?.lowercased() == ignoredFaceName { name = nil }
            let ids = [field("PersonEmailDigest"), field("PersonLiveIdCID")].compactMap { $0 }
            let region = rectangle(field("Rectangle")).flatMap {
                RegionNormalizer.displayed($0, orientation: image.orientation)
            }
            reading.people.append(PersonShown(name: name, identifiers: ids, source: .microsoftRegion, region: region))
            reading.regions.append(XMPRegionMark(source: .microsoftRegion, region: region, names: name.map { [$0] } ?? []))
        }
        return reading
    }

    static func rectangle(_ text: String?) -> RegionNormalizer.StoredRect? {
        guard let text, text.count < 256 else { return nil }
        let numbers = text.split(separator: ",").map { XMPNumber.parse(String($0)) }
        guard numbers.count == 4, let x = numbers[0], let y = numbers[1], let w = numbers[2], let h = numbers[3] else {
            return nil
        }
        return RegionNormalizer.StoredRect(x: x, y: y, w: w, h: h)
    }
}
