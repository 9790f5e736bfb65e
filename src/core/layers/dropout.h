// Dropout (Srivastava et al., JMLR 2014), "inverted" as in torch: the scaling happens at training time.
//
// Training: y = x ⊙ m with m[i] = 0 with probability p, else 1 / (1 - p), so E[y] = x.
// Evaluation: y = x.
// The layer owns its Rng, seeded in the constructor, so a run is reproducible from (p, seed).
// hold_mask(true) makes training forwards reuse the last mask: a gradient check (or any caller
// wanting a deterministic function of x) sees one fixed linear map instead of fresh noise.
// Not here: spatial (channel-wise) dropout, alpha dropout.
#pragma once

#include <cstdint>
#include <string>

#include "core/layer.h"
#include "core/rng.h"

namespace neuroshop {

class Dropout : public Layer {
 public:
  // p in [0, 1): the probability of zeroing an element; throws ArgumentError otherwise.
  Dropout(double p, uint64_t seed, std::string name = "");
  // Seeds the layer's own Rng with one draw from `rng` (the seed is kept for spec()).
  Dropout(double p, Rng& rng, std::string name = "");

  Shape output_shape(const Shape& in) const override { return in; }
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  LayerSpec spec() const override;
  static LayerType layer_type();  // how a model file rebuilds it (core/layer_type.h)
  int64_t flops(const Shape& in) const override { return training_ ? in.numel() : 0; }

  double p() const { return p_; }
  uint64_t seed() const { return seed_; }
  // Restarts the mask stream, as if the layer had just been built with `seed`.
  void reseed(uint64_t seed);
  // While held, a training forward reuses the previous mask (the first one still draws a mask);
  // an input of another shape then throws ShapeError.
  void hold_mask(bool hold) { hold_mask_ = hold; }
  // The mask of the last training forward: 0 or 1/(1-p) per element (undefined before one ran).
  const Tensor& mask() const { return mask_; }

 private:
  double p_;
  uint64_t seed_;
  Rng rng_;
  bool hold_mask_ = false;
  bool ran_ = false;
  bool forward_training_ = true;  // the mode of the last forward, which backward follows
  Tensor mask_;
};

}  // namespace neuroshop
