@testable import FaceDetection
import Foundation
import Testing

/// The hand-written part of the detector: reading YuNet's output blobs, and merging boxes.
struct FaceDecodingTests {
    /// Empty blobs for an input of `width` × `height`, in `YuNetDecoding.outputNames` order.
    static func blobs(width: Int, height: Int) -> [[Float]] {
        YuNetDecoding.outputCounts(inputWidth: width, inputHeight: height).map { [Float](repeating: 0, count: $0) }
    }

    @Test func inputSizeIsRoundedUpToWholeCellsOfThirtyTwo() {
        #expect(YuNetDecoding.inputSize(width: 640, height: 480) == (640, 480))
        #expect(YuNetDecoding.inputSize(width: 641, height: 481) == (672, 512))
        #expect(YuNetDecoding.inputSize(width: 1, height: 1) == (32, 32))
    }

    @Test func outputNamesComePerStrideAsClassObjectnessBox() {
        #expect(YuNetDecoding.outputNames == ["cls_8", "obj_8", "bbox_8", "cls_16", "obj_16", "bbox_16", "cls_32", "obj_32", "bbox_32"])
        // 64×32 input: 8×4 cells at stride 8, 4×2 at 16, 2×1 at 32; four box numbers per cell.
        #expect(YuNetDecoding.outputCounts(inputWidth: 64, inputHeight: 32) == [32, 32, 128, 8, 8, 32, 2, 2, 8])
    }

    /// One cell of the stride-16 grid, row 1 column 2, proposes a face: its box is placed from
    /// the cell, its offsets and the exponent of its size, and its score is the geometric mean.
    @Test func aCellBecomesABoxInInputPixels() throws {
        var outputs = Self.blobs(width: 64, height: 32)
        let cell = 1 * (64 / 16) + 2
        outputs[3][cell] = 0.81  // cls_16
        outputs[4][cell] = 1.0   // obj_16
        outputs[5].replaceSubrange(cell * 4..<cell * 4 + 4, with: [0.5, 0.25, Float(log(2.0)), 0])
        let found = YuNetDecoding.candidates(outputs, inputWidth: 64, inputHeight: 32, threshold: 0.5)
        let face = try #require(found.first)
        #expect(found.count == 1)
        #expect(abs(face.score - 0.9) < 1e-6, "√(0.81 × 1)")
        // Centre ((2 + 0.5) × 16, (1 + 0.25) × 16) = (40, 20); size (2 × 16, 1 × 16) = (32, 16).
        #expect(abs(face.x - 24) < 1e-4 && abs(face.y - 12) < 1e-4)
        #expect(abs(face.w - 32) < 1e-4 && abs(face.h - 16) < 1e-4)
    }

    @Test func scoresAreClampedAndTheThresholdHolds() {
        var outputs = Self.blobs(width: 32, height: 32)
        outputs[0][0] = 4.0    // class above 1 counts as 1
        outputs[1][0] = 0.49   // √(1 × 0.49) = 0.7
        outputs[0][1] = -3.0   // negative counts as 0
        outputs[1][1] = 1.0
        #expect(YuNetDecoding.candidates(outputs, inputWidth: 32, inputHeight: 32, threshold: 0.69).count == 1)
        #expect(YuNetDecoding.candidates(outputs, inputWidth: 32, inputHeight: 32, threshold: 0.71).isEmpty)
    }

    /// A damaged blob must not become a box of infinite or absurd size.
    @Test func nonFiniteOrAbsurdBoxesAreDropped() {
        var outputs = Self.blobs(width: 32, height: 32)
        for cell in 0..<3 {
            outputs[0][cell] = 1
            outputs[1][cell] = 1
        }
        outputs[2][0 * 4 + 2] = .infinity
        outputs[2][1 * 4] = .nan
        outputs[2][2 * 4 + 3] = 500  // e^500 pixels
        outputs[0][3] = .nan         // a NaN score is no score
        outputs[1][3] = 1
        #expect(YuNetDecoding.candidates(outputs, inputWidth: 32, inputHeight: 32, threshold: 0.5).isEmpty)
    }

    @Test func overlapIsIntersectionOverUnion() {
        let a = DetectedFace(x: 0, y: 0, w: 0.2, h: 0.2, score: 0.9)
        #expect(a.overlap(with: a) == 1)
        #expect(a.overlap(with: DetectedFace(x: 0.5, y: 0.5, w: 0.2, h: 0.2, score: 0.9)) == 0)
        // Half of a shifted by half its width: intersection 0.02, union 0.06.
        let shifted = DetectedFace(x: 0.1, y: 0, w: 0.2, h: 0.2, score: 0.8)
        #expect(abs(a.overlap(with: shifted) - 1.0 / 3) < 1e-9)
    }

    @Test func suppressionKeepsTheBestOfOverlappingBoxesAndEverySeparateOne() {
        let best = DetectedFace(x: 0.1, y: 0.1, w: 0.2, h: 0.2, score: 0.92)
        let duplicate = DetectedFace(x: 0.11, y: 0.1, w: 0.2, h: 0.21, score: 0.85)
        let elsewhere = DetectedFace(x: 0.6, y: 0.5, w: 0.1, h: 0.1, score: 0.8)
        let touching = DetectedFace(x: 0.25, y: 0.1, w: 0.2, h: 0.2, score: 0.9)  // overlaps best by 1/7
        let kept = OverlapMerging.suppress([duplicate, elsewhere, best, touching], threshold: 0.3)
        #expect(kept == [best, touching, elsewhere])
        #expect(OverlapMerging.suppress([], threshold: 0.3).isEmpty)
    }

    @Test func mostFacesInOneFrameCountsPerFrameForVideoAndAllForStills() {
        let still = FaceDetectionResult(detector: "d", faces: [
            DetectedFace(x: 0, y: 0, w: 0.1, h: 0.1, score: 0.9), DetectedFace(x: 0.5, y: 0, w: 0.1, h: 0.1, score: 0.9),
        ])
        #expect(still.mostFacesInOneFrame == 2)
        let video = FaceDetectionResult(detector: "d", faces: [
            DetectedFace(x: 0, y: 0, w: 0.1, h: 0.1, score: 0.9, t: 0),
            DetectedFace(x: 0, y: 0, w: 0.1, h: 0.1, score: 0.9, t: 1),
            DetectedFace(x: 0.5, y: 0, w: 0.1, h: 0.1, score: 0.9, t: 1),
            DetectedFace(x: 0.7, y: 0, w: 0.1, h: 0.1, score: 0.9, t: 1),
            DetectedFace(x: 0, y: 0, w: 0.1, h: 0.1, score: 0.9, t: 2),
        ], framesExamined: 3)
        #expect(video.mostFacesInOneFrame == 3)
        #expect(FaceDetectionResult.failed("d", "why").mostFacesInOneFrame == 0)
        #expect(!FaceDetectionResult.failed("d", "why").ran)
    }

    /// The result is meant to be stored: it must read back as it was, and a still picture's
    /// faces carry no `t` key at all.
    @Test func resultsRoundTripThroughJSONAndStillsHaveNoTime() throws {
        let result = FaceDetectionResult(detector: FaceDetector.identifier, faces: [
            DetectedFace(x: 0.1, y: 0.2, w: 0.3, h: 0.4, score: 0.9),
        ])
        let data = try JSONEncoder().encode(result)
        #expect(try JSONDecoder().decode(FaceDetectionResult.self, from: data) == result)
        let face = try #require(String(data: try JSONEncoder().encode(result.faces![0]), encoding: .utf8))
        #expect(!face.contains("\"t\""), "\(face)")
        let video = FaceDetectionResult(detector: "d", faces: [DetectedFace(x: 0, y: 0, w: 1, h: 1, score: 1, t: 2.5)],
                                        framesExamined: 4, limitation: "cut short")
        #expect(try JSONDecoder().decode(FaceDetectionResult.self, from: try JSONEncoder().encode(video)) == video)
    }
}
