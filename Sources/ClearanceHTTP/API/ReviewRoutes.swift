import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird

/// The review queue and the register as a reviewer searches it: what `/review` is built on.
extension ClearanceService {
    struct ReviewPageView: Encodable {
        struct Group: Encodable { var folder: String; var day: String?; var assets: [Item] }
        struct Item: Encodable { var asset: String; var file: String; var kind: String?; var capturedAt: String?; var reasons: [String] }
        var page: Int
        var pageCount: Int
        var pageSize: Int
        var total: Int
        var groups: [Group]
    }

    struct CandidateView: Encodable {
        var id: String
        var name: String
        var aliases: [String]
        var channels: [String]
    }

    static let reviewPageSize = 24

    func addReviewRoutes(_ book: RouteBook) {
        let reviewers: Access = .roles([.editor, .dpo])

        book.add(.get, "/api/v1/review", reviewers) { request, _ in
            let number = try Self.pageNumber(request.uri.queryParameters["page"].map(String.init))
            return .json(Self.view(try review.page(number, size: Self.reviewPageSize)))
        }

        book.add(.get, "/api/v1/review/people", reviewers) { request, _ in
            let text = request.uri.queryParameters["q"].map(String.init) ?? ""
            guard text.unicodeScalars.count <= 200 else { throw APIError(.badRequest, "q: at most 200 characters") }
            guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw APIError(.badRequest, "q: no control characters")
            }
            let found = try review.candidates(matching: text)
            return .json(found.map { CandidateView(id: $0.id.description, name: $0.name, aliases: $0.aliases, channels: $0.channels) })
        }
    }

    /// `page=N` from a query: absent is 1; anything but a whole number from 1 is refused.
    static func pageNumber(_ text: String?) throws -> Int {
        guard let text else { return 1 }
        guard let number = Int(text), number >= 1, number <= 1_000_000 else {
            throw APIError(.badRequest, "page: a whole number from 1")
        }
        return number
    }

    static func view(_ page: ReviewQueue.Page) -> ReviewPageView {
        ReviewPageView(page: page.number, pageCount: page.pageCount, pageSize: page.pageSize, total: page.total,
                       groups: page.groups.map { group in
                           ReviewPageView.Group(folder: group.folder, day: group.day, assets: group.items.map {
                               ReviewPageView.Item(asset: $0.sha256, file: $0.file, kind: $0.kind, capturedAt: $0.capturedAt,
                                                   reasons: $0.reasons.map(\.rawValue))
                           })
                       })
    }
}
