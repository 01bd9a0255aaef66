import ClearanceCore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// The stylesheet and scripts of the pages (`Public/`, embedded at build time), served at
/// `/static/NAME`. Pages link them with `?v=` and the first hex digits of their SHA-256: such a
/// URL never changes meaning, so browsers may keep it for a year; any other asks every time.
struct StaticAssets: Sendable {
    struct Asset: Sendable {
        let bytes: [UInt8]
        let contentType: String
        /// Hex of the SHA-256 of the bytes, shortened: the `v` of the page's link and the ETag.
        let version: String
    }

    static let files: [String: (bytes: [UInt8], contentType: String)] = [
        "clearance.css": (PackageResources.clearance_css, "text/css; charset=utf-8"),
        "page.js": (PackageResources.page_js, "text/javascript; charset=utf-8"),
        "capture.js": (PackageResources.capture_js, "text/javascript; charset=utf-8"),
        "check.js": (PackageResources.check_js, "text/javascript; charset=utf-8"),
        "outbox.js": (PackageResources.outbox_js, "text/javascript; charset=utf-8"),
        "worker.js": (PackageResources.worker_js, "text/javascript; charset=utf-8"),
        // kazuhikoarase's qrcode-generator, from Debian's node-qrcode-generator (a link to
        // /usr/share/javascript/qrcode-generator/qrcode.js, embedded at build time): the receipt's
        // QR code is drawn on the tablet, where the withdrawal secret is made.
        "qrcode.js": (PackageResources.qrcode_js, "text/javascript; charset=utf-8"),
        "capture.webmanifest": (PackageResources.capture_webmanifest, "application/manifest+json"),
        "icon-192.png": (PackageResources.icon_192_png, "image/png"),
        "icon-512.png": (PackageResources.icon_512_png, "image/png"),
    ]

    /// The capture page's service worker sits under /static/ with the other files; this lets it
    /// control /capture, outside its own folder.
    static let extraHeaders: [String: [(HTTPField.Name, String)]] = [
        "worker.js": [(HTTPField.Name("Service-Worker-Allowed")!, "/capture")],
    ]

    let assets: [String: Asset]

    init() {
        var assets: [String: Asset] = [:]
        for (name, file) in Self.files {
            let version = String(Hex.lowercase(SHA256.hash(data: file.bytes)).prefix(16))
            assets[name] = Asset(bytes: file.bytes, contentType: file.contentType, version: version)
        }
        self.assets = assets
    }

    /// The link a page uses for `name`; nil for a file that does not exist.
    func url(_ name: String) -> String? {
        assets[name].map { "/static/\(name)?v=\($0.version)" }
    }

    /// Every asset's link for the templates, keyed by its name with `_` for `.`
    /// (`{{static.capture_js}}`: Mustache reads a dot as a step into a value).
    var templateURLs: [String: String] {
        Dictionary(uniqueKeysWithValues: assets.keys.compactMap { name in url(name).map { (name.replacingOccurrences(of: ".", with: "_"), $0) } })
    }

    func response(_ name: String, request: Request) -> Response? {
        guard let asset = assets[name] else { return nil }
        let etag = "\"\(asset.version)\""
        var headers: HTTPFields = [.contentType: asset.contentType, .eTag: etag]
        headers[.cacheControl] = request.uri.queryParameters["v"].map(String.init) == asset.version
            ? "public, max-age=31536000, immutable" : "no-cache"
        for (field, value) in Self.extraHeaders[name] ?? [] { headers[field] = value }
        if request.headers[.ifNoneMatch] == etag {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}
