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
// (MR-row panels), op(B) kc x nc at a time (NR-column panels).
struct GemmBlocking {
  int mr, nr;
  int64_t mc, kc, nc;
};

// Serially computes the sub-block C[m0:m1, n0:n1] of `args` (all of K), packing into
// `workspace`, which holds at least gemm_workspace_floats(blocking) floats, 64-byte aligned.
using GemmBlockFn = void (*)(const GemmArgs& args, const GemmBlocking& blocking, int64_t m0, int64_t m1,
                             int64_t n0, int64_t n1, float* workspace);

struct GemmKernel {
  const char* name;  // "avx512", "avx2", "portable"
  GemmBlocking blocking;
  GemmBlockFn block;
};

inline int64_t gemm_workspace_floats(const GemmBlocking& b) {
  const int64_t mc = (b.mc + b.mr - 1) / b.mr * b.mr;
  const int64_t nc = (b.nc + b.nr - 1) / b.nr * b.nr;
  return mc * b.kc + b.kc * nc + 64;
}

// Each returns nullptr when the kernel was not compiled in (other architectures). Whether the CPU
// can run it is checked by available_gemm_kernels().
const GemmKernel* gemm_kernel_avx512();
const GemmKernel* gemm_kernel_avx2();
const GemmKernel* gemm_kernel_portable();

// Kernels this CPU can run, best first.
std::vector<const GemmKernel*> available_gemm_kernels();
// The kernel gemm() uses: the best available, or the one NEUROSHOP_GEMM names if available.
const GemmKernel& active_gemm_kernel();

struct GemmOptions {
  bool allow_small_path = true;  // tiny products skip packing (a plain loop)
  int threads = 0;               // 0: num_threads()
};

// gemm() with an explicit kernel; for tests and benchmarks.
void gemm_with_kernel(const GemmKernel& kernel, const GemmArgs& args, const GemmOptions& options = {});

}  // namespace neuroshop::detail
