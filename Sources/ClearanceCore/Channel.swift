/// Where an asset goes. The list of channels is configuration; these are the defaults.
public struct Channel: Hashable, Codable, Sendable, CustomStringConvertible, Comparable {
    public let name: String
    public init(_ name: String) { self.name = name }
    public var description: String { name }
    public static func < (a: Channel, b: Channel) -> Bool { a.name < b.name }
}
