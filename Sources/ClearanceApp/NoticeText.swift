import ClearanceCore
import Foundation
import Ledger

/// The words of each notice, as one document rendered twice: plain text and HTML (every value
/// through `HTMLText`, the pages' scalar-safe escaper). Notices say nothing the recipient does
/// not already know: a person's own consent to them, a child's to the guardian who gave it,
/// and to the DPO only references, ids and counts.
struct NoticeDocument {
    var greeting: String
    var paragraphs: [String]
    var table: [(String, String)] = []
    var link: (label: String, url: String)?
    var after: [String] = []
    /// Lists under headings (the digest).
    var sections: [(heading: String, lines: [String])] = []

    func content(to: String, toName: String?, subject: String) -> NoticeContent {
        NoticeContent(to: to, toName: toName, subject: subject, text: text, html: html(title: subject))
    }

    var text: String {
        var out = [greeting, ""]
        for paragraph in paragraphs { out += [paragraph, ""] }
        if !table.isEmpty {
            let width = table.map { $0.0.count }.max() ?? 0
            out += table.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 } + [""]
        }
        if let link { out += [link.label + ":", link.url, ""] }
        for section in sections {
            out += [section.heading, String(repeating: "-", count: section.heading.count)]
            out += section.lines.isEmpty ? ["none", ""] : section.lines.map { "- " + $0 } + [""]
        }
        for paragraph in after { out += [paragraph, ""] }
        return out.joined(separator: "\n")
    }

    func html(title: String) -> String {
        let e = HTMLText.escape
        var out = ["<!DOCTYPE html>", "<html lang=\"en\">", "<head><meta charset=\"utf-8\"><title>\(e(title))</title></head>", "<body>"]
        out.append("<p>\(e(greeting))</p>")
        out += paragraphs.map { "<p>\(e($0))</p>" }
        if !table.isEmpty {
            out.append("<table>")
            out += table.map { "<tr><th align=\"left\">\(e($0.0))</th><td>\(e($0.1))</td></tr>" }
            out.append("</table>")
        }
        if let link, let url = URL(string: link.url), ["https", "http"].contains(url.scheme ?? "") {
            out.append("<p><a href=\"\(e(link.url))\">\(e(link.label))</a></p>")
        }
        for section in sections {
            out.append("<h2>\(e(section.heading))</h2>")
            out.append(section.lines.isEmpty ? "<p>none</p>" : "<ul>" + section.lines.map { "<li>\(e($0))</li>" }.joined() + "</ul>")
        }
        out += after.map { "<p>\(e($0))</p>" }
        out += ["</body>", "</html>", ""]
        return out.joined(separator: "\n")
    }
}

enum NoticeText {
    static func consentTable(reference: ConsentReference, terms: ConsentTerms) -> [(String, String)] {
        var rows = [("Reference", reference.description), ("Channels", terms.channels.map(\.name).joined(separator: ", ")),
                    ("Purposes", terms.purposes.joined(separator: ", "))]
        if let event = terms.event { rows.append(("Event", event)) }
        rows += [("Given on", terms.givenAt.description), ("Expires on", terms.expiresAt.description)]
        if let relationship = terms.guardianRelationship { rows.append(("Given by", "a guardian (\(relationship))")) }
        return rows
    }

    /// To the person, or the guardian who gave consent for them.
    static func receipt(reference: ConsentReference, terms: ConsentTerms, personName: String, guardianName: String?,
                        withdrawalURL: String, contact: String, to: String) -> NoticeContent {
        let reader = guardianName ?? personName
        let whose = guardianName == nil ? "your" : "\(personName)'s"
        let document = NoticeDocument(
            greeting: "Dear \(reader),",
            paragraphs: ["This is the receipt for \(whose) consent to photos and videos, recorded as \(reference). Keep it: the reference is how we find the record."],
            table: consentTable(reference: reference, terms: terms),
            link: ("Withdraw this consent at any time, without giving a reason", withdrawalURL),
            after: ["You can also withdraw by contacting \(contact) and quoting \(reference)."])
        return document.content(to: to, toName: reader, subject: "Your photo consent \(reference)")
    }

    static func renewal(reference: ConsentReference, terms: ConsentTerms, personName: String, guardianName: String?,
                        renewalURL: String, contact: String, to: String) -> NoticeContent {
        let reader = guardianName ?? personName
        let whose = guardianName == nil ? "Your" : "\(personName)'s"
        let document = NoticeDocument(
            greeting: "Dear \(reader),",
            paragraphs: ["\(whose) consent to photos and videos (\(reference)) ends on \(terms.expiresAt). After that day we will not publish new photos or videos under it.",
                         "If you are happy to continue, open the link below: it shows what was agreed, lets you untick any channel, and renews it with one button. If you do nothing, the consent simply ends."],
            table: consentTable(reference: reference, terms: terms),
            link: ("Renew (the link works once, until \(terms.expiresAt))", renewalURL),
            after: ["Questions, or to withdraw now: contact \(contact) and quote \(reference)."])
        return document.content(to: to, toName: reader, subject: "Your photo consent \(reference) ends on \(terms.expiresAt)")
    }

    static func reconsent(childName: String, guardianName: String?, birthday: CalendarDate, ageOfConsent: Int,
                          references: [ConsentReference], contact: String, to: String) -> NoticeContent {
        let document = NoticeDocument(
            greeting: "Dear \(guardianName ?? "parent or guardian"),",
            paragraphs: ["You gave consent for photos and videos of \(childName) (\(references.map(\.description).joined(separator: ", "))). On \(birthday) \(childName) turns \(ageOfConsent), the age at which they decide for themselves.",
                         "From that day we will not publish new photos or videos of \(childName) under your consent: \(childName) needs to give their own. Please let them know; they can do it at the next event or by contacting \(contact)."])
        return document.content(to: to, toName: guardianName, subject: "\(childName) can now give their own photo consent")
    }
}
