import CFFmpeg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bounds on what remuxing or decoding one movie may cost, whatever the file declares. A few
/// hundred hostile bytes can declare billions of samples or a demuxer loop that never ends;
/// these keep each file to a known budget of memory and time.
public struct MovieLimits: Sendable {
    /// Bytes libavformat may read while probing the streams (`probesize`).
    public var probeBytes: Int64
    /// Media time libavformat may read while probing the streams (`analyzeduration`), in µs.
    public var analyzeMicroseconds: Int64
    /// Samples the file's sample tables (and fragment runs) may declare in all; libavformat
    /// allocates an index entry (about 24 bytes) for each before reading any packet.
    public var maximumDeclaredSamples: Int
    /// Packets read in all, and the largest packet.
    public var maximumPackets: Int
    public var maximumPacketBytes: Int
    /// Largest decoded video frame, in pixels.
    public var maximumFramePixels: Int
    /// Wall-clock budget: a fixed part plus a part per GiB of input (decoding every frame of a
    /// 4K clip on a small server takes minutes per GiB).
    public var baseSeconds: Double
    public var secondsPerGiB: Double

    public init(probeBytes: Int64 = 32 << 20, analyzeMicroseconds: Int64 = 15_000_000,
                maximumDeclaredSamples: Int = 5_000_000, maximumPackets: Int = 5_000_000,
                maximumPacketBytes: Int = 128 << 20, maximumFramePixels: Int = 8_192 * 8_192,
                baseSeconds: Double = 120, secondsPerGiB: Double = 600) {
        self.probeBytes = probeBytes
        self.analyzeMicroseconds = analyzeMicroseconds
        self.maximumDeclaredSamples = maximumDeclaredSamples
        self.maximumPackets = maximumPackets
        self.maximumPacketBytes = maximumPacketBytes
        self.maximumFramePixels = maximumFramePixels
        self.baseSeconds = baseSeconds
        self.secondsPerGiB = secondsPerGiB
    }

    public static let standard = MovieLimits()

    /// Seconds allowed for a file of `bytes`.
    func seconds(forBytes bytes: Int64) -> Double {
        baseSeconds + secondsPerGiB * Double(max(0, bytes)) / Double(1 << 30)
    }
}

/// A point in time after which libavformat's blocking calls give up (through its interrupt
/// callback) and Clearance's own loops stop. Shared within the package: `FaceDetection`'s
/// video sampler opens movies through `MovieInput` too.
package final class MovieDeadline: @unchecked Sendable {
    // Immutable after init, so sharing it with libavformat's callback is safe.
    private let end: UInt64

    package init(seconds: Double) {
        end = Self.now() &+ UInt64(max(0, seconds) * 1e9)
    }

    package var hasPassed: Bool { Self.now() >= end }

    /// For `AVFormatContext.interrupt_callback`; valid while this object lives.
    var interruptCallback: AVIOInterruptCB {
        AVIOInterruptCB(callback: { opaque in
            guard let opaque else { return 0 }
            return Unmanaged<MovieDeadline>.fromOpaque(opaque).takeUnretainedValue().hasPassed ? 1 : 0
        }, opaque: Unmanaged.passUnretained(self).toOpaque())
    }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

/// libavformat and libavcodec return codes, and the macros Swift cannot import.
package enum FFmpegStatus {
    package static let endOfFile: Int32 = -fourCC("EOF ")
    package static let exit: Int32 = -fourCC("EXIT")
    package static let tryAgain: Int32 = -EAGAIN
    package static let streamNotFound: Int32 = -fourCC("\u{F8}STR")
    package static let noTimestamp = Int64.min

    /// libavutil's MKTAG: the first character in the lowest byte.
    private static func fourCC(_ text: String) -> Int32 {
        let bytes = text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        return Int32(bytes[0]) | Int32(bytes[1]) << 8 | Int32(bytes[2]) << 16 | Int32(bytes[3]) << 24
    }

    /// libavutil's words for an error code.
    package static func message(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        guard av_strerror(code, &buffer, buffer.count) == 0 else { return "error \(code)" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// libav* print warnings about damaged files to stderr themselves; Clearance reports its
    /// own one-line reason instead, so their log is switched off once for the process.
    package static let quiet: Void = { av_log_set_level(AV_LOG_QUIET) }()
}

/// Why a movie could not be remuxed or checked. The description is a one-line reason.
package struct MovieError: Error, CustomStringConvertible {
    package let description: String
    /// libav*'s own words for the failure, without the step, when it came from libav*.
    package let cause: String?
    /// The deadline (or libavformat's interrupt callback) stopped it.
    package let timedOut: Bool
    /// Which step of opening a `MovieInput` failed; nil for anything after.
    package let step: MovieInput.Step?

    init(_ description: String, cause: String? = nil, timedOut: Bool = false, step: MovieInput.Step? = nil) {
        self.description = description
        self.cause = cause
        self.timedOut = timedOut
        self.step = step
    }

    /// A libav* failure in `step`, with the deadline named when that is what stopped it.
    static func failed(_ words: String, _ code: Int32, deadline: MovieDeadline, step: MovieInput.Step? = nil) -> MovieError {
        if code == FFmpegStatus.exit || deadline.hasPassed {
            return MovieError("\(words): took longer than Clearance allows for a file of this size", timedOut: true, step: step)
        }
        let cause = FFmpegStatus.message(code)
        return MovieError("\(words): \(cause)", cause: cause, step: step)
    }
}

/// An MP4/QuickTime file opened for demuxing with the limits applied: only the mov demuxer
/// (never a format guessed from the bytes), only the `file` protocol (a data reference cannot
/// make it open anything else), and external data references off. Export, the copy check, the
/// movie survey and the face detector's video sampler all open movies through this one door.
package final class MovieInput {
    package let context: UnsafeMutablePointer<AVFormatContext>
    package let deadline: MovieDeadline

    /// Whether opening or reading the streams failed, for callers that word it their own way.
    package enum Step: Sendable { case open, streams }

    package init(path: String, limits: MovieLimits, deadline: MovieDeadline) throws(MovieError) {
        _ = FFmpegStatus.quiet
        self.deadline = deadline
        guard let fresh = avformat_alloc_context() else { throw MovieError("cannot start the movie reader") }
        fresh.pointee.interrupt_callback = deadline.interruptCallback
        fresh.pointee.probesize = limits.probeBytes
        fresh.pointee.max_analyze_duration = limits.analyzeMicroseconds
        var options: OpaquePointer?
        av_dict_set(&options, "protocol_whitelist", "file", 0)
        av_dict_set(&options, "format_whitelist", "mov,mp4,m4a,3gp,3g2,mj2", 0)
        av_dict_set(&options, "enable_drefs", "0", 0)
        defer { av_dict_free(&options) }
        var opened: UnsafeMutablePointer<AVFormatContext>? = fresh
        // "file:" so a colon in the name is never read as a protocol; on failure the context is freed.
        let status = avformat_open_input(&opened, "file:" + path, av_find_input_format("mov"), &options)
        guard status >= 0, let opened else { throw MovieError.failed("cannot open the movie", status, deadline: deadline, step: .open) }
        context = opened
        let found = avformat_find_stream_info(opened, nil)
        guard found >= 0 else { throw MovieError.failed("cannot read the movie's streams", found, deadline: deadline, step: .streams) }
    }

    deinit {
        var pointer: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&pointer)
    }

    package var streams: [UnsafeMutablePointer<AVStream>] {
        (0..<Int(context.pointee.nb_streams)).compactMap { context.pointee.streams[$0] }
    }

    /// Duration of the whole movie in seconds, when known.
    package var duration: Double? {
        let value = context.pointee.duration
        return value == FFmpegStatus.noTimestamp || value <= 0 ? nil : Double(value) / Double(AV_TIME_BASE)
    }
}

extension UnsafeMutablePointer where Pointee == AVStream {
    var mediaType: AVMediaType { pointee.codecpar.pointee.codec_type }

    /// A picture attached to an audio file (cover art) shows as a one-frame video stream.
    var isAttachedPicture: Bool { pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0 }

    /// Video and audio are kept; data, timed metadata, subtitles, timecode and cover art are not.
    var isKeptMedia: Bool {
        (mediaType == AVMEDIA_TYPE_VIDEO && !isAttachedPicture) || mediaType == AVMEDIA_TYPE_AUDIO
    }

    /// Rotation from the display matrix, in degrees counter-clockwise (libavutil's sense),
    /// rounded to a whole degree; nil when the stream has none.
    package var rotation: Int? {
        guard let matrix = av_stream_get_side_data(self, AV_PKT_DATA_DISPLAYMATRIX, nil) else { return nil }
        let degrees = matrix.withMemoryRebound(to: Int32.self, capacity: 9) { av_display_rotation_get($0) }
        return degrees.isFinite ? Int(degrees.rounded()) : nil
    }

    /// Seconds per unit of this stream's timestamps.
    var secondsPerTick: Double {
        let base = pointee.time_base
        return base.den == 0 ? 0 : Double(base.num) / Double(base.den)
    }
}
