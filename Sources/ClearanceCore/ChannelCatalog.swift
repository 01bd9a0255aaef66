/// The configured channels and the groups (such as `social`) that stand for several of them.
public struct ChannelCatalog: Hashable, Sendable {
    public let channels: [Channel]
    public let groups: [String: [Channel]]

    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        case unknownChannel(String)
        case empty
        public var description: String {
            switch self {
            case .unknownChannel(let name): "unknown channel: \(name)"
            case .empty: "no channels given"
            }
        }
    }

    /// Group members must be configured channels; a group may not share a channel's name.
    public init?(channels: [Channel], groups: [String: [Channel]]) {
        let known = Set(channels)
        guard known.count == channels.count, !channels.isEmpty else { return nil }
        for (name, members) in groups {
            guard !known.contains(Channel(name)), members.allSatisfy(known.contains) else { return nil }
        }
        self.channels = channels
        self.groups = groups
    }

    public static let standard: ChannelCatalog = {
        let social = ["facebook", "x", "instagram", "tiktok", "linkedin", "youtube", "flickr",
                      "nextdoor", "snapchat", "whatsapp"].map(Channel.init)
        let all = [Channel("website")] + social + ["intranet", "print", "press"].map(Channel.init)
        return ChannelCatalog(channels: all, groups: ["social": social])!
    }()

    public func contains(_ channel: Channel) -> Bool { channels.contains(channel) }

    /// Turns names such as `social,website` (any case, spaces ignored) into the sorted, distinct
    /// channels they stand for.
    public func expand(_ names: [String]) throws(Problem) -> [Channel] {
        var result = Set<Channel>()
        for raw in names {
            let name = raw.trimmingWhitespace().lowercased()
            if name.isEmpty { continue }
            if let members = groups[name] {
                result.formUnion(members)
            } else if contains(Channel(name)) {
                result.insert(Channel(name))
            } else {
                throw .unknownChannel(raw)
            }
        }
        guard !result.isEmpty else { throw .empty }
        return result.sorted()
    }

    /// Splits `a,b,c` and expands.
    public func expand(list: String) throws(Problem) -> [Channel] {
        try expand(list.split(separator: ",").map(String.init))
    }
}
