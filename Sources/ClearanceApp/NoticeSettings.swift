import ClearanceCore
import Foundation
import Mail

/// How often the DPO's digest goes out.
public enum DigestCadence: String, Sendable, CaseIterable {
    case daily, weekly, off
}

/// The configuration of notices by email (`smtp`, `dpoEmail`, `digest`, `notifyIntervalMinutes`;
/// `publicURL` and `renewalNoticeDays` sit beside them in `ClearanceConfiguration`).
///
/// ```json
/// {"smtp": {"url": "smtp://mail.council.example:587", "from": "Photo consent <consent@council.example>",
///           "username": "consent", "passwordFile": "/etc/clearance/smtp-password"},
///  "dpoEmail": "dpo@council.example", "publicURL": "https://consent.council.example",
///  "renewalNoticeDays": 30, "digest": "weekly", "notifyIntervalMinutes": 15}
/// ```
public struct NoticeSettings: Sendable {
    public var smtp: SMTPSettings
    public var dpoEmail: MailAddress?
    public var publicURL: String
    public var digest: DigestCadence
    /// How often `serve` runs the notice pass.
    public var intervalMinutes: Int

    struct SMTPFile: Decodable {
        var url: String?
        var from: String?
        var username: String?
        var passwordFile: String?
        var caFile: String?
    }

    /// Nil when there is no `smtp` section; then `dpoEmail` and `digest` make no sense either.
    static func parse(smtp file: SMTPFile?, dpoEmail: String?, digest: String?, intervalMinutes: Int?,
                      publicURL: String?, directory: String) throws(InputError) -> NoticeSettings? {
        guard let file else {
            if dpoEmail != nil || digest != nil || intervalMinutes != nil {
                throw InputError("dpoEmail, digest and notifyIntervalMinutes need an smtp section to send with")
            }
            return nil
        }
        guard let url = file.url else { throw InputError("smtp.url is required (smtp://host:587 or smtps://host:465)") }
        do {
            try SMTPSettings.checkURL(url)
        } catch {
            throw InputError(error.description)
        }
        guard let fromText = file.from else { throw InputError("smtp.from is required (the sender's address)") }
        guard let publicURL else {
            throw InputError("publicURL is required with smtp: notices carry links to the withdrawal and renewal pages")
        }
        do {
            let from = try parseMailbox(fromText, field: "smtp.from")
            var password: String?
            if let passwordFile = file.passwordFile {
                let path = passwordFile.hasPrefix("/") ? passwordFile : (directory as NSString).appendingPathComponent(passwordFile)
                guard let data = FileManager.default.contents(atPath: path), data.count <= 4096,
                      let text = String(data: data, encoding: .utf8) else {
                    throw InputError("cannot read smtp.passwordFile \(path)")
                }
                // The file's one line; a trailing newline is not part of the password.
                password = String(text.trimmingCharacters(in: .newlines))
            }
            if let caFile = file.caFile, !FileManager.default.isReadableFile(atPath: caFile) {
                throw InputError("cannot read smtp.caFile \(caFile)")
            }
            let smtp = try SMTPSettings(url: url, from: from, username: file.username, password: password, caFile: file.caFile)
            let cadence: DigestCadence
            if let digest {
                guard let parsed = DigestCadence(rawValue: digest) else {
                    throw InputError("digest must be one of \(DigestCadence.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                cadence = parsed
            } else {
                cadence = dpoEmail == nil ? .off : .daily
            }
            if cadence != .off, dpoEmail == nil { throw InputError("digest \(cadence.rawValue) needs dpoEmail") }
            let minutes = intervalMinutes ?? 15
            guard (1...1440).contains(minutes) else { throw InputError("notifyIntervalMinutes must be between 1 and 1440") }
            return NoticeSettings(smtp: smtp, dpoEmail: try dpoEmail.map { try parseMailbox($0, field: "dpoEmail") },
                                  publicURL: publicURL, digest: cadence, intervalMinutes: minutes)
        } catch let error as MailError {
            throw InputError(error.description)
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError("\(error)")
        }
    }

    /// `address` or `Display Name <address>`.
    static func parseMailbox(_ text: String, field: String) throws -> MailAddress {
        if let open = text.lastIndex(of: "<"), text.hasSuffix(">") {
            let name = text[..<open].trimmingCharacters(in: .whitespaces)
            let address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            do {
                return try MailAddress(address, displayName: name.isEmpty ? nil : name)
            } catch {
                throw InputError("\(field): \(error.description)")
            }
        }
        do {
            return try MailAddress(text)
        } catch {
            throw InputError("\(field): \(error.description)")
        }
    }

    /// http(s), a host, no user name, query or fragment; kept without a trailing slash.
    static func checkedPublicURL(_ text: String) throws(InputError) -> String {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty, url.user == nil, url.password == nil, url.query == nil, url.fragment == nil,
              !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " || $0 == "\"" || $0 == "<" || $0 == ">" }),
              text.utf8.count <= 500 else {
            throw InputError("publicURL must be an http:// or https:// address such as https://consent.example.org, without a user name, query or fragment")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }
}
