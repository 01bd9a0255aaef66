#ifndef CLEARANCE_COPENCVFACES_H
#define CLEARANCE_COPENCVFACES_H

// A C interface over OpenCV's DNN module, just wide enough to run one ONNX network on an RGB
// picture and hand back its raw output blobs. Every C++ exception is caught inside; callers see
// a status and a message, never an exception. Decoding what the outputs mean is the caller's job.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A loaded network. Not safe for concurrent use: one thread at a time per network.
typedef struct cvfaces_net cvfaces_net;

/// Loads an ONNX network from `length` bytes at `model`. Returns NULL on failure, with a
/// NUL-terminated message in `error` (at most `error_capacity` bytes, including the NUL).
cvfaces_net *cvfaces_net_load_onnx(const uint8_t *model, size_t length, char *error, size_t error_capacity);

/// Frees a network from `cvfaces_net_load_onnx`; NULL is ignored.
void cvfaces_net_free(cvfaces_net *net);

/// One output blob to fetch by name: at most `capacity` floats are copied to `values` and the
/// blob's full element count is stored in `count` (larger than `capacity` means it did not fit
/// and nothing was copied).
typedef struct {
    const char *name;
    float *values;
    size_t capacity;
    size_t count;
} cvfaces_output;

/// Runs the network on an 8-bit RGB picture (`width` × `height`, rows `row_bytes` apart):
/// resized to `scaled_width` × `scaled_height` (bilinear when shrinking by less than half, area
/// averaging beyond; no resize when the sizes are equal), placed at the top-left of a black `input_width` × `input_height`
/// canvas (at least the scaled size), and given to the network as BGR floats 0–255 in NCHW
/// order. Fills `outputs`. Returns 0 on success; otherwise -1 with a message in `error`.
int cvfaces_net_run(cvfaces_net *net, const uint8_t *rgb, int width, int height, size_t row_bytes,
                    int scaled_width, int scaled_height, int input_width, int input_height,
                    cvfaces_output *outputs, size_t output_count, char *error, size_t error_capacity);

/// Sets how many threads OpenCV uses inside one network run (process-wide); 0 runs on the
/// calling thread only. Returns the number in effect afterwards.
int cvfaces_set_threads(int threads);

#ifdef __cplusplus
}
#endif

#endif
