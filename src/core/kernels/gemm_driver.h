// The blocked GEMM algorithm (GotoBLAS / BLIS), written once and compiled once per instruction set:
// each kernel file (gemm.cpp, gemm_avx2.cpp, gemm_avx512.cpp) includes this header and instantiates
// make_gemm_kernel<ItsKernel>. Everything here has internal linkage (anonymous namespace), so the copy
// compiled with -mavx512f can never be merged by the linker into code that runs on other CPUs.
// Include no standard-library templates here for the same reason.
//
// The loop nest (the outer two loops live in gemm.cpp, which also threads them):
//   ic: mc rows of op(A)        pack op(A)[ic:ic+mc, pc:pc+kc] into MR-row panels (k-major)
//     pc: kc of K               (first kc block applies beta, the others accumulate)
//       gemm_macro:
//       jc: nc columns          pack op(B)[pc:pc+kc, jc:jc+nc] into NR-column panels (k-major)
//         ir: MR rows           the A micro-panel (MR x kc) stays in L1 ...
//           jr: NR columns      ... while B micro-panels stream from L2 (the kc x nc block fits there)
//             micro-kernel      C[ir:ir+MR, jr:jr+NR] = alpha * Apanel * Bpanel + beta * C
// Packing absorbs the transposes: the micro-kernel sees one layout whatever trans_a / trans_b are.
//
// A Kernel type provides:
//   static constexpr int kMr, kNr, kNGrain;   // kNGrain: narrowest efficient column count
//   static void micro(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
//                     float alpha, float beta, int mr, int nr);   // mr <= kMr, nr <= kNr valid
//   static void pack_a(const GemmArgs&, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float* dst);
//   static void pack_b(const GemmArgs&, int64_t p0, int64_t kc, int64_t j0, int64_t nc, float* dst);
//   static double peak_probe(int64_t iterations);   // GemmPeakProbeFn
// (pack_a_generic / pack_b_generic below are the plain versions.)
#pragma once

#include <cstdint>

#include "core/kernels/gemm_internal.h"

namespace neuroshop::detail {
namespace {

template <class T>
inline T gemm_min(T a, T b) {
  return a < b ? a : b;
}

// Packs op(A)[i0:i0+mc, p0:p0+kc] as ceil(mc/MR) panels; panel r holds
// dst[r*kc*MR + k*MR + i] = op(A)[i0 + r*MR + i][p0 + k], zero past the last row.
template <int MR>
void pack_a_generic(const GemmArgs& g, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float* dst) {
  for (int64_t ir = 0; ir < mc; ir += MR, dst += kc * MR) {
    const int rows = static_cast<int>(gemm_min<int64_t>(MR, mc - ir));
    if (g.trans_a == Trans::kYes) {
      // op(A)[i][k] = A[k*lda + i]: for each k the panel's rows are contiguous.
      for (int64_t k = 0; k < kc; ++k) {
        const float* src = g.A + (p0 + k) * g.lda + i0 + ir;
        float* d = dst + k * MR;
        for (int i = 0; i < rows; ++i) d[i] = src[i];
        for (int i = rows; i < MR; ++i) d[i] = 0.0f;
      }
    } else {
      // op(A)[i][k] = A[i*lda + k]: read each row along k, write it with stride MR.
      for (int i = 0; i < rows; ++i) {
        const float* src = g.A + (i0 + ir + i) * g.lda + p0;
        for (int64_t k = 0; k < kc; ++k) dst[k * MR + i] = src[k];
      }
      for (int i = rows; i < MR; ++i)
        for (int64_t k = 0; k < kc; ++k) dst[k * MR + i] = 0.0f;
    }
  }
}

// Packs op(B)[p0:p0+kc, j0:j0+nc] as ceil(nc/NR) panels; panel r holds
// dst[r*kc*NR + k*NR + j] = op(B)[p0 + k][j0 + r*NR + j], zero past the last column.
template <int NR>
void pack_b_generic(const GemmArgs& g, int64_t p0, int64_t kc, int64_t j0, int64_t nc, float* dst) {
  for (int64_t jr = 0; jr < nc; jr += NR, dst += kc * NR) {
    const int cols = static_cast<int>(gemm_min<int64_t>(NR, nc - jr));
    if (g.trans_b == Trans::kNo) {
      // op(B)[k][j] = B[k*ldb + j]: for each k the panel's columns are contiguous.
      for (int64_t k = 0; k < kc; ++k) {
        const float* src = g.B + (p0 + k) * g.ldb + j0 + jr;
        float* d = dst + k * NR;
        for (int j = 0; j < cols; ++j) d[j] = src[j];
        for (int j = cols; j < NR; ++j) d[j] = 0.0f;
      }
    } else {
      // op(B)[k][j] = B[j*ldb + k]: read each stored row along k, write it with stride NR.
      for (int j = 0; j < cols; ++j) {
        const float* src = g.B + (j0 + jr + j) * g.ldb + p0;
        for (int64_t k = 0; k < kc; ++k) dst[k * NR + j] = src[k];
      }
      for (int j = cols; j < NR; ++j)
        for (int64_t k = 0; k < kc; ++k) dst[k * NR + j] = 0.0f;
    }
  }
}

// The macro-kernel (GemmMacroFn): one packed block of A against op(B)[p0:p0+kc, n0:n1].
template <class Kernel>
void gemm_macro(const GemmArgs& g, const GemmBlocking& blocking, const float* packed_a, int64_t i0, int64_t mc,
                int64_t p0, int64_t kc, int64_t n0, int64_t n1, float beta, float* packed_b) {
  constexpr int MR = Kernel::kMr, NR = Kernel::kNr;
  // Split N evenly into blocks of whole panels, so the last block is never a sliver.
  const int64_t n_blocks = (n1 - n0 + blocking.nc - 1) / blocking.nc;
  const int64_t nc_step = ((n1 - n0 + n_blocks - 1) / n_blocks + NR - 1) / NR * NR;
  for (int64_t jc = n0; jc < n1; jc += nc_step) {
    const int64_t nc = gemm_min(nc_step, n1 - jc);
    Kernel::pack_b(g, p0, kc, jc, nc, packed_b);
    for (int64_t ir = 0; ir < mc; ir += MR) {
      const int mr = static_cast<int>(gemm_min<int64_t>(MR, mc - ir));
      const float* a = packed_a + ir * kc;
      float* c_row = g.C + (i0 + ir) * g.ldc + jc;
      for (int64_t jr = 0; jr < nc; jr += NR) {
        const int nr = static_cast<int>(gemm_min<int64_t>(NR, nc - jr));
        Kernel::micro(kc, a, packed_b + jr * kc, c_row + jr, g.ldc, g.alpha, beta, mr, nr);
      }
    }
  }
}

template <class Kernel>
GemmKernel make_gemm_kernel(const char* name, int64_t mc, int64_t kc, int64_t nc) {
  return GemmKernel{name,           GemmBlocking{Kernel::kMr, Kernel::kNr, Kernel::kNGrain, mc, kc, nc},
                    &Kernel::pack_a, &gemm_macro<Kernel>,
                    &Kernel::micro,  &Kernel::peak_probe};
}

}  // namespace
}  // namespace neuroshop::detail
