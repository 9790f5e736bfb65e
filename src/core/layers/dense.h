// Dense (fully connected): y = x W^T + b on a batch of feature vectors, through the one gemm.
// Input is rank 2, (N, in_features); flattening an image batch first is a separate layer's job.
// Not here: activation, dropout, any reshaping.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/layer.h"
#include "core/rng.h"

namespace neuroshop {

class Dense : public Layer {
 public:
  // Weight "weight" (out, in) drawn He-uniform, U(-sqrt(6/in), sqrt(6/in)) (He et al. 2015, suited
  // to a ReLU family activation after the layer); bias "bias" (out) starts at zero.
  // With bias == false the layer has only "weight".
  Dense(int64_t in_features, int64_t out_features, Rng& rng, std::string name = "", bool bias = true);

  Shape output_shape(const Shape& in) const override;
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  std::vector<Param*> params() override;
  LayerSpec spec() const override;
  static LayerType layer_type();  // how a model file rebuilds it (core/layer_type.h)
  int64_t flops(const Shape& in) const override;

  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }
  bool has_bias() const { return has_bias_; }
  Param& weight() { return weight_; }
  Param& bias() { return bias_; }  // undefined tensors when has_bias() is false

 private:
  int64_t in_features_, out_features_;
  bool has_bias_;
  Param weight_, bias_;
  Tensor x_;  // (N, in), cached by forward
};

}  // namespace neuroshop
