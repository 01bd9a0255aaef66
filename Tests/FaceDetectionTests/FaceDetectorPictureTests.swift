@testable import FaceDetection
import Foundation
import Pictures
import Testing

/// The detector on real photos committed with the tests: where the faces are, that boxes are in
/// the picture as displayed, that a flower is not a face, and that two passes find what one misses.
struct FaceDetectorPictureTests {
    let detector = FaceFixtures.detector

    @Test func findsTheThreePeopleOfTheGroupWhereTheyAre() throws {
        let result = detector.detectFaces(inPictureAt: FaceFixtures.path("group.jpg"), orientation: nil)
        #expect(result.detector == "yunet-2023mar/1")
        #expect(result.failure == nil && result.framesExamined == nil)
        let faces = try #require(result.faces)
        FaceFixtures.expectGroupFaces(faces)
        for face in faces {
            #expect(face.score >= detector.settings.scoreThreshold && face.score <= 1, "\(face)")
            #expect(face.x >= 0 && face.y >= 0 && face.x + face.w <= 1.0001 && face.y + face.h <= 1.0001, "\(face)")
            #expect(face.t == nil)
            // A face in this picture is a few percent of its width, not a sliver or the whole frame.
            #expect(face.w > 0.03 && face.w < 0.2 && face.h > 0.05 && face.h < 0.3, "\(face)")
        }
    }

    /// The same photo stored turned a quarter left with EXIF orientation 6: boxes must come back in
    /// the upright picture, the same as for the upright file.
    @Test func boxesAreInThePictureAsDisplayed() throws {
        let upright = try #require(detector.detectFaces(inPictureAt: FaceFixtures.path("group.jpg"), orientation: nil).faces)
        let turned = try #require(detector.detectFaces(inPictureAt: FaceFixtures.path("group-orientation-6.jpg"), orientation: 6).faces)
        FaceFixtures.expectGroupFaces(turned)
        FaceFixtures.expectSameBoxes(turned, upright, tolerance: 0.02)
        // Read as stored (orientation ignored), the people lie on their side and the boxes differ.
        let sideways = detector.detectFaces(inPictureAt: FaceFixtures.path("group-orientation-6.jpg"), orientation: 1).faces ?? []
        #expect(sideways.count < 3 || sideways.contains { face in upright.allSatisfy { FaceFixtures.distance(face, $0) > 0.05 } })
    }

    @Test func aFlowerIsNotAFace() {
        let result = detector.detectFaces(inPictureAt: FaceFixtures.path("daisy.jpg"), orientation: 1)
        #expect(result.faces == [])
        #expect(result.ran && result.failure == nil)
    }

    /// A face that fills the frame of a large picture (the close-up enlarged to 1,380 pixels).
    /// The large pass alone misses it (the network's largest cells are too small for it); the
    /// small pass finds it, so the standard two passes do too.
    @Test func theSmallPassFindsAFaceThatFillsTheFrame() throws {
        let closeUp = try PictureDecoder.decode(try FaceFixtures.data("close-up.jpg"), orientation: 1).enlarged(by: 3)
        let passes = FaceDetector.Settings.standard.passes
        #expect(passes == [320, 1024])
        #expect(max(closeUp.width, closeUp.height) > passes.max()!)
        let largeOnly = try FaceDetector(settings: .init(passes: [passes.max()!]))
        #expect(try largeOnly.detect(in: closeUp).isEmpty, "the large pass alone should miss a face this large")
        let smallOnly = try FaceDetector(settings: .init(passes: [passes.min()!]))
        #expect(try smallOnly.detect(in: closeUp).count == 1)
        let faces = try detector.detect(in: closeUp)
        #expect(faces.count == 1, "\(faces)")
        #expect(faces.first.map { $0.w > 0.4 && $0.h > 0.4 } == true, "\(faces)")
    }

    /// Each face is found once although both passes see most of them.
    @Test func twoPassesAreMergedIntoOneBoxPerFace() throws {
        let group = try PictureDecoder.decode(try FaceFixtures.data("group.jpg"), orientation: 1)
        let passes = FaceDetector.Settings.standard.passes
        let small = try FaceDetector(settings: .init(passes: [passes.min()!])).detect(in: group)
        let large = try FaceDetector(settings: .init(passes: [passes.max()!])).detect(in: group)
        let both = try detector.detect(in: group)
        FaceFixtures.expectGroupFaces(both)
        #expect(both.count <= max(small.count, large.count) + 1)
        for face in both {
            #expect(both.filter { $0.overlap(with: face) > 0.3 }.count == 1, "\(face) overlaps another box")
        }
    }

    /// Many threads share one detector (as `inspect` does, one file per core): every answer is
    /// the same as the one a single thread gets.
    @Test func oneDetectorServesManyThreadsAlike() async throws {
        let picture = try PictureDecoder.decode(try FaceFixtures.data("group.jpg"), orientation: 1)
        let alone = try detector.detect(in: picture)
        let detector = self.detector
        let answers = try await withThrowingTaskGroup(of: [DetectedFace].self) { group in
            for _ in 0..<8 { group.addTask { try detector.detect(in: picture) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 8)
        #expect(answers.allSatisfy { $0 == alone })
    }

    @Test func passesOutsideTheNetworksRangeAreRefused() {
        #expect(throws: FaceDetectionError.self) { try FaceDetector(settings: .init(passes: [])) }
        #expect(throws: FaceDetectionError.self) { try FaceDetector(settings: .init(passes: [640, 100_000])) }
    }

    @Test func aModelThatIsNotOneIsRefusedWithAReason() {
        #expect {
            try FaceDetector(model: Array("not an ONNX model".utf8))
        } throws: { error in
            "\(error)".hasPrefix("cannot load the face detection model: ")
        }
        #expect(throws: FaceDetectionError.self) { try FaceDetector(model: []) }
    }
}

extension Picture {
    /// Each pixel repeated `factor` times across and down: larger, with no new detail.
    func enlarged(by factor: Int) -> Picture {
        let newWidth = width * factor, newHeight = height * factor
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        for row in 0..<newHeight {
            for column in 0..<newWidth {
                let s = ((row / factor) * width + column / factor) * 3, t = (row * newWidth + column) * 3
                out[t] = pixels[s]; out[t + 1] = pixels[s + 1]; out[t + 2] = pixels[s + 2]
            }
        }
        return Picture(width: newWidth, height: newHeight, pixels: out)
    }
}
