import Foundation
@testable import Mail
import Testing

/// Splits a rendered message into header lines (unfolded) and decoded parts, as a reader would.
struct ParsedMessage {
    var headers: [String: String] = [:]
    var parts: [(type: String, body: String)] = []

    init(_ data: Data) throws {
        let text = try #require(String(data: data, encoding: .utf8))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\r"), "bare CR")
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "bare LF")
        let lines = text.components(separatedBy: "\r\n")
        let blank = try #require(lines.firstIndex(of: ""))
        var unfolded: [String] = []
        for line in lines[..<blank] {
            if line.hasPrefix(" ") || line.hasPrefix("\t") { unfolded[unfolded.count - 1] += line } else { unfolded.append(line) }
        }
        for line in unfolded {
            let colon = try #require(line.firstIndex(of: ":"))
            #expect(headers[String(line[..<colon])] == nil, "header \(line[..<colon]) twice")
            headers[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        let contentType = try #require(headers["Content-Type"])
        let boundary = try #require(contentType.components(separatedBy: "boundary=\"").last?.dropLast())
        let chunks = lines[(blank + 1)...].split(separator: "--" + boundary, omittingEmptySubsequences: false)
        for chunk in chunks.dropFirst() where !(chunk.first ?? "").hasPrefix("--") {
            let partLines = Array(chunk)
            let end = try #require(partLines.firstIndex(of: ""))
            let type = try #require(partLines[..<end].first { $0.hasPrefix("Content-Type:") })
            #expect(partLines[..<end].contains("Content-Transfer-Encoding: base64"))
            // The closing delimiter (`--boundary--`) ends the last part.
            let bodyLines = partLines[(end + 1)...].prefix { !$0.hasPrefix("--") }
            for line in bodyLines { #expect(line.utf8.count <= 76) }
            let body = try #require(Data(base64Encoded: bodyLines.joined()))
            parts.append((type, try #require(String(data: body, encoding: .utf8))))
        }
    }

    /// RFC 2047 encoded-words decoded (UTF-8, B encoding only: all Clearance writes).
    static func decodeWords(_ value: String) throws -> String {
        var out = ""
        var rest = Substring(value)
        while let start = rest.range(of: "=?UTF-8?B?") {
            out += rest[..<start.lowerBound].trimmingCharacters(in: .whitespaces)
            let afterStart = rest[start.upperBound...]
            let end = try #require(afterStart.range(of: "?="))
            let data = try #require(Data(base64Encoded: String(afterStart[..<end.lowerBound])))
            out += try #require(String(data: data, encoding: .utf8))
            rest = afterStart[end.upperBound...]
        }
        return out + rest
    }
}

@Suite("Composing messages")
struct MailMessageTests {
    let from = try! MailAddress("consent@council.example", displayName: "Riverside Council")

    func message(to: MailAddress, subject: String, text: String = "Hello", html: String = "<p>Hello</p>") -> MailMessage {
        MailMessage(from: from, to: to, subject: subject, text: text, html: html)
    }

    @Test("a plain ASCII message: headers as written, text and HTML alternatives")
    func plain() throws {
        let data = try message(to: MailAddress("amira@example.org", displayName: "Amira Haddad"), subject: "Your photo consent C-7KX4-M9QD")
            .rendered(messageID: "fixed@council.example", date: Date(timeIntervalSince1970: 1_767_225_600))
        let parsed = try ParsedMessage(data)
        #expect(parsed.headers["From"] == "Riverside Council <consent@council.example>")
        #expect(parsed.headers["To"] == "Amira Haddad <amira@example.org>")
        #expect(parsed.headers["Subject"] == "Your photo consent C-7KX4-M9QD")
        #expect(parsed.headers["Date"] == "Thu, 01 Jan 2026 00:00:00 +0000")
        #expect(parsed.headers["Message-ID"] == "<fixed@council.example>")
        #expect(parsed.headers["MIME-Version"] == "1.0")
        #expect(parsed.headers["Auto-Submitted"] == "auto-generated")
        #expect(parsed.parts.map(\.type) == ["Content-Type: text/plain; charset=utf-8", "Content-Type: text/html; charset=utf-8"])
        #expect(parsed.parts.map(\.body) == ["Hello", "<p>Hello</p>"])
    }

    @Test("non-ASCII names and subjects become RFC 2047 words that split only between whole scalars", arguments: [
        "José García", "Zoë d'Arcy-Ó Briain", "山田 太郎", "👩🏽‍🦱 Amira \u{301}\"", String(repeating: "é", count: 200),
        "=?UTF-8?B?Zm9v?= looks encoded", "e\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}",
    ])
    func encodedWords(_ text: String) throws {
        let data = try message(to: MailAddress("p@example.org", displayName: text), subject: "Re: " + text).rendered()
        let parsed = try ParsedMessage(data)
        let subject = try #require(parsed.headers["Subject"])
        #expect(try ParsedMessage.decodeWords(subject) == "Re: " + text || subject == "Re: " + text)
        let to = try #require(parsed.headers["To"])
        #expect(to.hasSuffix(" <p@example.org>"))
        let name = String(to.dropLast(" <p@example.org>".count))
        #expect(try ParsedMessage.decodeWords(name) == text || name == text || name == "\"\(text)\"")
        // Every header line, folded, stays within 78 characters; every encoded word within 75.
        let head = String(decoding: data, as: UTF8.self).components(separatedBy: "\r\n\r\n")[0]
        for line in head.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 998) }
        for word in head.components(separatedBy: CharacterSet(charactersIn: " \r\n")) where word.hasPrefix("=?UTF-8?B?") {
            #expect(word.utf8.count <= 75)
            let inner = word.dropFirst(10).dropLast(2)
            #expect(String(data: try #require(Data(base64Encoded: String(inner))), encoding: .utf8) != nil, "a word split a character")
        }
    }

    @Test("line breaks and control characters in any header field are refused, never passed on", arguments: [
        "Hello\r\nBcc: victim@example.org", "Hello\nBcc: x@example.org", "Hello\rX: y", "a\u{0}b", "a\u{85}b", "a\u{2028}b", "tab\there",
    ])
    func injection(_ text: String) throws {
        #expect(throws: MailError.headerInjection(field: "subject")) {
            try message(to: MailAddress("p@example.org"), subject: text).rendered()
        }
        #expect(throws: MailError.headerInjection(field: "display name")) { try MailAddress("p@example.org", displayName: text) }
    }

    @Test("addresses: plain ASCII mailboxes only", arguments: [
        ("amira@example.org", true), ("a.b+tag@sub.example.co.uk", true), ("o'brien@example.ie", true),
        ("no-at-sign", false), ("two@@example.org", false), ("a@b", false), ("a@-b.example", false), (".a@example.org", false),
        ("a..b@example.org", false), ("a b@example.org", false), ("a@example.org\r\nRCPT TO:<x@y.z>", false),
        ("<a@example.org>", false), ("\"quoted\"@example.org", false), ("josé@example.org", false), ("a@exa_mple.org", false),
        (String(repeating: "a", count: 65) + "@example.org", false),
    ])
    func addresses(_ address: String, _ valid: Bool) {
        #expect(MailAddress.isValid(address) == valid)
        #expect(((try? MailAddress(address)) != nil) == valid)
    }

    @Test("bodies of any text survive base64 and no body line can end the message or a part")
    func bodies() throws {
        let text = "Line one\r\n.\r\n--=_clearance_\r\nFrom me\n" + String(repeating: "ü", count: 500) + "\u{301}\""
        let html = "<p>" + String(repeating: "x", count: 2000) + "</p>"
        let parsed = try ParsedMessage(try message(to: MailAddress("p@example.org"), subject: "s", text: text, html: html).rendered())
        #expect(parsed.parts.map(\.body) == [text, html])
    }

    @Test("SMTP settings: smtp:// or smtps:// with a host, a login only with its password")
    func settings() throws {
        #expect(try SMTPSettings(url: "smtp://mail.example.org:587", from: from).requiresTLS == false)
        #expect(try SMTPSettings(url: "smtps://mail.example.org", from: from).requiresTLS)
        for bad in ["http://mail.example.org", "smtp://", "smtp://user:pw@mail.example.org", "smtp://mail.example.org/x?y", "mail.example.org"] {
            #expect(throws: MailError.self) { try SMTPSettings(url: bad, from: from) }
        }
        #expect(throws: MailError.self) { try SMTPSettings(url: "smtp://m.example.org", from: from, username: "u") }
        #expect(throws: MailError.self) { try SMTPSettings(url: "smtp://m.example.org", from: from, username: "u\r\nx", password: "p") }
    }
}
