import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird

/// The reviewer's page: the queue of pictures that need a person's decision, a page at a time,
/// each picture large with a numbered box per face; `review.js` does the deciding through the
/// JSON API, keyboard first.
extension ClearanceService {
    func addReviewPages(_ book: RouteBook) {
        book.add(.get, "/review", .roles([.editor, .dpo])) { request, context in
            let query = request.uri.queryParameters
            let number = (query["page"].map(String.init)).flatMap { Int($0) }.map { min(max($0, 1), 1_000_000) } ?? 1
            let queue = try review.page(number, size: Self.reviewPageSize, containing: query["asset"].map { String($0).lowercased() })
            let catalog = settings.configuration.catalog
            let channel = query["channel"].map(String.init).flatMap { catalog.contains(Channel($0)) ? $0 : nil }
                ?? catalog.channels.first?.name ?? "website"
            func link(_ page: Int) -> String { "/review?channel=\(Self.queryEscaped(channel))" + (page > 1 ? "&page=\(page)" : "") }
            var values: [String: Any] = [
                "total": queue.total, "hasAny": queue.total > 0, "pageNumber": queue.number, "pageCount": queue.pageCount,
                "paged": queue.pageCount > 1,
                "channels": catalog.channels.map { ["name": $0.name, "selected": $0.name == channel] as [String: Any] },
                "groups": queue.groups.map { group in
                    [
                        "folder": group.folder.isEmpty ? "(no folder)" : group.folder, "day": group.day ?? "date not recorded",
                        "assets": group.items.map { item in
                            ["sha256": item.sha256, "file": item.file, "isImage": item.kind == "image",
                             "reasons": item.reasons.map(\.rawValue)] as [String: Any]
                        },
                    ] as [String: Any]
                },
                "wide": true,
            ]
            // Only when there is one: Mustache takes an empty string as true, and would draw a link to nowhere.
            if queue.number > 1 { values["newerLink"] = link(queue.number - 1) }
            if queue.number < queue.pageCount { values["olderLink"] = link(queue.number + 1) }
            return page(.review, values, context, title: "Review", scripts: ["review.js"])
        }
    }
}
