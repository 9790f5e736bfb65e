// Winograd F(4x4, 3x3) convolution (Lavin & Gray 2016, "Fast Algorithms for Convolutional Neural
// Networks"): a 3x3, stride-1 convolution computed on 6x6 input tiles that give 4x4 output tiles,
//   Y = A^T [ (G g G^T) .* (B^T d B) ] A
// summed over input channels, so each output tile costs 36 multiply-adds per (input, output)
// channel pair instead of 144 (4x fewer). The 36 element-wise products of a block of tiles are 36
// GEMMs (OC x C) x (C x tiles) on the engine's packed GEMM; the input and output transforms are done
// per block of tiles while it is in cache.
// Dilation d is d*d interleaved stride-1 convolutions on the sub-sampled grids (rows a, a+d, a+2d,
// ...), which this kernel walks directly: only the gather and scatter strides change.
// Rounding: the transforms scale values by up to ~10, so errors are ~10x those of direct summation
// (relative ~1e-6 -> ~1e-5 of the output's scale); tests/core/test_winograd.cpp holds the bound.
// dW takes the same transforms: the filter gradient is the adjoint of the filter transform applied
// to the sum over tiles of (A dY A^T) .* (B^T d B), 36 GEMMs with the tiles as the inner dimension.
// Not here: strides > 1, kernels other than 3x3 (callers fall back to im2col + gemm).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/kernels/gemm.h"
#include "core/kernels/im2col.h"

namespace neuroshop {

// What the epilogue applies to each output after the bias, while the tile is in registers.
enum class Epilogue { kNone, kRelu };

// The 36 transformed filters U[xi] = (G w G^T)[xi] of a (OC, C, 3, 3) weight, packed for the GEMM:
// the first thing winograd_conv3x3 computes. A caller that keeps one skips that work while the
// weights stay the same (inference: at batch 1 on small maps it was a fifth of the time).
class WinogradFilters {
 public:
  WinogradFilters(const float* w, int64_t out_channels, int64_t in_channels);
  int64_t out_channels() const { return OC_; }
  int64_t in_channels() const { return C_; }
  const GemmPackedA& packed(int xi) const { return *packed_[static_cast<size_t>(xi)]; }

 private:
  int64_t OC_, C_;
  std::vector<std::unique_ptr<const GemmPackedA>> packed_;  // one per xi, (OC x C)
};

// As below, with the filters transformed beforehand (filters.in_channels() == g.channels).
void winograd_conv3x3(const float* x, int64_t N, const ConvGeometry& g, const WinogradFilters& filters,
                      const float* bias, Epilogue epilogue, float* y);

// x: (N, C, H, W) with g.channels = C, g.kernel_size = 3, g.stride = 1, any dilation and padding
// (zero or reflect) -> y: (N, OC, OH, OW) = epilogue(conv(x, w) + bias), every element written.
// w: (OC, C, 3, 3); bias: (OC) or nullptr. Threads over blocks of tiles (parallel_for).
void winograd_conv3x3(const float* x, int64_t N, const ConvGeometry& g, const float* w, int64_t OC,
                      const float* bias, Epilogue epilogue, float* y);

// dw (OC, C, 3, 3) += the gradient of <y, dy> with respect to w for y = conv(x, w) as above
// (dy: (N, OC, OH, OW), any dilation, zero or reflect padding). Threads over blocks of tiles.
void winograd_conv3x3_dw(const float* x, int64_t N, const ConvGeometry& g, const float* dy, int64_t OC, float* dw);

// Whether winograd_conv3x3 applies to the geometry (3x3, stride 1) and is faster than im2col +
// gemm for these channel counts (measured: tiny channel counts lose to the transforms' cost).
bool winograd_applies(const ConvGeometry& g, int64_t out_channels);
// Whether the filter gradient takes Winograd too: where winograd_applies and both channel counts
// are at least 16 (below, im2col + gemm computes dW faster).
bool winograd_dw_applies(const ConvGeometry& g, int64_t out_channels);

}  // namespace neuroshop
