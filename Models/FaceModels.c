// The face detection model, compiled into the binary so an installed `clearance` never looks for
// a file beside itself. `face_detection_yunet_2023mar.onnx` (next to this file) is YuNet's
// 2023mar release, MIT licence (`LICENSE-face_detection_yunet-MIT.txt`).
//
// C23 #embed rather than SwiftPM's embedInCode: compiling these 232 KB as a Swift array literal
// took 2 to 3.5 minutes and 2 GB of memory; #embed takes a tenth of a second.
#include "FaceModels.h"

#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wc23-extensions"
static const unsigned char yunet_2023mar[] = {
#embed "face_detection_yunet_2023mar.onnx"
};
#pragma clang diagnostic pop

const unsigned char *clearance_face_model_yunet_2023mar(size_t *length) {
    if (length != NULL) *length = sizeof(yunet_2023mar);
    return yunet_2023mar;
}
