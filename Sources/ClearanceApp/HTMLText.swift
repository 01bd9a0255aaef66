/// Text made safe to place in HTML: element content, or an attribute value in double or single
/// quotes. Every page, the consent receipt, the QR code's SVG and the subject access pack go
/// through this one function (the web pages by way of their Mustache content type).
///
/// It walks Unicode scalars, never Swift `Character`s. A quote followed by a combining mark
/// (`"` + U+0301) is a single `Character`, so an escaper that compares Characters lets it through,
/// yet the browser's tokenizer sees the quote and ends the attribute there: the flaw of
/// CVE-2026-27120 in leaf-kit, and of swift-mustache 2.1.1's own escaper.
///
/// It is not enough for an unquoted attribute, a URL (`javascript:` is plain text) or anything
/// inside `<script>` or `<style>`; Clearance puts user text in none of those.
public enum HTMLText {
    public static func escape(_ text: String) -> String {
        // Most text needs nothing: answer it as it is.
        guard text.unicodeScalars.contains(where: needsWork) else { return text }
        var out = String.UnicodeScalarView()
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            default:
                // Control characters have no place in displayed text, and browsers treat some of
                // them (NUL, form feed in attribute values…) unevenly: each shows as U+FFFD.
                out.append(isControl(scalar) ? "\u{FFFD}" : scalar)
            }
        }
        return String(out)
    }

    static func needsWork(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "&", "<", ">", "\"", "'": true
        default: isControl(scalar)
        }
    }

    /// C0 controls other than tab, line feed and carriage return; DEL; C1 controls.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x20 { return value != 0x09 && value != 0x0A && value != 0x0D }
        return (0x7F...0x9F).contains(value)
    }
}
