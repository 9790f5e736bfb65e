// gemm: argument checks, the choice of kernel, the small-product path, threading and workspaces;
// plus the portable kernel (plain C++, any CPU).
//
// Kernels (best first): avx512 (gemm_avx512.cpp), avx2 (gemm_avx2.cpp), portable (here). The CPU
// is asked once with __builtin_cpu_supports; NEUROSHOP_GEMM=avx512|avx2|portable forces one of the
// available kernels (a name that is unknown or not supported by this CPU is ignored).
// Threading: C is cut into a tm x tn grid of blocks, one per thread. Either each thread runs the
// whole blocked algorithm on its block (no synchronization, but every thread packs its own rows of
// op(A) and columns of op(B)), or the threads share each packed block of op(A): they pack it
// together, one step ahead, and meet once per (mc, kc) step. A cost model (multiply-adds in whole
// tiles + packed floats + synchronizations) picks the mode and the grid.
// Not here: SIMD code (it may only live in the per-ISA files, which are compiled with their flags).
#include "core/kernels/gemm.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "core/errors.h"
#include "core/kernels/gemm_driver.h"
#include "core/kernels/gemm_internal.h"
#include "core/kernels/parallel.h"
#include "core/kernels/workspace.h"

namespace neuroshop {
namespace detail {
namespace {

// Products with at most this many multiply-adds skip packing and threading (XOR-sized dense
// layers: ~25 ns). Above it the packed SIMD path is faster already (4x8x8: 50 ns vs 80 ns).
constexpr int64_t kSmallProduct = 64;
// Below this many multiply-adds one thread is faster than waking another (~ 10 us of work).
constexpr int64_t kParallelProduct = 1 << 20;
// Cost model, in multiply-adds of the micro-kernel (~1e11 per second and thread with AVX-512):
// packing one float (memory bound, ~0.5 ns), and one meeting of the threads (~2 us, plus the
// imbalance of the step it ends: ~10 us measured on products with many short steps).
constexpr double kPackCost = 40.0;
constexpr double kSyncCost = 1e6;

// The portable micro-kernel: a 4 x 8 tile the compiler keeps in registers and vectorizes with
// the baseline instruction set.
struct PortableKernel {
  static constexpr int kMr = 4;
  static constexpr int kNr = 8;
  static constexpr int kNGrain = 8;

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
  // 12 chains of kNr floats, multiply then add, as the micro-kernel above compiles.
  static double peak_probe(int64_t iterations) {
    float acc[12][kNr];
    for (int i = 0; i < 12; ++i)
      for (int j = 0; j < kNr; ++j) acc[i][j] = static_cast<float>(i + j);
    for (int64_t it = 0; it < iterations; ++it)
      for (int i = 0; i < 12; ++i)
        for (int j = 0; j < kNr; ++j) acc[i][j] = acc[i][j] * 0.999999f + 1e-7f;
    float sum = 0.0f;
    for (int i = 0; i < 12; ++i)
      for (int j = 0; j < kNr; ++j) sum += acc[i][j];
    volatile float keep = sum;  // keeps the loop from being optimized away
    (void)keep;
    return static_cast<double>(iterations) * 12 * kNr * 2;
  }
};

// Packed A: two buffers, so that threads sharing A can pack the next block while using this one.
thread_local Workspace t_packed_a[2];
thread_local Workspace t_packed_b;

// The step that cuts [0, extent) into equal blocks of at most max_block, each a multiple of
// `multiple` (the last one may be shorter).
int64_t even_step(int64_t extent, int64_t max_block, int64_t multiple) {
  const int64_t blocks = (extent + max_block - 1) / max_block;
  return ((extent + blocks - 1) / blocks + multiple - 1) / multiple * multiple;
}

// Part `part` of `parts` of [0, units * unit) in whole units, clipped to `extent`.
int64_t split_point(int64_t part, int64_t parts, int64_t units, int64_t unit, int64_t extent) {
  return std::min(extent, part * units / parts * unit);
}

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

// One thread alone on C[m0:m1, n0:n1]: the two outer loops of the blocked algorithm.
void run_block(const GemmKernel& kernel, const GemmArgs& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  const GemmBlocking& b = kernel.blocking;
  float* packed_a = t_packed_a[0].get(gemm_packed_a_floats(b));
  float* packed_b = t_packed_b.get(gemm_packed_b_floats(b));
  const int64_t mc_step = even_step(m1 - m0, b.mc, b.mr), kc_step = even_step(g.K, b.kc, 1);
  for (int64_t ic = m0; ic < m1; ic += mc_step) {
    const int64_t mc = std::min(mc_step, m1 - ic);
    for (int64_t pc = 0; pc < g.K; pc += kc_step) {
      const int64_t kc = std::min(kc_step, g.K - pc);
      kernel.pack_a(g, ic, mc, pc, kc, packed_a);
      kernel.macro(g, b, packed_a, ic, mc, pc, kc, n0, n1, pc == 0 ? g.beta : 1.0f, packed_b);
    }
  }
}

struct Plan {
  bool share_a = false;
  int64_t tm = 1, tn = 1;
};

// Rows [m0, m1) and columns [n0, n1) of grid cell `cell` of the plan's tm x tn grid over `rows` rows
// (whole panels of mr, the last maybe short) and N columns (whole n_grain units).
struct CellRange {
  int64_t m0, m1, n0, n1;
  bool empty() const { return m0 >= m1 || n0 >= n1; }
};
CellRange cell_range(int64_t cell, const Plan& plan, const GemmBlocking& b, int64_t rows, int64_t N) {
  const int64_t ti = cell / plan.tn, tj = cell % plan.tn;
  const int64_t panels = (rows + b.mr - 1) / b.mr, n_units = (N + b.n_grain - 1) / b.n_grain;
  return {split_point(ti, plan.tm, panels, b.mr, rows), split_point(ti + 1, plan.tm, panels, b.mr, rows),
          split_point(tj, plan.tn, n_units, b.n_grain, N), split_point(tj + 1, plan.tn, n_units, b.n_grain, N)};
}

// Picks the mode and the tm x tn grid (tm * tn <= threads) with the cheapest slowest thread.
Plan choose_plan(const GemmArgs& g, const GemmBlocking& b, int threads, GemmSharing sharing) {
  const int64_t m_panels = (g.M + b.mr - 1) / b.mr, n_units = (g.N + b.n_grain - 1) / b.n_grain;
  const double M = static_cast<double>(g.M), K = static_cast<double>(g.K);
  const int64_t mc_step = even_step(g.M, b.mc, b.mr);
  const double m_steps = std::ceil(M / static_cast<double>(mc_step));
  const double steps = m_steps * std::ceil(K / static_cast<double>(even_step(g.K, b.kc, 1)));
  Plan best;
  double best_cost = -1.0;
  for (int t = 1; t <= threads; ++t) {
    for (int64_t tm = 1; tm <= t; ++tm) {
      if (t % tm != 0) continue;
      const int64_t tn = t / tm;
      if (tm > m_panels || tn > n_units) continue;
      const double rows = static_cast<double>((m_panels + tm - 1) / tm * b.mr);
      const double cols = static_cast<double>((n_units + tn - 1) / tn * b.n_grain);
      const double work = std::min(rows, M) * cols * K;
      // Alone: each thread packs its rows of A once per kc block, its columns of B per mc block.
      const double alone = work + kPackCost * (rows * K + cols * K * std::ceil(rows / static_cast<double>(mc_step)));
      // Sharing A: each packs 1/t of A, its columns of B per mc block, and meets once per step.
      const double shared = work + kPackCost * (M * K / t + cols * K * m_steps) + kSyncCost * (steps + 1);
      const bool share = sharing == GemmSharing::kAuto ? t > 1 && shared < alone : sharing == GemmSharing::kShareA;
      const double cost = share ? shared : alone;
      if (best_cost < 0.0 || cost < best_cost) {
        best_cost = cost;
        best = Plan{share, tm, tn};
      }
    }
  }
  return best;
}

// Threads share each packed (mc x kc) block of op(A). Step s = (ic, pc) is one parallel_for in
// which each chunk first packs its share of step s+1's block into the other buffer (nobody reads
// it during step s), then runs its grid cells of step s.
void run_shared_a(const GemmKernel& kernel, const GemmArgs& g, const Plan& plan) {
  const GemmBlocking& b = kernel.blocking;
  const int64_t mc_step = even_step(g.M, b.mc, b.mr), kc_step = even_step(g.K, b.kc, 1);
  const int64_t k_steps = (g.K + kc_step - 1) / kc_step;
  const int64_t steps = (g.M + mc_step - 1) / mc_step * k_steps;
  const int64_t cells = plan.tm * plan.tn;
  float* packed_a[2] = {t_packed_a[0].get(gemm_packed_a_floats(b)), t_packed_a[1].get(gemm_packed_a_floats(b))};

  struct Step {
    int64_t i0, mc, p0, kc;
  };
  auto step_at = [&](int64_t s) {
    const int64_t i0 = s / k_steps * mc_step, p0 = s % k_steps * kc_step;
    return Step{i0, std::min(mc_step, g.M - i0), p0, std::min(kc_step, g.K - p0)};
  };
  // The share [begin, end) of `cells` of step s's panels of A.
  auto pack_share = [&](int64_t s, int64_t begin, int64_t end) {
    const Step st = step_at(s);
    const int64_t panels = (st.mc + b.mr - 1) / b.mr;
    const int64_t r0 = split_point(begin, cells, panels, b.mr, st.mc);
    const int64_t r1 = split_point(end, cells, panels, b.mr, st.mc);
    if (r0 < r1) kernel.pack_a(g, st.i0 + r0, r1 - r0, st.p0, st.kc, packed_a[s % 2] + r0 * st.kc);
  };

  parallel_for(cells, [&](int64_t begin, int64_t end) { pack_share(0, begin, end); });
  for (int64_t s = 0; s < steps; ++s) {
    const Step st = step_at(s);
    parallel_for(cells, [&](int64_t begin, int64_t end) {
      if (s + 1 < steps) pack_share(s + 1, begin, end);
      float* packed_b = t_packed_b.get(gemm_packed_b_floats(b));
      for (int64_t cell = begin; cell < end; ++cell) {
        const CellRange r = cell_range(cell, plan, b, st.mc, g.N);
        if (!r.empty()) {
          kernel.macro(g, b, packed_a[s % 2] + r.m0 * st.kc, st.i0 + r.m0, r.m1 - r.m0, st.p0, st.kc, r.n0, r.n1,
                       st.p0 == 0 ? g.beta : 1.0f, packed_b);
        }
      }
    });
  }
}

// Each thread alone on its grid cell of C.
void run_alone(const GemmKernel& kernel, const GemmArgs& g, const Plan& plan) {
  const GemmBlocking& b = kernel.blocking;
  parallel_for(plan.tm * plan.tn, [&](int64_t begin, int64_t end) {
    for (int64_t cell = begin; cell < end; ++cell) {
      const CellRange r = cell_range(cell, plan, b, g.M, g.N);
      if (!r.empty()) run_block(kernel, g, r.m0, r.m1, r.n0, r.n1);
    }
  });
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
  static const GemmKernel kernel = make_gemm_kernel<PortableKernel>("portable", 512, 256, 1024);
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
  const int threads = product < kParallelProduct ? 1 : (options.threads > 0 ? options.threads : num_threads());
  const Plan plan = threads > 1 ? choose_plan(g, kernel.blocking, threads, options.sharing) : Plan{};
  if (plan.tm * plan.tn == 1)
    run_block(kernel, g, 0, g.M, 0, g.N);
  else if (plan.share_a)
    run_shared_a(kernel, g, plan);
  else
    run_alone(kernel, g, plan);
}

}  // namespace detail

void gemm(Trans trans_a, Trans trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  detail::gemm_with_kernel(detail::active_gemm_kernel(),
                           detail::GemmArgs{trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc});
}

// The blocks of op(A) in the order run_block visits them: ic (mc rows) outer, pc (kc deep) inner.
GemmPackedA::GemmPackedA(Trans trans_a, int64_t M, int64_t K, const float* A, int64_t lda) : M_(M), K_(K) {
  const detail::GemmKernel& kernel = detail::active_gemm_kernel();
  const detail::GemmBlocking& b = kernel.blocking;
  const detail::GemmArgs g{trans_a, Trans::kNo, M, 1, K, 1.0f, A, lda, nullptr, 1, 0.0f, nullptr, 1};
  detail::check_args(g);
  // Every float is written by pack_a (rows past M as zeros), so the buffer is not zeroed first.
  panels_.reset(new float[static_cast<size_t>((M + b.mr - 1) / b.mr * b.mr * K)]);
  const int64_t mc_step = detail::even_step(M, b.mc, b.mr), kc_step = detail::even_step(K, b.kc, 1);
  float* dst = panels_.get();
  for (int64_t ic = 0; ic < M; ic += mc_step) {
    const int64_t mc = std::min(mc_step, M - ic), rows = (mc + b.mr - 1) / b.mr * b.mr;
    for (int64_t pc = 0; pc < K; pc += kc_step) {
      const int64_t kc = std::min(kc_step, K - pc);
      kernel.pack_a(g, ic, mc, pc, kc, dst);
      dst += rows * kc;
    }
  }
}

namespace {

// The blocks of a packed A in the order GemmPackedA stored them: fn(ic, mc, pc, kc, panels) for
// each (mc, kc) block, `panels` pointing at its packed rows.
template <class Fn>
void for_each_packed_block(const float* panels, int64_t M, int64_t K, const detail::GemmBlocking& b, Fn fn) {
  const int64_t mc_step = detail::even_step(M, b.mc, b.mr), kc_step = detail::even_step(K, b.kc, 1);
  for (int64_t ic = 0; ic < M; ic += mc_step) {
    const int64_t mc = std::min(mc_step, M - ic), rows = (mc + b.mr - 1) / b.mr * b.mr;
    for (int64_t pc = 0; pc < K; pc += kc_step) {
      const int64_t kc = std::min(kc_step, K - pc);
      fn(ic, mc, pc, kc, panels);
      panels += rows * kc;
    }
  }
}

}  // namespace

void gemm_packed(const GemmPackedA& a, int64_t N, const float* B, int64_t ldb, float* C, int64_t ldc) {
  const detail::GemmKernel& kernel = detail::active_gemm_kernel();
  const detail::GemmBlocking& b = kernel.blocking;
  const int64_t M = a.M_, K = a.K_;
  const detail::GemmArgs g{Trans::kNo, Trans::kNo, M, N, K, 1.0f, nullptr, 1, B, ldb, 0.0f, C, ldc};
  if (M == 0 || N == 0) return;
  if (K == 0) {
    detail::scale_c(g);
    return;
  }
  float* packed_b = detail::t_packed_b.get(detail::gemm_packed_b_floats(b));
  for_each_packed_block(a.panels_.get(), M, K, b,
                        [&](int64_t ic, int64_t mc, int64_t pc, int64_t kc, const float* panels) {
                          kernel.macro(g, b, panels, ic, mc, pc, kc, 0, N, pc == 0 ? 0.0f : 1.0f, packed_b);
                        });
}

int64_t gemm_panel_width() { return detail::active_gemm_kernel().blocking.nr; }

// gemm_packed with the B panels given: within each B panel the rows [pc, pc + kc) of a depth
// block are contiguous (k-major), so the micro-kernel reads them in place. The B panel (kc x nr)
// stays in L1 while the A panels of the block pass over it.
void gemm_packed_panels(const GemmPackedA& a, int64_t N, const float* b_panels, float* C, int64_t ldc) {
  const detail::GemmKernel& kernel = detail::active_gemm_kernel();
  const detail::GemmBlocking& b = kernel.blocking;
  const int64_t M = a.M_, K = a.K_;
  if (M == 0 || N == 0) return;
  if (K == 0) {
    detail::scale_c(detail::GemmArgs{Trans::kNo, Trans::kNo, M, N, K, 1.0f, nullptr, 1, nullptr, 1, 0.0f, C, ldc});
    return;
  }
  for_each_packed_block(a.panels_.get(), M, K, b,
                        [&](int64_t ic, int64_t mc, int64_t pc, int64_t kc, const float* panels) {
                          const float beta = pc == 0 ? 0.0f : 1.0f;
                          for (int64_t jr = 0; jr < N; jr += b.nr) {
                            const int nr = static_cast<int>(std::min<int64_t>(b.nr, N - jr));
                            const float* panel = b_panels + jr * K + pc * b.nr;  // panel jr / nr, row pc
                            for (int64_t ir = 0; ir < mc; ir += b.mr) {
                              const int mr = static_cast<int>(std::min<int64_t>(b.mr, mc - ir));
                              kernel.micro(kc, panels + ir * kc, panel, C + (ic + ir) * ldc + jr, ldc, 1.0f, beta,
                                           mr, nr);
                            }
                          }
                        });
}

const char* gemm_kernel_name() { return detail::active_gemm_kernel().name; }

double gemm_peak_gflops(int threads) {
  const detail::GemmKernel& kernel = detail::active_gemm_kernel();
  threads = std::max(threads, 1);
  // About 0.1 s per run; the best of five, because a single short run reads low when another
  // process or a frequency change takes part of it.
  int64_t iterations = 1 << 16;
  double flops_per_call = 0.0;
  for (;;) {  // calibrate on one thread
    const auto start = std::chrono::steady_clock::now();
    flops_per_call = kernel.peak_probe(iterations);
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > 0.02) break;
    iterations *= 4;
  }
  iterations *= 5;
  flops_per_call *= 5;  // the probe's count is linear in iterations
  double best = 0.0;
  for (int run = 0; run < 5; ++run) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back([&] { kernel.peak_probe(iterations); });
    for (auto& t : pool) t.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, flops_per_call * threads / seconds / 1e9);
  }
  return best;
}

}  // namespace neuroshop
