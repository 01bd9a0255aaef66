import ClearanceCore
import Foundation

/// The verdict objects of `check --json` (and, later, `POST /api/v1/check`): one encoder so
/// both print the same shape.
public enum VerdictJSON {
    struct Object: Encodable {
        let asset: String
        let path: String?
        let channel: String
        let at: String
        let cleared: Bool
        let reasons: [ReasonObject]
        let consents: [String]
    }

    struct ReasonObject: Encodable {
        let code: String
        let person: String?
        let consent: String?
        let message: String

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(code, forKey: .code)
            try c.encode(person, forKey: .person)
            try c.encode(consent, forKey: .consent)
            try c.encode(message, forKey: .message)
        }
        enum CodingKeys: String, CodingKey { case code, person, consent, message }
    }

    public static func encode(_ results: [AssetOperations.CheckResult]) throws -> String {
        let objects = results.map { r in
            Object(asset: r.sha256, path: r.path, channel: r.verdict.channel.name, at: r.verdict.at.description,
                   cleared: r.verdict.cleared,
                   reasons: r.verdict.reasons.map {
                       ReasonObject(code: $0.code.rawValue, person: $0.person?.description, consent: $0.consent?.description, message: $0.message)
                   },
                   consents: r.consentsRelied.map(\.description))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(objects), as: UTF8.self)
    }
}
