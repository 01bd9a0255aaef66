import CFFmpeg
import Foundation
import MediaMetadata
import Pictures

/// Which frames of a video the face detector looks at, and how much that may cost.
public struct VideoSampling: Sendable {
    /// Seconds between sampled frames; the first and the last frame are always among them.
    public var interval: Double
    /// At most this many frames per video; a longer video has them spread evenly over its length.
    public var maximumFrames: Int
    /// Wall-clock seconds one video may take, opening and decoding included. When it runs out,
    /// the frames looked at so far count and the result says what was left out.
    public var timeLimit: Double
    /// Frames larger than this (width × height) are refused before they are decoded.
    public var maximumFramePixels: Int

    public init(interval: Double = 1, maximumFrames: Int = 60, timeLimit: Double = 30,
                maximumFramePixels: Int = 36_000_000) {
        self.interval = interval
        self.maximumFrames = maximumFrames
        self.timeLimit = timeLimit
        self.maximumFramePixels = maximumFramePixels
    }
}

/// One decoded video frame, upright, with its time from the start of the video in seconds.
struct VideoFrame {
    let picture: Picture
    let time: Double
}

/// Decodes chosen frames of an MP4/MOV/M4V file with Debian's ffmpeg libraries (libavformat,
/// libavcodec, libswscale), scaled with swscale to at most `longSide` and turned upright by the
/// stream's display matrix (or its legacy `rotate` tag). The file is opened by `MediaMetadata`'s
/// `MovieInput`, as export opens movies: the mov demuxer only, the file protocol only, no
/// external data references, reads cut off at the deadline.
///
/// Frames are reached by decoding forward when the next one is near, by seeking to the keyframe
/// before it when it is far. One sampler reads one file on one thread.
final class VideoFrameSampler {
    private let sampling: VideoSampling
    private let longSide: Int
    private let deadline: MovieDeadline
    /// Closed when the sampler goes.
    private var input: MovieInput?
    private var format: UnsafeMutablePointer<AVFormatContext>? { input?.context }
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var kept: UnsafeMutablePointer<AVFrame>?
    private var scaler: OpaquePointer?
    private var streamIndex: Int32 = -1
    private var timeBase = 1.0 / 90_000
    private var startTimestamp: Int64 = 0
    /// Seconds, when the container says.
    private(set) var duration: Double?
    /// EXIF-style orientation (1, 3, 6 or 8) that shows the frames as the player would.
    private(set) var orientation = 1
    private var draining = false
    private var finished = false

    /// Reached the time limit; caught by `forEachFrame`.
    private struct TimeLimitReached: Error {}

    init(path: String, sampling: VideoSampling, longSide: Int) throws {
        self.sampling = sampling
        self.longSide = longSide
        deadline = MovieDeadline(seconds: sampling.timeLimit)
        // Every stored property has its value from here on, so a throw below runs deinit, which
        // frees whatever was opened so far.

        // Opened as export opens movies (`MediaMetadata.MovieInput`): only the MP4/QuickTime it
        // was sniffed as, never a format guessed from its bytes (a playlist or concat script
        // would make libavformat open other files or URLs), only the file protocol, no external
        // data references, bounded probing, and reads cut off at the deadline.
        let opened: MovieInput
        do {
            opened = try MovieInput(path: path, limits: .standard, deadline: deadline)
        } catch {
            // An interrupted read may surface as "invalid data": the clock says which it was.
            if error.timedOut || deadline.hasPassed { throw Self.outOfTime(sampling) }
            switch error.step {
            case .open: throw FaceDetectionError("cannot open the video: \(error.cause ?? error.description)")
            case .streams: throw FaceDetectionError("cannot read the video's streams: \(error.cause ?? error.description)")
            case nil: throw FaceDetectionError(error.description)
            }
        }
        input = opened
        let format = opened.context
        var status: Int32

        var decoder: UnsafePointer<AVCodec>?
        status = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        guard status >= 0, let decoder else {
            throw FaceDetectionError(status == Self.streamNotFound ? "the file has no video stream"
                                     : "no decoder for the video stream: \(Self.message(status))")
        }
        streamIndex = status
        let stream = format.pointee.streams[Int(status)]!
        let parameters = stream.pointee.codecpar!
        let width = Int(parameters.pointee.width), height = Int(parameters.pointee.height)
        guard width > 0, height > 0 else { throw FaceDetectionError("the video stream declares no frame size") }
        guard width <= 16_384, height <= 16_384, width * height <= sampling.maximumFramePixels else {
            throw FaceDetectionError("video frames of \(width)×\(height) pixels are larger than Clearance decodes")
        }
        timeBase = Self.seconds(stream.pointee.time_base) ?? 1.0 / 90_000
        startTimestamp = stream.pointee.start_time == Self.noTimestamp ? 0 : stream.pointee.start_time
        if stream.pointee.duration > 0, stream.pointee.duration != Self.noTimestamp {
            duration = Double(stream.pointee.duration) * timeBase
        } else if format.pointee.duration > 0, format.pointee.duration != Self.noTimestamp {
            duration = Double(format.pointee.duration) / Double(AV_TIME_BASE)
        } else {
            duration = nil
        }
        orientation = Self.orientation(of: stream)

        guard let codecContext = avcodec_alloc_context3(decoder) else { throw FaceDetectionError("cannot start the video decoder") }
        codec = codecContext
        guard avcodec_parameters_to_context(codecContext, parameters) >= 0 else {
            throw FaceDetectionError("cannot set up the video decoder")
        }
        // Files are already spread over the cores by the caller; one decoding thread per file.
        codecContext.pointee.thread_count = 1
        codecContext.pointee.max_pixels = Int64(sampling.maximumFramePixels)
        status = avcodec_open2(codecContext, decoder, nil)
        guard status >= 0 else { throw FaceDetectionError("cannot open the video decoder: \(Self.message(status))") }
        packet = av_packet_alloc()
        frame = av_frame_alloc()
        kept = av_frame_alloc()
        guard packet != nil, frame != nil, kept != nil else { throw FaceDetectionError("out of memory for video frames") }
    }

    deinit {
        sws_freeContext(scaler)
        av_frame_free(&kept)
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&codec)
    }

    /// The times (seconds) to look at, then the last frame: every `interval` from the start, or
    /// `maximumFrames` spread evenly when that would be too many.
    static func plan(duration: Double?, sampling: VideoSampling) -> [Double] {
        let most = max(1, sampling.maximumFrames - 1)  // one place is kept for the last frame
        guard let duration, duration.isFinite, duration > 0 else {
            return (0..<most).map { Double($0) * sampling.interval }
        }
        let step = max(sampling.interval, duration / Double(most))
        return stride(from: 0, to: duration, by: step).prefix(most).map { $0 }
    }

    /// Calls `body` with each planned frame in time order, then the last frame of the video.
    /// Returns how many frames were looked at and, when the time limit cut the work short,
    /// what was left out. Throws when not a single frame could be decoded.
    func forEachFrame(_ body: (VideoFrame) throws -> Void) throws -> (examined: Int, limitation: String?) {
        let times = Self.plan(duration: duration, sampling: sampling)
        var examined = 0
        var lastTime = -Double.infinity
        do {
            for target in times {
                guard let found = try frame(atOrAfter: target) else { break }
                // Two targets can land on the same frame in a video with few frames.
                if found.time > lastTime {
                    try body(found)
                    examined += 1
                    lastTime = found.time
                }
            }
            if let last = try lastFrame(), last.time > lastTime {
                try body(last)
                examined += 1
            }
        } catch is TimeLimitReached {
            guard examined > 0 else { throw Self.outOfTime(sampling) }
            let planned = times.count + 1
            return (examined, "faces were looked for in \(examined) of about \(planned) frames: the \(Self.format(sampling.timeLimit))-second limit was reached")
        }
        guard examined > 0 else { throw FaceDetectionError("the video has no frame that could be decoded") }
        return (examined, nil)
    }

    /// The first frame at or after `target` seconds, or nil at the end of the video.
    private func frame(atOrAfter target: Double) throws -> VideoFrame? {
        let current = kept.flatMap { time(of: $0) }
        // Decoding forward is cheaper than seeking for a near frame; a far one is sought.
        if finished || (current == nil && target > 0) || (current ?? 0) + 2 * max(sampling.interval, 1) < target {
            seek(to: target)
        }
        // Half a frame early still counts: timestamps are rarely exact multiples.
        while let time = try decodeNext() {
            if time >= target - 0.02 { return try videoFrame(kept!, time: time) }
        }
        return nil
    }

    /// The video's last decodable frame.
    private func lastFrame() throws -> VideoFrame? {
        var last = kept.flatMap { time(of: $0) }
        if let duration, let current = last, current + 3 < duration {
            seek(to: max(0, duration - 3))
            last = nil
        }
        while let time = try decodeNext() { last = time }
        guard let last, kept?.pointee.width ?? 0 > 0 else { return nil }
        return try videoFrame(kept!, time: last)
    }

    private func seek(to seconds: Double) {
        guard let format, let codec else { return }
        let timestamp = startTimestamp + Int64(seconds / timeBase)
        if av_seek_frame(format, streamIndex, timestamp, AVSEEK_FLAG_BACKWARD) >= 0 || finished {
            avcodec_flush_buffers(codec)
            av_frame_unref(kept)
            draining = false
            finished = false
        }
    }

    /// Decodes the next frame into `kept` and returns its time; nil at the end of the stream.
    private func decodeNext() throws -> Double? {
        guard let format, let codec, let packet, let frame, let kept, !finished else { return nil }
        var damagedPackets = 0
        while true {
            if pastDeadline { throw TimeLimitReached() }
            let received = avcodec_receive_frame(codec, frame)
            if received == 0 {
                av_frame_unref(kept)
                av_frame_move_ref(kept, frame)
                return time(of: kept) ?? 0
            }
            if received == Self.endOfFile || draining && received == Self.tryAgain {
                finished = true
                return nil
            }
            guard received == Self.tryAgain else {
                throw FaceDetectionError("cannot decode the video: \(Self.message(received))")
            }
            let read = av_read_frame(format, packet)
            if read < 0 {
                if read == FFmpegStatus.exit || pastDeadline { throw TimeLimitReached() }
                // End of file or a damaged tail: let the decoder hand out what it still holds.
                draining = true
                _ = avcodec_send_packet(codec, nil)
                continue
            }
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == streamIndex else { continue }
            let sent = avcodec_send_packet(codec, packet)
            if sent < 0, sent != Self.tryAgain {
                // A damaged packet is skipped, as a player would; a stream of nothing else is not a video.
                damagedPackets += 1
                if damagedPackets > 1_000 { throw FaceDetectionError("the video data is damaged: \(Self.message(sent))") }
            }
        }
    }

    private var pastDeadline: Bool { deadline.hasPassed }

    private func time(of frame: UnsafeMutablePointer<AVFrame>) -> Double? {
        let stamp = frame.pointee.best_effort_timestamp != Self.noTimestamp ? frame.pointee.best_effort_timestamp : frame.pointee.pts
        guard stamp != Self.noTimestamp else { return nil }
        return max(0, Double(stamp - startTimestamp) * timeBase)
    }

    /// The frame as an upright RGB picture, its longer side at most `longSide`, square pixels.
    private func videoFrame(_ frame: UnsafeMutablePointer<AVFrame>, time: Double) throws -> VideoFrame {
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        guard width > 0, height > 0, width <= 16_384, height <= 16_384, width * height <= sampling.maximumFramePixels else {
            throw FaceDetectionError("a video frame of \(width)×\(height) pixels is larger than Clearance decodes")
        }
        // Anamorphic video (DV, some broadcast files) stores pixels that are not square.
        let aspect = frame.pointee.sample_aspect_ratio
        var displayWidth = Double(width)
        if aspect.num > 0, aspect.den > 0 { displayWidth = displayWidth * Double(aspect.num) / Double(aspect.den) }
        let scale = min(1, Double(longSide) / max(displayWidth, Double(height)))
        let outWidth = max(1, Int((displayWidth * scale).rounded())), outHeight = max(1, Int((Double(height) * scale).rounded()))
        scaler = sws_getCachedContext(scaler, Int32(width), Int32(height), AVPixelFormat(frame.pointee.format),
                                      Int32(outWidth), Int32(outHeight), AV_PIX_FMT_RGB24, SWS_AREA, nil, nil, nil)
        guard let scaler else { throw FaceDetectionError("cannot convert the video's frames to RGB") }
        // swscale writes whole SIMD blocks: give it aligned rows and a spare one, then pack them.
        let rowBytes = (outWidth * 3 + 63) / 64 * 64
        var padded = [UInt8](repeating: 0, count: rowBytes * (outHeight + 1))
        let scaledRows: Int32 = padded.withUnsafeMutableBufferPointer { out in
            var destination: [UnsafeMutablePointer<UInt8>?] = [out.baseAddress, nil, nil, nil]
            var destinationStride: [Int32] = [Int32(rowBytes), 0, 0, 0]
            return withUnsafeBytes(of: &frame.pointee.data) { planes in
                withUnsafeBytes(of: &frame.pointee.linesize) { strides in
                    sws_scale(scaler, planes.baseAddress!.assumingMemoryBound(to: UnsafePointer<UInt8>?.self),
                              strides.baseAddress!.assumingMemoryBound(to: Int32.self), 0, Int32(height),
                              &destination, &destinationStride)
                }
            }
        }
        guard scaledRows == outHeight else { throw FaceDetectionError("cannot convert a video frame to RGB") }
        var pixels = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        pixels.withUnsafeMutableBufferPointer { out in
            padded.withUnsafeBufferPointer { source in
                for row in 0..<outHeight {
                    (out.baseAddress! + row * outWidth * 3).update(from: source.baseAddress! + row * rowBytes, count: outWidth * 3)
                }
            }
        }
        return VideoFrame(picture: Picture(width: outWidth, height: outHeight, pixels: pixels).oriented(orientation), time: time)
    }

    /// The display matrix's rotation as an EXIF orientation: 90° clockwise is 6, 180° is 3,
    /// 270° is 8. Mirrored matrices (not written by cameras or phones) are shown unmirrored.
    static func orientation(of stream: UnsafeMutablePointer<AVStream>) -> Int {
        var clockwise: Double?
        if let counterClockwise = stream.rotation {
            // The display matrix gives the counter-clockwise angle the frames must be turned by.
            clockwise = -Double(counterClockwise)
        } else if let tag = av_dict_get(stream.pointee.metadata, "rotate", nil, 0), let value = tag.pointee.value,
                  let degrees = Double(String(cString: value)) {
            clockwise = degrees
        }
        guard let clockwise else { return 1 }
        let quarter = Int(((clockwise / 90).rounded()).truncatingRemainder(dividingBy: 4) + 4) % 4
        return [1, 6, 3, 8][quarter]
    }

    static func outOfTime(_ sampling: VideoSampling) -> FaceDetectionError {
        FaceDetectionError("the \(format(sampling.timeLimit))-second limit for a video ran out before a frame was decoded")
    }

    // ffmpeg's error codes are C macros Swift cannot import; MediaMetadata spells them once.
    static let tryAgain = FFmpegStatus.tryAgain
    static let endOfFile = FFmpegStatus.endOfFile
    static let streamNotFound = FFmpegStatus.streamNotFound
    static let noTimestamp = FFmpegStatus.noTimestamp

    static func seconds(_ rational: AVRational) -> Double? {
        rational.num > 0 && rational.den > 0 ? Double(rational.num) / Double(rational.den) : nil
    }

    static func message(_ code: Int32) -> String { FFmpegStatus.message(code) }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}
