#include "COpenCVFaces.h"

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

struct cvfaces_net {
    cv::dnn::Net net;
    // Kept between runs: at the same input size they are refilled in place, not allocated again.
    cv::Mat canvas;
    cv::Mat blob;
};

namespace {

void write_error(char *error, size_t capacity, const char *message) {
    if (error == nullptr || capacity == 0) return;
    size_t length = std::min(std::strlen(message), capacity - 1);
    std::memcpy(error, message, length);
    error[length] = '\0';
}

// OpenCV's exception text spans several lines ("OpenCV(4.6.0) /path/file.cpp:123: error: (-215:...)
// in function ..."); the part after "error: " is what a user can read.
void write_exception(char *error, size_t capacity, const cv::Exception &exception) {
    std::string text = exception.err.empty() ? std::string(exception.what()) : exception.err;
    std::replace(text.begin(), text.end(), '\n', ' ');
    write_error(error, capacity, text.c_str());
}

}  // namespace

extern "C" cvfaces_net *cvfaces_net_load_onnx(const uint8_t *model, size_t length, char *error, size_t error_capacity) {
    if (model == nullptr || length == 0) {
        write_error(error, error_capacity, "the model is empty");
        return nullptr;
    }
    try {
        // OpenCV prints warnings about ONNX details to stderr; Clearance reports its own errors.
        cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
        auto *loaded = new cvfaces_net{cv::dnn::readNetFromONNX(reinterpret_cast<const char *>(model), length), {}, {}};
        if (loaded->net.empty()) {
            delete loaded;
            write_error(error, error_capacity, "OpenCV read no layers from the model");
            return nullptr;
        }
        loaded->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        loaded->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        return loaded;
    } catch (const cv::Exception &exception) {
        write_exception(error, error_capacity, exception);
    } catch (const std::exception &exception) {
        write_error(error, error_capacity, exception.what());
    } catch (...) {
        write_error(error, error_capacity, "unknown error while loading the model");
    }
    return nullptr;
}

extern "C" void cvfaces_net_free(cvfaces_net *net) {
    try {
        delete net;
    } catch (...) {
        // A destructor that throws has nowhere to report to; the memory is gone either way.
    }
}

extern "C" int cvfaces_net_run(cvfaces_net *net, const uint8_t *rgb, int width, int height, size_t row_bytes,
                               int scaled_width, int scaled_height, int input_width, int input_height,
                               cvfaces_output *outputs, size_t output_count, char *error, size_t error_capacity) {
    if (net == nullptr || rgb == nullptr || width <= 0 || height <= 0 || row_bytes < size_t(width) * 3 ||
        scaled_width <= 0 || scaled_height <= 0 || input_width < scaled_width || input_height < scaled_height ||
        (outputs == nullptr && output_count > 0)) {
        write_error(error, error_capacity, "invalid arguments for the network run");
        return -1;
    }
    try {
        // A header over the caller's bytes (no copy), resized straight into the top-left of the
        // black canvas; blobFromImage then swaps R and B while converting to floats.
        const cv::Mat picture(height, width, CV_8UC3, const_cast<uint8_t *>(rgb), row_bytes);
        net->canvas.create(input_height, input_width, CV_8UC3);
        net->canvas.setTo(cv::Scalar::all(0));
        cv::Mat placed = net->canvas(cv::Rect(0, 0, scaled_width, scaled_height));
        if (scaled_width == width && scaled_height == height) {
            picture.copyTo(placed);
        } else {
            // Area averaging keeps small faces intact when shrinking a lot; for less than half,
            // bilinear sampling already sees every source pixel and costs a fifth of the time.
            const bool mild = width < 2 * scaled_width && height < 2 * scaled_height;
            cv::resize(picture, placed, placed.size(), 0, 0, mild ? cv::INTER_LINEAR : cv::INTER_AREA);
        }
        cv::dnn::blobFromImage(net->canvas, net->blob, 1.0, cv::Size(), cv::Scalar(), /*swapRB=*/true, /*crop=*/false);
        net->net.setInput(net->blob);

        std::vector<std::string> names;
        names.reserve(output_count);
        for (size_t i = 0; i < output_count; i++) names.emplace_back(outputs[i].name != nullptr ? outputs[i].name : "");
        std::vector<cv::Mat> blobs;
        net->net.forward(blobs, names);
        if (blobs.size() != output_count) {
            write_error(error, error_capacity, "the network returned a different number of outputs than asked for");
            return -1;
        }
        for (size_t i = 0; i < output_count; i++) {
            const cv::Mat &out = blobs[i];
            if (out.depth() != CV_32F || !out.isContinuous()) {
                write_error(error, error_capacity, "a network output is not a continuous float blob");
                return -1;
            }
            outputs[i].count = out.total();
            if (outputs[i].count <= outputs[i].capacity && outputs[i].values != nullptr) {
                std::memcpy(outputs[i].values, out.ptr<float>(), outputs[i].count * sizeof(float));
            }
        }
        return 0;
    } catch (const cv::Exception &exception) {
        write_exception(error, error_capacity, exception);
    } catch (const std::exception &exception) {
        write_error(error, error_capacity, exception.what());
    } catch (...) {
        write_error(error, error_capacity, "unknown error while running the network");
    }
    return -1;
}

extern "C" int cvfaces_set_threads(int threads) {
    try {
        cv::setNumThreads(threads);
        return cv::getNumThreads();
    } catch (...) {
        return -1;
    }
}
