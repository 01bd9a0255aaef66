@testable import FaceDetection
import Dispatch
import Foundation
import MediaMetadata
import Synchronization
import Testing

/// Accuracy on real photos from `../shared/corpus`, against faces counted by eye
/// (`corpus-faces.tsv`): group photos and portraits from many cameras, and pictures with nobody
/// in them. Skipped when the corpus is absent.
struct CorpusFaceTests {
    struct Label: Sendable {
        let path: String
        let clear: Int
        let visible: Int
        let description: String
    }

    static let labels: [Label] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("corpus-faces.tsv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4, let clear = Int(fields[1]), let visible = Int(fields[2]) else { return nil }
            return Label(path: fields[0], clear: clear, visible: visible, description: fields[3])
        }
    }()

    /// How many of all the clear faces in the people photos the detector may miss. Measured:
    /// one, the sleeping baby half hidden in a blanket in `JVC GR-DC2000.jpg`, which scores
    /// under 0.5 at both sizes. Every other clear face must be found.
    static let missedClearFacesAllowed = 1

    @Test func theLabelListIsWellFormed() {
        #expect(Self.labels.count >= 100)
        #expect(Self.labels.allSatisfy { $0.clear <= $0.visible })
        let people = Self.labels.filter { $0.visible > 0 }
        #expect(people.filter { $0.clear >= 2 }.count >= 10, "group photos")
        #expect(people.filter { $0.clear == 1 }.count >= 10, "single portraits")
        #expect(Self.labels.filter { $0.visible == 0 }.count >= 60, "pictures without people")
        #expect(Set(Self.labels.map(\.path)).count == Self.labels.count, "each file once")
    }

    @Test(.enabled(if: FaceFixtures.corpus != nil)) func detectionReachesTheCountsByEye() throws {
        let corpus = try #require(FaceFixtures.corpus)
        let detector = FaceFixtures.detector
        let counts = Mutex<[String: FaceDetectionResult]>([:])
        DispatchQueue.concurrentPerform(iterations: Self.labels.count) { index in
            let label = Self.labels[index]
            let path = corpus.appendingPathComponent(label.path).path
            let result = detector.detectFaces(inPictureAt: path, orientation: Self.orientation(of: path))
            counts.withLock { $0[label.path] = result }
        }
        let results = counts.withLock { $0 }
        var missed = 0
        var report: [String] = []
        for label in Self.labels {
            let result = try #require(results[label.path])
            let found = try #require(result.faces, "\(label.path): \(result.failure ?? "")")
            if found.count < label.clear { missed += label.clear - found.count }
            if found.count < label.clear || found.count > label.visible {
                report.append("\(label.path): found \(found.count), by eye \(label.clear) clear / \(label.visible) visible, scores \(found.map(\.score))")
            }
            #expect(found.count <= label.visible, "\(label.path) (\(label.description)): \(found.count) faces found, \(label.visible) visible: \(found)")
        }
        #expect(missed <= Self.missedClearFacesAllowed, "missed \(missed) clear faces:\n\(report.joined(separator: "\n"))")
        let groups = Self.labels.filter { $0.clear >= 2 }
        let groupsReached = groups.filter { (results[$0.path]?.faces?.count ?? 0) >= $0.clear }.count
        #expect(groupsReached >= groups.count - 1, "group photos reaching their count: \(groupsReached) of \(groups.count)\n\(report.joined(separator: "\n"))")
    }

    /// Videos from phones and cameras: a toddler in a monkey suit, and the face printed on a game
    /// box held up to a phone (stored sideways, turned upright by its display matrix) are found;
    /// ducks, the sea, a keyboard and menus are not faces.
    @Test(.enabled(if: FaceFixtures.corpus != nil), arguments: [
        ("metadata-extractor-images/mp4/with-gps.mp4", true),
        ("metadata-extractor-images/mov/with-gps.mov", true),
        ("metadata-extractor-images/mp4/Issue 515 (java).mp4", false),
        ("metadata-extractor-images/mp4/uuid540.mp4", false),
        ("metadata-extractor-images/mov/xmp480qt.mov", false),
        ("metadata-extractor-images/mp4/ftyp3gp5.mp4", false),
        ("metadata-extractor-images/m4v/sample_iPod.m4v", false),
    ])
    func corpusVideos(path: String, showsAFace: Bool) throws {
        let corpus = try #require(FaceFixtures.corpus)
        let result = FaceFixtures.detector.detectFaces(inVideoAt: corpus.appendingPathComponent(path).path)
        let faces = try #require(result.faces, "\(result.failure ?? "")")
        #expect((result.framesExamined ?? 0) >= 2)
        if showsAFace {
            #expect(!faces.isEmpty && faces.allSatisfy { $0.t != nil }, "\(result)")
        } else {
            #expect(faces.isEmpty, "\(faces)")
        }
    }

    /// The EXIF orientation as `inspect` reads it (the orientation test charts need it).
    static func orientation(of path: String) -> Int? {
        MediaInspector().inspect(path: path).orientation
    }
}
