@testable import FaceDetection
import Foundation
import Pictures
import Testing

/// Paths of the committed fixtures (see Fixtures/README.md) and of the corpus, and one detector
/// shared by the tests (loading the model takes a moment; the detector is safe to share).
enum FaceFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: directory.appendingPathComponent(name)) }

    /// `../shared/corpus` beside the repository, or nil when this checkout has none.
    static let corpus: URL? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/corpus").standardizedFileURL
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    static let detector: FaceDetector = {
        do { return try FaceDetector() } catch { fatalError("the embedded model does not load: \(error)") }
    }()

    /// Where the three clear faces of `group.jpg` are, as fractions of the picture: points in the
    /// middle of each face, measured by hand on the 640×480 picture.
    static let groupFaceCentres: [(name: String, x: Double, y: Double)] = [
        ("man in a cap", 65.0 / 640, 75.0 / 480),
        ("man in a blue shirt", 307.0 / 640, 72.0 / 480),
        ("girl", 532.0 / 640, 290.0 / 480),
    ]

    /// For each hand-measured face, the one detected box that contains its centre; fails when a
    /// face is missed or found twice.
    static func expectGroupFaces(_ faces: [DetectedFace], sourceLocation: SourceLocation = #_sourceLocation) {
        for centre in groupFaceCentres {
            let holding = faces.filter { $0.x <= centre.x && centre.x <= $0.x + $0.w && $0.y <= centre.y && centre.y <= $0.y + $0.h }
            #expect(holding.count == 1, "\(centre.name): \(holding.count) boxes in \(faces)", sourceLocation: sourceLocation)
        }
        // The second girl, cut by the right edge, may or may not count; nothing else may.
        #expect((3...4).contains(faces.count), "\(faces)", sourceLocation: sourceLocation)
    }

    /// Pairs each face of `a` with the closest of `b` and checks they are the same box.
    static func expectSameBoxes(_ a: [DetectedFace], _ b: [DetectedFace], tolerance: Double,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, "\(a) against \(b)", sourceLocation: sourceLocation)
        for face in a {
            let nearest = b.min { distance(face, $0) < distance(face, $1) }
            #expect(nearest.map { distance(face, $0) <= tolerance } == true, "\(face) has no twin in \(b)", sourceLocation: sourceLocation)
        }
    }

    static func distance(_ a: DetectedFace, _ b: DetectedFace) -> Double {
        [abs(a.x - b.x), abs(a.y - b.y), abs(a.w - b.w), abs(a.h - b.h)].max()!
    }
}
