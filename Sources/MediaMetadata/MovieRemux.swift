import CFFmpeg
import Foundation

/// Remuxes an MP4/MOV/M4V with libavformat: the video and audio streams only, copied packet
/// for packet (never re-encoded), into a new, non-fragmented file with its index (`moov`) at the
/// front. Everything else is left behind: data and timed-metadata tracks (Apple `mebx` face and
/// location tracks, GoPro GPMF, timecode), subtitles, cover art, chapters, and every container
/// and stream tag (`udta`, `meta`/`keys`, XMP, `©xyz`, make, model, creation times). The
/// rotation in each video track's display matrix is kept, so the clip still plays upright.
///
/// libavformat's MP4 muxer still writes an empty iTunes `udta/meta` box of its own; the
/// QuickTime scrubber's pass over the result removes it and adds the release stamp.
enum MovieRemux {
    /// What the copy holds.
    struct Result {
        /// Source stream index → packets written, for the streams kept.
        var packets: [Int32: Int]
        /// Source stream index → packets written that the edit list hides (frames decoded only
        /// as references for others, or before a clip's cut), which the copy hides too.
        var hidden: [Int32: Int]
        /// What was left out, in words ("2 timed-metadata tracks").
        var dropped: [String]
    }

    /// Stream side data that says how to present the pictures, nothing about who or where.
    static let keptSideData: Set<UInt32> = [
        AV_PKT_DATA_DISPLAYMATRIX.rawValue, AV_PKT_DATA_STEREO3D.rawValue, AV_PKT_DATA_SPHERICAL.rawValue,
        AV_PKT_DATA_MASTERING_DISPLAY_METADATA.rawValue, AV_PKT_DATA_CONTENT_LIGHT_LEVEL.rawValue,
        AV_PKT_DATA_DOVI_CONF.rawValue,
    ]

    /// The muxer for a source: QuickTime stays QuickTime (it allows codecs MP4 does not), 3GPP
    /// stays 3GPP, everything else becomes plain MP4.
    static func muxerName(forBrand brand: [UInt8]) -> String {
        let text = String(decoding: brand, as: UTF8.self)
        if text == "qt  " { return "mov" }
        if text.hasPrefix("3g2") { return "3g2" }
        if text.hasPrefix("3gp") { return "3gp" }
        return "mp4"
    }

    static func remux(_ input: MovieInput, muxer: String, to path: String, limits: MovieLimits, sourceBytes: Int64) throws(MovieError) -> Result {
        let deadline = input.deadline
        var created: UnsafeMutablePointer<AVFormatContext>?
        guard avformat_alloc_output_context2(&created, nil, muxer, "file:" + path) >= 0, let output = created else {
            throw MovieError("cannot start the \(muxer) writer")
        }
        defer {
            if output.pointee.pb != nil { avio_closep(&output.pointee.pb) }
            avformat_free_context(output)
        }
        output.pointee.interrupt_callback = deadline.interruptCallback
        // No "encoder" tag, no writing-library identification.
        output.pointee.flags |= AVFMT_FLAG_BITEXACT

        var mapping: [Int32: Int32] = [:]
        var dropped: [String: Int] = [:]
        for stream in input.streams {
            guard stream.isKeptMedia else {
                dropped[describe(stream), default: 0] += 1
                continue
            }
            guard let copy = avformat_new_stream(output, nil) else { throw MovieError("cannot add a stream to the copy") }
            guard avcodec_parameters_copy(copy.pointee.codecpar, stream.pointee.codecpar) >= 0 else {
                throw MovieError("cannot copy the parameters of stream \(stream.pointee.index)")
            }
            copy.pointee.codecpar.pointee.codec_tag = keptCodecTag(stream, in: output)
            copy.pointee.time_base = stream.pointee.time_base
            copy.pointee.disposition = stream.pointee.disposition & AV_DISPOSITION_DEFAULT
            copySideData(from: stream, to: copy)
            // The track language stays (a three-letter code says nothing about anyone); every other tag goes.
            if let language = av_dict_get(stream.pointee.metadata, "language", nil, 0)?.pointee.value.map({ String(cString: $0) }),
               language.utf8.count == 3, language.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) }) {
                av_dict_set(&copy.pointee.metadata, "language", language, 0)
            }
            mapping[stream.pointee.index] = copy.pointee.index
        }
        guard mapping.values.contains(where: { output.pointee.streams[Int($0)]!.mediaType == AVMEDIA_TYPE_VIDEO }) else {
            throw MovieError("the movie has no video stream to export")
        }
        // Chapters are never copied: the output context has none.

        var ioOptions: OpaquePointer?
        av_dict_set(&ioOptions, "protocol_whitelist", "file", 0)
        let opened = avio_open2(&output.pointee.pb, "file:" + path, AVIO_FLAG_WRITE, &output.pointee.interrupt_callback, &ioOptions)
        av_dict_free(&ioOptions)
        guard opened >= 0 else { throw MovieError.failed("cannot create the copy", opened, deadline: deadline) }

        var muxOptions: OpaquePointer?
        // The index before the media data, so the clip starts playing before it has downloaded.
        av_dict_set(&muxOptions, "movflags", "+faststart", 0)
        let header = avformat_write_header(output, &muxOptions)
        av_dict_free(&muxOptions)
        guard header >= 0 else {
            throw MovieError.failed("the \(muxer.uppercased()) writer refused the streams", header, deadline: deadline)
        }

        guard let packet = av_packet_alloc() else { throw MovieError("out of memory") }
        var packetHolder: UnsafeMutablePointer<AVPacket>? = packet
        defer { av_packet_free(&packetHolder) }
        var counts: [Int32: Int] = [:]
        var hidden: [Int32: Int] = [:]
        var total = 0
        var bytes: Int64 = 0
        while true {
            let read = av_read_frame(input.context, packet)
            if read == FFmpegStatus.endOfFile { break }
            guard read >= 0 else { throw MovieError.failed("cannot read the movie's data", read, deadline: deadline) }
            let source = packet.pointee.stream_index
            let hides = packet.pointee.flags & AV_PKT_FLAG_DISCARD != 0
            // Audio the source's edit list skips after a delay (encoder priming behind an empty
            // edit) cannot be skipped by the copy's edit list, which holds a delay or a skip, not
            // both: those packets are left out, as ffmpeg's stream copy does, so the sound stays
            // in step with the pictures. Hidden video is kept: later frames are decoded from it.
            let skippedAudio = hides && input.context.pointee.streams[Int(source)]!.mediaType == AVMEDIA_TYPE_AUDIO
                && packet.pointee.pts != FFmpegStatus.noTimestamp && packet.pointee.pts >= 0
            guard let target = mapping[source], !skippedAudio else {
                av_packet_unref(packet)
                continue
            }
            total += 1
            bytes += Int64(packet.pointee.size)
            guard total <= limits.maximumPackets, Int(packet.pointee.size) <= limits.maximumPacketBytes else {
                av_packet_unref(packet)
                throw MovieError("the movie has more or larger packets than Clearance copies")
            }
            // Packets that share bytes could make a small file into an enormous copy.
            guard bytes <= sourceBytes else {
                av_packet_unref(packet)
                throw MovieError("the movie's packets add up to more than the file holds")
            }
            guard !deadline.hasPassed else {
                av_packet_unref(packet)
                throw MovieError("copying the movie took longer than Clearance allows for a file of this size")
            }
            let from = input.context.pointee.streams[Int(source)]!.pointee.time_base
            let to = output.pointee.streams[Int(target)]!.pointee.time_base
            av_packet_rescale_ts(packet, from, to)
            packet.pointee.stream_index = target
            packet.pointee.pos = -1
            // Takes the packet's reference, written or not.
            let written = av_interleaved_write_frame(output, packet)
            guard written >= 0 else { throw MovieError.failed("cannot write packet \(total) of the copy", written, deadline: deadline) }
            counts[source, default: 0] += 1
            if hides { hidden[source, default: 0] += 1 }
        }
        let trailer = av_write_trailer(output)
        guard trailer >= 0 else { throw MovieError.failed("cannot finish the copy", trailer, deadline: deadline) }
        for source in mapping.keys.sorted() where counts[source, default: 0] == 0 {
            throw MovieError("stream \(source + 1) of the movie holds no data to copy")
        }
        return Result(packets: counts, hidden: hidden, dropped: dropped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)\($0.value == 1 ? "" : "s")" })
    }

    /// The source's codec tag when the output format gives it the same meaning (`hvc1` HEVC
    /// stays `hvc1`, which Apple players need) or has no tag for the codec; otherwise the
    /// muxer chooses. The same rule as ffmpeg's stream copy.
    private static func keptCodecTag(_ stream: UnsafeMutablePointer<AVStream>, in output: UnsafeMutablePointer<AVFormatContext>) -> UInt32 {
        let parameters = stream.pointee.codecpar.pointee
        guard parameters.codec_tag != 0 else { return 0 }
        guard let tags = output.pointee.oformat.pointee.codec_tag else { return parameters.codec_tag }
        var other: UInt32 = 0
        if av_codec_get_id(tags, parameters.codec_tag) == parameters.codec_id
            || av_codec_get_tag2(tags, parameters.codec_id, &other) == 0 {
            return parameters.codec_tag
        }
        return 0
    }

    private static func copySideData(from stream: UnsafeMutablePointer<AVStream>, to copy: UnsafeMutablePointer<AVStream>) {
        for index in 0..<Int(stream.pointee.nb_side_data) {
            let item = stream.pointee.side_data[index]
            guard keptSideData.contains(item.type.rawValue), item.size > 0, let data = item.data,
                  let target = av_stream_new_side_data(copy, item.type, item.size) else { continue }
            target.update(from: data, count: item.size)
        }
    }

    /// "timed-metadata track", "subtitle track"… for the note on what was left out.
    private static func describe(_ stream: UnsafeMutablePointer<AVStream>) -> String {
        switch stream.mediaType {
        case AVMEDIA_TYPE_VIDEO: "cover picture"
        case AVMEDIA_TYPE_SUBTITLE: "subtitle track"
        case AVMEDIA_TYPE_ATTACHMENT: "attachment"
        default:
            switch stream.pointee.codecpar.pointee.codec_tag {
            case fourCC("mebx"), fourCC("camm"): "timed-metadata track"
            case fourCC("tmcd"): "timecode track"
            default: "data track"
            }
        }
    }

    private static func fourCC(_ text: String) -> UInt32 {
        let bytes = Array(text.utf8)
        return UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
    }
}
