import ClearanceCore
import Foundation
import Ledger

/// The DPO's reports: consents expiring, children reaching an age that ends a guardian's
/// consent, blocked assets, and records past retention.
public struct Reports: Sendable {
    let assets: AssetOperations
    var ledger: Ledger { assets.ledger }
    var configuration: ClearanceConfiguration { assets.configuration }

    public init(_ operations: LedgerOperations) {
        assets = AssetOperations(operations)
    }

    static func day(_ date: CalendarDate, plus days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: date.daysSinceEpoch + days)
    }

    static func window(_ days: Int) throws(InputError) -> Int {
        guard (0...36_500).contains(days) else { throw InputError("--within must be between 0 and 36500 days") }
        return days
    }

    /// Which stored assets each person is linked to, by the same linking as `check`.
    func assetsByPerson() throws -> [PersonID: [String]] {
        var result: [PersonID: [String]] = [:]
        for linked in try assets.linkedAssets() {
            for person in linked.people { result[person, default: []].append(linked.stored.record.sha256) }
        }
        return result
    }

    func names() throws -> [PersonID: String] {
        Dictionary(uniqueKeysWithValues: try ledger.allPeople().compactMap { p in p.personalData.map { (p.id, $0.name) } })
    }

    // MARK: expiring

    /// Active consents whose last day falls within `days` of `at`, with the assets showing the
    /// person and the publications that relied on the consent.
    public func expiring(within days: Int, at: CalendarDate) throws -> ReportTable {
        let until = Self.day(at, plus: try Self.window(days))
        let consents = try ledger.allConsents(includingPrivateDetails: false)
            .filter { $0.state == .active && $0.terms.expiresAt >= at && $0.terms.expiresAt <= until }
            .sorted { ($0.terms.expiresAt, $0.reference) < ($1.terms.expiresAt, $1.reference) }
        let byPerson = consents.isEmpty ? [:] : try assetsByPerson()
        let names = try names()
        let rows: [[ReportTable.Cell]] = try consents.map { consent in
            let shown = byPerson[consent.person] ?? []
            let relied = try shown.reduce(0) { count, sha in
                count + (try ledger.publications(of: sha)).filter { $0.consents.contains(consent.reference) }.count
            }
            return [.text(consent.reference.description), .text(consent.person.description), .text(names[consent.person]),
                    .text(consent.terms.expiresAt.description), .list(consent.terms.channels.map(\.name)),
                    .number(shown.count), .number(relied)]
        }
        return ReportTable(
            name: "expiring", at: at, caption: "Consents expiring from \(at) to \(until) (\(rows.count))",
            columns: [.init(key: "consent", title: "CONSENT"), .init(key: "person", title: "PERSON"),
                      .init(key: "name", title: "NAME"), .init(key: "expires", title: "EXPIRES"),
                      .init(key: "channels", title: "CHANNELS"), .init(key: "assets", title: "ASSETS"),
                      .init(key: "publications", title: "PUBLICATIONS")],
            rows: rows)
    }

    // MARK: ages

    /// Children whose guardian's consent is in force and who reach the age of consent or 18
    /// within `days` of `at`: their consent will need replacing by their own.
    public func ages(within days: Int, at: CalendarDate) throws -> ReportTable {
        let until = Self.day(at, plus: try Self.window(days))
        let milestones = Array(Set([configuration.policy.ageOfConsent, 18])).sorted()
        var rows: [[ReportTable.Cell]] = []
        for person in try ledger.allPeople() {
            guard let data = person.personalData, let born = data.dateOfBirth else { continue }
            let guardianConsents = try ledger.consents(of: person.id, includingPrivateDetails: false).filter {
                $0.state == .active && $0.terms.givenByGuardian && !$0.isExpired(on: at)
            }
            guard !guardianConsents.isEmpty else { continue }
            for age in milestones {
                let birthday = born.adding(years: age)
                // A 29 February birthday falls on 1 March in common years, as `age(at:)` counts it.
                let reached = born.month == 2 && born.day == 29 && !CalendarDate.isLeap(birthday.year)
                    ? Self.day(birthday, plus: 1) : birthday
                guard reached > at, reached <= until else { continue }
                rows.append([.text(person.id.description), .text(data.name), .text(born.description), .number(age),
                             .text(reached.description), .text(age == configuration.policy.ageOfConsent ? "age of consent" : "adulthood"),
                             .list(guardianConsents.map(\.reference.description))])
            }
        }
        rows.sort { ($0[4].plain, $0[0].plain) < ($1[4].plain, $1[0].plain) }
        return ReportTable(
            name: "ages", at: at,
            caption: "Children with a guardian's consent who turn \(milestones.map(String.init).joined(separator: " or ")) from \(Self.day(at, plus: 1)) to \(until) (\(rows.count))",
            columns: [.init(key: "person", title: "PERSON"), .init(key: "name", title: "NAME"), .init(key: "born", title: "BORN"),
                      .init(key: "age", title: "AGE"), .init(key: "on", title: "ON"), .init(key: "milestone", title: "MILESTONE"),
                      .init(key: "guardianConsents", title: "GUARDIAN CONSENTS")],
            rows: rows)
    }

    // MARK: blocked

    /// Every stored asset that is blocked for `channel` (or for each configured channel), with
    /// its reasons, and how many assets each reason code blocks.
    public func blocked(channel: String?, at: CalendarDate) throws -> ReportTable {
        let channels = try channel.map { [try assets.resolveChannel($0)] } ?? configuration.catalog.channels
        let hashes = try ledger.allAssetHashes()
        var rows: [[ReportTable.Cell]] = []
        var counts: [String: Int] = [:]
        for channel in channels where !hashes.isEmpty {
            for result in try assets.check(hashes, channel: channel.name, at: at) where !result.verdict.cleared {
                let codes = Array(Set(result.verdict.reasons.map(\.code.rawValue))).sorted()
                for code in codes { counts[code, default: 0] += 1 }
                rows.append([.text(channel.name), .text(result.sha256),
                             .text(result.path.map { ($0 as NSString).lastPathComponent }), .list(codes)])
            }
        }
        var table = ReportTable(
            name: "blocked", at: at,
            caption: "Assets blocked on \(at) for \(channel.map { _ in channels[0].name } ?? "each channel") (\(rows.count) of \(hashes.count * channels.count) checks)",
            columns: [.init(key: "channel", title: "CHANNEL"), .init(key: "asset", title: "ASSET"), .init(key: "file", title: "FILE"),
                      .init(key: "reasons", title: "REASONS")],
            rows: rows)
        table.counts = counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { (key: $0.key, count: $0.value) }
        return table
    }

    // MARK: retention

    /// Consents whose retention period (`retentionYears` after expiry or withdrawal) has passed,
    /// and people not erased whose every consent has: ready for erasure. A superseded version
    /// is kept as long as the version that replaced it.
    public func retention(at: CalendarDate) throws -> ReportTable {
        let years = configuration.policy.retentionYears
        let names = try names()
        let all = try ledger.allConsents(includingPrivateDetails: false)
        var rows: [[ReportTable.Cell]] = []
        var byPerson: [PersonID: [ConsentRecord]] = [:]
        for consent in all { byPerson[consent.person, default: []].append(consent) }

        /// The day the current version of a chain ended, or nil while it is in force.
        func ended(_ consent: ConsentRecord) -> (day: CalendarDate, how: String)? {
            if let withdrawal = consent.withdrawal { return (withdrawal.at.utcDate, "withdrawn") }
            if consent.state == .active, consent.isExpired(on: at) { return (consent.terms.expiresAt, "expired") }
            return nil
        }
        for person in try ledger.allPeople() where !person.isErased {
            let consents = byPerson[person.id] ?? []
            let current = consents.filter { $0.state != .superseded }
            var allPast = !current.isEmpty
            for consent in current {
                guard let end = ended(consent), at > end.day.adding(years: years) else { allPast = false; continue }
                rows.append([.text("consent"), .text(consent.reference.description), .text(person.id.description),
                             .text(names[person.id]), .text("\(end.how) \(end.day)"),
                             .text(end.day.adding(years: years).description)])
            }
            if current.isEmpty, person.addedAt.utcDate.adding(years: years) < at {
                // Registered but never consented: nothing justifies keeping them past the period.
                allPast = true
            }
            if allPast {
                let last = current.compactMap { ended($0)?.day }.max() ?? person.addedAt.utcDate
                rows.append([.text("person"), .text(person.id.description), .text(person.id.description), .text(names[person.id]),
                             .text(current.isEmpty ? "no consent, added \(person.addedAt.utcDate)" : "every consent ended, last \(last)"),
                             .text(last.adding(years: years).description)])
            }
        }
        return ReportTable(
            name: "retention", at: at,
            caption: "Past the \(years)-year retention period on \(at), ready for erasure (\(rows.count))",
            columns: [.init(key: "kind", title: "KIND"), .init(key: "id", title: "ID"), .init(key: "person", title: "PERSON"),
                      .init(key: "name", title: "NAME"), .init(key: "ended", title: "ENDED"),
                      .init(key: "keepUntil", title: "KEEP UNTIL")],
            rows: rows)
    }
}
