import ClearanceCore
import Foundation

/// Settings from `--config FILE` (JSON); every key is optional and defaults are used without a file.
///
/// ```json
/// {"channels": ["website", "facebook", "x"], "social": ["facebook", "x"],
///  "ageOfConsent": 13, "defaultExpiryYears": 3, "retentionYears": 3, "takedownDays": 30,
///  "preElectionPeriods": [{"from": "2026-03-23", "to": "2026-05-07"}],
///  "councilChannels": ["website", "facebook"], "withdrawalContact": "dpo@council.example",
///  "formVersion": "photo-consent-2025", "maxUploadBytes": 52428800, "keepHEIC": ["website"],
///  "offlineReferenceDays": 14}
/// ```
public struct ClearanceConfiguration: Sendable {
    public var catalog: ChannelCatalog
    public var policy: Policy
    /// Where people send a withdrawal: printed on every receipt.
    public var withdrawalContact: String
    /// The consent wording in use, recorded when `--form-version` is not given.
    public var formVersion: String
    /// Days a takedown may take after a withdrawal or erasure before it is overdue ("one month").
    public var takedownDays = 30
    /// Largest file the web service accepts as an upload (`clearance serve --max-upload-mb` overrides).
    public var maxUploadBytes = 50 << 20
    /// The address people reach the pages at (withdrawal and renewal links in notices).
    public var publicURL: String?
    /// Days before a consent expires that its renewal reminder goes out.
    public var renewalNoticeDays = 30
    /// Notices by email; nil when no `smtp` is configured (nothing is queued then).
    public var notices: NoticeSettings?
    /// Channels that take HEIC as it is: exports for them keep HEIC pictures as HEIF (their
    /// coded image copied, every metadata item dropped) instead of converting them to JPEG.
    public var keepHEIC: Set<Channel> = []
    /// Days a consent reference reserved for a tablet's offline captures stays usable.
    public var offlineReferenceDays = 14

    public static let standard = ClearanceConfiguration(
        catalog: .standard, policy: Policy(),
        withdrawalContact: "the data protection officer of the organisation that took the photo",
        formVersion: "1")

    static let knownKeys: Set<String> = ["channels", "social", "groups", "ageOfConsent", "defaultExpiryYears",
                                         "retentionYears", "preElectionPeriods", "councilChannels",
                                         "withdrawalContact", "formVersion", "takedownDays", "maxUploadBytes", "keepHEIC",
                                         "offlineReferenceDays", "smtp", "dpoEmail", "publicURL", "renewalNoticeDays",
                                         "digest", "notifyIntervalMinutes"]

    private struct File: Decodable {
        var channels: [String]?
        var social: [String]?
        var groups: [String: [String]]?
        var ageOfConsent: Int?
        var defaultExpiryYears: Int?
        var retentionYears: Int?
        var preElectionPeriods: [Window]?
        var councilChannels: [String]?
        var withdrawalContact: String?
        var formVersion: String?
        var takedownDays: Int?
        var maxUploadBytes: Int?
        var smtp: NoticeSettings.SMTPFile?
        var dpoEmail: String?
        var publicURL: String?
        var renewalNoticeDays: Int?
        var digest: String?
        var notifyIntervalMinutes: Int?
        var keepHEIC: [String]?
        var offlineReferenceDays: Int?
        struct Window: Decodable { var from: String; var to: String }
    }

    /// Defaults when `path` is nil; any problem with the file is an input error naming it.
    public static func load(path: String?) throws(InputError) -> ClearanceConfiguration {
        guard let path else { return standard }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("cannot read configuration \(path)")
        }
        guard data.count <= 1 << 20 else { throw InputError("configuration \(path) is larger than 1 MiB") }
        do {
            // A password file named relatively is found beside the configuration.
            return try parse(data, directory: (path as NSString).deletingLastPathComponent)
        } catch {
            throw InputError("configuration \(path): \(error.description)")
        }
    }

    static func parse(_ data: Data, directory: String = ".") throws(InputError) -> ClearanceConfiguration {
        guard let object = try? JSONSerialization.jsonObject(with: data), let top = object as? [String: Any] else {
            throw InputError("not a JSON object")
        }
        if let unknown = top.keys.sorted().first(where: { !knownKeys.contains($0) }) {
            throw InputError("unknown key \"\(unknown)\"")
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw InputError("wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch {
            throw InputError("malformed JSON")
        }
        var configuration = standard

        let channelNames = file.channels ?? standard.catalog.channels.map(\.name)
        let channels = channelNames.map { Channel($0.trimmingCharacters(in: .whitespaces).lowercased()) }
        if let bad = channels.first(where: { $0.name.isEmpty || $0.name.contains(",") }) {
            throw InputError("bad channel name \"\(bad.name)\"")
        }
        var groups: [String: [Channel]] = [:]
        if let social = file.social {
            groups["social"] = social.map { Channel($0.lowercased()) }
        } else if file.channels == nil {
            groups = standard.catalog.groups
        } else {
            // Custom channels without a `social` list: the standard social networks that remain.
            let known = Set(channels)
            groups["social"] = (standard.catalog.groups["social"] ?? []).filter(known.contains)
        }
        for (name, members) in file.groups ?? [:] { groups[name.lowercased()] = members.map { Channel($0.lowercased()) } }
        guard let catalog = ChannelCatalog(channels: channels, groups: groups) else {
            throw InputError("channels must be distinct and non-empty, and groups may only name configured channels")
        }
        configuration.catalog = catalog

        if let age = file.ageOfConsent {
            guard (0...25).contains(age) else { throw InputError("ageOfConsent must be between 0 and 25") }
            configuration.policy.ageOfConsent = age
        }
        if let years = file.defaultExpiryYears {
            guard (1...100).contains(years) else { throw InputError("defaultExpiryYears must be between 1 and 100") }
            configuration.policy.defaultExpiryYears = years
        }
        if let years = file.retentionYears {
            guard (0...100).contains(years) else { throw InputError("retentionYears must be between 0 and 100") }
            configuration.policy.retentionYears = years
        }
        if let days = file.takedownDays {
            guard (1...365).contains(days) else { throw InputError("takedownDays must be between 1 and 365") }
            configuration.takedownDays = days
        }
        if let bytes = file.maxUploadBytes {
            guard (1 << 10...4 << 30).contains(bytes) else { throw InputError("maxUploadBytes must be between 1 KiB and 4 GiB") }
            configuration.maxUploadBytes = bytes
        }
        if let days = file.offlineReferenceDays {
            guard (1...90).contains(days) else { throw InputError("offlineReferenceDays must be between 1 and 90") }
            configuration.offlineReferenceDays = days
        }
        var windows: [DateWindow] = []
        for window in file.preElectionPeriods ?? [] {
            guard let from = CalendarDate(parsing: window.from), let to = CalendarDate(parsing: window.to) else {
                throw InputError("preElectionPeriods dates must be real YYYY-MM-DD dates")
            }
            guard let span = DateWindow(from: from, to: to) else {
                throw InputError("pre-election period \(from) to \(to) ends before it starts")
            }
            windows.append(span)
        }
        configuration.policy.preElectionPeriods = windows
        if let council = file.councilChannels {
            do {
                configuration.policy.councilChannels = Set(try catalog.expand(council))
            } catch {
                throw InputError("councilChannels: \(error.description)")
            }
        } else {
            configuration.policy.councilChannels = Set(catalog.channels)
        }
        if let keep = file.keepHEIC {
            do {
                configuration.keepHEIC = Set(try catalog.expand(keep))
            } catch {
                throw InputError("keepHEIC: \(error.description)")
            }
        }
        if let contact = file.withdrawalContact?.trimmingCharacters(in: .whitespacesAndNewlines), !contact.isEmpty {
            configuration.withdrawalContact = contact
        }
        if let form = file.formVersion?.trimmingCharacters(in: .whitespacesAndNewlines), !form.isEmpty {
            configuration.formVersion = form
        }
        if let url = file.publicURL { configuration.publicURL = try NoticeSettings.checkedPublicURL(url) }
        if let days = file.renewalNoticeDays {
            guard (1...365).contains(days) else { throw InputError("renewalNoticeDays must be between 1 and 365") }
            configuration.renewalNoticeDays = days
        }
        configuration.notices = try NoticeSettings.parse(smtp: file.smtp, dpoEmail: file.dpoEmail, digest: file.digest,
                                                         intervalMinutes: file.notifyIntervalMinutes,
                                                         publicURL: configuration.publicURL, directory: directory)
        return configuration
    }
}
