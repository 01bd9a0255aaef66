import Foundation

/// `index.html` of a subject access pack: what we hold about the person, in plain words.
enum SubjectAccessPage {
    static func e(_ text: String?) -> String { HTMLText.escape(text ?? "") }

    static let stylesheet = """

        body { font-family: sans-serif; max-width: 46em; margin: 2em auto; line-height: 1.5; color: #111; }
        th { text-align: left; padding-right: 1em; vertical-align: top; font-weight: normal; color: #444; }
        .note { background: #f3f3f3; padding: 0.5em; }
        .picture { max-width: 480px; }

        """

    /// No script, its own stylesheet, pictures from the pack itself.
    static let policy = DocumentPolicy(stylesheet: stylesheet)

    static func channels(_ names: [String]) -> String {
        names.isEmpty ? "nowhere" : names.joined(separator: ", ")
    }

    static func consentState(_ c: SubjectAccessPack.ConsentPart) -> String {
        switch c.state {
        case "active": "in force until \(c.expiresAt)"
        case "withdrawn": "withdrawn on \(c.withdrawn.map { String($0.prefix(10)) } ?? "?")"
        case "superseded": "replaced by \(c.supersededBy ?? "a later version")"
        default: c.state
        }
    }

    /// A link when the address is a plain http(s) URL, else the address as text.
    static func postLink(_ address: String) -> String {
        guard let url = PostURL.linkable(address) else { return e(address) }
        return "<a href=\"\(e(url))\" rel=\"noreferrer\">\(e(address))</a>"
    }

    static func html(_ pack: SubjectAccessPack) -> String {
        let p = pack.person
        var details: [(String, String?)] = [("Name", p.name), ("Other names", p.aliases.isEmpty ? nil : p.aliases.joined(separator: ", ")),
                                            ("Date of birth", p.born), ("Email", p.email), ("Phone", p.phone),
                                            ("Our reference for you", p.id), ("Registered on", String(p.registeredAt.prefix(10)))]
        if !p.roles.isEmpty { details.append(("Recorded as", p.roles.joined(separator: ", "))) }
        let detailRows = details.compactMap { label, value in value.map { "<tr><th>\(e(label))</th><td>\(e($0))</td></tr>" } }

        let consentBlocks = pack.consents.map { c -> String in
            var rows: [(String, String?)] = [
                ("Where we may use your picture", channels(c.channels)),
                ("What for", c.purposes.isEmpty ? nil : c.purposes.joined(separator: ", ")),
                ("Event", c.event), ("Given on", c.givenAt), ("Ends on", c.expiresAt), ("Status", consentState(c)),
                ("Given by", c.guardianRelationship.map { "your \($0)" + (c.guardian.map { " (\($0))" } ?? "") }),
                ("How", c.method + (c.witness.map { ", witnessed by \($0)" } ?? "")), ("Recorded by", c.recordedBy),
                ("Form you were shown", c.formVersion),
            ]
            if let via = c.withdrawalReceivedVia { rows.append(("You withdrew it by", via)) }
            if let note = c.withdrawalNote { rows.append(("Note about the withdrawal", note)) }
            rows.append(("Record checked", c.verifies ? "yes: our signed record of this consent is intact"
                                                      : "NO: our record of this consent fails its integrity check; we are looking into it"))
            if let matches = c.signatureMatchesRecord {
                rows.append(("Your signature", matches ? "included, and identical to the one recorded"
                                                       : "included, but it does not match the one recorded"))
            }
            let table = rows.compactMap { label, value in value.map { "<tr><th>\(e(label))</th><td>\(e($0))</td></tr>" } }
            var links = ["<a href=\"\(e(c.receiptFile))\">receipt</a>"]
            if let signature = c.signatureFile { links.append("<a href=\"\(e(signature))\">signature</a>") }
            return """
                <h3>Consent \(e(c.reference)) (version \(c.version))</h3>
                <table>\(table.joined())</table>
                <p>\(links.joined(separator: " · "))</p>
                """
        }

        let assetBlocks = pack.assets.map { a -> String in
            let what = a.kind == "video" ? "Video" : "Picture"
            var lines = ["<h3>\(what) \(e(String(a.asset.prefix(12))))\(a.capturedAt.map { ", taken \(e(String($0.prefix(10))))" } ?? "")</h3>"]
            if let file = a.file {
                if a.kind == "video" {
                    lines.append("<p><a href=\"\(e(file))\">Open the video</a></p>")
                } else {
                    lines.append("<p><a href=\"\(e(file))\"><img class=\"picture\" src=\"\(e(file))\" alt=\"\(what) of you\"></a></p>")
                }
            }
            if let note = a.note { lines.append("<p class=\"note\">\(e(note))</p>") }
            if a.publications.isEmpty {
                lines.append("<p>We have not published it.</p>")
            } else {
                let items = a.publications.map { pub in
                    "<li>\(e(pub.channel)) on \(e(String(pub.at.prefix(10)))), by \(e(pub.by))"
                        + (pub.postURL.map(postLink).map { ": " + $0 } ?? "") + "</li>"
                }
                lines.append("<p>We published it:</p><ul>\(items.joined())</ul>")
            }
            return lines.joined(separator: "\n")
        }

        let takedownItems = pack.takedowns.map { t in
            let state = switch t.status {
            case "done": "removed on \(String((t.doneAt ?? "").prefix(10)))"
            case "do-not-reprint": "printed: it cannot be recalled, and will not be reprinted"
            default: "to be removed by \(t.dueOn ?? "?")"
            }
            return "<li>\(e(t.channel))\(t.postURL.map { " (\(postLink($0)))" } ?? ""): \(e(state))</li>"
        }

        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            \(policy.head(title: "What we hold about you"))
            </head>
            <body>
            <h1>What we hold about you</h1>
            <p>You asked us for a copy of the information we keep about you and the photos and videos of you.
            This is all of it, prepared on \(e(String(pack.generatedAt.prefix(10)))). If anything is wrong, or you want us
            to stop using your picture, contact \(e(pack.organisationContact)).</p>

            <h2>Your details</h2>
            <table>\(detailRows.joined())</table>

            <h2>What you agreed to</h2>
            \(pack.consents.isEmpty ? "<p>We have no record of you agreeing to the use of your picture.</p>" : consentBlocks.joined(separator: "\n"))

            <h2>Photos and videos of you</h2>
            <p>Other people in them are blacked out, to protect their privacy.</p>
            \(pack.assets.isEmpty ? "<p>We hold no photo or video that we know shows you.</p>" : assetBlocks.joined(separator: "\n"))

            \(takedownItems.isEmpty ? "" : "<h2>Removing your pictures</h2>\n<ul>\(takedownItems.joined())</ul>")

            <p>The same information, for computers, is in <a href="data.json">data.json</a>.</p>
            </body>
            </html>

            """
    }
}
