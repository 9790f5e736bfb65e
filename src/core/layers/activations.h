// The element-wise activations of the lecture: sigmoid, tanh, ReLU, leaky ReLU, ELU.
// They share one loop (ElementwiseActivation); each supplies f and its derivative side by side.
// The derivative takes both x and y = f(x), so each can use the cheaper one.
// Not here: maxout and softmax, which mix elements (maxout.h, softmax.h).
#pragma once

#include <cmath>
#include <string>

#include "core/kernels/parallel.h"
#include "core/layer.h"

namespace neuroshop {

// Elements per task of the element-wise loops: smaller tensors run on one thread.
constexpr int64_t kElementwiseGrain = 1 << 15;

// The gradient through a ReLU taken from its output: dx = dy where y > 0, else 0 (y = max(0, x) is
// positive exactly where x is). For layers that apply the ReLU inside their own forward pass
// (forward_relu) and mask the gradient in their backward. Vectorized selects, on the pool.
Tensor relu_grad_from_output(const Tensor& dy, const Tensor& y);

// sigmoid(x) = 1 / (1 + e^-x);  d/dx = y (1 - y)
struct SigmoidFn {
  static constexpr const char* kType = "Sigmoid";
  float f(float x) const {
    // Split by sign so exp never overflows (sigmoid(+-300) stays finite).
    if (x >= 0) return 1.0f / (1.0f + std::exp(-x));
    const float e = std::exp(x);
    return e / (1.0f + e);
  }
  float df(float x, float y) const { (void)x; return y * (1.0f - y); }
  float grad(float x, float y, float dy) const { return dy * df(x, y); }
};

// tanh(x);  d/dx = 1 - y^2
struct TanhFn {
  static constexpr const char* kType = "Tanh";
  float f(float x) const { return std::tanh(x); }
  float df(float x, float y) const { (void)x; return 1.0f - y * y; }
  float grad(float x, float y, float dy) const { return dy * df(x, y); }
};

// relu(x) = max(0, x);  d/dx = [x > 0]
struct ReluFn {
  static constexpr const char* kType = "Relu";
  float f(float x) const { return x > 0.0f ? x : 0.0f; }
  float df(float x, float y) const { (void)y; return x > 0.0f ? 1.0f : 0.0f; }
  // dy * f'(x) as a select of an unconditionally loaded dy, which compiles to a vector mask: a
  // branch on the sign mispredicts half the time on real activations (8x slower).
  float grad(float x, float y, float dy) const { (void)y; return x > 0.0f ? dy : 0.0f; }
};

// leaky_relu(x) = max(slope x, x) for slope in [0, 1) (the lecture's max(0.1x, x));  d/dx = x > 0 ? 1 : slope
struct LeakyReluFn {
  static constexpr const char* kType = "LeakyRelu";
  float slope = 0.1f;
  float f(float x) const { return x > 0.0f ? x : slope * x; }
  float df(float x, float y) const { (void)y; return x > 0.0f ? 1.0f : slope; }
  float grad(float x, float y, float dy) const { (void)y; return x > 0.0f ? dy : slope * dy; }
};

// elu(x) = x for x >= 0, alpha (e^x - 1) otherwise;  d/dx = x > 0 ? 1 : y + alpha
struct EluFn {
  static constexpr const char* kType = "Elu";
  float alpha = 1.0f;
  float f(float x) const { return x >= 0.0f ? x : alpha * std::expm1(x); }
  float df(float x, float y) const { return x > 0.0f ? 1.0f : y + alpha; }
  float grad(float x, float y, float dy) const { return dy * df(x, y); }
};

template <class Fn>
class ElementwiseActivation : public Layer {
 public:
  explicit ElementwiseActivation(Fn fn = Fn(), std::string name = "") : Layer(std::move(name)), fn_(fn) {}

  Shape output_shape(const Shape& in) const override { return in; }

  // y[i] = f(x[i])
  Tensor forward(const Tensor& x) override {
    x_ = x;
    y_ = Tensor::empty(x.shape());
    const float* xp = x.data();
    float* yp = y_.data();
    parallel_for(
        x.numel(),
        [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i) yp[i] = fn_.f(xp[i]);
        },
        kGrain);
    return y_;
  }

  // dx[i] = dy[i] * f'(x[i]), with f' written in terms of x and y (Fn::grad)
  Tensor backward(const Tensor& dy) override {
    expect_forward_ran(x_.defined(), Fn::kType);
    expect_same_shape(dy.shape(), y_.shape(), who(Fn::kType) + " backward");
    Tensor dx = Tensor::empty(dy.shape());
    const float* xp = x_.data();
    const float* yp = y_.data();
    const float* dyp = dy.data();
    float* dxp = dx.data();
    parallel_for(
        dy.numel(),
        [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i) dxp[i] = fn_.grad(xp[i], yp[i], dyp[i]);
        },
        kGrain);
    return dx;
  }

  LayerSpec spec() const override;
  static LayerType layer_type();  // how a model file rebuilds it (core/layer_type.h)
  int64_t flops(const Shape& in) const override { return in.numel(); }
  const Fn& fn() const { return fn_; }

 private:
  static constexpr int64_t kGrain = kElementwiseGrain;
  Fn fn_;
  Tensor x_, y_;
};

using Sigmoid = ElementwiseActivation<SigmoidFn>;
using Tanh = ElementwiseActivation<TanhFn>;
using Relu = ElementwiseActivation<ReluFn>;
using LeakyRelu = ElementwiseActivation<LeakyReluFn>;
using Elu = ElementwiseActivation<EluFn>;


}  // namespace neuroshop
