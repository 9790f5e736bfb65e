// im2col / col2im: the lowering that turns a convolution into one gemm (Caffe's scheme).
// One image (C, H, W) becomes a column matrix col (C*K*K, OH*OW) with
//   col[(c*K + kh)*K + kw][oh*OW + ow] = xpad[c][oh*stride - pad + kh*dilation][ow*stride - pad + kw*dilation]
// where xpad reads zeros outside the image (kZeros) or the mirror image without repeating the border
// pixel (kReflect, torch's padding_mode='reflect': index -1 reads 1, index H reads H-2).
// col2im is the exact adjoint (it scatters and ADDS into dx), so forward and backward share one geometry.
// Padding is folded into the index arithmetic: no padded copy of the image is ever made.
// Not here: the gemm itself (gemm.h), batching and threading (the layer does that), non-square kernels.
#pragma once

#include <cstdint>
#include <string>

namespace neuroshop {

enum class PaddingMode { kZeros, kReflect };

// "zeros" / "reflect", and back (throws ArgumentError naming `who` on anything else).
const char* padding_mode_name(PaddingMode mode);
PaddingMode parse_padding_mode(const std::string& name, const std::string& who);

// The geometry of a square-kernel convolution over one (C, H, W) image.
struct ConvGeometry {
  int64_t channels = 1;
  int64_t height = 1;
  int64_t width = 1;
  int64_t kernel_size = 1;
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t dilation = 1;
  PaddingMode padding_mode = PaddingMode::kZeros;

  // Like torch: floor((H + 2*pad - dilation*(K-1) - 1) / stride) + 1 (may be <= 0 when the image is too small).
  int64_t out_height() const { return (height + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1; }
  int64_t out_width() const { return (width + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1; }
  int64_t col_rows() const { return channels * kernel_size * kernel_size; }
  int64_t col_cols() const { return out_height() * out_width(); }
  // True when col would be x itself (1x1 kernel, stride 1, no padding): callers may skip im2col.
  bool is_identity() const { return kernel_size == 1 && stride == 1 && padding == 0; }
};

// Output rows [oh_begin, oh_end) of the lowering: x: (C, H, W) -> col: (C*K*K, (oh_end - oh_begin)*OW),
// every element written; the whole image is oh_begin = 0, oh_end = out_height(). Serial: callers
// run blocks of rows on different threads, so a block stays in cache for the gemm that reads it.
void im2col(const float* x, const ConvGeometry& g, int64_t oh_begin, int64_t oh_end, float* col);
// The same columns written straight into the GEMM's B-panel layout (gemm_packed_panels), panels
// of nr columns: dst[(j / nr) * R * nr + r * nr + j % nr] = col[r][j], zero for j >= P in the
// last panel; ceil(P / nr) * R * nr floats. Saves the GEMM a second pass over the columns.
void im2col_panels(const float* x, const ConvGeometry& g, int64_t oh_begin, int64_t oh_end, int64_t nr, float* dst);
// The adjoint: col: (C*K*K, (oh_end - oh_begin)*OW) ADDED into dx: (C, H, W). Serial; blocks of
// rows that are less than a kernel extent apart touch the same rows of dx.
void col2im(const float* col, const ConvGeometry& g, int64_t oh_begin, int64_t oh_end, float* dx);

}  // namespace neuroshop
