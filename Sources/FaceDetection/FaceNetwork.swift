import COpenCVFaces
import Foundation
import Pictures

/// Why face detection could not run on a picture: the model, OpenCV, or the picture itself.
public struct FaceDetectionError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One YuNet network loaded into OpenCV's DNN module. OpenCV's `cv::dnn::Net` keeps its
/// intermediate blobs inside, so a network serves one thread at a time: `FaceDetector` lends
/// each out from its pool to a single caller, which is what makes the unchecked `Sendable` hold.
final class FaceNetwork: @unchecked Sendable {
    private let handle: OpaquePointer
    /// The input size of the last run. OpenCV keeps the network's intermediate blobs between runs
    /// of the same size; a new size allocates them all again (about a fifth of a picture's time).
    private(set) var inputSize: InputSize?

    struct InputSize: Equatable {
        let width: Int
        let height: Int
    }

    init(model: [UInt8]) throws {
        var message = [CChar](repeating: 0, count: 512)
        let loaded = model.withUnsafeBufferPointer { bytes in
            cvfaces_net_load_onnx(bytes.baseAddress, bytes.count, &message, message.count)
        }
        guard let loaded else {
            throw FaceDetectionError("cannot load the face detection model: \(Self.text(message))")
        }
        handle = loaded
    }

    deinit { cvfaces_net_free(handle) }

    /// YuNet's raw outputs (`YuNetDecoding.outputNames` order) for `picture` resized to
    /// `scaledWidth` × `scaledHeight` (by OpenCV) and placed at the top-left of a
    /// black input of `inputWidth` × `inputHeight` pixels.
    func run(_ picture: Picture, scaledWidth: Int, scaledHeight: Int, inputWidth: Int, inputHeight: Int) throws -> [[Float]] {
        inputSize = InputSize(width: inputWidth, height: inputHeight)
        let counts = YuNetDecoding.outputCounts(inputWidth: inputWidth, inputHeight: inputHeight)
        // One block for every blob, handed to OpenCV as slices.
        let storage = UnsafeMutableBufferPointer<Float>.allocate(capacity: counts.reduce(0, +))
        defer { storage.deallocate() }
        let names = YuNetDecoding.outputNames.map { strdup($0)! }
        defer { names.forEach { free($0) } }
        var outputs: [cvfaces_output] = []
        var offset = 0
        for (index, count) in counts.enumerated() {
            outputs.append(cvfaces_output(name: names[index], values: storage.baseAddress! + offset, capacity: count, count: 0))
            offset += count
        }
        var message = [CChar](repeating: 0, count: 512)
        let status = picture.pixels.withUnsafeBufferPointer { rgb in
            outputs.withUnsafeMutableBufferPointer { list in
                cvfaces_net_run(handle, rgb.baseAddress, Int32(picture.width), Int32(picture.height), picture.width * 3,
                                Int32(scaledWidth), Int32(scaledHeight), Int32(inputWidth), Int32(inputHeight),
                                list.baseAddress, list.count, &message, message.count)
            }
        }
        guard status == 0 else { throw FaceDetectionError("the face detector failed: \(Self.text(message))") }
        guard outputs.map({ Int($0.count) }) == counts else {
            throw FaceDetectionError("the face detection model answered with outputs of unexpected sizes")
        }
        return outputs.map { Array(UnsafeBufferPointer(start: $0.values, count: $0.capacity)) }
    }

    /// Sets OpenCV's own thread count for every network in the process.
    static func setThreads(_ threads: Int) {
        _ = cvfaces_set_threads(Int32(threads))
    }

    private static func text(_ message: [CChar]) -> String {
        let bytes = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.isEmpty ? "unknown error" : text
    }
}
