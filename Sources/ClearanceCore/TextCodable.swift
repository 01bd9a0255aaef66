/// A value written in JSON as its text (`description`) and read back with `init?(parsing:)`:
/// how dates, consent references and person ids appear in the ledger's payloads and in output.
public protocol TextCodable: Codable, CustomStringConvertible {
    init?(parsing text: String)
    /// What the text should have been, for the decoding error ("a YYYY-MM-DD date").
    static var textDescription: String { get }
}

extension TextCodable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "not \(Self.textDescription): \(text)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
