import CQRencode
import ClearanceApp
import Foundation

/// A QR code as SVG (libqrencode makes the modules; one `<path>` draws them), so a receipt
/// needs no image file and prints sharply. Pages show it as an `<img>` with a `data:` URL:
/// markup inside an image can run nothing, and the page's template needs no unescaped tag.
enum QRCodeSVG {
    /// nil when the text cannot be encoded (libqrencode refuses over ~2.9 KB).
    static func svg(for text: String, moduleSize: Int = 6, label: String) -> String? {
        guard text.utf8.count <= 1000, let code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else { return nil }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        guard width > 0, width <= 177, let data = code.pointee.data else { return nil }
        let quiet = 4
        let size = (width + 2 * quiet) * moduleSize
        var path = ""
        path.reserveCapacity(width * width * 8)
        for y in 0..<width {
            for x in 0..<width where data[y * width + x] & 1 == 1 {
                path += "M\((x + quiet) * moduleSize) \((y + quiet) * moduleSize)h\(moduleSize)v\(moduleSize)h-\(moduleSize)z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(size)" height="\(size)" viewBox="0 0 \(size) \(size)" role="img" aria-label="\(HTMLText.escape(label))">\
            <rect width="\(size)" height="\(size)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }

    /// The SVG as a `data:` URL for an `<img src>`.
    static func dataURL(for text: String, label: String) -> String? {
        svg(for: text, label: label).map { "data:image/svg+xml;base64," + Data($0.utf8).base64EncodedString() }
    }
}
