import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird

/// `/api/v1/takedowns`, `/api/v1/reports/*` and `/api/v1/people/{id}/sar`: what `takedowns`,
/// `takedown done`, `report` and `sar` do.
extension ClearanceService {
    struct TakedownDoneBody: Decodable {
        var note: String?
    }

    func addDPORoutes(_ book: RouteBook) {
        let dpo: Access = .roles([.dpo])

        book.add(.get, "/api/v1/takedowns", dpo) { request, _ in
            let text = request.uri.queryParameters["filter"].map(String.init) ?? "all"
            guard let filter = TakedownFilter(rawValue: text) else {
                throw APIError(.badRequest, "filter must be one of \(TakedownFilter.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return .jsonText(try TakedownOutput.json(try ledger.takedowns(filter)))
        }

        book.add(.post, "/api/v1/takedowns/{id}/done", dpo) { request, context in
            let body = try await request.decode(as: TakedownDoneBody.self, context: context)
            let item = try ledger.closeTakedown(try context.parameters.require("id"), note: body.note, by: context.user?.name)
            return .jsonText(Self.unwrapSingle(try TakedownOutput.json([item])))
        }

        book.add(.get, "/api/v1/reports/expiring", dpo) { request, _ in
            let (day, within) = try reportOptions(request, defaultWithin: 30)
            return .jsonText(try Reports(ledger).expiring(within: within, at: day).json())
        }

        book.add(.get, "/api/v1/reports/ages", dpo) { request, _ in
            let (day, within) = try reportOptions(request, defaultWithin: 90)
            return .jsonText(try Reports(ledger).ages(within: within, at: day).json())
        }

        book.add(.get, "/api/v1/reports/blocked", dpo) { request, _ in
            let (day, _) = try reportOptions(request, defaultWithin: 0)
            let channel = request.uri.queryParameters["channel"].map(String.init)
            return .jsonText(try Reports(ledger).blocked(channel: channel, at: day).json())
        }

        book.add(.get, "/api/v1/reports/retention", dpo) { request, _ in
            let (day, _) = try reportOptions(request, defaultWithin: 0)
            return .jsonText(try Reports(ledger).retention(at: day).json())
        }

        book.add(.get, "/api/v1/people/{id}/sar", dpo) { _, context in
            try subjectAccessZip(try person(context)).response
        }
    }

    /// `?at=YYYY-MM-DD&within=DAYS`, as `report --at --within`.
    func reportOptions(_ request: Request, defaultWithin: Int) throws -> (CalendarDate, Int) {
        var day = CalendarDate.today
        if let at = request.uri.queryParameters["at"].map(String.init) {
            guard let parsed = CalendarDate(parsing: at) else { throw APIError(.badRequest, "at must be a real date written YYYY-MM-DD") }
            day = parsed
        }
        var within = defaultWithin
        if let text = request.uri.queryParameters["within"].map(String.init) {
            guard let days = Int(text) else { throw APIError(.badRequest, "within must be a number of days") }
            within = days
        }
        return (day, within)
    }

    /// The subject access pack of `sar`, zipped in one folder named after the person's id.
    func subjectAccessZip(_ person: PersonEntry) throws -> ZipDownload.Prepared<SubjectAccessPack> {
        let id = person.id.description
        return try ZipDownload.make(in: settings.uploadDirectory, downloadName: "subject-access-\(id).zip",
                                    folderName: "subject-access-\(id)") { folder in
            try ledger.subjectAccessPack(id, to: folder)
        }
    }

    /// The one object of a JSON array of one.
    static func unwrapSingle(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("["), trimmed.hasSuffix("]") else { return text }
        return String(trimmed.dropFirst().dropLast()).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
