import ClearanceApp
import Foundation
import Hummingbird

/// `GET /metrics`: for admins, and for a scraper on the same machine. A request from loopback
/// that carries `X-Forwarded-For` came through a reverse proxy, so it is not taken as local.
extension ClearanceService {
    func addMetricsRoute(_ book: RouteBook) {
        book.add(.get, "/metrics", .roles([.admin]), alsoFromLoopback: true) { _, _ in
            var response = Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                                    body: .init(byteBuffer: ByteBuffer(string: try metrics.render(ledger: ledger))))
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }

    static func isLoopback(_ address: String?) -> Bool {
        guard let address else { return false }
        return address == "::1" || address.hasPrefix("127.") || address.lowercased().hasPrefix("::ffff:127.")
    }
}
