import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird

/// Sign-in, the home page and the person's own withdrawal page.
extension ClearanceService {
    static let loginCookie = "clearance_login"

    func addPageRoutes(_ book: RouteBook) {
        book.add(.get, "/", .anyone) { _, context in
            guard context.user != nil else { return .redirect(to: "/login", type: .found) }
            return page(.home, [:], context, title: "Home")
        }

        book.add(.get, "/login", .anyone) { _, context in
            loginPage(context, error: nil, name: nil, status: .ok)
        }

        book.add(.post, "/login", .anyone, csrfHeader: false) { request, context in
            let form = try await FormFields.read(request, limit: 16 << 10)
            // Double-submit token: the form must carry the value of the cookie set with it, so
            // another site cannot sign a browser into an account of its choosing.
            guard let sent = form["csrf"], let cookie = request.cookies[Self.loginCookie]?.value,
                  Secret.constantTimeEqual(sent, cookie) else {
                return loginPage(context, error: "The sign-in form expired. Please try again.",
                                 name: form["name"].flatMap { $0.unicodeScalars.count <= 64 ? $0 : nil }, status: .forbidden)
            }
            let name = form["name"] ?? ""
            // Typed names are shown again only when they could be an account's.
            let shownName = name.unicodeScalars.count <= 64 ? name : nil
            let source = ClientAddress.key(peer: context.peerAddress, forwardedFor: request.headers[.init("X-Forwarded-For")!],
                                           trustedProxies: settings.trustedProxies)
            if let wait = throttle.wait(source: source, name: name) {
                var response = loginPage(context, error: "Too many failed attempts from here for this account. Wait a few minutes and try again.",
                                         name: shownName, status: .tooManyRequests)
                response.headers[.retryAfter] = String(max(1, wait.components.seconds))
                return response
            }
            guard let user = try accounts.authenticate(name: name, password: form["password"] ?? "") else {
                throttle.recordFailure(source: source, name: name)
                return loginPage(context, error: "Wrong account name or password.", name: shownName, status: .unauthorized)
            }
            throttle.recordSuccess(source: source, name: name)
            let session = try accounts.startSession(for: user, lifetime: settings.sessionLifetime)
            var response = Response.redirect(to: "/", type: .normal)
            response.setCookie(sessionCookie(value: session.cookieValue, maxAge: Int(settings.sessionLifetime.components.seconds)))
            response.setCookie(Cookie(name: Self.loginCookie, value: "", maxAge: 0, path: "/login", secure: settings.secureCookies,
                                      httpOnly: true, sameSite: .strict))
            return response
        }

        book.add(.post, "/logout", .signedIn, csrfHeader: false) { request, context in
            try requireCSRF(try await FormFields.read(request, limit: 16 << 10), context)
            if let cookie = request.cookies[IdentityMiddleware.cookieName] { try accounts.endSession(cookieValue: cookie.value) }
            var response = Response.redirect(to: "/login", type: .normal)
            response.setCookie(sessionCookie(value: "", maxAge: 0))
            return response
        }

        // The pages' stylesheet and scripts.
        book.add(.get, "/static/{file}", .anyone) { request, context in
            guard let response = staticAssets.response(try context.parameters.require("file"), request: request) else {
                throw APIError(.notFound, "no such file")
            }
            return response
        }

        book.add(.get, "/withdraw/{secret}", .anyone) { _, context in
            let consent = try linkedConsent(context)
            return withdrawPage(consent, context, done: false)
        }

        book.add(.post, "/withdraw/{secret}", .anyone, csrfHeader: false) { _, context in
            // The secret in the link is the person's proof; no account and no other token.
            let consent = try linkedConsent(context)
            guard consent.state == .active else { return withdrawPage(consent, context, done: false) }
            let withdrawn = try ledger.withdraw(consent.reference.description, receivedVia: "self-service withdrawal link",
                                                recordedBy: "the person (withdrawal link)", note: nil).consent
            return withdrawPage(withdrawn, context, done: true)
        }

        addRenewalPages(book)
        addCapturePages(book)
        addSelfServicePages(book)
        addCheckPages(book)
        addDashboardPages(book)
        addReviewPages(book)
        addToFindPages(book)
    }

    func loginPage(_ context: ClearanceRequestContext, error: String?, name: String?, status: HTTPResponse.Status) -> Response {
        let token = Secret.generate()
        var values: [String: Any] = ["loginToken": token, "nameValue": name ?? ""]
        if let error { values["error"] = error }
        var response = page(.login, values, context, title: "Sign in", status: status)
        response.setCookie(Cookie(name: Self.loginCookie, value: token, maxAge: 1800, path: "/login",
                                  secure: settings.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    func linkedConsent(_ context: ClearanceRequestContext) throws -> ConsentRecord {
        let secret = try context.parameters.require("secret")
        // A link shown on a receipt page lives with the accounts; one sent in a receipt email, in the ledger.
        guard let reference = try accounts.consent(forWithdrawalSecret: secret) ?? ledger.consent(forWithdrawalLink: secret),
              let consent = try ledger.consent(reference) else {
            throw APIError(.notFound, "this withdrawal link is not valid")
        }
        return consent
    }

    func withdrawPage(_ consent: ConsentRecord, _ context: ClearanceRequestContext, done: Bool) -> Response {
        let values: [String: Any] = [
            "reference": consent.reference.description, "event": consent.terms.event ?? "",
            "channels": consent.terms.channels.map(\.name).joined(separator: ", "), "state": consent.state.rawValue,
            "done": done, "active": consent.state == .active, "inactive": consent.state != .active && !done,
            "action": "/withdraw/" + ((try? context.parameters.require("secret")) ?? ""),
        ]
        return page(.withdraw, values, context, title: "Your consent")
    }
}
