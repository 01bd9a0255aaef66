/// The face detection model, carried inside the binary (SwiftPM `embedInCode`) so an installed
/// `clearance` never looks for a file beside itself. `face_detection_yunet_2023mar.onnx` is
/// YuNet's 2023mar release (MIT licence, `LICENSE-face_detection_yunet-MIT.txt` beside it).
public enum FaceModels {
    /// The ONNX bytes of YuNet 2023mar (232,589 bytes).
    public static var yunet2023mar: [UInt8] { PackageResources.face_detection_yunet_2023mar_onnx }
}
