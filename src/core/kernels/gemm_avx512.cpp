// The AVX-512 GEMM kernel: a 14 x 32 register-blocked micro-kernel (28 zmm accumulators, two zmm
// of B and one broadcast of A per k) and packing routines that transpose 16 x 16 blocks in
// registers. Compiled with -mavx512f etc. (CMakeLists.txt); called only after the dispatcher in
// gemm.cpp has checked that the CPU supports it.
// Not here: the loop nest (gemm_driver.h), threading and the small-product path (gemm.cpp).
#include "core/kernels/gemm_driver.h"

#if defined(__AVX512F__) && defined(__FMA__)
#include <immintrin.h>

#include <unistd.h>

namespace neuroshop::detail {
namespace {

constexpr int kMr = 14;
constexpr int kNv = 2;  // zmm vectors per row of the C tile
constexpr int kNr = 16 * kNv;
// How far ahead (in floats) the micro-kernel prefetches the B panel it streams from L2.
constexpr int kPrefetchB = 8 * kNr;

inline __mmask16 lane_mask(int count) {
  return count >= 16 ? static_cast<__mmask16>(0xFFFF)
                     : static_cast<__mmask16>(count <= 0 ? 0u : (1u << count) - 1u);
}

// C[0:ROWS, 0:nr] = alpha * a * b + beta * C, with a packed k-major with stride kMr (only the
// first ROWS used) and b packed k-major with stride kNr (only the first 16*NV used).
// The accumulators live in registers: ROWS * NV <= 28 of the 32 zmm.
template <int ROWS, int NV>
void micro_tile(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta,
                int nr) {
  __m512 acc[ROWS][NV];
#pragma GCC unroll 16
  for (int i = 0; i < ROWS; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      acc[i][v] = _mm512_setzero_ps();
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 16 * v), _MM_HINT_T0);  // read at the end
    }

  for (int64_t k = 0; k < kc; ++k) {
    __m512 bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      bv[v] = _mm512_load_ps(b + 16 * v);
      _mm_prefetch(reinterpret_cast<const char*>(b + kPrefetchB + 16 * v), _MM_HINT_T0);
    }
#pragma GCC unroll 16
    for (int i = 0; i < ROWS; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
    }
    a += kMr;
    b += kNr;
  }

  __mmask16 mask[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) mask[v] = lane_mask(nr - 16 * v);
  const __m512 va = _mm512_set1_ps(alpha);
  if (beta == 0.0f) {  // C is not read: it may hold NaN
#pragma GCC unroll 16
    for (int i = 0; i < ROWS; ++i)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v)
        _mm512_mask_storeu_ps(c + i * ldc + 16 * v, mask[v], _mm512_mul_ps(va, acc[i][v]));
  } else if (beta == 1.0f) {
#pragma GCC unroll 16
    for (int i = 0; i < ROWS; ++i)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        float* p = c + i * ldc + 16 * v;
        _mm512_mask_storeu_ps(p, mask[v], _mm512_fmadd_ps(va, acc[i][v], _mm512_maskz_loadu_ps(mask[v], p)));
      }
  } else {
    const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
    for (int i = 0; i < ROWS; ++i)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        float* p = c + i * ldc + 16 * v;
        const __m512 old = _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(mask[v], p));
        _mm512_mask_storeu_ps(p, mask[v], _mm512_fmadd_ps(va, acc[i][v], old));
      }
  }
}

// Picks the instantiation for a (possibly partial) tile so edge tiles cost what they compute.
template <int ROWS>
void micro_rows(int mr, int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta,
                int nr) {
  if constexpr (ROWS >= 1) {
    if (mr == ROWS) {
      if (nr > 16)
        micro_tile<ROWS, 2>(kc, a, b, c, ldc, alpha, beta, nr);
      else
        micro_tile<ROWS, 1>(kc, a, b, c, ldc, alpha, beta, nr);
    } else {
      micro_rows<ROWS - 1>(mr, kc, a, b, c, ldc, alpha, beta, nr);
    }
  }
}

// In-register transpose: on return r[t] holds lane l = old r[l] lane t.
// (The maskz_ forms with a full mask compile to the plain instructions; the plain intrinsics trip
// a false -Wmaybe-uninitialized in GCC 12's headers.)
inline void transpose16(__m512 r[16]) {
  constexpr __mmask16 kAll = 0xFFFF;
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_maskz_unpacklo_ps(kAll, r[i], r[i + 1]);
    t[i + 1] = _mm512_maskz_unpackhi_ps(kAll, r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_maskz_shuffle_ps(kAll, t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 1] = _mm512_maskz_shuffle_ps(kAll, t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    r[i + 2] = _mm512_maskz_shuffle_ps(kAll, t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 3] = _mm512_maskz_shuffle_ps(kAll, t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int i = 0; i < 16; i += 8) {
    for (int j = 0; j < 4; ++j) {
      t[i + j] = _mm512_maskz_shuffle_f32x4(kAll, r[i + j], r[i + j + 4], 0x88);
      t[i + j + 4] = _mm512_maskz_shuffle_f32x4(kAll, r[i + j], r[i + j + 4], 0xDD);
    }
  }
  for (int j = 0; j < 8; ++j) {
    r[j] = _mm512_maskz_shuffle_f32x4(kAll, t[j], t[j + 8], 0x88);
    r[j + 8] = _mm512_maskz_shuffle_f32x4(kAll, t[j], t[j + 8], 0xDD);
  }
}

// dst[k*W + l] = src[l*ld + k] for l < lanes, zero for lanes <= l < W; k < kc.
template <int W>
void pack_transposed(const float* src, int64_t ld, int lanes, int64_t kc, float* dst) {
  for (int l0 = 0; l0 < W; l0 += 16) {
    const __mmask16 store_mask = lane_mask(W - l0);
    const int valid = lanes - l0;
    for (int64_t k0 = 0; k0 < kc; k0 += 16) {
      const int kn = static_cast<int>(gemm_min<int64_t>(16, kc - k0));
      const __mmask16 load_mask = lane_mask(kn);
      __m512 r[16];
#pragma GCC unroll 16
      for (int l = 0; l < 16; ++l)
        r[l] = l < valid ? _mm512_maskz_loadu_ps(load_mask, src + (l0 + l) * ld + k0) : _mm512_setzero_ps();
      transpose16(r);
      float* d = dst + k0 * W + l0;
      if (kn == 16) {
#pragma GCC unroll 16
        for (int t = 0; t < 16; ++t) _mm512_mask_storeu_ps(d + t * W, store_mask, r[t]);
      } else {
        for (int t = 0; t < kn; ++t) _mm512_mask_storeu_ps(d + t * W, store_mask, r[t]);
      }
    }
  }
}

// dst[k*W + l] = src[k*ld + l] for l < lanes, zero for lanes <= l < W; k < kc.
template <int W>
void pack_copy(const float* src, int64_t ld, int lanes, int64_t kc, float* dst) {
  constexpr int kGroups = (W + 15) / 16;
  __mmask16 load_mask[kGroups], store_mask[kGroups];
  for (int g = 0; g < kGroups; ++g) {
    load_mask[g] = lane_mask(lanes - 16 * g);
    store_mask[g] = lane_mask(W - 16 * g);
  }
  for (int64_t k = 0; k < kc; ++k, src += ld, dst += W) {
#pragma GCC unroll 4
    for (int g = 0; g < kGroups; ++g)
      _mm512_mask_storeu_ps(dst + 16 * g, store_mask[g], _mm512_maskz_loadu_ps(load_mask[g], src + 16 * g));
  }
}

struct Avx512Kernel {
  static constexpr int kMr = neuroshop::detail::kMr;
  static constexpr int kNr = neuroshop::detail::kNr;
  static constexpr int kNGrain = 16;  // one vector: micro_tile<ROWS, 1>

  static void micro(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta,
                    int mr, int nr) {
    if (mr == kMr && nr > 16)
      micro_tile<kMr, 2>(kc, a, b, c, ldc, alpha, beta, nr);
    else
      micro_rows<kMr>(mr, kc, a, b, c, ldc, alpha, beta, nr);
  }

  static void pack_a(const GemmArgs& g, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float* dst) {
    for (int64_t ir = 0; ir < mc; ir += kMr, dst += kc * kMr) {
      const int rows = static_cast<int>(gemm_min<int64_t>(kMr, mc - ir));
      if (g.trans_a == Trans::kYes)
        pack_copy<kMr>(g.A + p0 * g.lda + i0 + ir, g.lda, rows, kc, dst);
      else
        pack_transposed<kMr>(g.A + (i0 + ir) * g.lda + p0, g.lda, rows, kc, dst);
    }
  }

  static void pack_b(const GemmArgs& g, int64_t p0, int64_t kc, int64_t j0, int64_t nc, float* dst) {
    for (int64_t jr = 0; jr < nc; jr += kNr, dst += kc * kNr) {
      const int cols = static_cast<int>(gemm_min<int64_t>(kNr, nc - jr));
      if (g.trans_b == Trans::kNo)
        pack_copy<kNr>(g.B + p0 * g.ldb + j0 + jr, g.ldb, cols, kc, dst);
      else
        pack_transposed<kNr>(g.B + (j0 + jr) * g.ldb + p0, g.ldb, cols, kc, dst);
    }
  }

  // 12 zmm chains: two FMA ports times a latency of 4 cycles need at least 8 in flight.
  static double peak_probe(int64_t iterations) {
    __m512 acc[12];
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (int64_t it = 0; it < iterations; ++it)
#pragma GCC unroll 12
      for (int i = 0; i < 12; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    __m512 sum = acc[0];
#pragma GCC unroll 12
    for (int i = 1; i < 12; ++i) sum = _mm512_add_ps(sum, acc[i]);
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, sum);
    volatile float keep = lanes[0];  // keeps the loop from being optimized away
    (void)keep;
    return static_cast<double>(iterations) * 12 * 16 * 2;
  }
};

// Blocking (measured on 2048^3): the A micro-panel (14 x 384 floats, 21 KB) stays in L1; the
// kc x nc block of B takes about 3/8 of L2 (768 KB of a 2 MB L2) while every A panel streams over
// it. mc is large because in this loop order A is packed once per (mc, kc) block and B is
// re-packed for every mc block of rows.
GemmKernel make_kernel() {
  constexpr int64_t kKc = 384;
  long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  if (l2 <= 0) l2 = 1 << 20;
  int64_t nc = static_cast<int64_t>(l2) * 3 / 8 / (kKc * 4) / kNr * kNr;
  nc = nc < 4 * kNr ? 4 * kNr : (nc > 2048 ? 2048 : nc);
  return make_gemm_kernel<Avx512Kernel>("avx512", 150 * kMr, kKc, nc);
}

}  // namespace

const GemmKernel* gemm_kernel_avx512() {
  static const GemmKernel kernel = make_kernel();
  return &kernel;
}

}  // namespace neuroshop::detail

#else  // compiler without AVX-512 flags (another architecture): the kernel does not exist

namespace neuroshop::detail {
const GemmKernel* gemm_kernel_avx512() { return nullptr; }
}  // namespace neuroshop::detail

#endif
