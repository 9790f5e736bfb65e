// Dropout forward and backward; see dropout.h.
// Reference: Srivastava, Hinton, Krizhevsky, Sutskever, Salakhutdinov, "Dropout: A Simple Way to
// Prevent Neural Networks from Overfitting", JMLR 15, 2014 (inverted scaling as in torch.nn.Dropout).
#include "core/layers/dropout.h"

#include <cmath>

#include "core/errors.h"
#include "core/layer_type.h"

namespace neuroshop {

Dropout::Dropout(double p, uint64_t seed, std::string name)
    : Layer(std::move(name)), p_(p), seed_(seed), rng_(seed) {
  if (!(p >= 0.0 && p < 1.0))
    throw ArgumentError(who("Dropout") + ": p must be in [0, 1), got " + std::to_string(p));
}

// The drawn seed keeps 63 bits so it shows as a plain positive number in the spec.
Dropout::Dropout(double p, Rng& rng, std::string name) : Dropout(p, rng.next_u64() >> 1, std::move(name)) {}

void Dropout::reseed(uint64_t seed) {
  seed_ = seed;
  rng_.reseed(seed);
}

// Training: y[i] = x[i] * m[i],  m[i] = (u[i] < p) ? 0 : 1/(1-p),  u[i] ~ U[0,1) in element order.
// Evaluation: y = x (a copy, so the caller owns its output as with every other layer).
Tensor Dropout::forward(const Tensor& x) {
  ran_ = true;
  forward_training_ = training_;
  if (!training_) return x.clone();
  if (hold_mask_ && mask_.defined()) {
    if (mask_.shape() != x.shape())
      throw ShapeError(who("Dropout") + ": the held mask is " + mask_.shape().str() + ", got input " +
                       x.shape().str() + " (call hold_mask(false) to draw a new one)");
  } else {
    mask_ = Tensor::empty(x.shape());
    const float keep_scale = static_cast<float>(1.0 / (1.0 - p_));
    float* mp = mask_.data();
    for (int64_t i = 0, n = x.numel(); i < n; ++i) mp[i] = rng_.uniform() < p_ ? 0.0f : keep_scale;
  }
  Tensor y = Tensor::empty(x.shape());
  const float* xp = x.data();
  const float* mp = mask_.data();
  float* yp = y.data();
  for (int64_t i = 0, n = x.numel(); i < n; ++i) yp[i] = xp[i] * mp[i];
  return y;
}

// forward was:  y[i] = x[i] * m[i]   (m = 1 in evaluation)
// so:           dx[i] = dy[i] * m[i]
Tensor Dropout::backward(const Tensor& dy) {
  expect_forward_ran(ran_, "Dropout");
  if (!forward_training_) return dy.clone();
  expect_same_shape(dy.shape(), mask_.shape(), who("Dropout") + " backward");
  Tensor dx = Tensor::empty(dy.shape());
  const float* dyp = dy.data();
  const float* mp = mask_.data();
  float* dxp = dx.data();
  for (int64_t i = 0, n = dy.numel(); i < n; ++i) dxp[i] = dyp[i] * mp[i];
  return dx;
}

LayerSpec Dropout::spec() const {
  LayerSpec s{"Dropout", name_, {}, {}};
  s.set("p", p_);
  // Stored as the signed 64-bit value with the same bits, so get_int reads back any seed:
  // rebuild with static_cast<uint64_t>(spec.get_int("seed")).
  s.set("seed", std::to_string(static_cast<int64_t>(seed_)));
  return s;
}

LayerType Dropout::layer_type() {
  return {"Dropout", {"p", "seed"}, 0, 0, [](const LayerSpec& s, MakeLayerFn) -> std::unique_ptr<Layer> {
            return std::make_unique<Dropout>(s.get_float("p"), static_cast<uint64_t>(s.get_int("seed", 0)), s.name);
          }};
}

}  // namespace neuroshop
