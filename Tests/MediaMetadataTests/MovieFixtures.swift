import Foundation
@testable import MediaMetadata

/// Clips made by the ffmpeg command-line tool the way phones, cameras and editors make them,
/// and ffprobe's view of any movie: the reference the export tests compare against.
enum MovieFixtures {
    static var available: Bool { ScrubSupport.isInstalled("ffmpeg") && ScrubSupport.isInstalled("ffprobe") }

    /// Runs ffmpeg quietly; throws when it fails.
    static func ffmpeg(_ arguments: [String]) throws {
        let result = try ScrubSupport.run(["ffmpeg", "-v", "error", "-nostdin", "-y"] + arguments)
        guard result.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "ffmpeg \(arguments) failed"]) }
    }

    /// A QuickTime clip as an iPhone and an editor leave it: turned 90°, two audio tracks, a
    /// subtitle track naming someone, chapters, a timecode track, and location, make, model
    /// and title tags in `udta`.
    static func taggedQuickTime(in directory: String) throws -> String {
        let base = "\(directory)/base.mp4", rotated = "\(directory)/rotated.mp4"
        let subtitles = "\(directory)/names.srt", chapters = "\(directory)/chapters.txt"
        try "1\n00:00:00,000 --> 00:00:01,500\nMia Jones at the summer fair\n".write(toFile: subtitles, atomically: true, encoding: .utf8)
        try ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=Mia Jones arrives\n".write(toFile: chapters, atomically: true, encoding: .utf8)
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=2", "-c:v", "libx264", "-pix_fmt", "yuv420p", base])
        try ffmpeg(["-i", base, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated])
        let output = "\(directory)/tagged.mov"
        try ffmpeg(["-i", rotated, "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-f", "lavfi", "-i", "sine=frequency=660:duration=2",
                    "-i", subtitles, "-i", chapters,
                    "-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3:s", "-map_chapters", "4",
                    "-c:v", "copy", "-c:a", "aac", "-c:s", "mov_text",
                    "-metadata", "location=+51.5074-000.1278/", "-metadata", "make=Apple", "-metadata", "model=iPhone 13",
                    "-metadata", "title=Mia Jones", "-timecode", "01:00:00:00", output])
        return output
    }

    /// A fragmented MP4 (`moof` boxes, as phones, action cameras and screen recorders write)
    /// with Apple location, make and model keys.
    static func fragmentedMP4(in directory: String) throws -> String {
        let output = "\(directory)/fragmented.mp4"
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=30:duration=3", "-f", "lavfi", "-i", "sine=duration=3",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "15", "-c:a", "aac",
                    "-movflags", "frag_keyframe+empty_moov+use_metadata_tags",
                    "-metadata", "com.apple.quicktime.location.ISO6709=+51.5074-000.1278/",
                    "-metadata", "com.apple.quicktime.make=Apple", "-metadata", "com.apple.quicktime.model=iPhone 13", output])
        return output
    }

    /// An HEVC clip tagged `hvc1` (as iPhones write it, and as Apple players need it), turned 270°.
    static func hevcClip(in directory: String) throws -> String {
        let base = "\(directory)/hevc-base.mp4", output = "\(directory)/hevc.mp4"
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=256x144:rate=30:duration=1", "-c:v", "libx265", "-x265-params", "log-level=none",
                    "-pix_fmt", "yuv420p", "-tag:v", "hvc1", base])
        try ffmpeg(["-i", base, "-c", "copy", "-tag:v", "hvc1", "-metadata:s:v:0", "rotate=270", "-metadata", "location=+48.8584+002.2945/", output])
        return output
    }

    struct Probe {
        struct Stream {
            var type: String
            var codecTag: String
            var frames: Int?
            var rotation: Int
            var seconds: Double?
        }

        var streams: [Stream]
        var seconds: Double?
        var chapters: Int

        var video: [Stream] { streams.filter { $0.type == "video" } }
        var audio: [Stream] { streams.filter { $0.type == "audio" } }
    }

    /// ffprobe's count of decoded frames (`-count_frames`), streams, rotation and duration.
    static func probe(_ path: String) throws -> Probe {
        let result = try ScrubSupport.run(["ffprobe", "-v", "error", "-count_frames", "-show_chapters",
                                           "-show_entries", "stream=codec_type,codec_tag_string,nb_read_frames,duration:stream_side_data=rotation:format=duration",
                                           "-of", "json", path])
        let object = (try JSONSerialization.jsonObject(with: result.output) as? [String: Any]) ?? [:]
        let streams = (object["streams"] as? [[String: Any]] ?? []).map { stream in
            let rotation = (stream["side_data_list"] as? [[String: Any]])?.compactMap { $0["rotation"] as? Int }.first ?? 0
            return Probe.Stream(type: stream["codec_type"] as? String ?? "", codecTag: stream["codec_tag_string"] as? String ?? "",
                                frames: (stream["nb_read_frames"] as? String).flatMap(Int.init), rotation: rotation,
                                seconds: (stream["duration"] as? String).flatMap(Double.init))
        }
        let seconds = ((object["format"] as? [String: Any])?["duration"] as? String).flatMap(Double.init)
        return Probe(streams: streams, seconds: seconds, chapters: (object["chapters"] as? [Any])?.count ?? 0)
    }

    /// Top-level box types, and every box type inside `moov`, by Clearance's own walker.
    static func boxes(_ path: String) throws -> (top: [String], inMovie: [String]) {
        let file = try QuickTimeFile(path: path)
        var top: [String] = [], inside: [String] = []
        QuickTimeBoxWalker.walk(0..<file.fileLength, of: file, topLevel: true) { box, ancestors in
            if ancestors.isEmpty { top.append(box.type.description) } else { inside.append(box.type.description) }
            return .descend
        }
        return (top, inside)
    }

    /// ExifTool tags an export must never carry: location, camera, people, names, dates of
    /// capture, chapters, free text.
    static func leaks(_ tags: [String: Any]) -> [String] {
        tags.keys.filter { key in
            guard let (group0, group1, tag) = ScrubSupport.groups(key) else { return false }
            if group0 == "XMP" { return !["ModelReleaseStatus", "ModelReleaseID"].contains(tag) }
            if ["UserData", "Keys", "ItemList"].contains(group1) || group1.hasSuffix("UserData") { return true }
            if tag.contains("GPS") || tag.contains("Location") || tag.hasPrefix("Chapter") { return true }
            return ["Make", "Model", "SerialNumber", "Author", "Artist", "Comment", "Title", "Description",
                    "ContentCreateDate", "CreationDate", "Software", "Encoder", "TimeCode"].contains(tag)
        }
    }
}
