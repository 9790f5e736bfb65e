// Tests of gemm against a naive double-precision reference: every kernel this CPU can run, all four
// transpose combinations, odd sizes around the tile and block sizes, alpha/beta (beta == 0 must not
// read C), leading dimensions larger than the rows, one and several threads.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "core/errors.h"
#include "core/kernels/gemm.h"
#include "core/kernels/gemm_internal.h"
#include "core/kernels/workspace.h"
#include "core/rng.h"

namespace neuroshop {
namespace {

using detail::GemmArgs;
using detail::GemmKernel;
using detail::GemmOptions;

struct Problem {
  Trans ta, tb;
  int64_t M, N, K;
  float alpha, beta;
  int64_t pad;  // extra columns in every leading dimension
};

std::string describe(const Problem& p, const char* kernel, int threads) {
  return std::string(kernel) + " ta=" + (p.ta == Trans::kYes ? "T" : "N") + " tb=" + (p.tb == Trans::kYes ? "T" : "N") +
         " M=" + std::to_string(p.M) + " N=" + std::to_string(p.N) + " K=" + std::to_string(p.K) +
         " alpha=" + std::to_string(p.alpha) + " beta=" + std::to_string(p.beta) + " pad=" + std::to_string(p.pad) +
         " threads=" + std::to_string(threads);
}

// Runs one problem through `run` (which receives the GemmArgs) and compares with the reference.
template <class Run>
void check(const Problem& p, const std::string& what, Run run) {
  Rng rng(static_cast<uint64_t>(p.M * 1000003 + p.N * 1009 + p.K));
  const int64_t a_rows = p.ta == Trans::kNo ? p.M : p.K, a_cols = p.ta == Trans::kNo ? p.K : p.M;
  const int64_t b_rows = p.tb == Trans::kNo ? p.K : p.N, b_cols = p.tb == Trans::kNo ? p.N : p.K;
  const int64_t lda = a_cols + p.pad, ldb = b_cols + p.pad, ldc = p.N + p.pad;
  std::vector<float> A(static_cast<size_t>(a_rows * lda)), B(static_cast<size_t>(b_rows * ldb));
  std::vector<float> C(static_cast<size_t>(p.M * ldc));
  for (float& v : A) v = static_cast<float>(rng.uniform(-1.0, 1.0));
  for (float& v : B) v = static_cast<float>(rng.uniform(-1.0, 1.0));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (float& v : C) v = p.beta == 0.0f ? nan : static_cast<float>(rng.uniform(-1.0, 1.0));
  const std::vector<float> C0 = C;

  run(GemmArgs{p.ta, p.tb, p.M, p.N, p.K, p.alpha, A.data(), lda, B.data(), ldb, p.beta, C.data(), ldc});

  int failures = 0;
  for (int64_t i = 0; i < p.M; ++i) {
    for (int64_t j = 0; j < ldc; ++j) {
      const float got = C[static_cast<size_t>(i * ldc + j)];
      const float before = C0[static_cast<size_t>(i * ldc + j)];
      if (j >= p.N) {  // padding must be untouched
        if (!(std::isnan(got) && std::isnan(before)) && got != before && ++failures <= 5)
          ADD_FAILURE() << what << ": padding C[" << i << "][" << j << "] changed";
        continue;
      }
      double sum = 0.0, magnitude = 0.0;
      for (int64_t k = 0; k < p.K; ++k) {
        const double a = p.ta == Trans::kNo ? A[static_cast<size_t>(i * lda + k)] : A[static_cast<size_t>(k * lda + i)];
        const double b = p.tb == Trans::kNo ? B[static_cast<size_t>(k * ldb + j)] : B[static_cast<size_t>(j * ldb + k)];
        sum += a * b;
        magnitude += std::fabs(a * b);
      }
      double want = p.alpha * sum;
      magnitude = std::fabs(p.alpha) * magnitude;
      if (p.beta != 0.0f) {
        want += p.beta * static_cast<double>(before);
        magnitude += std::fabs(p.beta * before);
      }
      const double tol = 2.0 * (static_cast<double>(p.K) + 2.0) * 6e-8 * magnitude + 1e-6;
      if (!(std::fabs(got - want) <= tol) && ++failures <= 5)
        ADD_FAILURE() << what << ": C[" << i << "][" << j << "] = " << got << ", want " << want;
    }
  }
}

const Trans kTrans[] = {Trans::kNo, Trans::kYes};

TEST(Gemm, KernelNameIsAnAvailableKernel) {
  const std::vector<const GemmKernel*> kernels = detail::available_gemm_kernels();
  ASSERT_FALSE(kernels.empty());
  EXPECT_STREQ(kernels.back()->name, "portable");
  bool found = false;
  for (const GemmKernel* k : kernels) found = found || std::string(k->name) == gemm_kernel_name();
  EXPECT_TRUE(found) << gemm_kernel_name();
  if (std::getenv("NEUROSHOP_GEMM") == nullptr) {
    EXPECT_STREQ(gemm_kernel_name(), kernels.front()->name);
  }
}

// Every kernel, every transpose combination, odd sizes; the small path is off so that even 1x1x1
// goes through packing and the micro-kernel's edge tiles.
TEST(Gemm, AllKernelsOddSizes) {
  const int64_t sizes[] = {1, 3, 17, 31, 33, 65, 127};
  for (const GemmKernel* kernel : detail::available_gemm_kernels()) {
    for (Trans ta : kTrans)
      for (Trans tb : kTrans)
        for (int64_t M : sizes)
          for (int64_t N : sizes)
            for (int64_t K : sizes) {
              const Problem p{ta, tb, M, N, K, 1.0f, 0.0f, 0};
              check(p, describe(p, kernel->name, 1), [&](const GemmArgs& g) {
                detail::gemm_with_kernel(*kernel, g, GemmOptions{false, 1, detail::GemmSharing::kAuto});
              });
            }
  }
}

TEST(Gemm, AllKernelsAlphaBetaAndLeadingDimensions) {
  const float alphas[] = {1.0f, -0.5f, 2.0f};
  const float betas[] = {0.0f, 1.0f, -0.75f};
  const int64_t shapes[][3] = {{1, 1, 1}, {14, 32, 16}, {15, 33, 17}, {29, 47, 65}, {64, 288, 9}, {5, 200, 3}};
  for (const GemmKernel* kernel : detail::available_gemm_kernels()) {
    for (Trans ta : kTrans)
      for (Trans tb : kTrans)
        for (float alpha : alphas)
          for (float beta : betas)
            for (const auto& s : shapes)
              for (int64_t pad : {0, 5}) {
                const Problem p{ta, tb, s[0], s[1], s[2], alpha, beta, pad};
                check(p, describe(p, kernel->name, 1), [&](const GemmArgs& g) {
                  detail::gemm_with_kernel(*kernel, g, GemmOptions{false, 1, detail::GemmSharing::kAuto});
                });
              }
  }
}

// Sizes beyond the cache blocks: K split into several kc blocks (beta applied once), M beyond mc,
// N beyond nc; with several threads (including more threads than cores), each thread alone on its
// block or all sharing the packed blocks of A.
TEST(Gemm, AllKernelsLargeBlockedAndThreaded) {
  using detail::GemmSharing;
  for (const GemmKernel* kernel : detail::available_gemm_kernels()) {
    const detail::GemmBlocking& b = kernel->blocking;
    const int64_t shapes[][3] = {
        {b.mc + 3, 37, b.kc + 5}, {45, b.nc + 17, 2 * b.kc + 1}, {130, 150, 70}, {64, 300, 2 * b.kc + 1}};
    for (Trans ta : kTrans)
      for (Trans tb : kTrans)
        for (const auto& s : shapes)
          for (int threads : {1, 2, 3})
            for (GemmSharing sharing : {GemmSharing::kAlone, GemmSharing::kShareA}) {
              if (threads == 1 && sharing == GemmSharing::kShareA) continue;
              const Problem p{ta, tb, s[0], s[1], s[2], 1.5f, threads == 2 ? 0.0f : 0.5f, 3};
              std::string what = describe(p, kernel->name, threads);
              what += sharing == GemmSharing::kShareA ? " shared A" : " alone";
              check(p, what, [&](const GemmArgs& g) {
                detail::gemm_with_kernel(*kernel, g, GemmOptions{false, threads, sharing});
              });
            }
  }
}

// The public entry point, including the tiny-product path and the K == 0 / alpha == 0 shortcuts.
TEST(Gemm, PublicEntryPoint) {
  const int64_t shapes[][3] = {{4, 2, 2}, {4, 8, 8}, {1, 1, 1}, {3, 5, 0}, {2, 3, 7}, {33, 65, 17}, {200, 180, 90}};
  for (Trans ta : kTrans)
    for (Trans tb : kTrans)
      for (const auto& s : shapes)
        for (float beta : {0.0f, 1.0f, 0.25f})
          for (float alpha : {1.0f, 0.0f}) {
            const Problem p{ta, tb, s[0], s[1], s[2], alpha, beta, 2};
            check(p, describe(p, gemm_kernel_name(), 0), [](const GemmArgs& g) {
              gemm(g.trans_a, g.trans_b, g.M, g.N, g.K, g.alpha, g.A, g.lda, g.B, g.ldb, g.beta, g.C, g.ldc);
            });
          }
}

TEST(Gemm, KnownValues) {
  // [1 2; 3 4] * [5 6; 7 8] = [19 22; 43 50]
  const float A[] = {1, 2, 3, 4}, B[] = {5, 6, 7, 8};
  for (const GemmKernel* kernel : detail::available_gemm_kernels()) {
    for (bool small : {true, false}) {
      float C[4] = {1, 1, 1, 1};
      detail::gemm_with_kernel(*kernel, GemmArgs{Trans::kNo, Trans::kNo, 2, 2, 2, 1.0f, A, 2, B, 2, 2.0f, C, 2},
                               GemmOptions{small, 1, detail::GemmSharing::kAuto});
      EXPECT_EQ(C[0], 21.0f) << kernel->name;
      EXPECT_EQ(C[1], 24.0f) << kernel->name;
      EXPECT_EQ(C[2], 45.0f) << kernel->name;
      EXPECT_EQ(C[3], 52.0f) << kernel->name;
      // A^T * B^T = (B A)^T: [1 3; 2 4] * [5 7; 6 8] = [23 31; 34 46]
      detail::gemm_with_kernel(*kernel, GemmArgs{Trans::kYes, Trans::kYes, 2, 2, 2, 1.0f, A, 2, B, 2, 0.0f, C, 2},
                               GemmOptions{small, 1, detail::GemmSharing::kAuto});
      EXPECT_EQ(C[0], 23.0f) << kernel->name;
      EXPECT_EQ(C[1], 31.0f) << kernel->name;
      EXPECT_EQ(C[2], 34.0f) << kernel->name;
      EXPECT_EQ(C[3], 46.0f) << kernel->name;
    }
  }
}

TEST(Gemm, RejectsBadArguments) {
  float A[4] = {}, B[4] = {}, C[4] = {};
  EXPECT_THROW(gemm(Trans::kNo, Trans::kNo, -1, 2, 2, 1.0f, A, 2, B, 2, 0.0f, C, 2), ArgumentError);
  EXPECT_THROW(gemm(Trans::kNo, Trans::kNo, 2, 2, 2, 1.0f, A, 1, B, 2, 0.0f, C, 2), ArgumentError);
  EXPECT_THROW(gemm(Trans::kNo, Trans::kYes, 2, 2, 2, 1.0f, A, 2, B, 1, 0.0f, C, 2), ArgumentError);
  EXPECT_THROW(gemm(Trans::kNo, Trans::kNo, 2, 2, 2, 1.0f, A, 2, B, 2, 0.0f, C, 1), ArgumentError);
  EXPECT_NO_THROW(gemm(Trans::kNo, Trans::kNo, 0, 0, 0, 1.0f, A, 1, B, 1, 0.0f, C, 1));
}

// A packed once, then multiplied with several B: the same as gemm, to float rounding, across the
// kernel's row and depth blocks (M above mc on the portable kernel, K above kc on all) and edge tiles.
TEST(Gemm, PackedAMatchesGemm) {
  Rng rng(61);
  for (const Trans ta : {Trans::kNo, Trans::kYes})
    for (const auto& [M, N, K] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
             {1, 1, 1}, {7, 13, 5}, {37, 45, 600}, {530, 19, 70}, {16, 200, 33}}) {
      std::vector<float> A(static_cast<size_t>(M * K)), B(static_cast<size_t>(K * N)), C(static_cast<size_t>(M * N), NAN),
          expected(C.size());
      for (float& v : A) v = static_cast<float>(rng.uniform(-1, 1));
      for (float& v : B) v = static_cast<float>(rng.uniform(-1, 1));
      const int64_t lda = ta == Trans::kNo ? K : M;
      gemm(ta, Trans::kNo, M, N, K, 1.0f, A.data(), lda, B.data(), N, 0.0f, expected.data(), N);
      const GemmPackedA packed(ta, M, K, A.data(), lda);
      ASSERT_EQ(packed.rows(), M);
      ASSERT_EQ(packed.depth(), K);
      gemm_packed(packed, N, B.data(), N, C.data(), N);  // C starts as NaN: must not be read
      for (size_t i = 0; i < C.size(); ++i)
        ASSERT_NEAR(C[i], expected[i], 1e-5 * (1.0 + std::sqrt(static_cast<double>(K))))
            << "M=" << M << " N=" << N << " K=" << K << " at " << i;
    }
}

// B given in the micro-kernel's panel layout (as im2col_panels writes it): the same as gemm across
// row and depth blocks and a last panel cut short; the padding of that panel is never read into C.
TEST(Gemm, PanelLayoutMatchesGemm) {
  Rng rng(62);
  const int64_t nr = gemm_panel_width();
  ASSERT_TRUE(nr == 16 || nr == 32 || nr == 8) << nr;
  for (const auto& [M, N, K] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
           {1, 1, 1}, {7, 13, 5}, {37, 45, 600}, {530, 19, 70}, {32, 448, 288}, {3, nr, 144}}) {
    std::vector<float> A(static_cast<size_t>(M * K)), B(static_cast<size_t>(K * N)), C(static_cast<size_t>(M * N), NAN),
        expected(C.size());
    for (float& v : A) v = static_cast<float>(rng.uniform(-1, 1));
    for (float& v : B) v = static_cast<float>(rng.uniform(-1, 1));
    const int64_t panels = (N + nr - 1) / nr;
    Workspace workspace;  // 64-byte aligned, as the micro-kernels load the panels
    float* b_panels = workspace.get(panels * K * nr);
    for (int64_t j = 0; j < panels * nr; ++j)
      for (int64_t k = 0; k < K; ++k)
        b_panels[(j / nr) * K * nr + k * nr + j % nr] = j < N ? B[static_cast<size_t>(k * N + j)] : 0.0f;
    gemm(Trans::kNo, Trans::kNo, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, expected.data(), N);
    const GemmPackedA packed(Trans::kNo, M, K, A.data(), K);
    gemm_packed_panels(packed, N, b_panels, C.data(), N);  // C starts as NaN: must not be read
    for (size_t i = 0; i < C.size(); ++i)
      ASSERT_NEAR(C[i], expected[i], 1e-5 * (1.0 + std::sqrt(static_cast<double>(K))))
          << "M=" << M << " N=" << N << " K=" << K << " at " << i;
  }
}

}  // namespace
}  // namespace neuroshop
