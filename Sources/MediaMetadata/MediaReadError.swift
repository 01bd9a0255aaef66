/// Why a file could not be read. The description is the one-line message users see.
public enum MediaReadError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotOpen(String)
    case empty
    case unsupportedFormat(String)
    case malformed(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path): "cannot open \(path)"
        case .empty: "empty file (0 bytes)"
        case .unsupportedFormat(let what): "unsupported format: \(what)"
        case .malformed(let why): "malformed file: \(why)"
        }
    }
}
