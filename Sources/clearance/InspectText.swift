import Foundation
import MediaMetadata

/// Human-readable `inspect` output: the file, then one indented line per known fact.
enum InspectText {
    static func render(_ facts: MediaFacts) -> String {
        var lines = [facts.path]
        func add(_ label: String, _ value: String?) {
            if let value, !value.isEmpty { lines.append("  \(label): \(value)") }
        }
        if let error = facts.error { add("error", error) }
        add("format", facts.format.map { "\($0.rawValue) (\($0.kind.rawValue))" })
        add("sha256", facts.sha256)
        add("captured", facts.capturedAt)
        if let gps = facts.gps {
            let degrees = { (value: Double) in String(format: "%.6f", value) }
            add("gps", "\(degrees(gps.latitude)), \(degrees(gps.longitude))" + (gps.altitude.map { String(format: ", %.1f m", $0) } ?? ""))
        }
        add("camera", [facts.make, facts.model].compactMap { $0 }.joined(separator: " "))
        add("serial", facts.serial)
        if let w = facts.width, let h = facts.height { add("size", "\(w)×\(h)") }
        add("orientation", facts.orientation.map(String.init))
        if facts.faceRegions > 0 { add("face regions", String(facts.faceRegions)) }
        for person in facts.people {
            let who = person.name ?? (person.identifiers.first.map { "id \($0)" } ?? "unnamed face")
            add("person", "\(who) [\(person.source.rawValue)]")
        }
        if let release = facts.modelRelease {
            add("model release", ([release.status] + release.ids.map { Optional($0) }).compactMap { $0 }.joined(separator: " "))
        }
        add("keywords", facts.keywords.joined(separator: ", "))
        add("document", facts.documentID)
        add("derived from", facts.derivedFrom ?? facts.originalDocumentID)
        add("sidecar", facts.sidecar)
        for warning in facts.warnings { add("warning", warning) }
        return lines.joined(separator: "\n")
    }
}
