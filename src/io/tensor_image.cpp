// cv::Mat <-> Tensor conversions; see tensor_image.h.
#include "io/tensor_image.h"

#include <cmath>
#include <string>

#include "core/errors.h"

namespace neuroshop {
namespace {

std::string describe(const cv::Mat& m) {
  static const char* const kDepths[] = {"8U", "8S", "16U", "16S", "32S", "32F", "64F", "16F"};
  return std::to_string(m.cols) + "x" + std::to_string(m.rows) + "x" + std::to_string(m.channels()) + " " +
         kDepths[m.depth()];
}

void check_mat(const cv::Mat& m, const char* who) {
  if (m.empty() || m.dims != 2) throw ShapeError(std::string(who) + ": expected a non-empty 2-D image");
  if (m.channels() != 1 && m.channels() != 3) {
    throw ShapeError(std::string(who) + ": expected 1 or 3 channels (split alpha off first), got " + describe(m));
  }
  if (m.depth() != CV_8U && m.depth() != CV_16U && m.depth() != CV_32F) {
    throw ArgumentError(std::string(who) + ": expected CV_8U, CV_16U or CV_32F pixels, got " + describe(m));
  }
}

// dst[c][y][x] = src(y, x)[C-1-c] * scale  (BGR pixel -> RGB planes; C = 1 keeps the one plane)
template <class T>
void mat_to_planes(const cv::Mat& src, float scale, float* dst) {
  const int C = src.channels(), H = src.rows, W = src.cols;
  const int64_t plane = int64_t{H} * W;
  for (int y = 0; y < H; ++y) {
    const T* row = src.ptr<T>(y);
    for (int x = 0; x < W; ++x) {
      for (int k = 0; k < C; ++k) dst[(C - 1 - k) * plane + int64_t{y} * W + x] = static_cast<float>(row[x * C + k]) * scale;
    }
  }
}

// round(clamp(v, 0, 1) * peak); written so that NaN lands on 0.
template <class T>
T quantize(float v, float peak) {
  const float c = v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f;
  return static_cast<T>(std::lround(c * peak));
}

// dst(y, x)[k] = src[C-1-k][y][x], quantized for integer depths.
template <class T>
void planes_to_mat(const float* src, bool quantized, float peak, cv::Mat& dst) {
  const int C = dst.channels(), H = dst.rows, W = dst.cols;
  const int64_t plane = int64_t{H} * W;
  for (int y = 0; y < H; ++y) {
    T* row = dst.ptr<T>(y);
    for (int x = 0; x < W; ++x) {
      for (int k = 0; k < C; ++k) {
        const float v = src[(C - 1 - k) * plane + int64_t{y} * W + x];
        row[x * C + k] = quantized ? quantize<T>(v, peak) : static_cast<T>(v);
      }
    }
  }
}

}  // namespace

Tensor mats_to_tensor(const std::vector<cv::Mat>& images) {
  if (images.empty()) throw ShapeError("mats_to_tensor: expected at least one image");
  for (const cv::Mat& m : images) {
    check_mat(m, "mats_to_tensor");
    if (m.size() != images[0].size() || m.channels() != images[0].channels()) {
      throw ShapeError("mats_to_tensor: expected images alike, got " + describe(images[0]) + " and " + describe(m));
    }
  }
  const int64_t C = images[0].channels(), H = images[0].rows, W = images[0].cols;
  Tensor t = Tensor::empty({static_cast<int64_t>(images.size()), C, H, W});
  for (size_t n = 0; n < images.size(); ++n) {
    float* dst = t.data() + static_cast<int64_t>(n) * C * H * W;
    const cv::Mat& m = images[n];
    switch (m.depth()) {
      case CV_8U: mat_to_planes<uint8_t>(m, 1.0f / 255.0f, dst); break;
      case CV_16U: mat_to_planes<uint16_t>(m, 1.0f / 65535.0f, dst); break;
      default: mat_to_planes<float>(m, 1.0f, dst); break;
    }
  }
  return t;
}

Tensor mat_to_tensor(const cv::Mat& image) {
  check_mat(image, "mat_to_tensor");
  return mats_to_tensor({image});
}

std::vector<cv::Mat> tensor_to_mats(const Tensor& t, int depth) {
  if (t.rank() != 4 || t.dim(0) < 1 || (t.dim(1) != 1 && t.dim(1) != 3) || t.dim(2) < 1 || t.dim(3) < 1) {
    throw ShapeError("tensor_to_mat: expected a tensor (N,C,H,W) with C = 1 or 3, got " + t.shape().str());
  }
  if (depth != CV_8U && depth != CV_16U && depth != CV_32F) {
    throw ArgumentError("tensor_to_mat: depth must be CV_8U, CV_16U or CV_32F");
  }
  const int C = static_cast<int>(t.dim(1)), H = static_cast<int>(t.dim(2)), W = static_cast<int>(t.dim(3));
  std::vector<cv::Mat> out;
  for (int64_t n = 0; n < t.dim(0); ++n) {
    cv::Mat m(H, W, CV_MAKETYPE(depth, C));
    const float* src = t.data() + n * C * int64_t{H} * W;
    switch (depth) {
      case CV_8U: planes_to_mat<uint8_t>(src, true, 255.0f, m); break;
      case CV_16U: planes_to_mat<uint16_t>(src, true, 65535.0f, m); break;
      default: planes_to_mat<float>(src, false, 1.0f, m); break;
    }
    out.push_back(m);
  }
  return out;
}

cv::Mat tensor_to_mat(const Tensor& t, int depth) {
  if (t.rank() == 4 && t.dim(0) != 1) {
    throw ShapeError("tensor_to_mat: expected one image (1,C,H,W), got " + t.shape().str() + "; use tensor_to_mats");
  }
  return tensor_to_mats(t, depth)[0];
}

}  // namespace neuroshop
