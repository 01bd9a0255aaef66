/// Everything in a packet that is not about people: release claims, keywords, document
/// identity, and the camera facts some tools keep only in XMP.
enum XMPDescriptive {
    static func read(_ doc: XMPDocument, _ ns: XMPNamespaces.Table, into facts: inout XMPFacts) {
        facts.keywords = doc.strings(ns.dc, ns.dc("subject"))
        facts.modelRelease = modelRelease(doc, ns)
        facts.documentID = doc.string(ns.xmpMM, ns.xmpMM("DocumentID"))
        facts.originalDocumentID = doc.string(ns.xmpMM, ns.xmpMM("OriginalDocumentID"))
        let derived = ns.xmpMM("DerivedFrom")
        facts.derivedFrom = doc.string(ns.xmpMM, "\(derived)/\(ns.stRef("documentID"))")
            ?? doc.string(ns.xmpMM, "\(derived)/\(ns.stRef("instanceID"))")
        facts.capturedAt = [
            (ns.exif, ns.exif("DateTimeOriginal")),
            (ns.photoshop, ns.photoshop("DateCreated")),
            (ns.xmp, ns.xmp("CreateDate")),
        ].lazy.compactMap { XMPValues.isoDate(doc.string($0.0, $0.1)) }.first
        facts.gps = XMPValues.gps(
            latitude: doc.string(ns.exif, ns.exif("GPSLatitude")),
            longitude: doc.string(ns.exif, ns.exif("GPSLongitude")),
            altitude: doc.string(ns.exif, ns.exif("GPSAltitude")),
            altitudeRef: doc.string(ns.exif, ns.exif("GPSAltitudeRef"))
        )
        facts.make = doc.string(ns.tiff, ns.tiff("Make"))
        facts.model = doc.string(ns.tiff, ns.tiff("Model"))
        facts.serial = doc.string(ns.aux, ns.aux("SerialNumber"))
            ?? doc.string(ns.exifEX, ns.exifEX("BodySerialNumber"))
            ?? doc.string(ns.exif, ns.exif("BodySerialNumber"))
    }

    /// PLUS release fields; nil when the packet has none of them.
    private static func modelRelease(_ doc: XMPDocument, _ ns: XMPNamespaces.Table) -> ModelRelease? {
        let plus = ns.plus
        let status = doc.string(plus, plus("ModelReleaseStatus")).map(XMPValues.plusCode)
        let ids = doc.strings(plus, plus("ModelReleaseID"))
        let minor = doc.string(plus, plus("MinorModelAgeDisclosure")).map(XMPValues.plusCode)
        guard status != nil || !ids.isEmpty || minor != nil else { return nil }
        return ModelRelease(status: status, ids: ids, minorAgeDisclosure: minor)
    }
}
