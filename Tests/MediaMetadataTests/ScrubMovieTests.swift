import Foundation
import Testing
@testable import MediaMetadata

/// Video export through libavformat: generated clips (fragmented, tagged, rotated, several audio
/// tracks, subtitles, chapters, timecode) and the corpus's phone and camera files, each compared
/// with ffprobe and read back with ExifTool.
@Suite(.serialized) struct ScrubMovieTests {
    /// The copy holds the source's video and audio and nothing else, frame for frame.
    static func expectFaithfulCopy(of source: String, at output: String) throws {
        let before = try MovieFixtures.probe(source), after = try MovieFixtures.probe(output)
        #expect(after.streams.allSatisfy { $0.type == "video" || $0.type == "audio" }, "\(source): \(after.streams.map(\.type))")
        #expect(after.video.count == before.video.count && after.audio.count == before.audio.count, "\(source)")
        #expect(after.chapters == 0, "\(source): chapters survived")
        for (original, copy) in zip(before.video, after.video) {
            #expect(copy.frames != nil && copy.frames == original.frames, "\(source): \(copy.frames ?? -1) frames, original \(original.frames ?? -1)")
            #expect(copy.rotation == original.rotation, "\(source): turned \(copy.rotation), original \(original.rotation)")
            #expect(copy.codecTag == original.codecTag, "\(source): tag \(copy.codecTag), original \(original.codecTag)")
            // Within one frame: a source whose last frame has no proper duration ends a frame earlier.
            if let a = original.seconds, let b = copy.seconds, let frames = original.frames, frames > 0 {
                #expect(abs(a - b) <= max(0.05, 1.5 * a / Double(frames)), "\(source): video lasts \(b) s, original \(a) s")
            }
        }
        for (original, copy) in zip(before.audio, after.audio) {
            #expect(copy.frames == original.frames, "\(source): audio frames \(copy.frames ?? -1), original \(original.frames ?? -1)")
        }
        // One index at the front, one media data box, the stamp last; nothing fragmented.
        let boxes = try MovieFixtures.boxes(output)
        #expect(boxes.top == ["ftyp", "moov", "mdat", "uuid"], "\(source): \(boxes.top)")
        #expect(!boxes.inMovie.contains { ["udta", "meta", "mvex", "moof", "uuid", "XMP_"].contains($0) }, "\(source): \(boxes.inMovie)")
    }

    static func expectNoMetadata(_ outputs: [String]) throws {
        let read = try ScrubSupport.exifTool(outputs)
        for output in outputs {
            let tags = try #require(read[output], "ExifTool did not read \(output)")
            #expect(MovieFixtures.leaks(tags).isEmpty, "\(output) still has \(MovieFixtures.leaks(tags).sorted())")
            #expect(tags["XMP:XMP-plus:ModelReleaseStatus"] as? String == ScrubSupport.stamp.status, "\(output)")
        }
    }

    @Test(.enabled(if: MovieFixtures.available && ScrubSupport.isInstalled("exiftool"), "needs ffmpeg, ffprobe and exiftool"))
    func generatedClipsKeepPicturesAndSoundOnly() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sources = [try MovieFixtures.taggedQuickTime(in: directory), try MovieFixtures.fragmentedMP4(in: directory),
                       try MovieFixtures.hevcClip(in: directory)]
        // The sources really have what must go.
        let tagged = try MovieFixtures.probe(sources[0])
        #expect(tagged.audio.count == 2 && tagged.chapters == 1 && tagged.streams.count > 3 && tagged.video.first?.rotation == 90)
        #expect(try MovieFixtures.boxes(sources[1]).top.contains("moof"))
        let read = try ScrubSupport.exifTool(sources)
        for source in sources { #expect(!MovieFixtures.leaks(read[source] ?? [:]).isEmpty, "\(source) has nothing to remove") }

        var outputs: [String] = []
        for (index, source) in sources.enumerated() {
            let output = "\(directory)/copy-\(index).\((source as NSString).pathExtension)"
            let report = try ScrubbedCopy.write(from: source, to: output, format: index == 0 ? .mov : .mp4, release: ScrubSupport.stamp)
            #expect(report.notes.last?.hasPrefix("checked: ") == true, "\(report.notes)")
            try Self.expectFaithfulCopy(of: source, at: output)
            outputs.append(output)
        }
        try Self.expectNoMetadata(outputs)
        let notes = try ScrubbedCopy.write(from: sources[0], to: "\(directory)/again.mov", format: .mov, release: ScrubSupport.stamp).notes
        #expect(notes.first == "left out 1 data track, 1 subtitle track, 1 timecode track", "\(notes)")
        // Nothing left beside the copies: no staging folder, no intermediate file.
        let left = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(".") }
        #expect(left.isEmpty, "\(left)")
    }

    static func corpusMovies() -> [String] {
        ScrubSupport.corpusFiles(extensions: ["mp4", "mov", "m4v"])
    }

    @Test(.enabled(if: MovieFixtures.available && ScrubSupport.isInstalled("exiftool") && Fixtures.corpus != nil,
                   "needs ffmpeg, ffprobe, exiftool and ../shared/corpus"))
    func corpusMoviesAreCopiedOrRefusedWithAReason() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var written: [(source: String, output: String)] = []
        var refused: [String: String] = [:]
        for (index, source) in Self.corpusMovies().enumerated() {
            let header = Array(try ScrubSupport.bytes(source).prefix(FormatSniffer.headerLength))
            guard let format = FormatSniffer.detect(header), format.kind == .video else { continue }
            let output = "\(directory)/\(index).\(format.rawValue)"
            do {
                try ScrubbedCopy.write(from: source, to: output, format: format, release: ScrubSupport.stamp)
                written.append((source, output))
            } catch {
                refused[(source as NSString).lastPathComponent] = "\(error)"
                #expect(!FileManager.default.fileExists(atPath: output))
                #expect(!"\(error)".isEmpty)
            }
        }
        print("Video export of the corpus: \(written.count) written; refused: \(refused)")
        // The iPhone clip with location and face tracks, and the MP4 with GPS, are the issue's examples.
        for name in ["with-gps.mov", "with-gps.mp4", "sample_iTunes.mov", "sample_iPod.m4v"] {
            #expect(written.contains { $0.source.hasSuffix("/" + name) }, "\(name) was not exported: \(refused[name] ?? "")")
        }
        for (source, output) in written { try Self.expectFaithfulCopy(of: source, at: output) }
        try Self.expectNoMetadata(written.map(\.output))
    }

    /// A 60-byte sample table declaring four billion samples would cost libavformat gigabytes
    /// of index before the first packet: refused from the box counts alone.
    @Test func declaredSamplesBeyondTheLimitAreRefused() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let box = ScrubQuickTimeTests.box, be32 = ScrubQuickTimeTests.be32
        let table = box("stsz", [0, 0, 0, 0] + be32(1) + [0xFF, 0xFF, 0xFF, 0xFF])
        let bytes = box("ftyp", Array("isom".utf8) + be32(0)) + box("moov", box("mvhd", [UInt8](repeating: 0, count: 100))
            + box("trak", box("mdia", box("minf", box("stbl", table))))) + box("mdat", [1, 2, 3])
        let source = "\(directory)/huge.mp4", output = "\(directory)/out.mp4"
        try Data(bytes).write(to: URL(fileURLWithPath: source))
        #expect(throws: ScrubError.copyFailed("the movie declares more than \(MovieLimits.standard.maximumDeclaredSamples) samples, more than Clearance reads")) {
            try ScrubbedCopy.write(from: source, to: output, format: .mp4, release: ScrubSupport.stamp)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["huge.mp4"])
    }

    /// The time budget stops the work wherever it is, and leaves nothing behind.
    @Test(.enabled(if: MovieFixtures.available, "needs ffmpeg"))
    func theTimeBudgetStopsACopy() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = try MovieFixtures.fragmentedMP4(in: directory)
        let output = "\(directory)/out.mp4"
        let options = ExportOptions(movieLimits: MovieLimits(baseSeconds: 0, secondsPerGiB: 0))
        do {
            try ScrubbedCopy.write(from: source, to: output, format: .mp4, release: ScrubSupport.stamp, options: options)
            Issue.record("a copy with no time allowed was written")
        } catch {
            #expect("\(error)".contains("longer than Clearance allows"), "\(error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["fragmented.mp4"])
    }

    /// Packet count and size caps stop a copy whatever the file declares, leaving nothing.
    @Test(.enabled(if: MovieFixtures.available, "needs ffmpeg"))
    func packetCapsStopACopy() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = try MovieFixtures.fragmentedMP4(in: directory)
        for limits in [MovieLimits(maximumPackets: 10), MovieLimits(maximumPacketBytes: 64)] {
            #expect(throws: ScrubError.copyFailed("the movie has more or larger packets than Clearance copies")) {
                try ScrubbedCopy.write(from: source, to: "\(directory)/out.mp4", format: .mp4, release: ScrubSupport.stamp,
                                       options: ExportOptions(movieLimits: limits))
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["fragmented.mp4"])
    }

    /// A movie with no video (a voice memo in an MP4) is not a clip to publish.
    @Test(.enabled(if: MovieFixtures.available, "needs ffmpeg"))
    func soundOnlyIsRefused() throws {
        let directory = try ScrubSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = "\(directory)/memo.mp4"
        try MovieFixtures.ffmpeg(["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", source])
        #expect(throws: ScrubError.copyFailed("the movie has no video stream to export")) {
            try ScrubbedCopy.write(from: source, to: "\(directory)/out.mp4", format: .mp4, release: ScrubSupport.stamp)
        }
    }
}
