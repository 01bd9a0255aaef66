import ClearanceApp
import Foundation
import MediaMetadata

/// Human-readable `inspect` output: the file, then one indented line per known fact.
enum InspectText {
    static func render(_ media: InspectedMedia) -> String {
        render(media.facts, afterPeople: faceLine(media))
    }

    /// "faces: 3 found", for a video "faces: 5 found in 12 frames (at most 3 at once)"; nil when
    /// faces were not looked for or detection failed (a warning line says why).
    static func faceLine(_ media: InspectedMedia) -> String? {
        guard let result = media.faces, let faces = result.faces else { return nil }
        let found = faces.isEmpty ? "none found" : "\(faces.count) found"
        guard let frames = result.framesExamined else { return found }
        let plural = frames == 1 ? "frame" : "frames"
        return faces.isEmpty ? "\(found) in \(frames) \(plural)"
            : "\(found) in \(frames) \(plural) (at most \(result.mostFacesInOneFrame) at once)"
    }

    static func render(_ facts: MediaFacts, afterPeople faces: String? = nil) -> String {
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
        add("faces", faces)
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
