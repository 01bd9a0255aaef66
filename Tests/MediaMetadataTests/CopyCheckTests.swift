import Foundation
import Testing
@testable import MediaMetadata

/// The check every export copy must pass before it is kept: each way a copy can be wrong is
/// caught, and a right copy passes.
@Suite struct CopyCheckTests {
    /// Why the check failed, or nil when it passed.
    static func failure(_ check: () throws -> Void) -> String? {
        do {
            try check()
            return nil
        } catch {
            guard let failed = error as? ScrubError, case .copyCheckFailed(let why) = failed else { return "\(error)" }
            return why
        }
    }

    @Test func metadataLeftInACopyIsCaught() throws {
        for (fixture, what) in [("xmp-camera-only.jpg", "the camera"), ("mwg-lightroom.jpg", "people"), ("edited-copy.jpg", "document ids")] {
            #expect(Self.failure { _ = try CopyCheck.metadata(of: Fixtures.path(fixture), release: ScrubSupport.stamp) }?.contains(what) == true,
                    "\(fixture)")
        }
    }

    @Test func aScrubbedCopyPassesAndOnlyWithItsOwnStamp() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = "\(directory)/copy.jpg"
        try ScrubbedCopy.write(from: Fixtures.path("rotated-6.jpg"), to: output, format: .jpeg, release: ScrubSupport.stamp)
        let facts = try CopyCheck.metadata(of: output, release: ScrubSupport.stamp)
        #expect(facts.orientation == 6)
        #expect(throws: ScrubError.copyCheckFailed("the copy does not carry its release stamp")) {
            try CopyCheck.metadata(of: output, release: ReleaseStamp(status: "MR-LMR", consentReferences: ["C-OTHER"]))
        }
        // Stored on its side: shown taller than wide. The same numbers the other way round fail.
        let original = MediaInspector().inspect(path: Fixtures.path("rotated-6.jpg"))
        let width = try #require(original.width)
        let height = try #require(original.height)
        try CopyCheck.picture(output, orientation: 6, width: height, height: width, limits: ExportOptions.standard.pictureLimits)
        if width != height {
            #expect(throws: ScrubError.self) {
                try CopyCheck.picture(output, orientation: 6, width: width, height: height, limits: ExportOptions.standard.pictureLimits)
            }
        }
        try Data("not a picture".utf8).write(to: URL(fileURLWithPath: "\(directory)/bad.jpg"))
        #expect(throws: ScrubError.self) {
            try CopyCheck.picture("\(directory)/bad.jpg", orientation: nil, width: 1, height: 1, limits: ExportOptions.standard.pictureLimits)
        }
    }

    @Test(.enabled(if: MovieFixtures.available, "needs ffmpeg"))
    func aMovieCopyThatDiffersFromItsOriginalIsCaught() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let copy = "\(directory)/copy.mp4"
        try ScrubbedCopy.write(from: try MovieFixtures.hevcClip(in: directory), to: copy, format: .mp4, release: ScrubSupport.stamp)
        let limits = MovieLimits.standard, deadline = MovieDeadline(seconds: 60)
        let input = try MovieInput(path: copy, limits: limits, deadline: deadline)
        let survey = try MovieSurvey.read(input, decode: false, limits: limits)
        let truth = CopyCheck.MovieExpectation(streams: zip(survey.streams, input.streams).map { stream, raw in
            .init(isVideo: stream.isVideo, packets: stream.packets, frames: stream.packets, width: stream.width, height: stream.height,
                  rotation: stream.rotation, seconds: raw.seconds, frameSeconds: raw.frameSeconds)
        })
        #expect((truth.streams.first?.rotation ?? 0) != 0, "the clip is turned")
        let checked = try CopyCheck.movie(copy, expected: truth, limits: limits, deadline: deadline)
        #expect(checked.frames == 30)

        func changed(_ change: (inout CopyCheck.MovieExpectation) -> Void) -> CopyCheck.MovieExpectation {
            var expectation = truth
            change(&expectation)
            return expectation
        }
        let wrong: [(String, CopyCheck.MovieExpectation)] = [
            ("shows 30 frames, the original 31", changed { $0.streams[0].frames += 1 }),
            ("has 30 packets, the original 29", changed { $0.streams[0].packets -= 1 }),
            ("is turned", changed { $0.streams[0].rotation = 0 }),
            ("is 256×144, the original 258×144", changed { $0.streams[0].width += 2 }),
            ("lasts", changed { $0.streams[0].seconds = ($0.streams[0].seconds ?? 1) + 1 }),
            ("streams, not the 2 kept", changed { $0.streams.append($0.streams[0]) }),
        ]
        for (message, expectation) in wrong {
            let why = Self.failure { _ = try CopyCheck.movie(copy, expected: expectation, limits: limits, deadline: deadline) }
            #expect(why?.contains(message) == true, "expected \"\(message)\", got \(why ?? "no failure")")
        }
    }
}
