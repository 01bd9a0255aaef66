/// What looking for faces in one file found, stable enough to be stored with an asset: which
/// detector looked, the faces, and, when it could not look, why. A result without faces
/// (`faces == nil`) is not "nobody is shown": the picture still needs a person's review.
public struct FaceDetectionResult: Codable, Sendable, Equatable {
    /// Detector name and version, e.g. `yunet-2023mar/1` (`FaceDetector.identifier`).
    public var detector: String
    /// The faces found (`[]` when it looked and found none); `nil` when detection could not run.
    public var faces: [DetectedFace]?
    /// Why detection could not run ("cannot decode the JPEG: …"); `nil` when it ran.
    public var failure: String?
    /// Video only: how many frames were looked at.
    public var framesExamined: Int?
    /// Video only: what was left out when not every planned frame could be looked at ("12 of 60
    /// frames: the time limit of 30 s was reached"). The faces found in the frames that were
    /// looked at are still reported.
    public var limitation: String?

    public init(detector: String, faces: [DetectedFace]?, failure: String? = nil,
                framesExamined: Int? = nil, limitation: String? = nil) {
        self.detector = detector
        self.faces = faces
        self.failure = failure
        self.framesExamined = framesExamined
        self.limitation = limitation
    }

    public static func failed(_ detector: String, _ reason: String) -> FaceDetectionResult {
        FaceDetectionResult(detector: detector, faces: nil, failure: reason)
    }

    /// True when the detector looked at the picture (or at least one frame of the video).
    public var ran: Bool { faces != nil }

    /// The largest number of faces seen at once: all faces of a still picture, the busiest
    /// sampled frame of a video. This is what names in the metadata have to account for.
    public var mostFacesInOneFrame: Int {
        guard let faces else { return 0 }
        var perFrame: [Double?: Int] = [:]
        for face in faces { perFrame[face.t, default: 0] += 1 }
        return perFrame.values.max() ?? 0
    }
}
