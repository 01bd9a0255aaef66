import ClearanceApp
import ClearanceCore
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging

/// Finds who is asking: `Authorization: Bearer <token>`, else the session cookie. It rejects
/// nothing itself (the route decides), except a bearer token that matches no account: that is
/// a 401 at once, so an integration with a revoked token fails loudly.
struct IdentityMiddleware: RouterMiddleware {
    typealias Context = ClearanceRequestContext
    let accounts: Accounts

    static let cookieName = "clearance_session"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let bearer = request.headers.bearer {
            guard let user = try accounts.user(forToken: bearer.token) else { throw APIError.unauthenticated }
            context.user = user
        } else if let cookie = request.cookies[Self.cookieName], let session = try accounts.session(cookieValue: cookie.value) {
            context.user = session.user
            context.session = session
        }
        return try await next(request, context)
    }
}

/// Logs each request by its route pattern (`/api/v1/people/{id}`), never its concrete path,
/// query or body, which may hold names or secrets; turns errors into clear responses.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = ClearanceRequestContext
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as InputErrorConvertible {
            response = try APIError(.badRequest, error.inputMessage).response(from: request, context: context)
        } catch let error as HTTPError {
            // Hummingbird's own refusals (undecodable JSON, body too large) in the API's error shape.
            response = try APIError(error.status, error.body ?? error.status.reasonPhrase).response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch let error as any ServiceUnavailable {
            // The database went away under this request (several servers on PostgreSQL): not
            // the caller's fault; the next request connects afresh.
            context.logger.warning("request failed: the database is unavailable", metadata: ["error.type": "\(type(of: error))"])
            response = try APIError(.serviceUnavailable, "the database is unavailable just now; try again shortly")
                .response(from: request, context: context)
            response.headers[.retryAfter] = "5"
        } catch {
            context.logger.error("request failed", metadata: ["error.type": "\(type(of: error))"])
            response = try APIError(.internalServerError, "internal error").response(from: request, context: context)
        }
        let elapsed = ContinuousClock.now - start
        metrics.recordRequest(method: request.method.rawValue, route: context.endpointPath ?? "(no route)",
                              status: Int(response.status.code), elapsed: elapsed)
        context.logger.info("request", metadata: [
            "method": "\(request.method.rawValue)",
            "route": "\(context.endpointPath ?? "(no route)")",
            "status": "\(response.status.code)",
            "ms": "\(Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1000 + Double(elapsed.components.seconds) * 1000)",
        ])
        return response
    }
}
