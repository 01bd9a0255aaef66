import ClearanceApp
import ClearanceCore
import Foundation
import Ledger

/// What the DPO dashboard shows, gathered from the ledger and the gate. Read-only.
struct DashboardFigures {
    struct AgeBand { var band: String; var count: Int }

    var verification: LedgerVerification
    var withdrawals: [ConsentRecord]
    var expiring: [ConsentRecord]
    var ages: [AgeBand]
    var blockedReasons: [(code: String, count: Int)]
    var blockedCount: Int
    var assetCount: Int

    static let expiryWindowDays = 60
    static let maximumAssetsInReport = 5000

    init(ledger: LedgerOperations, assets: AssetOperations, channel: String) throws {
        verification = try ledger.verify()
        let consents = try ledger.ledger.allConsents(includingPrivateDetails: false)
        withdrawals = consents.filter { $0.withdrawal != nil }
            .sorted { ($0.withdrawal?.at ?? .init(millisecondsSinceEpoch: 0)) > ($1.withdrawal?.at ?? .init(millisecondsSinceEpoch: 0)) }
        let today = Timestamp.now.utcDate
        let horizon = CalendarDate(daysSinceEpoch: today.daysSinceEpoch + Self.expiryWindowDays)
        expiring = consents.filter { $0.state == .active && $0.terms.expiresAt >= today && $0.terms.expiresAt <= horizon }
            .sorted { $0.terms.expiresAt < $1.terms.expiresAt }

        let ageOfConsent = ledger.configuration.policy.ageOfConsent
        var counts = ["child": 0, "young": 0, "adult": 0, "unknown": 0, "erased": 0]
        for person in try ledger.allPeople() {
            guard let data = person.personalData else { counts["erased", default: 0] += 1; continue }
            guard let age = data.dateOfBirth?.age(at: today) else { counts["unknown", default: 0] += 1; continue }
            counts[age < ageOfConsent ? "child" : age < 18 ? "young" : "adult", default: 0] += 1
        }
        ages = [AgeBand(band: "Under \(ageOfConsent)", count: counts["child"]!),
                AgeBand(band: "\(ageOfConsent)–17", count: counts["young"]!),
                AgeBand(band: "18 and over", count: counts["adult"]!),
                AgeBand(band: "Date of birth unknown", count: counts["unknown"]!),
                AgeBand(band: "Erased", count: counts["erased"]!)]

        let hashes = Array(try ledger.ledger.allAssetHashes().prefix(Self.maximumAssetsInReport))
        assetCount = hashes.count
        let results = hashes.isEmpty ? [] : try assets.check(hashes, channel: channel, at: nil)
        var reasons: [String: Int] = [:]
        for result in results where !result.verdict.cleared {
            for code in Set(result.verdict.reasons.map(\.code.rawValue)) { reasons[code, default: 0] += 1 }
        }
        blockedCount = results.filter { !$0.verdict.cleared }.count
        blockedReasons = reasons.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
