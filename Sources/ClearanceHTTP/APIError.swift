import Foundation
import Hummingbird

/// An error answered as `{"error": "…"}` with its status; the message is for the client only
/// and is never logged (it may quote what the client sent).
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = Response.json(["error": message])
        response.status = status
        if status == .unauthorized, !request.uri.path.hasPrefix("/api/") {
            response.headers[.contentType] = "text/plain; charset=utf-8"
            response.body = .init(byteBuffer: ByteBuffer(string: message + "\n"))
        }
        return response
    }

    static let unauthenticated = APIError(.unauthorized, "sign in, or send Authorization: Bearer <token>")
    static let forbidden = APIError(.forbidden, "your role may not do this")
    static let csrf = APIError(.forbidden, "missing or wrong CSRF token; reload the page and try again")
}

extension Response {
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// JSON already encoded by one of ClearanceApp's encoders (the CLI prints the same text).
    static func jsonText(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
