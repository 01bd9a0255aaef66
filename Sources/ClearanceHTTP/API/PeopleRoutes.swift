import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird

/// `/api/v1/people`: what `person add|list|show` and `erase` do.
extension ClearanceService {
    struct PersonBody: Decodable {
        var name: String
        var aliases: [String]?
        var born: String?
        var email: String?
        var phone: String?
        var serviceUser: Bool?
        var electedMember: Bool?
        var staff: Bool?
    }

    func addPeopleRoutes(_ book: RouteBook) {
        let readers: Access = .roles([.officer, .editor, .dpo])

        book.add(.get, "/api/v1/people", readers) { request, context in
            let people: [PersonEntry]
            if let name = request.uri.queryParameters["name"].map(String.init) {
                people = try ledger.findPeople(name)
            } else {
                people = try ledger.allPeople()
            }
            return .jsonText(try personJSON(people, consents: nil, role: context.role))
        }

        book.add(.post, "/api/v1/people", .roles([.officer, .dpo])) { request, context in
            let body = try await request.decode(as: PersonBody.self, context: context)
            let id = try ledger.addPerson(PersonRequest(
                name: body.name, aliases: body.aliases ?? [], born: body.born, email: body.email, phone: body.phone,
                roles: PersonRoles(serviceUser: body.serviceUser ?? false, electedMember: body.electedMember ?? false,
                                   staff: body.staff ?? false)))
            return .json(["id": id.description], status: .created)
        }

        book.add(.get, "/api/v1/people/{id}", readers) { _, context in
            let person = try person(context)
            let consents = try ledger.consents(of: person.id)
            return .jsonText(try personJSON([person], consents: [person.id: consents], role: context.role, single: true))
        }

        book.add(.post, "/api/v1/people/{id}/erase", .roles([.dpo])) { _, context in
            let result = try ledger.erase(try person(context).id.description)
            return .json(ErasureView(
                person: result.person.description, consents: result.consents.map(\.description), at: result.at.description,
                // The store's own file names only: where the server keeps them is its business.
                uploads: result.uploads.map {
                    .init(asset: $0.asset, file: ($0.file as NSString).lastPathComponent, action: $0.action.rawValue,
                          regionsBlackedOut: $0.regionsBlackedOut, reason: $0.reason)
                },
                outsideStore: result.outsideStore.map { .init(asset: $0.asset, path: $0.path, present: $0.present) }))
        }
    }

    struct ErasureView: Encodable {
        struct Upload: Encodable {
            var asset: String
            var file: String
            var action: String
            var regionsBlackedOut: Int
            var reason: String
        }
        struct Outside: Encodable {
            var asset: String
            var path: String
            var present: Bool
        }
        var person: String
        var consents: [String]
        var at: String
        /// What was done to the server's uploaded copies.
        var uploads: [Upload]
        /// Files ingested from elsewhere that showed the person: for the organisation to deal with.
        var outsideStore: [Outside]
    }

    /// Only an id in the path: a name there would end up in access logs of proxies.
    func person(_ context: ClearanceRequestContext) throws -> PersonEntry {
        let text = try context.parameters.require("id")
        guard let id = PersonID(parsing: text) else { throw APIError(.badRequest, "not a person id: expected P-XXXX-XXXX") }
        guard let entry = try ledger.person(id) else { throw APIError(.notFound, "unknown person \(id)") }
        return entry
    }

    func personJSON(_ people: [PersonEntry], consents: [PersonID: [ConsentRecord]]?, role: Role?,
                    single: Bool = false) throws -> String {
        let text = role?.seesPersonalDetails == true
            ? try LedgerJSON.people(people, consents: consents)
            : try LedgerJSON.peopleWithoutPersonalDetails(people, consents: consents)
        guard single else { return text }
        // The array of one, unwrapped.
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("["), trimmed.hasSuffix("]") else { return text }
        return String(trimmed.dropFirst().dropLast()).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
