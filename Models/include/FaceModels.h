#ifndef CLEARANCE_FACEMODELS_H
#define CLEARANCE_FACEMODELS_H

#include <stddef.h>

/// The ONNX bytes of YuNet 2023mar (232,589 bytes), compiled into the binary; `length`
/// receives their count. The memory is static and read-only: never free it.
const unsigned char *clearance_face_model_yunet_2023mar(size_t *length);

#endif
