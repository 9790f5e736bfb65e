// Winograd F(4x4, 3x3); see winograd.h.
//
// Per block of tiles (consecutive in the list of all 4x4 output tiles: images, sub-grids, rows):
//   V[xi][c][t]  = (B^T d_{c,t} B)[xi]               input transform, xi = 0..35 (6x6)
//   M[xi][oc][t] = sum_c U[xi][oc][c] V[xi][c][t]      36 GEMMs (OC x C)(C x tb), U packed once
//   y tile       = A^T M[.][oc][t] A + bias           output transform (4x4), then the epilogue
// with U[xi][oc][c] = (G w[oc][c] G^T)[xi] computed once per call. The block size keeps V and M
// (36 (C + OC) tb floats) within about 1.5 MB, so the GEMMs read what the transform just wrote
// from cache. The transforms work on kLanes tiles at once (the inner loops vectorize).
#include "core/kernels/winograd.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/kernels/gemm.h"
#include "core/kernels/parallel.h"
#include "core/kernels/winograd_internal.h"
#include "core/kernels/workspace.h"

namespace neuroshop {
namespace detail {

namespace {
std::atomic<bool> g_row_kernels_enabled{true};

const WinogradRowKernels* choose_row_kernels() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  const char* forced = std::getenv("NEUROSHOP_GEMM");
  if (forced && std::strcmp(forced, "portable") == 0) return nullptr;
  if (__builtin_cpu_supports("avx2")) return winograd_row_kernels_avx2();
#endif
  return nullptr;
}
}  // namespace

const WinogradRowKernels* active_winograd_row_kernels() {
  static const WinogradRowKernels* kernels = choose_row_kernels();
  return g_row_kernels_enabled.load(std::memory_order_relaxed) ? kernels : nullptr;
}

void set_winograd_row_kernels(bool enabled) { g_row_kernels_enabled.store(enabled); }

}  // namespace detail

namespace {

using detail::WinogradRowKernels;

constexpr int kLanes = 8;                   // tiles transformed together
constexpr int64_t kBlockBytes = 3 << 19;    // V + M of one block of tiles
constexpr int64_t kMinBlock = 16, kMaxBlock = 512;
constexpr int64_t kDwParts = 4;             // dW: partial sums, each on one thread

thread_local Workspace t_v, t_m;
// The calling thread's scratch for the transformed filters (WinogradFilters) and dW's partial sums:
// allocated per call they were fresh pages every time (7,000 page faults per training step of the
// colorizer, a few per cent of it).
thread_local Workspace t_scratch;

// Reflected index, or -1 where one reflection does not land inside: only positions that feed the
// discarded outputs of a tile cut at the border get that far, and they read as zero.
inline int64_t reflect(int64_t i, int64_t n) {
  if (i < 0) i = -i;
  if (i >= n) i = 2 * (n - 1) - i;
  return i >= 0 && i < n ? i : -1;
}

// u[xi * stride + l] = (G g_l G^T)[xi] for the filters g_l = g + 9 l, l < lanes (3x3 row-major,
// u 6x6 row-major); in double, rounded once. Filters side by side, so each xi writes one run.
//   G = [ 1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1 ]
void transform_filters(const float* g, int lanes, float* u, int64_t stride) {
  // Multiplications by the rounded reciprocals, not divisions (which took most of this function's
  // time): the results differ by at most an ulp of a double, below the final rounding to float.
  constexpr double k4 = 1.0 / 4, k6 = 1.0 / 6, k12 = 1.0 / 12, k24 = 1.0 / 24;
  auto apply_g = [](double v0, double v1, double v2, double* out, int64_t s) {  // out[k s] = (G v)[k]
    out[0] = v0 * k4;
    out[s] = -(v0 + v1 + v2) * k6;
    out[2 * s] = -(v0 - v1 + v2) * k6;
    out[3 * s] = v0 * k24 + v1 * k12 + v2 * k6;
    out[4 * s] = v0 * k24 - v1 * k12 + v2 * k6;
    out[5 * s] = v2;
  };
  // All kLanes lanes (zeros past `lanes`), the lanes innermost so the loops vectorize; each lane's
  // arithmetic is the same as one filter at a time.
  double gl[9][kLanes] = {};  // gl[k][l] = g_l[k]
  for (int l = 0; l < lanes; ++l)
    for (int k = 0; k < 9; ++k) gl[k][l] = g[9 * l + k];
  double t[6][3][kLanes], out[6][6][kLanes];  // t = G g, out = t G^T
  for (int j = 0; j < 3; ++j)
    for (int l = 0; l < kLanes; ++l) apply_g(gl[j][l], gl[3 + j][l], gl[6 + j][l], &t[0][j][l], 3 * kLanes);
  for (int i = 0; i < 6; ++i)
    for (int l = 0; l < kLanes; ++l) apply_g(t[i][0][l], t[i][1][l], t[i][2][l], &out[i][0][l], kLanes);
  for (int xi = 0; xi < 36; ++xi)
    for (int l = 0; l < lanes; ++l) u[xi * stride + l] = static_cast<float>(out[xi / 6][xi % 6][l]);
}

// One 4x4 output tile: image n, the input row and column its 6x6 patch starts at (steps of d),
// the output pixel of its top-left corner (steps of d too) and how many of its rows and columns lie
// inside the output. Tiles of every image and sub-grid are listed together, so a block of tiles
// (one GEMM) can span several small images or sub-grids.
struct Tile {
  int32_t n, h0, w0, oh0, ow0, rows, cols;
};

struct Problem {
  const float* x;
  int64_t C, H, W, OC, OH, OW, pad, dil;
  bool reflect_pad;
  const float* bias;
  Epilogue epilogue;
  float* y;
};

// Whether tiles[0..7] are one row of tiles side by side (same image and rows, 4 pixels apart,
// dilation 1), for the row kernels; `whole` also asks that all their outputs lie inside.
bool is_tile_row(const Problem& p, const Tile* t, bool whole) {
  if (p.dil != 1) return false;
  for (int l = 1; l < kLanes; ++l)
    if (t[l].n != t[0].n || t[l].h0 != t[0].h0 || t[l].w0 != t[0].w0 + 4 * l) return false;
  if (whole)
    for (int l = 0; l < kLanes; ++l)
      if (t[l].rows != 4 || t[l].cols != 4) return false;
  return true;
}

// For each group of kLanes tiles from `tiles`: whether the row kernels take it (is_tile_row), or
// all false without row kernels. Asked once per block, not once per channel.
std::vector<char> row_groups(const Problem& p, const Tile* tiles, int64_t count, bool whole) {
  std::vector<char> rows(static_cast<size_t>((count + kLanes - 1) / kLanes), 0);
  if (!detail::active_winograd_row_kernels()) return rows;
  for (int64_t tg = 0; tg + kLanes <= count; tg += kLanes) rows[static_cast<size_t>(tg / kLanes)] = is_tile_row(p, tiles + tg, whole);
  return rows;
}

// x[h][w] of one channel (xc) with the padding: reflected, or zero.
inline float padded(const Problem& p, const float* xc, int64_t h, int64_t w) {
  if (h < 0 || h >= p.H) h = p.reflect_pad ? reflect(h, p.H) : -1;
  if (w < 0 || w >= p.W) w = p.reflect_pad ? reflect(w, p.W) : -1;
  return h >= 0 && w >= 0 ? xc[h * p.W + w] : 0.0f;
}

// out[(i * 6 + j) * stride] = the tile's input patch of channel c, with the padding.
inline void gather_patch(const Problem& p, const Tile& tile, int64_t c, float* out, int64_t stride) {
  const float* xc = p.x + (tile.n * p.C + c) * p.H * p.W;  // x[n][c][h][w] = xc[h*W + w]
  const int64_t h0 = tile.h0, w0 = tile.w0;
  const bool inside = h0 >= 0 && w0 >= 0 && h0 + 5 * p.dil < p.H && w0 + 5 * p.dil < p.W;
  for (int i = 0; i < 6; ++i) {
    const int64_t h = h0 + i * p.dil;
    if (inside) {
      const float* row = xc + h * p.W + w0;
      for (int j = 0; j < 6; ++j) out[(i * 6 + j) * stride] = row[j * p.dil];
    } else {
      for (int j = 0; j < 6; ++j) out[(i * 6 + j) * stride] = padded(p, xc, h, w0 + j * p.dil);
    }
  }
}

// The tile's outputs of channel oc inside the output: y[...] = o[(i * 4 + j) * stride].
inline void scatter_tile(const Problem& p, const Tile& tile, int64_t oc, const float* o, int64_t stride) {
  float* yc = p.y + (tile.n * p.OC + oc) * p.OH * p.OW;  // y[n][oc][h][w] = yc[h*OW + w]
  for (int i = 0; i < tile.rows; ++i) {
    float* yrow = yc + (tile.oh0 + i * p.dil) * p.OW + tile.ow0;
    for (int j = 0; j < tile.cols; ++j) yrow[j * p.dil] = o[(i * 4 + j) * stride];
  }
}

// o[(i * 4 + j) * stride] = dy of the tile's outputs of channel oc that lie inside the output
// (the others are left as they are: zero).
inline void gather_dy_tile(const Problem& p, const float* dy, const Tile& tile, int64_t oc, float* o, int64_t stride) {
  const float* dyc = dy + (tile.n * p.OC + oc) * p.OH * p.OW;
  for (int i = 0; i < tile.rows; ++i) {
    const float* row = dyc + (tile.oh0 + i * p.dil) * p.OW + tile.ow0;
    if (stride == 1 && p.dil == 1 && tile.cols == 4) {  // a fixed-size copy, not a library call
      std::memcpy(o + i * 4, row, 4 * sizeof(float));
      continue;
    }
    for (int j = 0; j < tile.cols; ++j) o[(i * 4 + j) * stride] = row[j * p.dil];
  }
}

// The 8 tiles' patches span 6 rows of this many pixels.
constexpr int64_t kRowSpan = 4 * kLanes + 2;

// r = B^T v for 6 values spaced `s` apart (each a vector of kLanes tiles), written spaced `rs`.
//   B^T = [ 4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1 ]
inline void input_1d(const float* v, int64_t s, float* r, int64_t rs) {
  for (int l = 0; l < kLanes; ++l) {
    const float d0 = v[l], d1 = v[s + l], d2 = v[2 * s + l], d3 = v[3 * s + l], d4 = v[4 * s + l],
                d5 = v[5 * s + l];
    r[l] = 4.0f * d0 - 5.0f * d2 + d4;
    r[rs + l] = -4.0f * (d1 + d2) + d3 + d4;
    r[2 * rs + l] = 4.0f * (d1 - d2) - d3 + d4;
    r[3 * rs + l] = 2.0f * (d3 - d1) - d2 + d4;
    r[4 * rs + l] = 2.0f * (d1 - d3) - d2 + d4;
    r[5 * rs + l] = 4.0f * d1 - 5.0f * d3 + d5;
  }
}

// r = A^T m for 6 values spaced `s` apart, 4 results spaced `rs`.
//   A^T = [ 1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1 ]
inline void output_1d(const float* m, int64_t s, float* r, int64_t rs) {
  for (int l = 0; l < kLanes; ++l) {
    const float m0 = m[l], m1 = m[s + l], m2 = m[2 * s + l], m3 = m[3 * s + l], m4 = m[4 * s + l],
                m5 = m[5 * s + l];
    const float p12 = m1 + m2, n12 = m1 - m2, p34 = m3 + m4, n34 = m3 - m4;
    r[l] = m0 + p12 + p34;
    r[rs + l] = n12 + 2.0f * n34;
    r[2 * rs + l] = p12 + 4.0f * p34;
    r[3 * rs + l] = n12 + 8.0f * n34 + m5;
  }
}

// dst[j] = src[j] for j0 <= j < j1 (at most kRowSpan): in fixed 8-float pieces, which compile to
// vector moves; a memcpy of a run this short cost a library call per row (a tenth of a 32->64
// convolution at 64^2, where every row of tiles touches a border).
inline void copy_run(const float* src, int64_t j0, int64_t j1, float* dst) {
  int64_t j = j0;
  for (; j + 8 <= j1; j += 8) std::memcpy(dst + j, src + j, 8 * sizeof(float));
  for (; j < j1; ++j) dst[j] = src[j];
}

// V[xi][c][t] = v[xi * vs + c * ldv + t] for the `count` tiles (vs >= count, ldv >= 36 vs: see
// channel_stride).
// Channels [c_begin, c_end) only where given (the default: all).
void input_transform(const Problem& p, const Tile* tiles, int64_t count, float* v, int64_t ldv, int64_t vs,
                     int64_t c_begin = 0, int64_t c_end = -1) {
  alignas(64) float d[36 * kLanes], t[36 * kLanes], span[6 * kRowSpan];
  const WinogradRowKernels* row_kernels = detail::active_winograd_row_kernels();
  const std::vector<char> rows = row_groups(p, tiles, count, false);
  for (int64_t c = c_begin; c < (c_end < 0 ? p.C : c_end); ++c) {
    for (int64_t tg = 0; tg < count; tg += kLanes) {
      const int lanes = static_cast<int>(std::min<int64_t>(kLanes, count - tg));
      if (rows[static_cast<size_t>(tg / kLanes)]) {
        const Tile& first = tiles[tg];
        const float* xc = p.x + (first.n * p.C + c) * p.H * p.W;
        const int64_t h0 = first.h0, w0 = first.w0;
        if (h0 >= 0 && w0 >= 0 && h0 + 5 < p.H && w0 + kRowSpan <= p.W) {
          row_kernels->input(xc + h0 * p.W + w0, p.W, v + c * ldv + tg, vs);
        } else {  // at a border: the 6 rows with their padding, copied once
          for (int64_t i = 0; i < 6; ++i) {
            float* dst = span + i * kRowSpan;
            const int64_t h = h0 + i;
            const int64_t j0 = std::clamp<int64_t>(-w0, 0, kRowSpan), j1 = std::clamp<int64_t>(p.W - w0, j0, kRowSpan);
            if (h >= 0 && h < p.H) copy_run(xc + h * p.W + w0, j0, j1, dst);
            else
              for (int64_t j = j0; j < j1; ++j) dst[j] = padded(p, xc, h, w0 + j);
            for (int64_t j = 0; j < j0; ++j) dst[j] = padded(p, xc, h, w0 + j);
            for (int64_t j = j1; j < kRowSpan; ++j) dst[j] = padded(p, xc, h, w0 + j);
          }
          row_kernels->input(span, kRowSpan, v + c * ldv + tg, vs);
        }
        continue;
      }
      if (row_kernels && lanes == kLanes) {  // any 8 tiles: gathered one after another, then transposed
        for (int l = 0; l < kLanes; ++l) gather_patch(p, tiles[tg + l], c, d + 36 * l, 1);
        row_kernels->input_tiles(d, v + c * ldv + tg, vs);
        continue;
      }
      for (int l = 0; l < kLanes; ++l) {
        if (l >= lanes) {
          for (int k = 0; k < 36; ++k) d[k * kLanes + l] = 0.0f;
          continue;
        }
        gather_patch(p, tiles[tg + l], c, d + l, kLanes);
      }
      // Columns first (t[i][j] = sum_k B^T[i][k] d[k][j]), then rows.
      for (int j = 0; j < 6; ++j) input_1d(d + j * kLanes, 6 * kLanes, t + j * kLanes, 6 * kLanes);
      for (int i = 0; i < 6; ++i) input_1d(t + i * 6 * kLanes, kLanes, d + i * 6 * kLanes, kLanes);
      float* vc = v + c * ldv + tg;
      for (int xi = 0; xi < 36; ++xi)
        for (int l = 0; l < lanes; ++l) vc[xi * vs + l] = d[xi * kLanes + l];
    }
  }
}

// y tiles from M[xi][oc][t] = m[xi * ms + oc * ldm + t]: A^T m A + bias, then the epilogue.
// Output channels [oc_begin, oc_end) only where given (the default: all).
void output_transform(const Problem& p, const Tile* tiles, int64_t count, const float* m, int64_t ldm, int64_t ms,
                      int64_t oc_begin = 0, int64_t oc_end = -1) {
  alignas(64) float mt[36 * kLanes], r[24 * kLanes], o[16 * kLanes];
  const WinogradRowKernels* row_kernels = detail::active_winograd_row_kernels();
  const std::vector<char> rows = row_groups(p, tiles, count, true);
  for (int64_t oc = oc_begin; oc < (oc_end < 0 ? p.OC : oc_end); ++oc) {
    const float b = p.bias ? p.bias[oc] : 0.0f;
    for (int64_t tg = 0; tg < count; tg += kLanes) {
      const int lanes = static_cast<int>(std::min<int64_t>(kLanes, count - tg));
      const float* mo = m + oc * ldm + tg;
      if (rows[static_cast<size_t>(tg / kLanes)]) {
        const Tile& first = tiles[tg];
        float* y0 = p.y + ((first.n * p.OC + oc) * p.OH + first.oh0) * p.OW + first.ow0;
        row_kernels->output(mo, ms, b, p.epilogue == Epilogue::kRelu, y0, p.OW);
        continue;
      }
      if (row_kernels && lanes == kLanes) {  // any 8 tiles: transposed to one after another, then written
        row_kernels->output_tiles(mo, ms, b, p.epilogue == Epilogue::kRelu, o);
        for (int l = 0; l < kLanes; ++l) scatter_tile(p, tiles[tg + l], oc, o + 16 * l, 1);
        continue;
      }
      for (int xi = 0; xi < 36; ++xi) {
        for (int l = 0; l < lanes; ++l) mt[xi * kLanes + l] = mo[xi * ms + l];
        for (int l = lanes; l < kLanes; ++l) mt[xi * kLanes + l] = 0.0f;
      }
      for (int j = 0; j < 6; ++j) output_1d(mt + j * kLanes, 6 * kLanes, r + j * kLanes, 6 * kLanes);  // r: 4x6
      for (int i = 0; i < 4; ++i) output_1d(r + i * 6 * kLanes, kLanes, o + i * 4 * kLanes, kLanes);     // o: 4x4
      for (int k = 0; k < 16 * kLanes; ++k) {
        float v = o[k] + b;
        if (p.epilogue == Epilogue::kRelu) v = v > 0.0f ? v : 0.0f;
        o[k] = v;
      }
      for (int l = 0; l < lanes; ++l) scatter_tile(p, tiles[tg + l], oc, o + l, kLanes);
    }
  }
}

// r = A v for 4 values spaced `s` apart (the adjoint of output_1d), 6 results spaced `rs`.
//   A = [ 1 0 0 0; 1 1 1 1; 1 -1 1 -1; 1 2 4 8; 1 -2 4 -8; 0 0 0 1 ]
inline void output_adjoint_1d(const float* v, int64_t s, float* r, int64_t rs) {
  for (int l = 0; l < kLanes; ++l) {
    const float y0 = v[l], y1 = v[s + l], y2 = v[2 * s + l], y3 = v[3 * s + l];
    const float e = y0 + y2, o = y1 + y3, e4 = y0 + 4.0f * y2, o4 = 2.0f * y1 + 8.0f * y3;
    r[l] = y0;
    r[rs + l] = e + o;
    r[2 * rs + l] = e - o;
    r[3 * rs + l] = e4 + o4;
    r[4 * rs + l] = e4 - o4;
    r[5 * rs + l] = y3;
  }
}

// M'[xi][oc][t] = (A dY_t A^T)[xi] for the `count` tiles, dY_t the tile's 4x4 outputs of dy
// (N, OC, OH, OW), zero where the tile reaches past the output, at m[xi * ms + oc * ldm + t].
void output_adjoint_transform(const Problem& p, const Tile* tiles, int64_t count, const float* dy, float* m,
                              int64_t ldm, int64_t ms) {
  alignas(64) float o[16 * kLanes], r[24 * kLanes], mt[36 * kLanes];
  const WinogradRowKernels* row_kernels = detail::active_winograd_row_kernels();
  const std::vector<char> rows = row_groups(p, tiles, count, true);
  for (int64_t oc = 0; oc < p.OC; ++oc) {
    for (int64_t tg = 0; tg < count; tg += kLanes) {
      const int lanes = static_cast<int>(std::min<int64_t>(kLanes, count - tg));
      if (rows[static_cast<size_t>(tg / kLanes)]) {
        const Tile& first = tiles[tg];
        const float* dy0 = dy + ((first.n * p.OC + oc) * p.OH + first.oh0) * p.OW + first.ow0;
        row_kernels->output_adjoint(dy0, p.OW, m + oc * ldm + tg, ms);
        continue;
      }
      for (int k = 0; k < 16 * kLanes; ++k) o[k] = 0.0f;
      if (row_kernels && lanes == kLanes) {  // any 8 tiles: gathered one after another, then transposed
        for (int l = 0; l < kLanes; ++l) gather_dy_tile(p, dy, tiles[tg + l], oc, o + 16 * l, 1);
        row_kernels->output_adjoint_tiles(o, m + oc * ldm + tg, ms);
        continue;
      }
      for (int l = 0; l < lanes; ++l) gather_dy_tile(p, dy, tiles[tg + l], oc, o + l, kLanes);
      // Columns first (r[i][j] = sum_k A[i][k] o[k][j], 6x4), then rows (6x6).
      for (int j = 0; j < 4; ++j) output_adjoint_1d(o + j * kLanes, 4 * kLanes, r + j * kLanes, 4 * kLanes);
      for (int i = 0; i < 6; ++i) output_adjoint_1d(r + i * 4 * kLanes, kLanes, mt + i * 6 * kLanes, kLanes);
      float* mo = m + oc * ldm + tg;
      for (int xi = 0; xi < 36; ++xi)
        for (int l = 0; l < lanes; ++l) mo[xi * ms + l] = mt[xi * kLanes + l];
    }
  }
}

// g_l += G^T u_l G for l < lanes, u_l[xi] = u[xi * us + l] (6x6), g_l = g + 9 l: the adjoint
// of transform_filters; in double. All kLanes lanes are computed (u must be readable for them),
// the lanes innermost so the loops vectorize; each lane's sums run in the same order as one at a time.
void transform_filters_adjoint(const double* u, int64_t us, int lanes, float* g) {
  static constexpr double kG[6][3] = {{1.0 / 4, 0, 0},           {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                      {-1.0 / 6, 1.0 / 6, -1.0 / 6}, {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                      {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};
  double t[6][3][kLanes];  // t = u G
  for (int i = 0; i < 6; ++i)
    for (int b = 0; b < 3; ++b) {
      double* sum = t[i][b];
      for (int l = 0; l < kLanes; ++l) sum[l] = 0.0;
      for (int j = 0; j < 6; ++j)
        for (int l = 0; l < kLanes; ++l) sum[l] += u[(i * 6 + j) * us + l] * kG[j][b];
    }
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) {
      double sum[kLanes] = {};
      for (int i = 0; i < 6; ++i)
        for (int l = 0; l < kLanes; ++l) sum[l] += kG[i][a] * t[i][b][l];
      for (int l = 0; l < lanes; ++l) g[9 * l + a * 3 + b] += static_cast<float>(sum[l]);
    }
}

// Every 4x4 output tile of every image and sub-grid; sub-grid (a, b) holds output rows a, a+d, ...
// and columns b, b+d, ..., a dense image tiled 4x4 whose input patches step by d.
std::vector<Tile> list_tiles(int64_t N, const ConvGeometry& g) {
  const int64_t d = g.dilation, OH = g.out_height(), OW = g.out_width();
  std::vector<Tile> tiles;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t a = 0; a < d; ++a)
      for (int64_t b = 0; b < d; ++b) {
        const int64_t sub_h = (OH - a + d - 1) / d, sub_w = (OW - b + d - 1) / d;
        for (int64_t ty = 0; 4 * ty < sub_h; ++ty)
          for (int64_t tx = 0; 4 * tx < sub_w; ++tx) {
            const int64_t oh0 = a + 4 * d * ty, ow0 = b + 4 * d * tx;
            tiles.push_back(Tile{static_cast<int32_t>(n), static_cast<int32_t>(oh0 - g.padding),
                                 static_cast<int32_t>(ow0 - g.padding), static_cast<int32_t>(oh0),
                                 static_cast<int32_t>(ow0), static_cast<int32_t>(std::min<int64_t>(4, sub_h - 4 * ty)),
                                 static_cast<int32_t>(std::min<int64_t>(4, sub_w - 4 * tx))});
          }
      }
  return tiles;
}

// Blocks of at most tb tiles (V and M of a block within kBlockBytes), as even as possible.
struct BlockPlan {
  int64_t tb, blocks, step;
};

// `threads`: the block count is a multiple of it, so no thread waits on another's extra block.
// Blocks are whole GEMM panels wide (gemm_panel_width(): 32 tiles with AVX-512, 16 with AVX2), so
// no product ends in a part-filled panel (48 tiles on AVX-512 computed 64 columns).
BlockPlan plan_blocks(int64_t total, int64_t C, int64_t OC, int64_t threads) {
  const int64_t unit = std::max<int64_t>(kLanes, gemm_panel_width());
  const int64_t tb = std::clamp<int64_t>(kBlockBytes / (36 * 4 * (C + OC)) / unit * unit, std::max(kMinBlock, unit),
                                         std::max(kMaxBlock, unit));
  const int64_t blocks = std::min(((total + tb - 1) / tb + threads - 1) / threads * threads, (total + kLanes - 1) / kLanes);
  // Blocks start at multiples of kLanes, so where rows of tiles do too (widths of 32k pixels) every
  // group of kLanes tiles is one row for the row kernels. With fewer tiles than a panel per
  // thread, one block (the caller splits its steps instead).
  const int64_t step = ((total + blocks - 1) / blocks + unit - 1) / unit * unit;
  return {tb, (total + step - 1) / step, step};
}

// V and M of a block hold, per channel, its 36 rows of tb tiles together (V[xi][c][t] at
// c * ld + xi * tb + t): the transforms touch all 36 rows of one channel at once, and laid out
// plane by plane (xi outermost) those lay 36 pages and, at multiples of 4 KB apart, one L1 set
// apart. The channel stride ld is 36 tb rounded up to an odd number of 64-byte lines.
int64_t channel_stride(int64_t tb) {
  const int64_t lines = (36 * tb + 15) / 16;
  return (lines | 1) * 16;
}

}  // namespace

bool winograd_applies(const ConvGeometry& g, int64_t out_channels) {
  if (g.kernel_size != 3 || g.stride != 1) return false;
  if (g.out_height() < 1 || g.out_width() < 1) return false;
  // The transforms cost ~ (C + OC) per tile-element against the GEMM's C * OC: with few channels
  // they dominate and im2col + gemm wins. Measured per layer, batch 1 at 128x128 against blocked
  // im2col + gemm (AVX2, transforms on the row kernels): 3->12 (256^2) 0.67x, 6->12 1.05x,
  // 4->32 1.1x, 8->8 1.4x, 12->6 1.55x, 12->24 1.7x, 32->2 1.85x, 24->24 2.1x.
  if (g.channels < 4 || g.channels * out_channels < 64) return false;
  // Tiles cut at the border compute outputs that are thrown away: on a sub-grid of side s the
  // useful share is (s / (4 ceil(s/4)))^2. Below half (sub-grids of 1-3 pixels: a dilated
  // convolution on a tiny image) Winograd's 4x gain is gone.
  const int64_t d = g.dilation, OH = g.out_height(), OW = g.out_width();
  int64_t tiles = 0;
  for (int64_t a = 0; a < std::min(d, OH); ++a)
    for (int64_t b = 0; b < std::min(d, OW); ++b) tiles += ((OH - a + d - 1) / d + 3) / 4 * (((OW - b + d - 1) / d + 3) / 4);
  return 2 * OH * OW >= 16 * tiles;
}

bool winograd_dw_applies(const ConvGeometry& g, int64_t out_channels) {
  // dW is 36 products of (OC x tiles) by (tiles x C): with few channels on either side each is a
  // thin matrix whose packing outweighs its multiply-adds. Measured, dW of 16 images (AVX2,
  // 2 threads), Winograd against im2col + gemm: 4->32 at 128^2 23-32 vs 18-22 ms, 8->8 12 vs
  // 7-9 ms, 16->32 34 vs 30-41 ms, 32->16 29 vs 30-39 ms, 32->32 at 64^2 8 vs 12 ms.
  return winograd_applies(g, out_channels) && std::min(g.channels, out_channels) >= 16;
}

WinogradFilters::WinogradFilters(const float* w, int64_t out_channels, int64_t in_channels)
    : OC_(out_channels), C_(in_channels) {
  const int64_t OC = OC_, C = C_;
  // U[xi][oc][c] = (G w[oc][c] G^T)[xi]
  // On all threads: a training step rebuilds the filters of every Winograd layer twice (forward
  // and dx); serially, 128 x 128 filters took 1.4-1.8 ms, a sixth of that layer's dx + dW at 16^2.
  // Scratch kept by the calling thread: fresh pages on every call cost more than the transform.
  float* u = t_scratch.get(36 * OC * C);  // every element written below
  parallel_for(OC, [&](int64_t oc_begin, int64_t oc_end) {
    for (int64_t oc = oc_begin; oc < oc_end; ++oc)
      for (int64_t c = 0; c < C; c += kLanes)
        transform_filters(w + (oc * C + c) * 9, static_cast<int>(std::min<int64_t>(kLanes, C - c)),
                          u + oc * C + c, OC * C);
  });
  // The 36 (OC x C) filter matrices are packed for the GEMM once, not once per block of tiles.
  packed_.resize(36);
  parallel_for(36, [&](int64_t xi_begin, int64_t xi_end) {
    for (int64_t xi = xi_begin; xi < xi_end; ++xi)
      packed_[static_cast<size_t>(xi)] = std::make_unique<const GemmPackedA>(Trans::kNo, OC, C, u + xi * OC * C, C);
  });
}

void winograd_conv3x3(const float* x, int64_t N, const ConvGeometry& g, const float* w, int64_t OC,
                      const float* bias, Epilogue epilogue, float* y) {
  winograd_conv3x3(x, N, g, WinogradFilters(w, OC, g.channels), bias, epilogue, y);
}

void winograd_conv3x3(const float* x, int64_t N, const ConvGeometry& g, const WinogradFilters& filters,
                      const float* bias, Epilogue epilogue, float* y) {
  const int64_t C = g.channels, OC = filters.out_channels(), d = g.dilation, OH = g.out_height(), OW = g.out_width();
  if (filters.in_channels() != C)
    throw ArgumentError("winograd_conv3x3: filters for " + std::to_string(filters.in_channels()) +
                        " input channels, the input has " + std::to_string(C));
  const std::vector<Tile> tiles = list_tiles(N, g);
  const int64_t total = static_cast<int64_t>(tiles.size());
  const BlockPlan plan = plan_blocks(total, C, OC, num_threads());
  const int64_t tb = plan.tb, step = plan.step;
  const Problem p{x, C, g.height, g.width, OC, OH, OW, g.padding, d, g.padding_mode == PaddingMode::kReflect,
                  bias, epilogue, y};
  const int64_t ld = channel_stride(tb);  // V and M: row c (oc) of plane xi at c * ld + xi * tb
  if (plan.blocks == 1 && num_threads() > 1) {
    // One block (a small map: 16 tiles of a 16^2 image): its three steps, each split over the
    // threads instead of one thread doing it all (by channels, xi, output channels).
    float* v = t_v.get(C * ld);
    float* m = t_m.get(OC * ld);
    parallel_for(C, [&](int64_t c0, int64_t c1) { input_transform(p, tiles.data(), total, v, ld, tb, c0, c1); });
    parallel_for(36, [&](int64_t x0, int64_t x1) {
      for (int64_t xi = x0; xi < x1; ++xi)
        gemm_packed(filters.packed(static_cast<int>(xi)), total, v + xi * tb, ld, m + xi * tb, ld);
    });
    parallel_for(OC, [&](int64_t o0, int64_t o1) { output_transform(p, tiles.data(), total, m, ld, tb, o0, o1); });
    return;
  }
  parallel_for(plan.blocks, [&](int64_t begin, int64_t end) {
    float* v = t_v.get(C * ld);
    float* m = t_m.get(OC * ld);
    for (int64_t block = begin; block < end; ++block) {
      const int64_t t0 = block * step, count = std::min(total, t0 + step) - t0;
      if (count <= 0) continue;
      input_transform(p, tiles.data() + t0, count, v, ld, tb);
      for (int xi = 0; xi < 36; ++xi) gemm_packed(filters.packed(xi), count, v + xi * tb, ld, m + xi * tb, ld);
      output_transform(p, tiles.data() + t0, count, m, ld, tb);
    }
  });
}

// dW: the products are element-wise in the transformed domain, so with M' = A dY A^T per tile
//   dU[xi][oc][c] = sum_t M'[xi][oc][t] V[xi][c][t]      36 GEMMs (OC x tb)(tb x C) per block
//   dW[oc][c]    += G^T dU[.][oc][c] G
// The blocks are cut into kDwParts parts whatever the thread count; each sums its own dU and the
// parts are added in order, so the result depends neither on timing nor on the number of threads.
void winograd_conv3x3_dw(const float* x, int64_t N, const ConvGeometry& g, const float* dy, int64_t OC, float* dw) {
  const int64_t C = g.channels;
  const std::vector<Tile> tiles = list_tiles(N, g);
  const int64_t total = static_cast<int64_t>(tiles.size());
  const BlockPlan plan = plan_blocks(total, C, OC, kDwParts);
  const int64_t tb = plan.tb, step = plan.step;
  const int64_t parts = std::min<int64_t>(kDwParts, plan.blocks);
  const Problem p{x, C, g.height, g.width, OC, g.out_height(), g.out_width(), g.padding, g.dilation,
                  g.padding_mode == PaddingMode::kReflect, nullptr, Epilogue::kNone, nullptr};
  // Each part's dU is written by its first block's products (beta 0), so it needs no zeroing.
  float* const du_all = t_scratch.get(parts * 36 * OC * C);
  auto du = [&](int64_t part) { return du_all + part * 36 * OC * C; };
  std::vector<char> written(static_cast<size_t>(parts), 0);
  const int64_t ld = channel_stride(tb);  // V and M: row c (oc) of plane xi at c * ld + xi * tb
  parallel_for(parts, [&](int64_t part_begin, int64_t part_end) {
    float* v = t_v.get(C * ld);
    float* m = t_m.get(OC * ld);
    for (int64_t part = part_begin; part < part_end; ++part) {
      float* dup = du(part);
      for (int64_t block = part * plan.blocks / parts; block < (part + 1) * plan.blocks / parts; ++block) {
        const int64_t t0 = block * step, count = std::min(total, t0 + step) - t0;
        if (count <= 0) continue;
        input_transform(p, tiles.data() + t0, count, v, ld, tb);
        output_adjoint_transform(p, tiles.data() + t0, count, dy, m, ld, tb);
        const float beta = written[static_cast<size_t>(part)] ? 1.0f : 0.0f;
        for (int xi = 0; xi < 36; ++xi)
          gemm(Trans::kNo, Trans::kYes, OC, C, count, 1.0f, m + xi * tb, ld, v + xi * tb, ld, beta,
               dup + xi * OC * C, C);
        written[static_cast<size_t>(part)] = 1;
      }
    }
  });
  // dW[oc][c] += G^T (sum of the parts' dU) G. Output channels are independent (each sums the
  // parts in the same order on any thread). Per output channel the parts' 36 rows of C floats are
  // summed whole, then transformed 8 filters at a time. This pass reads all the parts' dU (9.4 MB
  // for 128 x 128 channels) and waits on memory: a sixth of that layer's dW at 16^2, however the
  // reads are ordered.
  parallel_for(OC, [&](int64_t oc_begin, int64_t oc_end) {
    std::vector<double> sum(static_cast<size_t>(36 * C + kLanes));  // the padding: lanes past C read zeros
    for (int64_t oc = oc_begin; oc < oc_end; ++oc) {
      std::fill(sum.begin(), sum.end(), 0.0);
      for (int64_t part = 0; part < parts; ++part) {
        if (!written[static_cast<size_t>(part)]) continue;
        for (int xi = 0; xi < 36; ++xi) {
          const float* row = du(part) + xi * OC * C + oc * C;
          double* acc = sum.data() + xi * C;
          for (int64_t c = 0; c < C; ++c) acc[c] += row[c];
        }
      }
      for (int64_t c = 0; c < C; c += kLanes)
        transform_filters_adjoint(sum.data() + c, C, static_cast<int>(std::min<int64_t>(kLanes, C - c)),
                                  dw + (oc * C + c) * 9);
    }
  });
}

}  // namespace neuroshop
