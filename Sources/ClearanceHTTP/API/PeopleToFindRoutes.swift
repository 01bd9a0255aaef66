import ClearanceApp
import Foundation
import Hummingbird

/// The people to find: faces decided not in the register, and a crop of each. Officers find the
/// people, editors decide their faces once they are registered, the DPO oversees; nobody else
/// sees them. A crop is served only for a face on the list: it is personal data, and those who
/// look for someone need no other face.
extension ClearanceService {
    static let peopleToFindPageSize = 24

    var peopleToFindAccess: Access { .roles([.officer, .editor, .dpo]) }

    func addPeopleToFindRoutes(_ book: RouteBook) {
        book.add(.get, "/api/v1/people-to-find", peopleToFindAccess) { request, _ in
            let number = try Self.pageNumber(request.uri.queryParameters["page"].map(String.init))
            return .json(try peopleToFind.page(number, size: Self.peopleToFindPageSize))
        }

        book.add(.get, "/api/v1/assets/{sha256}/faces/{n}/crop", peopleToFindAccess) { _, context in
            let hash = try context.parameters.require("sha256")
            guard Self.isSHA256(hash) else { throw APIError(.badRequest, "not a SHA-256 (64 hex digits)") }
            let text = try context.parameters.require("n")
            guard let number = Int(text), number >= 1, text.utf8.count <= 9 else {
                throw APIError(.badRequest, "the face number must be a whole number from 1")
            }
            guard let entry = try peopleToFind.entry(asset: hash.lowercased(), face: number) else {
                throw APIError(.notFound, "no face \(number) of that asset is on the people-to-find list")
            }
            // Not kept by the browser: the face may leave the list (or its person be erased) at any time.
            return try await Self.jpegResponse(cacheControl: "private, no-store") { [thumbnails, peopleToFind] in
                try thumbnails.faceJPEG(of: entry, from: peopleToFind)
            }
        }
    }
}
