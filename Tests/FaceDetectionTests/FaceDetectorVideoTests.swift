@testable import FaceDetection
import Foundation
import Testing

/// Frames sampled from real H.264 clips (see Fixtures/README.md): the daisy for 1.5 s, then the
/// group for 2 s.
struct FaceDetectorVideoTests {
    let detector = FaceFixtures.detector

    @Test func facesCarryTheTimeOfTheirFrameAndOnlyAppearWithThePeople() throws {
        let result = detector.detectFaces(inVideoAt: FaceFixtures.path("group-clip.mp4"))
        #expect(result.failure == nil && result.limitation == nil)
        let faces = try #require(result.faces)
        // One frame a second from 0 s (0, 1, 2, 3) and the last one (3.4 s).
        #expect(result.framesExamined == 5)
        let times = Set(faces.compactMap(\.t))
        #expect(faces.allSatisfy { $0.t != nil })
        #expect(times.allSatisfy { $0 >= 1.5 }, "the first 1.5 s show only a daisy: \(times.sorted())")
        #expect(times == [2, 3, 3.4], "\(times.sorted())")
        #expect(result.mostFacesInOneFrame >= 3)
        // Each frame of the group shows the same people in the same places as the photo.
        let still = try #require(detector.detectFaces(inPictureAt: FaceFixtures.path("group.jpg"), orientation: nil).faces)
        for time in times {
            FaceFixtures.expectGroupFaces(faces.filter { $0.t == time })
            let inFrame = faces.filter { $0.t == time }.map { DetectedFace(x: $0.x, y: $0.y, w: $0.w, h: $0.h, score: $0.score) }
            for face in inFrame where face.x + face.w < 0.95 {
                #expect(still.contains { FaceFixtures.distance($0, face) <= 0.03 }, "\(face) at \(time) s is not in the photo")
            }
        }
    }

    /// Stored a quarter turn left with a display matrix turning it back, as phones record
    /// upright video: the boxes must be those of the upright clip.
    @Test func theDisplayRotationIsApplied() throws {
        let upright = try #require(detector.detectFaces(inVideoAt: FaceFixtures.path("group-clip.mp4")).faces)
        let rotated = detector.detectFaces(inVideoAt: FaceFixtures.path("group-clip-rotated.mp4"))
        let faces = try #require(rotated.faces)
        #expect(rotated.framesExamined == 5)
        #expect(Set(faces.compactMap(\.t)) == Set(upright.compactMap(\.t)))
        for time in Set(upright.compactMap(\.t)) {
            FaceFixtures.expectSameBoxes(faces.filter { $0.t == time }, upright.filter { $0.t == time }, tolerance: 0.03)
        }
    }

    @Test func theSamplingPlanIsOneASecondBoundedInNumber() {
        let standard = VideoSampling()
        #expect(VideoFrameSampler.plan(duration: 3.5, sampling: standard) == [0, 1, 2, 3])
        #expect(VideoFrameSampler.plan(duration: 0.2, sampling: standard) == [0])
        // Ten minutes: 59 frames spread evenly (the 60th is the last frame).
        let long = VideoFrameSampler.plan(duration: 600, sampling: standard)
        #expect(long.count == 59 && long.first == 0 && long.last! < 600)
        #expect(zip(long, long.dropFirst()).allSatisfy { abs(($1 - $0) - 600.0 / 59) < 1e-9 })
        // Unknown length: the first frames, one a second, up to the bound.
        #expect(VideoFrameSampler.plan(duration: nil, sampling: VideoSampling(maximumFrames: 4)) == [0, 1, 2])
    }

    @Test func fewerFramesWhenTheBoundSaysSo() throws {
        let twoFrames = try FaceDetector(settings: .init(video: VideoSampling(maximumFrames: 2)))
        let result = twoFrames.detectFaces(inVideoAt: FaceFixtures.path("group-clip.mp4"))
        #expect(result.framesExamined == 2, "the first frame and the last")
        #expect(Set(result.faces?.compactMap(\.t) ?? []) == [3.4])
    }

    /// With no time at all, not one frame can be looked at: detection did not run, and says why.
    @Test func theTimeLimitIsKept() throws {
        let hurried = try FaceDetector(settings: .init(video: VideoSampling(timeLimit: 0)))
        let result = hurried.detectFaces(inVideoAt: FaceFixtures.path("group-clip.mp4"))
        #expect(result.faces == nil)
        #expect(result.failure == "the 0-second limit for a video ran out before a frame was decoded", "\(result)")
    }

    /// A video cut off in the middle of its picture data: the frames before the cut are looked at,
    /// nothing crashes.
    @Test func aTruncatedVideoIsLookedAtUpToTheCut() throws {
        let whole = try FaceFixtures.data("group-clip.mp4")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-cut-\(UUID().uuidString).mp4")
        defer { try? FileManager.default.removeItem(at: url) }
        try whole.prefix(whole.count * 3 / 4).write(to: url)
        let result = detector.detectFaces(inVideoAt: url.path)
        #expect(result.ran, "\(result)")
        #expect((result.framesExamined ?? 0) >= 2 && (result.framesExamined ?? 0) <= 5)
    }

    /// A text file named .mp4 that libavformat would otherwise read as a concat script naming
    /// another video (or a playlist naming URLs): it is only ever read as MP4/QuickTime, so it is
    /// refused and the video it names is never opened.
    @Test func aScriptNamingOtherFilesIsNotFollowed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-concat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(atPath: FaceFixtures.path("group-clip.mp4"), toPath: folder.appendingPathComponent("other.mp4").path)
        let script = folder.appendingPathComponent("script.mp4")
        try Data("ffconcat version 1.0\nfile other.mp4\n".utf8).write(to: script)
        let result = detector.detectFaces(inVideoAt: script.path)
        #expect(result.faces == nil, "the clip the script names was read: \(result)")
        #expect(result.failure?.hasPrefix("cannot open the video") == true, "\(result)")
    }

    @Test func notAVideoIsAFailureWithAReason() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-notes-\(UUID().uuidString).mp4")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("this is a shopping list, not a film\n".utf8).write(to: url)
        let result = detector.detectFaces(inVideoAt: url.path)
        #expect(result.faces == nil)
        #expect(result.failure?.hasPrefix("cannot open the video") == true, "\(result)")
        let missing = detector.detectFaces(inVideoAt: "/nonexistent/clip.mp4")
        #expect(missing.failure?.hasPrefix("cannot open the video") == true, "\(missing)")
    }
}
