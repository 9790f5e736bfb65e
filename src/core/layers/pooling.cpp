// MaxPool2d and AvgPool2d forward and backward; see pooling.h. Both run in parallel over the
// N*C planes, which are independent in both directions.
#include "core/layers/pooling.h"

#include <algorithm>

#include "core/errors.h"
#include "core/kernels/parallel.h"
#include "core/layer_type.h"

namespace neuroshop {
namespace {

int64_t checked_stride(int64_t kernel_size, int64_t stride, const std::string& who) {
  if (kernel_size < 1 || stride < 0)
    throw ArgumentError(who + ": expected kernel_size >= 1 and stride >= 0 (0: same as the kernel), got kernel_size=" +
                        std::to_string(kernel_size) + " stride=" + std::to_string(stride));
  return stride == 0 ? kernel_size : stride;
}

Shape pool_output_shape(const Shape& in, int64_t K, int64_t S, const std::string& who) {
  if (in.rank() != 4) throw ShapeError(who + ": expected input (N,C,H,W), got " + in.str());
  if (in[2] < K || in[3] < K)
    throw ShapeError(who + ": input " + in.str() + " is smaller than the " + std::to_string(K) + "x" +
                     std::to_string(K) + " window");
  return Shape{in[0], in[1], (in[2] - K) / S + 1, (in[3] - K) / S + 1};
}

// Planes per parallel chunk so a chunk holds at least ~16k output elements.
int64_t plane_grain(int64_t plane_size) { return std::max<int64_t>(1, 16384 / std::max<int64_t>(1, plane_size)); }

LayerSpec pool_spec(const char* type, const std::string& name, int64_t K, int64_t S) {
  LayerSpec s{type, name, {}, {}};
  s.set("kernel_size", static_cast<double>(K));
  s.set("stride", static_cast<double>(S));
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
MaxPool2d::MaxPool2d(int64_t kernel_size, int64_t stride, std::string name)
    : Layer(std::move(name)), kernel_size_(kernel_size), stride_(checked_stride(kernel_size, stride, who("MaxPool2d"))) {}

Shape MaxPool2d::output_shape(const Shape& in) const {
  return pool_output_shape(in, kernel_size_, stride_, who("MaxPool2d"));
}

// x: (N, C, H, W) -> y: (N, C, OH, OW)
// y[q][oh][ow] = max_{kh,kw} x[q][oh*S + kh][ow*S + kw]   (q = n*C + c one plane)
// argmax remembers where it came from; the first maximum in row-major window order wins.
Tensor MaxPool2d::forward(const Tensor& x) {
  const Shape out_shape = output_shape(x.shape());
  const int64_t planes = x.dim(0) * x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t OH = out_shape[2], OW = out_shape[3], K = kernel_size_, S = stride_;
  Tensor y = Tensor::empty(out_shape);
  argmax_.resize(static_cast<size_t>(y.numel()));
  const float* xp = x.data();
  float* yp = y.data();
  int64_t* am = argmax_.data();
  parallel_for(
      planes,
      [&](int64_t q_begin, int64_t q_end) {
        for (int64_t q = q_begin; q < q_end; ++q) {
          for (int64_t oh = 0; oh < OH; ++oh) {
            for (int64_t ow = 0; ow < OW; ++ow) {
              int64_t best = (q * H + oh * S) * W + ow * S;  // x[q][h][w] = x[(q*H + h)*W + w]
              float best_value = xp[best];
              for (int64_t kh = 0; kh < K; ++kh) {
                const int64_t row = (q * H + oh * S + kh) * W + ow * S;
                for (int64_t kw = 0; kw < K; ++kw)
                  if (xp[row + kw] > best_value) {
                    best_value = xp[row + kw];
                    best = row + kw;
                  }
              }
              const int64_t o = (q * OH + oh) * OW + ow;
              yp[o] = best_value;
              am[o] = best;
            }
          }
        }
      },
      plane_grain(OH * OW));
  x_shape_ = x.shape();
  ran_ = true;
  return y;
}

// forward was:  y[o] = x[argmax[o]]
// so:           dx[argmax[o]] += dy[o]   (windows may overlap when S < K, hence +=)
Tensor MaxPool2d::backward(const Tensor& dy) {
  expect_forward_ran(ran_, "MaxPool2d");
  expect_same_shape(dy.shape(), output_shape(x_shape_), who("MaxPool2d") + " backward");
  Tensor dx = Tensor::zeros(x_shape_);
  const int64_t planes = x_shape_[0] * x_shape_[1];
  const int64_t out_plane = dy.dim(2) * dy.dim(3);
  const float* dyp = dy.data();
  const int64_t* am = argmax_.data();
  float* dxp = dx.data();
  // An output element's arg-max lies in its own plane, so planes are independent.
  parallel_for(
      planes,
      [&](int64_t q_begin, int64_t q_end) {
        for (int64_t o = q_begin * out_plane; o < q_end * out_plane; ++o) dxp[am[o]] += dyp[o];
      },
      plane_grain(out_plane));
  return dx;
}

LayerSpec MaxPool2d::spec() const { return pool_spec("MaxPool2d", name_, kernel_size_, stride_); }

LayerType MaxPool2d::layer_type() {
  return {"MaxPool2d", {"kernel_size", "stride"}, 0, 0, [](const LayerSpec& s, MakeLayerFn) -> std::unique_ptr<Layer> {
            return std::make_unique<MaxPool2d>(s.get_int("kernel_size"), s.get_int("stride", 0), s.name);
          }};
}

// One comparison per window element.
int64_t MaxPool2d::flops(const Shape& in) const { return output_shape(in).numel() * kernel_size_ * kernel_size_; }

// ---------------------------------------------------------------------------------------------
AvgPool2d::AvgPool2d(int64_t kernel_size, int64_t stride, std::string name)
    : Layer(std::move(name)), kernel_size_(kernel_size), stride_(checked_stride(kernel_size, stride, who("AvgPool2d"))) {}

Shape AvgPool2d::output_shape(const Shape& in) const {
  return pool_output_shape(in, kernel_size_, stride_, who("AvgPool2d"));
}

// x: (N, C, H, W) -> y: (N, C, OH, OW)
// y[q][oh][ow] = 1/K^2 sum_{kh,kw} x[q][oh*S + kh][ow*S + kw]
Tensor AvgPool2d::forward(const Tensor& x) {
  const Shape out_shape = output_shape(x.shape());
  const int64_t planes = x.dim(0) * x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t OH = out_shape[2], OW = out_shape[3], K = kernel_size_, S = stride_;
  const float inv_area = 1.0f / static_cast<float>(K * K);
  Tensor y = Tensor::empty(out_shape);
  const float* xp = x.data();
  float* yp = y.data();
  parallel_for(
      planes,
      [&](int64_t q_begin, int64_t q_end) {
        for (int64_t q = q_begin; q < q_end; ++q)
          for (int64_t oh = 0; oh < OH; ++oh)
            for (int64_t ow = 0; ow < OW; ++ow) {
              float sum = 0.0f;
              for (int64_t kh = 0; kh < K; ++kh) {
                const float* row = xp + (q * H + oh * S + kh) * W + ow * S;
                for (int64_t kw = 0; kw < K; ++kw) sum += row[kw];
              }
              yp[(q * OH + oh) * OW + ow] = sum * inv_area;
            }
      },
      plane_grain(OH * OW));
  x_shape_ = x.shape();
  ran_ = true;
  return y;
}

// forward was:  y[q][oh][ow] = 1/K^2 sum x[q][oh*S + kh][ow*S + kw]
// so:           dx[q][oh*S + kh][ow*S + kw] += dy[q][oh][ow] / K^2
Tensor AvgPool2d::backward(const Tensor& dy) {
  expect_forward_ran(ran_, "AvgPool2d");
  const Shape out_shape = output_shape(x_shape_);
  expect_same_shape(dy.shape(), out_shape, who("AvgPool2d") + " backward");
  const int64_t planes = x_shape_[0] * x_shape_[1], H = x_shape_[2], W = x_shape_[3];
  const int64_t OH = out_shape[2], OW = out_shape[3], K = kernel_size_, S = stride_;
  const float inv_area = 1.0f / static_cast<float>(K * K);
  Tensor dx = Tensor::zeros(x_shape_);
  const float* dyp = dy.data();
  float* dxp = dx.data();
  parallel_for(
      planes,
      [&](int64_t q_begin, int64_t q_end) {
        for (int64_t q = q_begin; q < q_end; ++q)
          for (int64_t oh = 0; oh < OH; ++oh)
            for (int64_t ow = 0; ow < OW; ++ow) {
              const float g = dyp[(q * OH + oh) * OW + ow] * inv_area;
              for (int64_t kh = 0; kh < K; ++kh) {
                float* row = dxp + (q * H + oh * S + kh) * W + ow * S;
                for (int64_t kw = 0; kw < K; ++kw) row[kw] += g;
              }
            }
      },
      plane_grain(OH * OW));
  return dx;
}

LayerSpec AvgPool2d::spec() const { return pool_spec("AvgPool2d", name_, kernel_size_, stride_); }

LayerType AvgPool2d::layer_type() {
  return {"AvgPool2d", {"kernel_size", "stride"}, 0, 0, [](const LayerSpec& s, MakeLayerFn) -> std::unique_ptr<Layer> {
            return std::make_unique<AvgPool2d>(s.get_int("kernel_size"), s.get_int("stride", 0), s.name);
          }};
}

// One add per window element and a multiply per output.
int64_t AvgPool2d::flops(const Shape& in) const {
  const int64_t out = output_shape(in).numel();
  return out * kernel_size_ * kernel_size_ + out;
}

}  // namespace neuroshop
