// Upsample (integer scale factor, nearest or bilinear) and the free bilinear resize to any size.
// Bilinear follows torch's F.interpolate(mode='bilinear', align_corners=False): source coordinate
// (dst + 0.5) * in/out - 0.5, clamped at 0 below and to the last pixel above; the backward pass is
// the exact adjoint (each output's gradient split over its four taps).
// Nearest follows torch's 'nearest' (not 'nearest-exact'): source = dst / scale_factor.
// Not here: align_corners=True, bicubic, area/antialiased downsampling, non-integer layer scales.
#pragma once

#include <cstdint>
#include <string>

#include "core/layer.h"

namespace neuroshop {

// x: (N, C, H, W) -> (N, C, out_h, out_w), bilinear, align_corners=False. out_h, out_w >= 1.
Tensor resize_bilinear(const Tensor& x, int64_t out_h, int64_t out_w);
// The adjoint of resize_bilinear: dy: (N, C, out_h, out_w) -> dx: (N, C, in_h, in_w).
Tensor resize_bilinear_backward(const Tensor& dy, int64_t in_h, int64_t in_w);

// x: (N, C, H, W) -> (N, C, H*scale, W*scale), each pixel repeated scale x scale times.
Tensor upsample_nearest(const Tensor& x, int64_t scale);
// The adjoint: dy: (N, C, H*scale, W*scale) -> dx: (N, C, H, W), each dx the sum of its block.
Tensor upsample_nearest_backward(const Tensor& dy, int64_t scale);

enum class UpsampleMode { kNearest, kBilinear };
// "nearest" / "bilinear", and back (throws ArgumentError naming `who` on anything else).
const char* upsample_mode_name(UpsampleMode mode);
UpsampleMode parse_upsample_mode(const std::string& name, const std::string& who);

class Upsample : public Layer {
 public:
  // Throws ArgumentError when scale_factor < 1.
  explicit Upsample(int64_t scale_factor, UpsampleMode mode = UpsampleMode::kNearest, std::string name = "");

  // (N, C, H, W) -> (N, C, H*scale, W*scale)
  Shape output_shape(const Shape& in) const override;
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  LayerSpec spec() const override;
  static LayerType layer_type();  // how a model file rebuilds it (core/layer_type.h)
  int64_t flops(const Shape& in) const override;

  int64_t scale_factor() const { return scale_factor_; }
  UpsampleMode mode() const { return mode_; }

 private:
  int64_t scale_factor_;
  UpsampleMode mode_;
  Shape x_shape_;
  bool ran_ = false;
};

}  // namespace neuroshop
