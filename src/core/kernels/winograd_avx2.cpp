// The Winograd transforms of a row of 8 tiles in AVX2 registers; see winograd_internal.h.
// Compiled with -mavx2 only (no FMA): the arithmetic below is written exactly as input_1d,
// output_1d and output_adjoint_1d in winograd.cpp, so results are bit for bit the portable ones.
#include "core/kernels/winograd_internal.h"

#if defined(__AVX2__)
#include <immintrin.h>

#include <initializer_list>

#include "core/kernels/transpose_avx2.h"

namespace neuroshop::detail {
namespace {

using V = __m256;
inline V mul(float a, V b) { return _mm256_mul_ps(_mm256_set1_ps(a), b); }
inline V add(V a, V b) { return _mm256_add_ps(a, b); }
inline V sub(V a, V b) { return _mm256_sub_ps(a, b); }

// 32 consecutive floats p[0..31] -> d[j][l] = p[4 l + j], j = 0..3 (a transpose of 8 x 4).
inline void deinterleave4(const float* p, V d[4]) {
  const V a0 = _mm256_loadu_ps(p), a1 = _mm256_loadu_ps(p + 8), a2 = _mm256_loadu_ps(p + 16),
          a3 = _mm256_loadu_ps(p + 24);
  // 128-bit halves h_l = p[4l..4l+3]: r0 = [h0|h4], r1 = [h1|h5], r2 = [h2|h6], r3 = [h3|h7]
  const V r0 = _mm256_permute2f128_ps(a0, a2, 0x20), r1 = _mm256_permute2f128_ps(a0, a2, 0x31);
  const V r2 = _mm256_permute2f128_ps(a1, a3, 0x20), r3 = _mm256_permute2f128_ps(a1, a3, 0x31);
  // 4x4 transposes within each 128-bit half
  const V t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  const V t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  d[0] = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  d[1] = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  d[2] = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  d[3] = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
}

// The inverse: d[j][l] -> p[4 l + j], 32 floats.
inline void interleave4(const V d[4], float* p) {
  const V t0 = _mm256_unpacklo_ps(d[0], d[1]), t1 = _mm256_unpackhi_ps(d[0], d[1]);
  const V t2 = _mm256_unpacklo_ps(d[2], d[3]), t3 = _mm256_unpackhi_ps(d[2], d[3]);
  const V r0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), r1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  const V r2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), r3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  _mm256_storeu_ps(p, _mm256_permute2f128_ps(r0, r1, 0x20));
  _mm256_storeu_ps(p + 8, _mm256_permute2f128_ps(r2, r3, 0x20));
  _mm256_storeu_ps(p + 16, _mm256_permute2f128_ps(r0, r1, 0x31));
  _mm256_storeu_ps(p + 24, _mm256_permute2f128_ps(r2, r3, 0x31));
}

// v[l + 1] for l < 7 and `last` in lane 7.
inline V shift_in(V v, float last) {
  const V shifted = _mm256_permutevar8x32_ps(v, _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 7));
  return _mm256_blend_ps(shifted, _mm256_set1_ps(last), 0x80);
}

// As input_1d: r = B^T d.
inline void input_1d(const V d[6], V r[6]) {
  r[0] = add(sub(mul(4.0f, d[0]), mul(5.0f, d[2])), d[4]);
  r[1] = add(add(mul(-4.0f, add(d[1], d[2])), d[3]), d[4]);
  r[2] = add(sub(mul(4.0f, sub(d[1], d[2])), d[3]), d[4]);
  r[3] = add(sub(mul(2.0f, sub(d[3], d[1])), d[2]), d[4]);
  r[4] = add(sub(mul(2.0f, sub(d[1], d[3])), d[2]), d[4]);
  r[5] = add(sub(mul(4.0f, d[1]), mul(5.0f, d[3])), d[5]);
}

// As output_1d: r = A^T m (4 of 6).
inline void output_1d(const V m[6], V r[4]) {
  const V p12 = add(m[1], m[2]), n12 = sub(m[1], m[2]), p34 = add(m[3], m[4]), n34 = sub(m[3], m[4]);
  r[0] = add(add(m[0], p12), p34);
  r[1] = add(n12, mul(2.0f, n34));
  r[2] = add(p12, mul(4.0f, p34));
  r[3] = add(add(n12, mul(8.0f, n34)), m[5]);
}

// As output_adjoint_1d: r = A y (6 of 4).
inline void output_adjoint_1d(const V y[4], V r[6]) {
  const V e = add(y[0], y[2]), o = add(y[1], y[3]), e4 = add(y[0], mul(4.0f, y[2]));
  const V o4 = add(mul(2.0f, y[1]), mul(8.0f, y[3]));
  r[0] = y[0];
  r[1] = add(e, o);
  r[2] = sub(e, o);
  r[3] = add(e4, o4);
  r[4] = sub(e4, o4);
  r[5] = y[3];
}

// v[xi * vs + l] = (B^T d B)[xi] from the 36 lane vectors d[i][j]: columns first, then rows, as
// the portable path.
void input_from_lanes(const V d[6][6], float* v, int64_t vs) {
  V t[6][6];
  for (int j = 0; j < 6; ++j) {
    V col[6] = {d[0][j], d[1][j], d[2][j], d[3][j], d[4][j], d[5][j]}, r[6];
    input_1d(col, r);
    for (int i = 0; i < 6; ++i) t[i][j] = r[i];
  }
  for (int i = 0; i < 6; ++i) {
    V r[6];
    input_1d(t[i], r);
    for (int j = 0; j < 6; ++j) _mm256_storeu_ps(v + (i * 6 + j) * vs, r[j]);
  }
}

void input_row8(const float* x0, int64_t W, float* v, int64_t vs) {
  V d[6][6];  // d[i][j], lanes = tiles
  for (int i = 0; i < 6; ++i) {
    const float* row = x0 + i * W;
    deinterleave4(row, d[i]);
    d[i][4] = shift_in(d[i][0], row[32]);
    d[i][5] = shift_in(d[i][1], row[33]);
  }
  input_from_lanes(d, v, vs);
}

// Any 8 tiles, their patches gathered one after another (patches[36 l + xi]): to lanes by 8x8
// transposes (the last one over columns 28..35, of which 32..35 are kept).
void input_tiles8(const float* patches, float* v, int64_t vs) {
  V d[6][6];
  V* flat = &d[0][0];
  for (int k0 : {0, 8, 16, 24, 28}) {
    V r[8];
    for (int l = 0; l < 8; ++l) r[l] = _mm256_loadu_ps(patches + 36 * l + k0);
    transpose8(r);
    for (int k = k0 == 28 ? 4 : 0; k < 8; ++k) flat[k0 + k] = r[k];
  }
  input_from_lanes(d, v, vs);
}

// o[i][j] = epilogue((A^T m A)[i][j] + bias) as lane vectors, m[xi] = m + xi * ms.
void output_to_lanes(const float* m, int64_t ms, float bias, bool relu, V o[4][4]) {
  V r[4][6];
  for (int j = 0; j < 6; ++j) {
    V col[6], t[4];
    for (int k = 0; k < 6; ++k) col[k] = _mm256_loadu_ps(m + (k * 6 + j) * ms);
    output_1d(col, t);
    for (int i = 0; i < 4; ++i) r[i][j] = t[i];
  }
  const V b = _mm256_set1_ps(bias), zero = _mm256_setzero_ps();
  for (int i = 0; i < 4; ++i) {
    output_1d(r[i], o[i]);
    for (int j = 0; j < 4; ++j) {
      o[i][j] = add(o[i][j], b);
      if (relu) o[i][j] = _mm256_max_ps(o[i][j], zero);  // as the portable v > 0 ? v : 0 (no NaN here)
    }
  }
}

void output_row8(const float* m, int64_t ms, float bias, bool relu, float* y0, int64_t OW) {
  V o[4][4];
  output_to_lanes(m, ms, bias, relu, o);
  for (int i = 0; i < 4; ++i) interleave4(o[i], y0 + i * OW);
}

// Any 8 tiles: tiles[16 l + 4 i + j] = tile l's output (i, j), by two 8x8 transposes.
void output_tiles8(const float* m, int64_t ms, float bias, bool relu, float* tiles) {
  V o[4][4];
  output_to_lanes(m, ms, bias, relu, o);
  const V* flat = &o[0][0];
  for (int k0 : {0, 8}) {
    V r[8];
    for (int k = 0; k < 8; ++k) r[k] = flat[k0 + k];
    transpose8(r);
    for (int l = 0; l < 8; ++l) _mm256_storeu_ps(tiles + 16 * l + k0, r[l]);
  }
}

// m[xi * ms + l] = (A y A^T)[xi] from the lane vectors y[i][j].
void output_adjoint_from_lanes(const V y[4][4], float* m, int64_t ms) {
  V r[6][4];
  for (int j = 0; j < 4; ++j) {
    V col[4] = {y[0][j], y[1][j], y[2][j], y[3][j]}, o[6];
    output_adjoint_1d(col, o);
    for (int i = 0; i < 6; ++i) r[i][j] = o[i];
  }
  for (int i = 0; i < 6; ++i) {
    V o[6];
    output_adjoint_1d(r[i], o);
    for (int j = 0; j < 6; ++j) _mm256_storeu_ps(m + (i * 6 + j) * ms, o[j]);
  }
}

void output_adjoint_row8(const float* dy0, int64_t OW, float* m, int64_t ms) {
  V y[4][4];
  for (int i = 0; i < 4; ++i) deinterleave4(dy0 + i * OW, y[i]);
  output_adjoint_from_lanes(y, m, ms);
}

// Any 8 tiles, their 4x4 blocks of dy gathered one after another (tiles[16 l + 4 i + j]).
void output_adjoint_tiles8(const float* tiles, float* m, int64_t ms) {
  V y[4][4];
  V* flat = &y[0][0];
  for (int k0 : {0, 8}) {
    V r[8];
    for (int l = 0; l < 8; ++l) r[l] = _mm256_loadu_ps(tiles + 16 * l + k0);
    transpose8(r);
    for (int k = 0; k < 8; ++k) flat[k0 + k] = r[k];
  }
  output_adjoint_from_lanes(y, m, ms);
}

}  // namespace

const WinogradRowKernels* winograd_row_kernels_avx2() {
  static const WinogradRowKernels kernels{input_row8,          input_tiles8,          output_row8,
                                          output_tiles8,       output_adjoint_row8,   output_adjoint_tiles8};
  return &kernels;
}

}  // namespace neuroshop::detail

#else  // compiler without AVX2 flags (another architecture): the kernels do not exist

namespace neuroshop::detail {
const WinogradRowKernels* winograd_row_kernels_avx2() { return nullptr; }
}  // namespace neuroshop::detail

#endif
