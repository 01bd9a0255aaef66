import Crypto
import Foundation

/// The Content-Security-Policy of a standalone HTML document Clearance writes: a consent
/// receipt, a subject access pack's `index.html`. Such a document has no script at all; its one
/// inline stylesheet is allowed by its SHA-256, and pictures only from beside it.
///
/// It goes into the document as a `<meta>` (the pack is opened from disk, with no server to send
/// a header) and, when the web service serves the document, into the response header too, with
/// `frame-ancestors`, which a `<meta>` cannot carry.
public struct DocumentPolicy: Sendable {
    /// The text between `<style>` and `</style>`, exactly.
    public let stylesheet: String

    public init(stylesheet: String) {
        self.stylesheet = stylesheet
    }

    var styleHash: String {
        "'sha256-" + Data(SHA256.hash(data: Data(stylesheet.utf8))).base64EncodedString() + "'"
    }

    /// For the `<meta http-equiv="Content-Security-Policy">` of the document.
    public var meta: String {
        // `file:` as well as 'self': a pack opened from disk has an opaque origin in some browsers.
        "default-src 'none'; style-src \(styleHash); img-src 'self' file: data:; base-uri 'none'; form-action 'none'"
    }

    /// For the `Content-Security-Policy` header when the web service answers with the document.
    public var header: String {
        meta + "; frame-ancestors 'none'"
    }

    /// The head of the document: charset, policy, title and the stylesheet.
    public func head(title: String) -> String {
        """
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="\(HTMLText.escape(meta))">
        <title>\(HTMLText.escape(title))</title>
        <style>\(stylesheet)</style>
        """
    }
}
