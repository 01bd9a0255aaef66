import ClearanceCore
import FaceDetection
import Ledger

/// The face detector's answer in the forms the ledger stores and the gate reads.
extension FaceDetectionFacts {
    init(_ result: FaceDetectionResult) {
        self.init(detector: result.detector,
                  faces: result.faces?.enumerated().map { index, face in
                      FoundFace(number: index + 1, box: FaceBox(x: face.x, y: face.y, w: face.w, h: face.h), score: face.score, t: face.t)
                  },
                  failure: result.faces == nil ? (result.failure ?? "the face detector could not look at it") : nil,
                  framesExamined: result.framesExamined, limitation: result.limitation)
    }

    /// What the gate makes of a detection not stored (a file checked without ingesting it).
    var search: FaceSearch {
        guard let faces else { return .notLookedFor(reason: failure ?? "the face detector could not look at it") }
        return .found(faces)
    }
}

extension FaceSearch {
    /// The people reviewers recognised in the faces.
    var decidedPeople: [PersonID] {
        guard case .found(let faces) = self else { return [] }
        return faces.compactMap { $0.decision?.decision.person }
    }

    /// The faces, or none when they could not be looked for.
    var faces: [FoundFace] {
        guard case .found(let faces) = self else { return [] }
        return faces
    }
}
