import Foundation

/// One message: plain text and HTML alternatives of the same content.
public struct MailMessage: Sendable, Equatable {
    public var from: MailAddress
    public var to: MailAddress
    public var subject: String
    public var text: String
    /// Already escaped HTML (the caller renders it with its own escaper).
    public var html: String

    public init(from: MailAddress, to: MailAddress, subject: String, text: String, html: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
    }

    /// RFC 5322 bytes with CRLF line ends: `multipart/alternative` with a text and an HTML part,
    /// each UTF-8 in base64 (lines of 76), so no body line is too long or can end the message.
    /// `messageID` and `date` make the output repeatable in tests.
    public func rendered(messageID: String? = nil, date: Date = Date()) throws(MailError) -> Data {
        guard !subject.unicodeScalars.contains(where: HeaderText.isControl) else {
            throw MailError.headerInjection(field: "subject")
        }
        let boundary = "=_clearance_" + Self.randomHex(12)
        let domain = from.address.split(separator: "@").last.map(String.init) ?? "localhost"
        let id = messageID ?? "\(Self.randomHex(16))@\(domain)"
        var lines = [
            "From: " + from.headerValue,
            "To: " + to.headerValue,
            "Subject: " + HeaderText.unstructured(subject),
            "Date: " + Self.rfc5322Date(date),
            "Message-ID: <" + id + ">",
            // RFC 3834: a machine sent it; auto-responders should not answer.
            "Auto-Submitted: auto-generated",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
            "This is a message in MIME format: a plain text and an HTML version.",
        ]
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            lines += ["--" + boundary, "Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", ""]
            lines += Self.base64Lines(Data(body.utf8))
        }
        lines += ["--" + boundary + "--", ""]
        return Data(lines.joined(separator: "\r\n").utf8)
    }

    static func base64Lines(_ data: Data) -> [String] {
        let encoded = Array(data.base64EncodedString().utf8)
        return stride(from: 0, to: encoded.count, by: 76).map {
            String(decoding: encoded[$0..<min($0 + 76, encoded.count)], as: UTF8.self)
        }
    }

    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
