import HTTPTypes
import Hummingbird

/// The headers every response carries, and the Content-Security-Policy of every HTML page.
///
/// No page has inline script, an inline event handler, a `<style>` element or a `style`
/// attribute (their scripts and stylesheet are files under `/static/`), so one strict policy
/// fits them all. A response that already has a policy keeps it: the consent receipt, a
/// standalone document with its own stylesheet, sends `DocumentPolicy.header`.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = ClearanceRequestContext

    static let pagePolicy = [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        // The offline capture page's service worker (/static/worker.js) and manifest.
        "worker-src 'self'",
        "manifest-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ].joined(separator: "; ")

    static let permissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        let isHTML = response.headers[.contentType]?.lowercased().hasPrefix("text/html") == true
        if isHTML && response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = Self.pagePolicy
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Permissions-Policy")!] = Self.permissionsPolicy
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
