import Dispatch
import FaceModels
import Foundation
import Pictures
import Synchronization

/// Finds faces in pictures and video frames with YuNet (2023mar) on OpenCV's DNN module, on the CPU.
///
/// Each picture is looked at twice, at two sizes, and the two answers merged by overlap: a small
/// input finds a face that fills the frame, a large one the small faces at the back of a group.
/// One detector serves any number of threads: it keeps a pool of networks (OpenCV's network is
/// not thread-safe) and lends each to one caller at a time, at most one per core at once, so
/// memory stays bounded however many threads ask. A network that last ran at the size asked
/// for is preferred, since OpenCV reallocates every intermediate blob when the size changes.
public final class FaceDetector: Sendable {
    /// Detector name and version, stored with every result. The version after the slash changes
    /// whenever decoding, passes or thresholds change, so stored results can be told apart.
    public static let identifier = "yunet-2023mar/1"

    public struct Settings: Sendable {
        /// Longer side of the picture, in pixels, for each pass. A picture smaller than a pass
        /// is looked at as it is (never enlarged), so a small picture may get a single pass.
        public var passes: [Int]
        /// Faces scoring below this are dropped. On the labelled corpus photos every clear face
        /// scored 0.806 or more, while a copper pan reached 0.786, a dog 0.735 and flowers 0.66;
        /// profiles and small background faces scored 0.55–0.75 (see README, "Face detection").
        public var scoreThreshold: Double
        /// Boxes overlapping more than this (intersection over union) are the same face.
        public var overlap: Double
        /// Bounds on decoding still pictures.
        public var pictureLimits: PictureLimits
        /// Which frames of a video are looked at, and how long that may take.
        public var video: VideoSampling
        /// Networks (and so threads) that may run at once; each holds tens of megabytes.
        public var concurrentNetworks: Int

        public init(passes: [Int] = [320, 1024], scoreThreshold: Double = 0.8, overlap: Double = 0.3,
                    pictureLimits: PictureLimits = .standard, video: VideoSampling = VideoSampling(),
                    concurrentNetworks: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)) {
            self.passes = passes
            self.scoreThreshold = scoreThreshold
            self.overlap = overlap
            self.pictureLimits = pictureLimits
            self.video = video
            self.concurrentNetworks = concurrentNetworks
        }

        public static let standard = Settings()
    }

    public let settings: Settings
    private let model: [UInt8]
    private let idle: Mutex<[FaceNetwork]>
    private let slots: DispatchSemaphore

    /// Loads the embedded YuNet model once to fail here, not on the first picture, if OpenCV
    /// cannot read it.
    public init(settings: Settings = .standard, model: [UInt8] = FaceDetector.embeddedModel) throws {
        guard !settings.passes.isEmpty, settings.passes.allSatisfy({ (32...4096).contains($0) }) else {
            throw FaceDetectionError("face detection passes must be between 32 and 4096 pixels")
        }
        self.settings = settings
        self.model = model
        Self.configureOpenCV
        idle = Mutex([try FaceNetwork(model: model)])
        slots = DispatchSemaphore(value: max(1, settings.concurrentNetworks))
    }

    /// The ONNX bytes of YuNet 2023mar carried in the binary (`Models/`).
    public static var embeddedModel: [UInt8] {
        var length = 0
        guard let bytes = clearance_face_model_yunet_2023mar(&length) else { return [] }
        return Array(UnsafeBufferPointer(start: bytes, count: length))
    }

    /// Faces in a picture that is already upright, as fractions of it, best first.
    public func detect(in picture: Picture) throws -> [DetectedFace] {
        let longest = max(picture.width, picture.height)
        var found: [DetectedFace] = []
        for size in Set(settings.passes.map { min($0, longest) }).sorted(by: >) {
            let scale = Double(size) / Double(longest)
            found += try faces(in: picture, width: max(1, Int((Double(picture.width) * scale).rounded())),
                               height: max(1, Int((Double(picture.height) * scale).rounded())))
        }
        return OverlapMerging.suppress(found, threshold: settings.overlap).map(Self.rounded)
    }

    /// Decodes the picture file at `path` (JPEG at a reduced scale, PNG, TIFF, HEIC), turns it
    /// upright by its EXIF `orientation` and looks for faces. Never throws: a picture that cannot
    /// be decoded comes back with `faces == nil` and the reason.
    public func detectFaces(inPictureAt path: String, orientation: Int?) -> FaceDetectionResult {
        do {
            let picture = try PictureDecoder.decode(contentsOf: URL(fileURLWithPath: path), orientation: orientation,
                                                    longSide: decodeLongSide, limits: settings.pictureLimits)
            return FaceDetectionResult(detector: Self.identifier, faces: try detect(in: picture))
        } catch {
            return .failed(Self.identifier, "\(error)")
        }
    }

    /// Samples frames of the MP4/MOV/M4V file at `path` (see `VideoSampling`), turns each upright
    /// by the video's display rotation and looks for faces; each face carries its frame's time.
    /// Never throws: a video that cannot be decoded comes back with `faces == nil` and the reason.
    public func detectFaces(inVideoAt path: String) -> FaceDetectionResult {
        var faces: [DetectedFace] = []
        do {
            let sampler = try VideoFrameSampler(path: path, sampling: settings.video, longSide: settings.passes.max() ?? 1280)
            let outcome = try sampler.forEachFrame { frame in
                faces += try detect(in: frame.picture).map { face in
                    var timed = face
                    timed.t = (frame.time * 1000).rounded() / 1000
                    return timed
                }
            }
            return FaceDetectionResult(detector: Self.identifier, faces: faces, framesExamined: outcome.examined,
                                       limitation: outcome.limitation)
        } catch {
            return .failed(Self.identifier, "\(error)")
        }
    }

    /// The long side to decode JPEG at: the largest pass, less 1/32 so that a DCT scale landing
    /// just under it (1,008 pixels for a 4,032-pixel photo at 1/4, for a 1,024 pass) is used
    /// rather than the next, larger one (1,512 at 3/8) that would only be shrunk again.
    private var decodeLongSide: Int {
        let largest = settings.passes.max() ?? 1024
        return largest - largest / 32
    }

    /// One pass: the network over the picture scaled to `width` × `height` and padded to whole
    /// cells, then the boxes back to fractions of the picture.
    private func faces(in picture: Picture, width scaledWidth: Int, height scaledHeight: Int) throws -> [DetectedFace] {
        let input = YuNetDecoding.inputSize(width: scaledWidth, height: scaledHeight)
        let size = FaceNetwork.InputSize(width: input.width, height: input.height)
        let blobs = try withNetwork(for: size) {
            try $0.run(picture, scaledWidth: scaledWidth, scaledHeight: scaledHeight, inputWidth: input.width, inputHeight: input.height)
        }
        let width = Double(scaledWidth), height = Double(scaledHeight)
        return YuNetDecoding.candidates(blobs, inputWidth: input.width, inputHeight: input.height,
                                        threshold: settings.scoreThreshold).compactMap { box in
            // Clipped to the picture: the padding is not part of it, and a box may reach past an edge.
            let left = max(0, box.x) / width, top = max(0, box.y) / height
            let right = min(width, box.x + box.w) / width, bottom = min(height, box.y + box.h) / height
            guard right > left, bottom > top else { return nil }
            return DetectedFace(x: left, y: top, w: right - left, h: bottom - top, score: box.score)
        }
    }

    private func withNetwork<T>(for size: FaceNetwork.InputSize, _ body: (FaceNetwork) throws -> T) throws -> T {
        slots.wait()
        defer { slots.signal() }
        let network = try idle.withLock { networks -> FaceNetwork? in
            if let index = networks.lastIndex(where: { $0.inputSize == size }) { return networks.remove(at: index) }
            return networks.popLast()
        } ?? FaceNetwork(model: model)
        // Idle networks are kept for each pass size, the least recently used dropped beyond that.
        let kept = max(1, settings.concurrentNetworks) * settings.passes.count
        defer { idle.withLock { networks in
            networks.append(network)
            if networks.count > kept { networks.removeFirst(networks.count - kept) }
        } }
        return try body(network)
    }

    /// Four decimals of the picture (under half a pixel of a 12-megapixel photo) and three of the
    /// score: results read and store the same everywhere, without float noise.
    private static func rounded(_ face: DetectedFace) -> DetectedFace {
        func round(_ value: Double, _ places: Double) -> Double { (value * places).rounded() / places }
        return DetectedFace(x: round(face.x, 1e4), y: round(face.y, 1e4), w: round(face.w, 1e4), h: round(face.h, 1e4),
                            score: round(face.score, 1e3), t: face.t)
    }

    /// Pictures are already spread over the cores by the callers (`Inspection` runs one file per
    /// core); OpenCV's own threads on top of that only compete for the same cores.
    private static let configureOpenCV: Void = {
        FaceNetwork.setThreads(1)
    }()
}
