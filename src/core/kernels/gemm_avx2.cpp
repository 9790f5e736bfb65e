// The AVX2 + FMA GEMM kernel: a 6 x 16 register-blocked micro-kernel (12 ymm accumulators, two
// ymm of B and one broadcast of A per k). Operands stored along k (A as is, B transposed) are
// packed by 8 x 8 transposes in registers; the others by the plain copies of gemm_driver.h, which
// the compiler vectorizes for AVX2 in this file. Compiled with -mavx2 -mfma (CMakeLists.txt);
// called only after the dispatcher in gemm.cpp has checked that the CPU supports it.
// Not here: the loop nest (gemm_driver.h), threading and the small-product path (gemm.cpp).
#include "core/kernels/gemm_driver.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

#include "core/kernels/transpose_avx2.h"

namespace neuroshop::detail {
namespace {

constexpr int kMr = 6;
constexpr int kNv = 2;  // ymm vectors per row of the C tile
constexpr int kNr = 8 * kNv;

// Lanes [0, count) of a ymm, as the sign bits maskload/maskstore want.
inline __m256i lane_mask(int count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// C[0:ROWS, 0:nr] = alpha * a * b + beta * C; see gemm_avx512.cpp for the layout.
template <int ROWS, int NV>
void micro_tile(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta,
                int nr) {
  __m256 acc[ROWS][NV];
#pragma GCC unroll 8
  for (int i = 0; i < ROWS; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm256_setzero_ps();

  for (int64_t k = 0; k < kc; ++k) {
    __m256 bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = _mm256_load_ps(b + 8 * v);
#pragma GCC unroll 8
    for (int i = 0; i < ROWS; ++i) {
      const __m256 ai = _mm256_broadcast_ss(a + i);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm256_fmadd_ps(ai, bv[v], acc[i][v]);
    }
    a += kMr;
    b += kNr;
  }

  const __m256 va = _mm256_set1_ps(alpha);
  const __m256 vb = _mm256_set1_ps(beta);
  if (nr == 8 * NV) {
#pragma GCC unroll 8
    for (int i = 0; i < ROWS; ++i)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        float* p = c + i * ldc + 8 * v;
        __m256 r = _mm256_mul_ps(va, acc[i][v]);
        if (beta != 0.0f) r = _mm256_fmadd_ps(vb, _mm256_loadu_ps(p), r);  // beta == 0: C not read
        _mm256_storeu_ps(p, r);
      }
  } else {
    __m256i mask[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) mask[v] = lane_mask(nr - 8 * v);
#pragma GCC unroll 8
    for (int i = 0; i < ROWS; ++i)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        float* p = c + i * ldc + 8 * v;
        __m256 r = _mm256_mul_ps(va, acc[i][v]);
        if (beta != 0.0f) r = _mm256_fmadd_ps(vb, _mm256_maskload_ps(p, mask[v]), r);
        _mm256_maskstore_ps(p, mask[v], r);
      }
  }
}

// dst[k*W + l] = src[l*ld + k] for l < lanes, zero for lanes <= l < W; k < kc. The operand is read
// along k (contiguous) 8 rows at a time and transposed in registers, instead of being written with
// stride W one float at a time (what made the dW shapes, B^T, the slowest).
template <int W>
void pack_transposed(const float* src, int64_t ld, int lanes, int64_t kc, float* dst) {
  for (int l0 = 0; l0 < W; l0 += 8) {
    const __m256i store_mask = lane_mask(W - l0);
    const bool full_store = W - l0 >= 8;
    const int valid = lanes - l0;
    int64_t k0 = 0;
    if (full_store && valid >= 8) {
      // 16 k at a time: 64 contiguous bytes of each of the 8 rows per step, two transposes. Rows
      // are often a multiple of 4 KB apart (ld = 4096 floats in a conv's dW), all in one L1 set;
      // reading half a line per step asked that set to keep 8 lines until the next step.
      for (; k0 + 16 <= kc; k0 += 16) {
        __m256 r[8], q[8];
#pragma GCC unroll 8
        for (int l = 0; l < 8; ++l) {
          const float* row = src + (l0 + l) * ld + k0;
          _mm_prefetch(reinterpret_cast<const char*>(row + 64), _MM_HINT_T0);  // four steps ahead
          r[l] = _mm256_loadu_ps(row);
          q[l] = _mm256_loadu_ps(row + 8);
        }
        transpose8(r);
        transpose8(q);
        float* d = dst + k0 * W + l0;
#pragma GCC unroll 8
        for (int t = 0; t < 8; ++t) _mm256_storeu_ps(d + t * W, r[t]);
#pragma GCC unroll 8
        for (int t = 0; t < 8; ++t) _mm256_storeu_ps(d + (8 + t) * W, q[t]);
      }
    }
    for (; k0 < kc; k0 += 8) {
      const int kn = static_cast<int>(gemm_min<int64_t>(8, kc - k0));
      const __m256i load_mask = lane_mask(kn);
      __m256 r[8];
#pragma GCC unroll 8
      for (int l = 0; l < 8; ++l) {
        const float* row = src + (l0 + l) * ld + k0;
        r[l] = l >= valid ? _mm256_setzero_ps() : (kn == 8 ? _mm256_loadu_ps(row) : _mm256_maskload_ps(row, load_mask));
      }
      transpose8(r);
      float* d = dst + k0 * W + l0;
      for (int t = 0; t < kn; ++t) {
        if (full_store)
          _mm256_storeu_ps(d + t * W, r[t]);
        else
          _mm256_maskstore_ps(d + t * W, store_mask, r[t]);
      }
    }
  }
}

template <int ROWS>
void micro_rows(int mr, int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta,
                int nr) {
  if constexpr (ROWS >= 1) {
    if (mr == ROWS) {
      if (nr > 8)
        micro_tile<ROWS, 2>(kc, a, b, c, ldc, alpha, beta, nr);
      else
        micro_tile<ROWS, 1>(kc, a, b, c, ldc, alpha, beta, nr);
    } else {
      micro_rows<ROWS - 1>(mr, kc, a, b, c, ldc, alpha, beta, nr);
    }
  }
}

struct Avx2Kernel {
  static constexpr int kMr = neuroshop::detail::kMr;
  static constexpr int kNr = neuroshop::detail::kNr;
  static constexpr int kNGrain = 8;  // one vector: micro_tile<ROWS, 1>

  static void micro(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta,
                    int mr, int nr) {
    micro_rows<kMr>(mr, kc, a, b, c, ldc, alpha, beta, nr);
  }
  static void pack_a(const GemmArgs& g, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float* dst) {
    if (g.trans_a == Trans::kYes) {
      pack_a_generic<kMr>(g, i0, mc, p0, kc, dst);
      return;
    }
    for (int64_t ir = 0; ir < mc; ir += kMr, dst += kc * kMr)
      pack_transposed<kMr>(g.A + (i0 + ir) * g.lda + p0, g.lda, static_cast<int>(gemm_min<int64_t>(kMr, mc - ir)), kc,
                           dst);
  }
  static void pack_b(const GemmArgs& g, int64_t p0, int64_t kc, int64_t j0, int64_t nc, float* dst) {
    if (g.trans_b == Trans::kNo) {
      pack_b_generic<kNr>(g, p0, kc, j0, nc, dst);
      return;
    }
    for (int64_t jr = 0; jr < nc; jr += kNr, dst += kc * kNr)
      pack_transposed<kNr>(g.B + (j0 + jr) * g.ldb + p0, g.ldb, static_cast<int>(gemm_min<int64_t>(kNr, nc - jr)), kc,
                           dst);
  }
  // 12 ymm chains: two FMA ports times a latency of 4-5 cycles need at least 10 in flight.
  static double peak_probe(int64_t iterations) {
    __m256 acc[12];
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i));
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (int64_t it = 0; it < iterations; ++it)
#pragma GCC unroll 12
      for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    __m256 sum = acc[0];
#pragma GCC unroll 12
    for (int i = 1; i < 12; ++i) sum = _mm256_add_ps(sum, acc[i]);
    volatile float keep = _mm256_cvtss_f32(sum);  // keeps the loop from being optimized away
    (void)keep;
    return static_cast<double>(iterations) * 12 * 8 * 2;
  }
};

}  // namespace

const GemmKernel* gemm_kernel_avx2() {
  // kc x kNr of B (16 KB) per micro-panel; the 256 x 512 block of B (512 KB) in L2; mc large
  // because B is re-packed for every mc block of rows.
  static const GemmKernel kernel = make_gemm_kernel<Avx2Kernel>("avx2", 342 * kMr, 256, 512);
  return &kernel;
}

}  // namespace neuroshop::detail

#else  // compiler without AVX2 flags (another architecture): the kernel does not exist

namespace neuroshop::detail {
const GemmKernel* gemm_kernel_avx2() { return nullptr; }
}  // namespace neuroshop::detail

#endif
