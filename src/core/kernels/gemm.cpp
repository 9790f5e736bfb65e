// gemm: argument checks, the choice of kernel, the small-product path, threading and workspaces;
// plus the portable kernel (plain C++, any CPU).
//
// Kernels (best first): avx512 (gemm_avx512.cpp), avx2 (gemm_avx2.cpp), portable (here). The CPU
// is asked once with __builtin_cpu_supports; NEUROSHOP_GEMM=avx512|avx2|portable forces one of the
// available kernels (a name that is unknown or not supported by this CPU is ignored).
// Threading: C is cut into a tm x tn grid of blocks, one per thread, each computed by the serial
// blocked algorithm of gemm_driver.h; the grid is the one that balances whole MR x NR tiles best
// while packing the fewest duplicate panels.
// Not here: SIMD code (it may only live in the per-ISA files, which are compiled with their flags).
#include "core/kernels/gemm.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/kernels/gemm_driver.h"
#include "core/kernels/gemm_internal.h"
#include "core/kernels/parallel.h"

namespace neuroshop {
namespace detail {
namespace {

// Products with at most this many multiply-adds skip packing and threading (XOR-sized dense layers).
constexpr int64_t kSmallProduct = 8 * 1024;
// Below this many multiply-adds one thread is faster than waking another (~ 10 us of work).
constexpr int64_t kParallelProduct = 1 << 20;
// A packed float costs about as much as this many multiply-adds of the micro-kernel.
constexpr int64_t kPackCost = 16;

// The portable micro-kernel: a 4 x 8 tile the compiler keeps in registers and vectorizes with
// the baseline instruction set.
struct PortableKernel {
  static constexpr int kMr = 4;
  static constexpr int kNr = 8;

  static void micro(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta,
                    int mr, int nr) {
    float acc[kMr][kNr] = {};
    for (int64_t k = 0; k < kc; ++k, a += kMr, b += kNr) {
      for (int i = 0; i < kMr; ++i) {
        const float ai = a[i];
        for (int j = 0; j < kNr; ++j) acc[i][j] += ai * b[j];
      }
    }
    for (int i = 0; i < mr; ++i) {
      float* row = c + i * ldc;
      if (beta == 0.0f) {  // C is not read: it may hold NaN
        for (int j = 0; j < nr; ++j) row[j] = alpha * acc[i][j];
      } else {
        for (int j = 0; j < nr; ++j) row[j] = alpha * acc[i][j] + beta * row[j];
      }
    }
  }
  static void pack_a(const GemmArgs& g, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float* dst) {
    pack_a_generic<kMr>(g, i0, mc, p0, kc, dst);
  }
  static void pack_b(const GemmArgs& g, int64_t p0, int64_t kc, int64_t j0, int64_t nc, float* dst) {
    pack_b_generic<kNr>(g, p0, kc, j0, nc, dst);
  }
};

// One growing, 64-byte-aligned packing buffer per thread: after the first large product no call
// allocates (or touches fresh pages) again.
class Workspace {
 public:
  ~Workspace() { release(); }
  float* get(int64_t floats) {
    if (floats > capacity_) {
      release();
      data_ = static_cast<float*>(::operator new(static_cast<size_t>(floats) * sizeof(float), std::align_val_t(64)));
      capacity_ = floats;
    }
    return data_;
  }

 private:
  void release() {
    if (data_) ::operator delete(data_, std::align_val_t(64));
    data_ = nullptr;
    capacity_ = 0;
  }
  float* data_ = nullptr;
  int64_t capacity_ = 0;
};

thread_local Workspace t_workspace;

// C = beta * C (beta == 0: C = 0 without reading it).
void scale_c(const GemmArgs& g) {
  for (int64_t i = 0; i < g.M; ++i) {
    float* c = g.C + i * g.ldc;
    if (g.beta == 0.0f)
      std::memset(c, 0, static_cast<size_t>(g.N) * sizeof(float));
    else if (g.beta != 1.0f)
      for (int64_t j = 0; j < g.N; ++j) c[j] *= g.beta;
  }
}

// Tiny products: row by row, C[i][:] = beta*C[i][:] + sum_k (alpha*op(A)[i][k]) * op(B)[k][:].
void gemm_small(const GemmArgs& g) {
  scale_c(g);
  for (int64_t i = 0; i < g.M; ++i) {
    float* c = g.C + i * g.ldc;
    for (int64_t k = 0; k < g.K; ++k) {
      const float a = g.alpha * (g.trans_a == Trans::kNo ? g.A[i * g.lda + k] : g.A[k * g.lda + i]);
      if (g.trans_b == Trans::kNo) {
        const float* b = g.B + k * g.ldb;
        for (int64_t j = 0; j < g.N; ++j) c[j] += a * b[j];
      } else {
        for (int64_t j = 0; j < g.N; ++j) c[j] += a * g.B[j * g.ldb + k];
      }
    }
  }
}

void check_args(const GemmArgs& g) {
  const int64_t a_cols = g.trans_a == Trans::kNo ? g.K : g.M;
  const int64_t b_cols = g.trans_b == Trans::kNo ? g.N : g.K;
  if (g.M < 0 || g.N < 0 || g.K < 0 || g.lda < std::max<int64_t>(a_cols, 1) ||
      g.ldb < std::max<int64_t>(b_cols, 1) || g.ldc < std::max<int64_t>(g.N, 1)) {
    throw ArgumentError("gemm: expected M, N, K >= 0 and leading dimensions at least the row widths, got M=" +
                        std::to_string(g.M) + " N=" + std::to_string(g.N) + " K=" + std::to_string(g.K) +
                        " lda=" + std::to_string(g.lda) + " ldb=" + std::to_string(g.ldb) +
                        " ldc=" + std::to_string(g.ldc));
  }
}

// The tm x tn grid of per-thread blocks (tm * tn == threads) that minimizes the largest block's
// cost: its multiply-adds counted in whole MR x NR tiles, plus its packing (each thread packs the
// op(A) rows and op(B) columns of its own block, so splitting N re-packs A and vice versa).
void choose_grid(const GemmArgs& g, const GemmBlocking& b, int threads, int64_t* tm_out, int64_t* tn_out) {
  const int64_t m_panels = (g.M + b.mr - 1) / b.mr, n_panels = (g.N + b.nr - 1) / b.nr;
  int64_t best_tm = 1, best_tn = 1;
  double best_cost = -1.0;
  for (int t = threads; t >= 1 && best_cost < 0.0; --t) {
    for (int64_t tm = 1; tm <= t; ++tm) {
      if (t % tm != 0) continue;
      const int64_t tn = t / tm;
      if (tm > m_panels || tn > n_panels) continue;
      const double rows = static_cast<double>((m_panels + tm - 1) / tm * b.mr);
      const double cols = static_cast<double>((n_panels + tn - 1) / tn * b.nr);
      const double k = static_cast<double>(g.K);
      const double a_packs = std::ceil(cols / static_cast<double>(b.nc));
      const double b_packs = std::ceil(rows / static_cast<double>(b.mc));
      const double cost = rows * cols * k + kPackCost * (rows * k * a_packs + cols * k * b_packs);
      if (best_cost < 0.0 || cost < best_cost) {
        best_cost = cost;
        best_tm = tm;
        best_tn = tn;
      }
    }
  }
  *tm_out = best_tm;
  *tn_out = best_tn;
}

const GemmKernel* choose_kernel() {
  const std::vector<const GemmKernel*> kernels = available_gemm_kernels();
  if (const char* forced = std::getenv("NEUROSHOP_GEMM")) {
    for (const GemmKernel* k : kernels)
      if (std::strcmp(k->name, forced) == 0) return k;
  }
  return kernels.front();
}

}  // namespace

const GemmKernel* gemm_kernel_portable() {
  static const GemmKernel kernel{"portable", GemmBlocking{PortableKernel::kMr, PortableKernel::kNr, 256, 256, 1024},
                                 &gemm_block<PortableKernel>};
  return &kernel;
}

std::vector<const GemmKernel*> available_gemm_kernels() {
  std::vector<const GemmKernel*> kernels;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
  if (avx512 && gemm_kernel_avx512()) kernels.push_back(gemm_kernel_avx512());
  if (avx2 && gemm_kernel_avx2()) kernels.push_back(gemm_kernel_avx2());
#endif
  kernels.push_back(gemm_kernel_portable());
  return kernels;
}

const GemmKernel& active_gemm_kernel() {
  static const GemmKernel* kernel = choose_kernel();
  return *kernel;
}

void gemm_with_kernel(const GemmKernel& kernel, const GemmArgs& g, const GemmOptions& options) {
  check_args(g);
  if (g.M == 0 || g.N == 0) return;
  if (g.K == 0 || g.alpha == 0.0f) {
    scale_c(g);
    return;
  }
  const int64_t product = g.M * g.N * g.K;
  if (options.allow_small_path && product <= kSmallProduct) {
    gemm_small(g);
    return;
  }
  const GemmBlocking& blocking = kernel.blocking;
  const int64_t workspace = gemm_workspace_floats(blocking);
  int threads = options.threads > 0 ? options.threads : num_threads();
  if (product < kParallelProduct) threads = 1;
  int64_t tm = 1, tn = 1;
  if (threads > 1) choose_grid(g, blocking, threads, &tm, &tn);
  if (tm * tn == 1) {
    kernel.block(g, blocking, 0, g.M, 0, g.N, t_workspace.get(workspace));
    return;
  }
  // Block (ti, tj) covers the ti-th of tm near-equal runs of MR-row panels, and likewise for N.
  const int64_t m_panels = (g.M + blocking.mr - 1) / blocking.mr;
  const int64_t n_panels = (g.N + blocking.nr - 1) / blocking.nr;
  parallel_for(tm * tn, [&](int64_t begin, int64_t end) {
    float* ws = t_workspace.get(workspace);
    for (int64_t t = begin; t < end; ++t) {
      const int64_t ti = t / tn, tj = t % tn;
      const int64_t m0 = std::min(g.M, ti * m_panels / tm * blocking.mr);
      const int64_t m1 = std::min(g.M, (ti + 1) * m_panels / tm * blocking.mr);
      const int64_t n0 = std::min(g.N, tj * n_panels / tn * blocking.nr);
      const int64_t n1 = std::min(g.N, (tj + 1) * n_panels / tn * blocking.nr);
      if (m0 < m1 && n0 < n1) kernel.block(g, blocking, m0, m1, n0, n1, ws);
    }
  });
}

}  // namespace detail

void gemm(Trans trans_a, Trans trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  detail::gemm_with_kernel(detail::active_gemm_kernel(),
                           detail::GemmArgs{trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc});
}

const char* gemm_kernel_name() { return detail::active_gemm_kernel().name; }

}  // namespace neuroshop
