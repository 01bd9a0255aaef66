import CFFmpeg

/// What a movie holds, read back through libavformat and (for video) libavcodec: every packet
/// counted and every video frame decoded. Used to check an exported copy against its source.
struct MovieSurvey {
    struct Stream {
        var index: Int32
        var isVideo: Bool
        var packets = 0
        /// Video frames the decoder produced (video streams, when decoding was asked for).
        var frames = 0
        var width: Int
        var height: Int
        var rotation: Int?
        var codec: String
    }

    var streams: [Stream]
    var duration: Double?

    /// Reads `input` to the end. With `decode`, every video packet is decoded and the first
    /// decoding error is thrown: a copy that does not play is no copy.
    static func read(_ input: MovieInput, decode: Bool, limits: MovieLimits) throws(MovieError) -> MovieSurvey {
        let deadline = input.deadline
        var streams = input.streams.map { stream in
            let parameters = stream.pointee.codecpar.pointee
            return Stream(index: stream.pointee.index, isVideo: stream.mediaType == AVMEDIA_TYPE_VIDEO && !stream.isAttachedPicture,
                          width: Int(parameters.width), height: Int(parameters.height), rotation: stream.rotation,
                          codec: String(cString: avcodec_get_name(parameters.codec_id)))
        }
        var decoders: [Int32: VideoDecoder] = [:]
        if decode {
            for stream in input.streams where streams[Int(stream.pointee.index)].isVideo {
                decoders[stream.pointee.index] = try VideoDecoder(stream, limits: limits)
            }
        }
        guard let packet = av_packet_alloc() else { throw MovieError("out of memory") }
        var holder: UnsafeMutablePointer<AVPacket>? = packet
        defer { av_packet_free(&holder) }
        var total = 0
        while true {
            let read = av_read_frame(input.context, packet)
            if read == FFmpegStatus.endOfFile { break }
            guard read >= 0 else { throw MovieError.failed("cannot read the movie's data", read, deadline: deadline) }
            defer { av_packet_unref(packet) }
            total += 1
            guard total <= limits.maximumPackets else { throw MovieError("the movie has more packets than Clearance reads") }
            guard !deadline.hasPassed else { throw MovieError("reading the movie took longer than Clearance allows for a file of this size") }
            let index = Int(packet.pointee.stream_index)
            guard streams.indices.contains(index) else { continue }
            streams[index].packets += 1
            if let decoder = decoders[Int32(index)] {
                streams[index].frames += try decoder.decode(packet, number: streams[index].packets, deadline: deadline)
            }
        }
        for (index, decoder) in decoders {
            streams[Int(index)].frames += try decoder.decode(nil, number: streams[Int(index)].packets, deadline: deadline)
        }
        return MovieSurvey(streams: streams, duration: input.duration)
    }
}

/// One video stream's decoder, counting the frames it gives back.
final class VideoDecoder {
    private let context: UnsafeMutablePointer<AVCodecContext>
    private let frame: UnsafeMutablePointer<AVFrame>
    private let codec: String

    init(_ stream: UnsafeMutablePointer<AVStream>, limits: MovieLimits) throws(MovieError) {
        let parameters: UnsafeMutablePointer<AVCodecParameters> = stream.pointee.codecpar
        codec = String(cString: avcodec_get_name(parameters.pointee.codec_id))
        guard let decoder = avcodec_find_decoder(parameters.pointee.codec_id) else {
            throw MovieError("no decoder for \(codec) video")
        }
        guard let context = avcodec_alloc_context3(decoder) else { throw MovieError("cannot start the \(codec) decoder") }
        guard let frame = av_frame_alloc() else {
            var holder: UnsafeMutablePointer<AVCodecContext>? = context
            avcodec_free_context(&holder)
            throw MovieError("out of memory")
        }
        self.context = context
        self.frame = frame
        guard avcodec_parameters_to_context(context, parameters) >= 0 else {
            throw MovieError("cannot configure the \(codec) decoder")
        }
        context.pointee.pkt_timebase = stream.pointee.time_base
        // The frames are counted, not shown: skipping the deblocking filter saves a fifth of the
        // time and changes nothing about whether the stream decodes.
        context.pointee.skip_loop_filter = AVDISCARD_ALL
        context.pointee.thread_count = 0
        var options: OpaquePointer?
        av_dict_set(&options, "max_pixels", String(limits.maximumFramePixels), 0)
        let opened = avcodec_open2(context, decoder, &options)
        av_dict_free(&options)
        guard opened >= 0 else { throw MovieError("cannot open the \(codec) decoder: \(FFmpegStatus.message(opened))") }
    }

    deinit {
        var frameHolder: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&frameHolder)
        var contextHolder: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&contextHolder)
    }

    /// Sends one packet (nil: the end of the stream) and returns the frames that came out.
    func decode(_ packet: UnsafeMutablePointer<AVPacket>?, number: Int, deadline: MovieDeadline) throws(MovieError) -> Int {
        let sent = avcodec_send_packet(context, packet)
        guard sent >= 0 || sent == FFmpegStatus.endOfFile else {
            throw MovieError("\(codec) video packet \(number) does not decode: \(FFmpegStatus.message(sent))")
        }
        var frames = 0
        while true {
            let received = avcodec_receive_frame(context, frame)
            if received == FFmpegStatus.tryAgain || received == FFmpegStatus.endOfFile { break }
            guard received >= 0 else {
                throw MovieError("\(codec) video does not decode near packet \(number): \(FFmpegStatus.message(received))")
            }
            if frame.pointee.decode_error_flags != 0 {
                throw MovieError("\(codec) video frame \(number) decodes with errors")
            }
            frames += 1
            av_frame_unref(frame)
            guard !deadline.hasPassed else { throw MovieError("decoding the movie took longer than Clearance allows for a file of this size") }
        }
        return frames
    }
}
