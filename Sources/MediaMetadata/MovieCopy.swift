import CFFmpeg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A movie's export copy: remuxed by libavformat (`MovieRemux`), finished by the QuickTime
/// scrubber (which drops the empty `udta` libavformat's MP4 writer adds and appends the release
/// stamp as an XMP `uuid` box after the media data, so no offset moves), then checked.
enum MovieCopy {
    static func write(from source: String, format: ContainerFormat, to staged: String, staging: Staging,
                      release: ReleaseStamp, limits: MovieLimits) throws -> ScrubbedCopyReport {
        let file = try QuickTimeFile(path: source)
        guard file.fileLength > 0 else { throw MediaReadError.empty }
        let brand = file.bytes(at: 4, count: 4) == Array("ftyp".utf8) ? file.bytes(at: 8, count: 4) ?? [] : Array("qt  ".utf8)
        let deadline = MovieDeadline(seconds: limits.seconds(forBytes: file.fileLength))
        let remuxed = staging.path("remux")
        let expectation: CopyCheck.MovieExpectation
        let remux: MovieRemux.Result
        do {
            try MovieSampleBudget.check(file, limit: limits.maximumDeclaredSamples)
            let input = try MovieInput(path: source, limits: limits, deadline: deadline)
            remux = try MovieRemux.remux(input, muxer: MovieRemux.muxerName(forBrand: brand), to: remuxed, limits: limits,
                                         sourceBytes: file.fileLength)
            expectation = CopyCheck.MovieExpectation(streams: input.streams.filter(\.isKeptMedia).map { stream in
                let parameters = stream.pointee.codecpar.pointee
                let isVideo = stream.mediaType == AVMEDIA_TYPE_VIDEO
                let packets = remux.packets[stream.pointee.index] ?? 0
                return .init(isVideo: isVideo, packets: packets, frames: packets - (remux.hidden[stream.pointee.index] ?? 0),
                             width: Int(parameters.width), height: Int(parameters.height), rotation: stream.rotation,
                             seconds: stream.seconds, frameSeconds: isVideo ? stream.frameSeconds : nil)
            })
        } catch {
            throw ScrubError.copyFailed(error.description)
        }
        let intermediate = try QuickTimeFile(path: remuxed)
        let plan = try ScrubQuickTime.plan(intermediate)
        try ScrubOutput.create(staged) { try ScrubQuickTime.write(plan, from: intermediate, release: release, to: $0) }
        unlink(remuxed)

        try CopyCheck.metadata(of: staged, release: release)
        let checked = try CopyCheck.movie(staged, expected: expectation, limits: limits, deadline: deadline)
        var notes: [String] = []
        if !remux.dropped.isEmpty { notes.append("left out " + remux.dropped.joined(separator: ", ")) }
        let audio = expectation.streams.filter { !$0.isVideo }.count
        let duration = checked.seconds.map { ", \(CopyCheck.format($0)) s" } ?? ""
        notes.append("checked: \(checked.frames) video frames decode\(duration)\(audio > 0 ? ", \(audio) audio stream\(audio == 1 ? "" : "s")" : "")")
        return ScrubbedCopyReport(format: format, notes: notes)
    }
}
