import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird

/// The DPO's pages: the dashboard, a person's record (subject access) and erasure.
extension ClearanceService {
    func addDashboardPages(_ book: RouteBook) {
        let dpo: Access = .roles([.dpo])

        book.add(.get, "/dpo", dpo) { request, context in
            let channel = request.uri.queryParameters["channel"].map(String.init)
                .flatMap { settings.configuration.catalog.contains(Channel($0)) ? $0 : nil }
                ?? settings.configuration.catalog.channels.first?.name ?? "website"
            let figures = try DashboardFigures(ledger: ledger, channel: channel)
            let today = CalendarDate.today
            // Names and kinds for the rows shown: the DPO sees who, and a picture where there is one.
            let shownTakedowns = figures.openTakedowns.prefix(100)
            var names: [PersonID: String] = [:]
            for id in Set(shownTakedowns.map(\.person) + figures.withdrawals.prefix(50).map(\.person)) {
                names[id] = try ledger.person(id)?.personalData?.name ?? "(erased)"
            }
            var kinds: [String: String] = [:]
            for sha in Set(shownTakedowns.map(\.publication.record.sha256) + figures.blockedAssets.prefix(Self.dashboardBlockedLimit).map(\.sha256)) {
                kinds[sha] = try ledger.asset(sha)?.record.kind ?? ""
            }
            var values: [String: Any] = [
                "verification": [
                    "intact": figures.verification.isIntact, "problem": figures.verification.problem?.description ?? "",
                    "events": figures.verification.events, "people": figures.verification.people,
                    "erasedPeople": figures.verification.erasedPeople, "consents": figures.verification.consents,
                ] as [String: Any],
                "withdrawals": figures.withdrawals.prefix(50).map { consent in
                    ["reference": consent.reference.description, "person": consent.person.description,
                     "personName": names[consent.person] ?? consent.person.description, "at": consent.withdrawal?.at.description ?? "", "via": consent.withdrawal?.receivedVia ?? ""]
                },
                "takedowns": figures.openTakedowns.prefix(100).map { item in
                    let publication = item.publication.record
                    return ["id": TakedownOutput.label(item), "person": item.person.description,
                            "personName": names[item.person] ?? item.person.description, "sha256": publication.sha256,
                            "isImage": kinds[publication.sha256] == "image",
                            "overdue": item.isOverdue(on: today), "dueOn": item.dueOn?.description ?? "",
                            "channel": publication.channel.name,
                            // Only a plain http(s) address becomes a link; anything else is shown as text.
                            "postLink": PostURL.linkable(publication.postURL) ?? "",
                            "postText": PostURL.linkable(publication.postURL) == nil ? publication.postURL ?? "" : "",
                            "file": (publication.path as NSString).lastPathComponent] as [String: Any]
                },
                "overdueCount": figures.overdueTakedowns, "hasOverdue": figures.overdueTakedowns > 0,
                "openCount": figures.openTakedowns.count,
                "channels": settings.configuration.catalog.channels.map { ["name": $0.name, "selected": $0.name == channel] as [String: Any] },
                // The blocked assets are shown as pictures below, not as a table of hashes.
                "reports": figures.reports.filter { $0.name != "blocked" }.map(DashboardFigures.values),
                "blocked": blockedValues(figures, channel: channel),
                "toFindCount": try peopleToFind.all().count,
            ]
            if let query = request.uri.queryParameters["q"].map(String.init), !query.isEmpty {
                let found = try ledger.findPeople(query).prefix(100)
                values["searched"] = true
                values["query"] = query
                values["found"] = found.map { ["id": $0.id.description, "name": $0.personalData?.name ?? "(erased)"] }
            }
            values["blockedAssets"] = figures.blockedAssets.prefix(Self.dashboardBlockedLimit).map { asset in
                ["sha256": asset.sha256, "file": label(path: asset.path, sha256: asset.sha256), "codes": asset.codes,
                 "isImage": kinds[asset.sha256] == "image"] as [String: Any]
            }
            values["wide"] = true
            return page(.dashboard, values, context, title: "DPO dashboard")
        }

        book.add(.get, "/dpo/people/{id}", dpo) { _, context in
            let person = try person(context)
            let consents = try ledger.consents(of: person.id)
            let data = person.personalData
            var values: [String: Any] = [
                "id": person.id.description, "name": data?.name ?? "(erased)", "aliases": data?.aliases.joined(separator: ", ") ?? "",
                "born": data?.dateOfBirth?.description ?? "", "email": data?.email ?? "", "phone": data?.phone ?? "",
                "roles": person.roles.labels.joined(separator: ", "),
                "consents": consents.map { consent in
                    ["reference": consent.reference.description, "state": consent.state.rawValue,
                     "channels": consent.terms.channels.map(\.name).joined(separator: ", "),
                     "givenAt": consent.terms.givenAt.description, "expiresAt": consent.terms.expiresAt.description]
                },
            ]
            if let erased = person.erasedAt { values["erasedAt"] = erased.description }
            return page(.person, values, context, title: person.id.description)
        }

        book.add(.post, "/dpo/people/{id}/erase", dpo, csrfHeader: false) { request, context in
            try requireCSRF(try await FormFields.read(request, limit: 16 << 10), context)
            let person = try person(context)
            _ = try ledger.erase(person.id.description)
            return .redirect(to: "/dpo/people/\(person.id)", type: .normal)
        }
    }

    /// How many blocked assets the dashboard shows as pictures; the check page's grid pages through all.
    static let dashboardBlockedLimit = 60

    func blockedValues(_ figures: DashboardFigures, channel: String) -> [String: Any] {
        let table = figures.reports.first { $0.name == "blocked" }
        return [
            "caption": table?.caption ?? "", "count": figures.blockedAssets.count, "none": figures.blockedAssets.isEmpty,
            "more": figures.blockedAssets.count > Self.dashboardBlockedLimit, "shown": min(figures.blockedAssets.count, Self.dashboardBlockedLimit),
            "counts": (table?.counts ?? []).map { ["key": $0.key, "count": $0.count] as [String: Any] },
            "gridLink": "/check?channel=\(Self.queryEscaped(channel))&show=blocked",
        ]
    }
}
