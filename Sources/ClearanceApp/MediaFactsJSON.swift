import Foundation
import MediaMetadata

/// The JSON of `inspect --json` and of the HTTP API: one encoder so both print the same shape.
public enum MediaFactsJSON {
    public static func encode(_ facts: [MediaFacts]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(facts), as: UTF8.self)
    }

    /// `inspect --json` with faces: each file's metadata keys plus `detectedFaces` and `faceDetector`.
    public static func encode(_ media: [InspectedMedia]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(media), as: UTF8.self)
    }
}
