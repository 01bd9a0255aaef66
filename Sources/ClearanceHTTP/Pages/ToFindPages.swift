import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird

/// `/to-find`: the people to find, as officers, editors and the DPO open it: a crop of each face,
/// the file's name, its folder (the event), the capture date and who decided, a page at a time.
/// No script: the crops are plain images from the crop route.
extension ClearanceService {
    func addToFindPages(_ book: RouteBook) {
        book.add(.get, "/to-find", peopleToFindAccess) { request, context in
            let number = (request.uri.queryParameters["page"].map(String.init)).flatMap { Int($0) }.map { min(max($0, 1), 1_000_000) } ?? 1
            let list = try peopleToFind.page(number, size: Self.peopleToFindPageSize)
            func link(_ page: Int) -> String { page > 1 ? "/to-find?page=\(page)" : "/to-find" }
            let canDecide = context.role.map { [Role.editor, .dpo].contains($0) } ?? false
            var values: [String: Any] = [
                "total": list.total, "hasAny": list.total > 0, "pageNumber": list.page, "pageCount": list.pageCount,
                "paged": list.pageCount > 1,
                "faces": list.faces.map { entry in
                    [
                        "asset": entry.asset, "n": entry.n, "file": entry.file,
                        "folder": entry.folder.isEmpty ? "(no folder)" : entry.folder,
                        "taken": entry.capturedAt ?? "date not recorded",
                        "decidedBy": entry.decidedBy, "decidedAt": entry.decidedAt.description,
                        "hasCrop": entry.hasCrop,
                        "time": entry.t.map { String(format: "%.1f s into the video", $0) } ?? "",
                        // Editors decide the face once the person is registered, on the review page.
                        "canDecide": canDecide, "reviewLink": "/review?asset=\(entry.asset)#\(entry.asset)",
                    ] as [String: Any]
                },
            ]
            // Only when there is one: Mustache takes an empty string as true, and would draw a link to nowhere.
            if list.page > 1 { values["newerLink"] = link(list.page - 1) }
            if list.page < list.pageCount { values["olderLink"] = link(list.page + 1) }
            return page(.toFind, values, context, title: "People to find")
        }
    }
}
