// The one matrix multiply of the engine, shared by Dense and by convolution (im2col + gemm).
// Row-major: C[M x N] = alpha * op(A)[M x K] * op(B)[K x N] + beta * C.
// op(A) = A (lda >= K) or A^T (A stored K x M, lda >= M); likewise for B.
// beta == 0 means C is written without being read (it may hold garbage).
#pragma once

#include <cstdint>
#include <memory>

namespace neuroshop {

enum class Trans { kNo, kYes };

void gemm(Trans trans_a, Trans trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// A left operand op(A) (M x K) packed once into the micro-kernel's panels, for many products with
// it: Winograd multiplies the same 36 transformed filters with every block of tiles, and packing
// them per block cost as much as a fifth of the convolution.
class GemmPackedA {
 public:
  GemmPackedA(Trans trans_a, int64_t M, int64_t K, const float* A, int64_t lda);
  int64_t rows() const { return M_; }
  int64_t depth() const { return K_; }

 private:
  friend void gemm_packed(const GemmPackedA& a, int64_t N, const float* B, int64_t ldb, float* C, int64_t ldc);
  friend void gemm_packed_panels(const GemmPackedA& a, int64_t N, const float* b_panels, float* C, int64_t ldc);
  int64_t M_, K_;
  std::unique_ptr<float[]> panels_;  // the (mc, kc) blocks of op(A), each as the kernel's pack_a writes it (not zeroed first)
};

// C[M x N] = A * B (B row-major K x N, C written without being read), A packed above. Serial:
// for callers that already run one product per thread.
void gemm_packed(const GemmPackedA& a, int64_t N, const float* B, int64_t ldb, float* C, int64_t ldc);

// The column width of the micro-kernel's B panels on this CPU (16 with AVX2, 32 with AVX-512).
int64_t gemm_panel_width();

// C[M x N] = A * B with B already in the micro-kernel's panel layout, so nothing is packed here:
// with nr = gemm_panel_width() and K = a.depth(),
//   b_panels[(j / nr) * K * nr + k * nr + j % nr] = B[k][j],  zero for j >= N in the last panel
// (ceil(N / nr) * K * nr floats). im2col_panels writes a convolution's columns that way. C is
// written without being read. Serial, like gemm_packed.
void gemm_packed_panels(const GemmPackedA& a, int64_t N, const float* b_panels, float* C, int64_t ldc);

// Name of the micro-kernel gemm dispatches to on this CPU ("avx512", "avx2", "portable").
const char* gemm_kernel_name();

// The multiply-add peak of that kernel's instruction set on `threads` threads, in GFLOP/s: each
// thread runs independent FMA chains in the kernel's widest registers for about 0.1 s, best of
// five. Takes about half a second; for benchmarks (the GEMM's fraction of peak).
double gemm_peak_gflops(int threads);

}  // namespace neuroshop
