import ClearanceApp
import ClearanceCore
import Foundation
import HTTPTypes
import Hummingbird

/// What every page's header needs, and the CSRF check of forms.
extension ClearanceService {
    /// `scripts`: files under `/static/` the page needs besides `page.js`.
    func layout(_ context: ClearanceRequestContext, title: String, scripts: [String] = []) -> [String: Any] {
        // `static`, not `assets`: the check page's own values have a list called assets.
        var values: [String: Any] = ["title": title, "static": staticAssets.templateURLs,
                                     "scripts": scripts.compactMap(staticAssets.url)]
        if let user = context.user, let role = context.role {
            values["user"] = [
                "name": user.name, "role": role.rawValue, "csrf": context.session?.csrfToken ?? "",
                "canCapture": [.officer, .dpo].contains(role), "canCheck": [.editor, .dpo].contains(role),
                "isDPO": role == .dpo, "isAdmin": role == .admin,
                // The people-to-find list: officers find them, editors decide their faces, the DPO oversees.
                "canFind": [.officer, .editor, .dpo].contains(role),
            ] as [String: Any]
            values["csrf"] = context.session?.csrfToken ?? ""
        }
        return values
    }

    func page(_ template: Page, _ values: [String: Any], _ context: ClearanceRequestContext, title: String,
              status: HTTPResponse.Status = .ok, scripts: [String] = []) -> Response {
        var all = layout(context, title: title, scripts: scripts)
        all.merge(values) { _, new in new }
        var response = Response.html(pages.render(template, all), status: status)
        if let user = context.user {
            // Whom the page was rendered for: the capture page's service worker keeps a copy only
            // of a page rendered for someone, and outbox.js drops a copy kept for someone else.
            response.headers[HTTPField.Name("Clearance-Account")!] = user.name.addingPercentEncoding(withAllowedCharacters: Self.headerSafe) ?? ""
        }
        return response
    }

    /// ASCII letters, digits and `-._~`: everything else in a header value is percent-encoded.
    static let headerSafe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    func messagePage(_ context: ClearanceRequestContext, title: String, text: String, status: HTTPResponse.Status,
                     link: (href: String, label: String)? = nil) -> Response {
        var values: [String: Any] = ["text": text]
        if let link { values["link"] = ["href": link.href, "label": link.label] }
        return page(.message, values, context, title: title, status: status)
    }

    /// Forms of signed-in pages carry the session's CSRF token; bearer-token clients have no
    /// cookie to be tricked with and use the API instead.
    func requireCSRF(_ form: FormFields, _ context: ClearanceRequestContext) throws {
        guard let session = context.session, let sent = form["csrf"], Secret.constantTimeEqual(sent, session.csrfToken) else {
            throw APIError.csrf
        }
    }

    func sessionCookie(value: String, maxAge: Int) -> Cookie {
        Cookie(name: IdentityMiddleware.cookieName, value: value, maxAge: maxAge, path: "/",
               secure: settings.secureCookies, httpOnly: true, sameSite: .strict)
    }
}
