// im2col / col2im; see im2col.h. Both walk the same rows (c, kh, kw) and the same index arithmetic,
// one copying x into col, the other adding col back into dx.
#include "core/kernels/im2col.h"

#include <algorithm>
#include <cstring>

#include "core/errors.h"
#include "core/kernels/workspace.h"

namespace neuroshop {

const char* padding_mode_name(PaddingMode mode) { return mode == PaddingMode::kReflect ? "reflect" : "zeros"; }

PaddingMode parse_padding_mode(const std::string& name, const std::string& who) {
  if (name == "zeros") return PaddingMode::kZeros;
  if (name == "reflect") return PaddingMode::kReflect;
  throw ArgumentError(who + ": padding mode must be 'zeros' or 'reflect', got '" + name + "'");
}

namespace {

// Mirror an index in [-(n-1), 2n-2] into [0, n) without repeating the border: -1 -> 1, n -> n-2.
inline int64_t reflect(int64_t i, int64_t n) {
  if (i < 0) return -i;
  if (i >= n) return 2 * (n - 1) - i;
  return i;
}

// For one kernel column offset iw0 = kw*dilation - pad, the output columns ow whose input column
// iw0 + ow*stride lies inside [0, W) form the range [lo, hi); outside it the padding rule applies.
struct ColumnRange {
  int64_t lo, hi;
};
inline ColumnRange inside_columns(int64_t iw0, const ConvGeometry& g, int64_t out_w) {
  const int64_t s = g.stride;
  int64_t lo = iw0 >= 0 ? 0 : (-iw0 + s - 1) / s;
  int64_t hi = g.width - iw0 > 0 ? (g.width - iw0 + s - 1) / s : 0;
  lo = std::min(lo, out_w);
  hi = std::clamp(hi, lo, out_w);
  return {lo, hi};
}

}  // namespace

namespace {

// One row of the lowering, for row r = (c*K + kh)*K + kw of col:
// out[(oh - oh_begin)*OW + ow] = xpad[c][oh*s - p + kh*d][ow*s - p + kw*d]
void lower_row(const float* x, const ConvGeometry& g, int64_t c, int64_t kh, int64_t kw, int64_t oh_begin,
               int64_t oh_end, float* row) {
  const int64_t H = g.height, W = g.width, s = g.stride, p = g.padding, d = g.dilation;
  const int64_t OW = g.out_width();
  const bool reflect_pad = g.padding_mode == PaddingMode::kReflect;
  const float* xc = x + c * H * W;
  const int64_t iw0 = kw * d - p;
  const ColumnRange r = inside_columns(iw0, g, OW);
  for (int64_t oh = oh_begin; oh < oh_end; ++oh) {
    float* out = row + (oh - oh_begin) * OW;
    int64_t ih = oh * s - p + kh * d;
    if (ih < 0 || ih >= H) {
      if (!reflect_pad) {
        std::fill(out, out + OW, 0.0f);
        continue;
      }
      ih = reflect(ih, H);
    }
    const float* xrow = xc + ih * W;
    for (int64_t ow = 0; ow < r.lo; ++ow) out[ow] = reflect_pad ? xrow[reflect(iw0 + ow * s, W)] : 0.0f;
    if (s == 1 && r.hi > r.lo) {
      std::copy(xrow + (iw0 + r.lo), xrow + (iw0 + r.hi), out + r.lo);
    } else if (s == 2) {
      // the stride as a constant: the gather of every other element vectorizes (3x faster)
      const float* src = xrow + iw0;
      for (int64_t ow = r.lo; ow < r.hi; ++ow) out[ow] = src[2 * ow];
    } else {
      for (int64_t ow = r.lo; ow < r.hi; ++ow) out[ow] = xrow[iw0 + ow * s];
    }
    for (int64_t ow = r.hi; ow < OW; ++ow) out[ow] = reflect_pad ? xrow[reflect(iw0 + ow * s, W)] : 0.0f;
  }
}

thread_local Workspace t_row;

}  // namespace

namespace {

// 3x3, stride 2, zero padding 1, dilation 1 (every strided layer of the networks here): the three
// rows kw = 0, 1, 2 of one (c, kh) read input columns 2ow - 1, 2ow, 2ow + 1 of the same input row,
// so they are made in one pass over it (three strided gathers of the general path cost 3x).
bool is_stride2_3x3(const ConvGeometry& g) {
  return g.kernel_size == 3 && g.stride == 2 && g.padding == 1 && g.dilation == 1 &&
         g.padding_mode == PaddingMode::kZeros;
}

void lower_rows_stride2(const float* x, const ConvGeometry& g, int64_t c, int64_t kh, int64_t oh_begin, int64_t oh_end,
                        float* row0, float* row1, float* row2) {
  const int64_t H = g.height, W = g.width, OW = g.out_width();
  // ow in [1, inner): columns 2ow - 1 .. 2ow + 1 all inside the row
  const int64_t inner = std::max<int64_t>(1, std::min(OW, (W - 2) / 2 + 1));
  const float* xc = x + c * H * W;
  for (int64_t oh = oh_begin; oh < oh_end; ++oh) {
    const int64_t off = (oh - oh_begin) * OW;
    float* o0 = row0 + off;
    float* o1 = row1 + off;
    float* o2 = row2 + off;
    const int64_t ih = oh * 2 - 1 + kh;
    if (ih < 0 || ih >= H) {
      std::fill(o0, o0 + OW, 0.0f);
      std::fill(o1, o1 + OW, 0.0f);
      std::fill(o2, o2 + OW, 0.0f);
      continue;
    }
    const float* xrow = xc + ih * W;
    auto at = [&](int64_t iw) { return iw >= 0 && iw < W ? xrow[iw] : 0.0f; };
    o0[0] = 0.0f;
    o1[0] = at(0);
    o2[0] = at(1);
    const float* src = xrow - 1;  // src[2ow + kw] = x[2ow - 1 + kw]
    for (int64_t ow = 1; ow < inner; ++ow) {
      o0[ow] = src[2 * ow];
      o1[ow] = src[2 * ow + 1];
      o2[ow] = src[2 * ow + 2];
    }
    for (int64_t ow = inner; ow < OW; ++ow) {
      o0[ow] = at(2 * ow - 1);
      o1[ow] = at(2 * ow);
      o2[ow] = at(2 * ow + 1);
    }
  }
}

// Requests the input rows that output rows [oh_begin, oh_end) read of channel c: the next
// channel's, while this one is lowered. They lie two rows apart per kernel row and a channel plane
// away, a pattern the hardware prefetcher does not follow (the lowering waited on memory).
void prefetch_stride2_rows(const float* x, const ConvGeometry& g, int64_t c, int64_t oh_begin, int64_t oh_end) {
  const int64_t H = g.height, W = g.width;
  const int64_t ih0 = std::max<int64_t>(0, 2 * oh_begin - 1), ih1 = std::min(H, 2 * oh_end);
  for (int64_t ih = ih0; ih < ih1; ++ih) {
    const float* row = x + (c * H + ih) * W;
    for (int64_t w = 0; w < W; w += 16) __builtin_prefetch(row + w);
  }
}

// One lowered row (P columns) dealt out to the panels in runs of nr, which is a constant where
// NR > 0 (each run a few vector moves, not a call): out[(j / nr) * R * nr + j % nr] = row[j],
// zero past P.
template <int64_t NR>
void deal_row(const float* row, int64_t P, int64_t R, int64_t nr_any, float* out) {
  const int64_t nr = NR > 0 ? NR : nr_any;
  const int64_t full = P / nr, tail = P - full * nr;
  for (int64_t jp = 0; jp < full; ++jp) std::memcpy(out + jp * R * nr, row + jp * nr, sizeof(float) * nr);
  if (tail > 0) {
    float* last = out + full * R * nr;
    std::memcpy(last, row + full * nr, sizeof(float) * tail);
    std::fill(last + tail, last + nr, 0.0f);
  }
}
void deal_row(const float* row, int64_t P, int64_t R, int64_t nr, float* out) {
  if (nr == 16) return deal_row<16>(row, P, R, nr, out);
  if (nr == 32) return deal_row<32>(row, P, R, nr, out);
  if (nr == 8) return deal_row<8>(row, P, R, nr, out);
  deal_row<0>(row, P, R, nr, out);
}

}  // namespace

// col[(c*K + kh)*K + kw][(oh - oh_begin)*OW + ow] = xpad[c][oh*s - p + kh*d][ow*s - p + kw*d]
// x[c][h][w] = x[(c*H + h)*W + w]
void im2col(const float* x, const ConvGeometry& g, int64_t oh_begin, int64_t oh_end, float* col) {
  const int64_t K = g.kernel_size, P = (oh_end - oh_begin) * g.out_width();
  if (is_stride2_3x3(g)) {
    for (int64_t c = 0; c < g.channels; ++c) {
      if (c + 1 < g.channels) prefetch_stride2_rows(x, g, c + 1, oh_begin, oh_end);
      for (int64_t kh = 0; kh < 3; ++kh) {
        float* row0 = col + (c * 3 + kh) * 3 * P;
        lower_rows_stride2(x, g, c, kh, oh_begin, oh_end, row0, row0 + P, row0 + 2 * P);
      }
    }
    return;
  }
  for (int64_t c = 0; c < g.channels; ++c)
    for (int64_t kh = 0; kh < K; ++kh)
      for (int64_t kw = 0; kw < K; ++kw) lower_row(x, g, c, kh, kw, oh_begin, oh_end, col + ((c * K + kh) * K + kw) * P);
}

// Each row of the lowering is made in a small buffer (in L1) and dealt out to the panels in runs
// of nr: dst[(j / nr) * R * nr + r * nr + j % nr] = col[r][j], the last panel zero-filled past P.
void im2col_panels(const float* x, const ConvGeometry& g, int64_t oh_begin, int64_t oh_end, int64_t nr, float* dst) {
  const int64_t K = g.kernel_size, R = g.col_rows(), P = (oh_end - oh_begin) * g.out_width();
  if (is_stride2_3x3(g)) {
    float* rows = t_row.get(3 * P);
    for (int64_t c = 0; c < g.channels; ++c) {
      if (c + 1 < g.channels) prefetch_stride2_rows(x, g, c + 1, oh_begin, oh_end);
      for (int64_t kh = 0; kh < 3; ++kh) {
        lower_rows_stride2(x, g, c, kh, oh_begin, oh_end, rows, rows + P, rows + 2 * P);
        const int64_t r = (c * 3 + kh) * 3;
        for (int64_t kw = 0; kw < 3; ++kw) deal_row(rows + kw * P, P, R, nr, dst + (r + kw) * nr);
      }
    }
    return;
  }
  float* row = t_row.get(P);
  for (int64_t c = 0; c < g.channels; ++c)
    for (int64_t kh = 0; kh < K; ++kh)
      for (int64_t kw = 0; kw < K; ++kw) {
        const int64_t r = (c * K + kh) * K + kw;
        lower_row(x, g, c, kh, kw, oh_begin, oh_end, row);
        deal_row(row, P, R, nr, dst + r * nr);
      }
}

// forward was:  col[r][(oh - oh_begin)*OW + ow] = xpad[c][ih][iw]   (ih, iw possibly mirrored)
// so:           dx[c][ih][iw] += col[r][(oh - oh_begin)*OW + ow]   (zero padding drops the term)
void col2im(const float* col, const ConvGeometry& g, int64_t oh_begin, int64_t oh_end, float* dx) {
  const int64_t K = g.kernel_size, H = g.height, W = g.width, s = g.stride, p = g.padding, d = g.dilation;
  const int64_t OW = g.out_width(), P = (oh_end - oh_begin) * OW;
  const bool reflect_pad = g.padding_mode == PaddingMode::kReflect;
  // 3x3, stride 2, zero padding 1 (every strided layer of the networks here): the three kernel
  // columns of one kernel row land on dx columns 2j - 1, 2j and 2j + 1, so they are added in one
  // pass that writes even and odd columns together (it vectorizes; a stride-2 add alone does not),
  // in the order of the general loop (kw = 0, 1, 2), so the sums are the same to the bit.
  const bool pairs = K == 3 && s == 2 && d == 1 && p == 1 && !reflect_pad;
  for (int64_t c = 0; c < g.channels; ++c) {
    float* dxc = dx + c * H * W;
    for (int64_t kh = 0; kh < K; ++kh) {
      if (pairs) {
        const float* rows = col + (c * K + kh) * K * P;  // kw = 0, 1, 2 at rows, rows + P, rows + 2P
        for (int64_t oh = oh_begin; oh < oh_end; ++oh) {
          const int64_t ih = oh * 2 - 1 + kh;
          if (ih < 0 || ih >= H) continue;
          const float* in0 = rows + (oh - oh_begin) * OW;
          const float* in1 = in0 + P;
          const float* in2 = in0 + 2 * P;
          float* d = dxc + ih * W;
          // dx[2j] += in1[j];  dx[2j + 1] += in0[j + 1], then += in2[j]  (in0[0] falls on column -1)
          const int64_t inner = std::min(OW - 1, (W - 1) / 2);  // j with 2j + 1 < W and j + 1 < OW
          for (int64_t j = 0; j < inner; ++j) {
            const float even = d[2 * j] + in1[j];
            const float odd = (d[2 * j + 1] + in0[j + 1]) + in2[j];
            d[2 * j] = even;
            d[2 * j + 1] = odd;
          }
          for (int64_t j = inner; j < OW; ++j) {
            if (2 * j < W) d[2 * j] += in1[j];
            if (2 * j + 1 < W) {
              if (j + 1 < OW) d[2 * j + 1] += in0[j + 1];
              d[2 * j + 1] += in2[j];
            }
          }
        }
        continue;
      }
      for (int64_t kw = 0; kw < K; ++kw) {
        const float* row = col + ((c * K + kh) * K + kw) * P;
        const int64_t iw0 = kw * d - p;
        const ColumnRange r = inside_columns(iw0, g, OW);
        for (int64_t oh = oh_begin; oh < oh_end; ++oh) {
          const float* in = row + (oh - oh_begin) * OW;
          int64_t ih = oh * s - p + kh * d;
          if (ih < 0 || ih >= H) {
            if (!reflect_pad) continue;
            ih = reflect(ih, H);
          }
          float* dxrow = dxc + ih * W;
          if (reflect_pad)
            for (int64_t ow = 0; ow < r.lo; ++ow) dxrow[reflect(iw0 + ow * s, W)] += in[ow];
          if (s == 1) {
            for (int64_t ow = r.lo; ow < r.hi; ++ow) dxrow[iw0 + ow] += in[ow];
          } else if (s == 2) {
            float* dst = dxrow + iw0;
            for (int64_t ow = r.lo; ow < r.hi; ++ow) dst[2 * ow] += in[ow];
          } else {
            for (int64_t ow = r.lo; ow < r.hi; ++ow) dxrow[iw0 + ow * s] += in[ow];
          }
          if (reflect_pad)
            for (int64_t ow = r.hi; ow < OW; ++ow) dxrow[reflect(iw0 + ow * s, W)] += in[ow];
        }
      }
    }
  }
}

}  // namespace neuroshop
