import CExempi

/// One XMP namespace: its URI and the prefix Exempi knows it by.
///
/// Exempi path expressions (`mwg-rs:Regions/mwg-rs:RegionList[1]`) are written with prefixes,
/// and a prefix is global to the process: if the URI was registered before under another
/// prefix, Exempi keeps that one. So paths are always built from `prefix`, never from a
/// hard-coded string.
struct XMPNamespace: Sendable {
    let uri: String
    let prefix: String

    /// `name` qualified with this namespace's prefix, e.g. `stArea:x`.
    func callAsFunction(_ name: String) -> String { "\(prefix):\(name)" }
}

/// The namespaces Clearance reads, registered with Exempi exactly once per process.
enum XMPNamespaces {
    /// Set up on first use. Swift runs a static initialiser once, thread-safely, so
    /// `xmp_init` and the registrations happen once even when many threads read at once.
    static let shared: Table? = Table()

    struct Table: Sendable {
        let dc, xmp, xmpMM, stRef, exif, exifEX, tiff, aux, photoshop: XMPNamespace
        let mwgRS, stArea, stDim: XMPNamespace
        let mp, mpri, mpreg: XMPNamespace
        let iptcExt, plus: XMPNamespace

        init?() {
            guard xmp_init() else { return nil }
            func ns(_ uri: String, _ suggested: String) -> XMPNamespace? {
                XMPNamespaces.register(uri: uri, suggestedPrefix: suggested)
            }
            guard
                let dc = ns("http://purl.org/dc/elements/1.1/", "dc"),
                let xmp = ns("http://ns.adobe.com/xap/1.0/", "xmp"),
                let xmpMM = ns("http://ns.adobe.com/xap/1.0/mm/", "xmpMM"),
                let stRef = ns("http://ns.adobe.com/xap/1.0/sType/ResourceRef#", "stRef"),
                let exif = ns("http://ns.adobe.com/exif/1.0/", "exif"),
                let exifEX = ns("http://cipa.jp/exif/1.0/", "exifEX"),
                let tiff = ns("http://ns.adobe.com/tiff/1.0/", "tiff"),
                let aux = ns("http://ns.adobe.com/exif/1.0/aux/", "aux"),
                let photoshop = ns("http://ns.adobe.com/photoshop/1.0/", "photoshop"),
                let mwgRS = ns("http://www.metadataworkinggroup.com/schemas/regions/", "mwg-rs"),
                let stArea = ns("http://ns.adobe.com/xmp/sType/Area#", "stArea"),
                let stDim = ns("http://ns.adobe.com/xap/1.0/sType/Dimensions#", "stDim"),
                let mp = ns("http://ns.microsoft.com/photo/1.2/", "MP"),
                let mpri = ns("http://ns.microsoft.com/photo/1.2/t/RegionInfo#", "MPRI"),
                let mpreg = ns("http://ns.microsoft.com/photo/1.2/t/Region#", "MPReg"),
                let iptcExt = ns("http://iptc.org/std/Iptc4xmpExt/2008-02-29/", "Iptc4xmpExt"),
                let plus = ns("http://ns.useplus.org/ldf/xmp/1.0/", "plus")
            else { return nil }
            self.dc = dc; self.xmp = xmp; self.xmpMM = xmpMM; self.stRef = stRef
            self.exif = exif; self.exifEX = exifEX; self.tiff = tiff; self.aux = aux; self.photoshop = photoshop
            self.mwgRS = mwgRS; self.stArea = stArea; self.stDim = stDim
            self.mp = mp; self.mpri = mpri; self.mpreg = mpreg
            self.iptcExt = iptcExt; self.plus = plus
        }
    }

    /// Registers `uri` (a no-op if Exempi already knows it) and returns the prefix in force.
    private static func register(uri: String, suggestedPrefix: String) -> XMPNamespace? {
        guard let registered = xmp_string_new() else { return nil }
        defer { xmp_string_free(registered) }
        guard xmp_register_namespace(uri, suggestedPrefix, registered),
              let cString = xmp_string_cstr(registered)
        else { return nil }
        var prefix = String(cString: cString)
        // The XMP toolkit hands prefixes back with their trailing colon.
        if prefix.hasSuffix(":") { prefix.removeLast() }
        guard !prefix.isEmpty else { return nil }
        return XMPNamespace(uri: uri, prefix: prefix)
    }
}
