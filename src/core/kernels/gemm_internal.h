// Internals of gemm shared by the dispatcher (gemm.cpp), the per-ISA kernel files and the tests:
// the argument bundle, the description of one compiled kernel, and a way to run a chosen kernel.
// Not here: the blocked algorithm itself (gemm_driver.h, included only by the kernel files).
#pragma once

#include <cstdint>
#include <vector>

#include "core/kernels/gemm.h"

namespace neuroshop::detail {

struct GemmArgs {
  Trans trans_a, trans_b;
  int64_t M, N, K;
  float alpha;
  const float* A;
  int64_t lda;
  const float* B;
  int64_t ldb;
  float beta;
  float* C;
  int64_t ldc;
};

// Cache blocking of a kernel: C is computed in MR x NR tiles; op(A) is packed mc x kc at a time
// (MR-row panels), op(B) kc x nc at a time (NR-column panels). Threads may split N at multiples
// of n_grain (the micro-kernel has narrower variants for the edges).
struct GemmBlocking {
  int mr, nr, n_grain;
  int64_t mc, kc, nc;
};

// The two serial steps of the blocked algorithm (gemm_driver.h), compiled per instruction set.
// pack_a: packs op(A)[i0:i0+mc, p0:p0+kc] into ceil(mc/mr) panels of mr rows at `dst`.
using GemmPackAFn = void (*)(const GemmArgs& args, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float* dst);
// macro: C[i0:i0+mc, n0:n1] = alpha * A_packed * op(B)[p0:p0+kc, n0:n1] + beta * C, where
// `packed_a` holds op(A)[i0:i0+mc, p0:p0+kc] as pack_a wrote it; op(B) is packed nc columns at
// a time into `packed_b` (at least kc * round_up(nc, nr) floats, 64-byte aligned).
using GemmMacroFn = void (*)(const GemmArgs& args, const GemmBlocking& blocking, const float* packed_a, int64_t i0,
                             int64_t mc, int64_t p0, int64_t kc, int64_t n0, int64_t n1, float beta, float* packed_b);

// micro: C[0:mr, 0:nr] (row stride ldc) = alpha * a * b + beta * C, a one packed MR-row panel
// (kc x MR, k-major), b one packed NR-column panel (kc x NR, k-major); mr <= MR, nr <= NR.
using GemmMicroFn = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta,
                             int mr, int nr);

// The peak probe: `iterations` rounds of 12 independent multiply-add chains in this kernel's
// widest registers (so latency never limits issue, as in the micro-kernel); returns the flops done.
using GemmPeakProbeFn = double (*)(int64_t iterations);

struct GemmKernel {
  const char* name;  // "avx512", "avx2", "portable"
  GemmBlocking blocking;
  GemmPackAFn pack_a;
  GemmMacroFn macro;
  GemmMicroFn micro;
  GemmPeakProbeFn peak_probe;
};

// Floats of the packed-A block and of the packed-B block.
inline int64_t gemm_packed_a_floats(const GemmBlocking& b) { return (b.mc + b.mr - 1) / b.mr * b.mr * b.kc; }
inline int64_t gemm_packed_b_floats(const GemmBlocking& b) { return (b.nc + b.nr - 1) / b.nr * b.nr * b.kc; }

// Each returns nullptr when the kernel was not compiled in (other architectures). Whether the CPU
// can run it is checked by available_gemm_kernels().
const GemmKernel* gemm_kernel_avx512();
const GemmKernel* gemm_kernel_avx2();
const GemmKernel* gemm_kernel_portable();

// Kernels this CPU can run, best first.
std::vector<const GemmKernel*> available_gemm_kernels();
// The kernel gemm() uses: the best available, or the one NEUROSHOP_GEMM names if available.
const GemmKernel& active_gemm_kernel();

// How threads split a product (gemm.cpp): each alone on its block of C, or sharing packed A.
enum class GemmSharing { kAuto, kAlone, kShareA };

struct GemmOptions {
  bool allow_small_path = true;  // tiny products skip packing (a plain loop)
  int threads = 0;               // 0: num_threads()
  GemmSharing sharing = GemmSharing::kAuto;
};

// gemm() with an explicit kernel; for tests and benchmarks.
void gemm_with_kernel(const GemmKernel& kernel, const GemmArgs& args, const GemmOptions& options = {});

}  // namespace neuroshop::detail
