import ClearanceApp
import Foundation
import Mustache

/// Mustache's HTML content type with Clearance's escaper, which works on Unicode scalars
/// (swift-mustache's own walks `Character`s and lets `"` + a combining mark through).
struct ScalarHTMLContentType: MustacheContentType {
    static let name = "HTML_SCALARS"
    func escapeText(_ text: String) -> String { HTMLText.escape(text) }
}

/// The server-rendered pages, by the name of their template file (`Templates/NAME.mustache`).
enum Page: String, CaseIterable, Sendable {
    case login, home, capture, receipt, withdraw, check, dashboard, person, message, selfService, pending, renew, review, toFind
}

/// Why the templates could not be loaded; the server does not start.
struct TemplateError: Error, CustomStringConvertible {
    let description: String
}

/// The pages' templates, embedded in the binary at build time and compiled once at start.
///
/// Loading checks what would otherwise only show when a page is rendered: every `Page` has a
/// template, every partial a template names exists, and no template has an unescaped tag
/// (`{{{x}}}`, `{{&x}}`), so no text reaches a page without going through `HTMLText`.
struct PageTemplates: Sendable {
    /// Templates included by others (`{{> head}}`), not pages themselves.
    static let partials = ["head", "foot"]

    static let embedded: [String: [UInt8]] = [
        "head": PackageResources.head_mustache, "foot": PackageResources.foot_mustache,
        "message": PackageResources.message_mustache, "login": PackageResources.login_mustache,
        "home": PackageResources.home_mustache, "capture": PackageResources.capture_mustache,
        "receipt": PackageResources.receipt_mustache, "withdraw": PackageResources.withdraw_mustache,
        "check": PackageResources.check_mustache, "dashboard": PackageResources.dashboard_mustache,
        "person": PackageResources.person_mustache, "selfService": PackageResources.selfService_mustache,
        "pending": PackageResources.pending_mustache, "renew": PackageResources.renew_mustache,
        "review": PackageResources.review_mustache, "toFind": PackageResources.toFind_mustache,
    ]

    let library: MustacheLibrary

    init(sources: [String: [UInt8]] = Self.embedded) throws {
        MustacheContentTypes.register(ScalarHTMLContentType(), named: ScalarHTMLContentType.name)
        var library = MustacheLibrary()
        var included: [(template: String, partial: String)] = []
        for (name, bytes) in sources {
            let text = String(decoding: bytes, as: UTF8.self)
            if text.contains("{{{") || text.contains("{{&") {
                throw TemplateError(description: "template \(name) has an unescaped tag ({{{…}}} or {{&…}})")
            }
            included += Self.partialNames(in: text).map { (name, $0) }
            // Each template, partials included, starts with Mustache's built-in HTML content type,
            // so each one switches to the scalar-safe escaper first.
            do {
                try library.register("{{% CONTENT_TYPE: \(ScalarHTMLContentType.name) }}\n" + text, named: name)
            } catch {
                throw TemplateError(description: "template \(name) does not parse: \(error)")
            }
        }
        for page in Page.allCases where library.getTemplate(named: page.rawValue) == nil {
            throw TemplateError(description: "no template for the page \(page.rawValue)")
        }
        for (template, partial) in included where library.getTemplate(named: partial) == nil {
            throw TemplateError(description: "template \(template) includes \(partial), which does not exist")
        }
        self.library = library
    }

    /// The names in `{{> name}}` tags.
    static func partialNames(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{>") {
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "}}") else { break }
            names.append(after[..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = after[close.upperBound...]
        }
        return names
    }

    func render(_ page: Page, _ values: [String: Any]) -> String {
        // Every page's template was found when the server started.
        guard let html = library.render(Self.withoutEmptyText(values), withTemplate: page.rawValue) else {
            preconditionFailure("no template for \(page.rawValue)")
        }
        return html
    }

    /// Mustache counts an empty string as true, so `{{#postLink}}<a href="{{postLink}}">…` would
    /// draw a link to nowhere and `{{^postLink}}` would hide the text meant for that case. An
    /// empty value means "none" on every page: drop it before rendering, at every depth.
    static func withoutEmptyText(_ values: [String: Any]) -> [String: Any] {
        values.compactMapValues(withoutEmptyText)
    }

    private static func withoutEmptyText(_ value: Any) -> Any? {
        switch value {
        case let text as String: text.isEmpty ? nil : text
        case let nested as [String: Any]: withoutEmptyText(nested)
        case let list as [[String: Any]]: list.map(withoutEmptyText)
        case let list as [Any]: list.compactMap(withoutEmptyText)
        default: value
        }
    }
}
