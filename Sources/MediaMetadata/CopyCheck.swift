import CFFmpeg
import Foundation
import Pictures

/// Checks an exported copy after it is written and before it is put in place: read back with
/// Clearance's own readers, it must carry nothing the export removes and the release stamp it
/// adds; a picture must decode at the size the original is displayed; a movie must hold the
/// same video and audio packets as the original's streams, every video frame must decode, and
/// it must last as long and turn the same way.
enum CopyCheck {
    /// The copy's metadata, read as `inspect` reads any file.
    @discardableResult
    static func metadata(of copy: String, release: ReleaseStamp) throws(ScrubError) -> MediaFacts {
        let facts = MediaInspector().inspect(path: copy, hashing: false)
        if let error = facts.error { throw .copyCheckFailed("the copy cannot be read back (\(error))") }
        var left: [String] = []
        if facts.gps != nil { left.append("a location") }
        if facts.make != nil || facts.model != nil { left.append("the camera") }
        if facts.serial != nil { left.append("a serial number") }
        if facts.capturedAt != nil { left.append("the capture time") }
        if !facts.people.isEmpty || facts.faceRegions > 0 { left.append("people") }
        if !facts.keywords.isEmpty { left.append("keywords") }
        if facts.documentID != nil || facts.originalDocumentID != nil || facts.derivedFrom != nil { left.append("document ids") }
        if !facts.warnings.isEmpty { left.append("unreadable metadata") }
        guard left.isEmpty else { throw .copyCheckFailed("the copy still carries \(left.joined(separator: ", "))") }
        let expected = ScrubXMP.readBack(release)
        guard facts.modelRelease?.status == expected.status, facts.modelRelease?.ids ?? [] == expected.ids else {
            throw .copyCheckFailed("the copy does not carry its release stamp")
        }
        return facts
    }

    /// The copy decodes, at `width` × `height` as displayed. JPEG may be decoded at a reduced
    /// DCT scale (n/8) to keep the check cheap; the size must then be that scale of the original's.
    static func picture(_ copy: String, orientation: Int?, width: Int, height: Int, limits: PictureLimits) throws(ScrubError) {
        let picture: Picture
        do {
            picture = try PictureDecoder.decode(contentsOf: URL(fileURLWithPath: copy), orientation: orientation,
                                                longSide: 2048, limits: limits)
        } catch {
            throw .copyCheckFailed("the copy does not decode (\(error))")
        }
        let scaled = (1...16).contains { n in
            (width * n + 7) / 8 == picture.width && (height * n + 7) / 8 == picture.height
        }
        guard scaled else {
            throw .copyCheckFailed("the copy shows \(picture.width)×\(picture.height) pixels, the original \(width)×\(height)")
        }
    }

    /// What a movie copy was checked against: the original's kept streams, in order.
    struct MovieExpectation {
        struct Stream {
            var isVideo: Bool
            var packets: Int
            /// Frames the original shows: its packets less those its edit list hides.
            var frames: Int
            var width: Int
            var height: Int
            var rotation: Int?
            var seconds: Double?
            var frameSeconds: Double?
        }

        var streams: [Stream]
    }

    /// Decodes every video frame of the copy and compares it with the original's streams.
    /// Returns the copy's video frames and duration, for the report.
    static func movie(_ copy: String, expected: MovieExpectation, limits: MovieLimits, deadline: MovieDeadline) throws(ScrubError) -> (frames: Int, seconds: Double?) {
        let survey: MovieSurvey
        let durations: [Double?]
        do {
            let input = try MovieInput(path: copy, limits: limits, deadline: deadline)
            durations = input.streams.map(\.seconds)
            survey = try MovieSurvey.read(input, decode: true, limits: limits)
        } catch {
            throw .copyCheckFailed("the copy does not play: \(error.description)")
        }
        guard survey.streams.count == expected.streams.count else {
            throw .copyCheckFailed("the copy has \(survey.streams.count) streams, not the \(expected.streams.count) kept")
        }
        var frames = 0
        for (index, (got, want)) in zip(survey.streams, expected.streams).enumerated() {
            let name = "\(want.isVideo ? "video" : "audio") stream \(index + 1)"
            guard got.isVideo == want.isVideo, got.packets == want.packets else {
                throw .copyCheckFailed("\(name) has \(got.packets) packets, the original \(want.packets)")
            }
            if let wanted = want.seconds, let seconds = durations[index] {
                // Stream copy keeps every timestamp; a frame (or 50 ms) of rounding is allowed.
                let tolerance = max(0.05, 1.5 * (want.frameSeconds ?? 0))
                guard abs(seconds - wanted) <= tolerance else {
                    throw .copyCheckFailed("\(name) lasts \(format(seconds)) s, the original \(format(wanted)) s")
                }
            }
            guard want.isVideo else { continue }
            guard got.width == want.width, got.height == want.height else {
                throw .copyCheckFailed("\(name) is \(got.width)×\(got.height), the original \(want.width)×\(want.height)")
            }
            guard (got.rotation ?? 0) == (want.rotation ?? 0) else {
                throw .copyCheckFailed("\(name) is turned \(got.rotation ?? 0)°, the original \(want.rotation ?? 0)°")
            }
            guard got.frames == want.frames else {
                throw .copyCheckFailed("\(name) shows \(got.frames) frames, the original \(want.frames)")
            }
            frames += got.frames
        }
        return (frames, survey.duration)
    }

    static func format(_ seconds: Double) -> String {
        String(format: "%.3f", seconds)
    }
}

extension UnsafeMutablePointer where Pointee == AVStream {
    /// The stream's duration in seconds, when the container says.
    var seconds: Double? {
        let duration = pointee.duration
        guard duration != FFmpegStatus.noTimestamp, duration > 0 else { return nil }
        return Double(duration) * secondsPerTick
    }

    /// One frame's duration for video with a known average rate.
    var frameSeconds: Double? {
        let rate = pointee.avg_frame_rate
        guard rate.num > 0, rate.den > 0 else { return nil }
        return Double(rate.den) / Double(rate.num)
    }
}
