// The feature patch loss; the formulas are in patch_loss.h.
#include "apps/stylize/patch_loss.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/errors.h"
#include "core/kernels/gemm.h"
#include "core/kernels/im2col.h"

namespace neuroshop::stylize {
namespace {

ConvGeometry patch_geometry(const Tensor& features, int64_t stride, const char* who) {
  if (features.rank() != 4 || features.dim(0) != 1 || features.dim(2) < 3 || features.dim(3) < 3)
    throw ShapeError(std::string(who) + ": expected one feature map (1,C,H,W) with H, W >= 3, got " + features.shape().str());
  ConvGeometry g;
  g.channels = features.dim(1);
  g.height = features.dim(2);
  g.width = features.dim(3);
  g.kernel_size = 3;
  g.stride = stride;
  return g;
}

// col (D, N) -> rows (N, D)
Tensor transpose(const std::vector<float>& col, int64_t D, int64_t N) {
  Tensor t = Tensor::empty({N, D});
  for (int64_t d = 0; d < D; ++d)
    for (int64_t n = 0; n < N; ++n) t.data()[n * D + d] = col[static_cast<size_t>(d * N + n)];
  return t;
}

}  // namespace

PatchTarget make_patch_target(const Tensor& features, int64_t max_patches) {
  if (max_patches < 1) throw ArgumentError("make_patch_target: max_patches must be positive");
  ConvGeometry g = patch_geometry(features, 1, "make_patch_target");
  const double positions = static_cast<double>(g.out_height()) * g.out_width();
  g.stride = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(std::sqrt(positions / max_patches))));
  const int64_t D = g.col_rows(), N = g.col_cols();
  std::vector<float> col(static_cast<size_t>(D * N));
  im2col(features.data(), g, 0, g.out_height(), col.data());
  PatchTarget t;
  t.channels = g.channels;
  t.patches = transpose(col, D, N);
  t.unit = t.patches.clone();
  double sum_sq = 0.0;
  for (int64_t n = 0; n < N; ++n) {
    float* row = t.unit.data() + n * D;
    double s = 0.0;
    for (int64_t d = 0; d < D; ++d) s += static_cast<double>(row[d]) * row[d];
    sum_sq += s;
    const float inv = s > 1e-20 ? static_cast<float>(1.0 / std::sqrt(s)) : 0.0f;
    for (int64_t d = 0; d < D; ++d) row[d] *= inv;
  }
  t.weight = 1.0 / std::max(sum_sq / static_cast<double>(N * D), 1e-8);
  return t;
}

// forward:  E = w / (N D) sum_i |P_i - S_j(i)|^2 with j(i) = argmax_j <P_i, unit_j>
// backward: dcol[:, i] = 2 w / (N D) (P_i - S_j(i)),  dfeatures = col2im(dcol)
double patch_loss(const Tensor& features, const PatchTarget& target, Tensor* dfeatures) {
  const ConvGeometry g = patch_geometry(features, 1, "patch_loss");
  if (g.channels != target.channels)
    throw ShapeError("patch_loss: the target has " + std::to_string(target.channels) + " channels, the features " +
                     features.shape().str());
  const int64_t D = g.col_rows(), N = g.col_cols(), Ns = target.patches.dim(0);
  std::vector<float> col(static_cast<size_t>(D * N));
  im2col(features.data(), g, 0, g.out_height(), col.data());
  // Scores (Ns x block) = unit (Ns x D) * col[:, block] (D x block), a block of columns at a time so
  // the score matrix stays small; the best match per column.
  std::vector<int64_t> match(static_cast<size_t>(N));
  constexpr int64_t kBlock = 512;
  std::vector<float> scores(static_cast<size_t>(Ns * kBlock));
  for (int64_t b0 = 0; b0 < N; b0 += kBlock) {
    const int64_t nb = std::min(kBlock, N - b0);
    gemm(Trans::kNo, Trans::kNo, Ns, nb, D, 1.0f, target.unit.data(), D, col.data() + b0, N, 0.0f, scores.data(), nb);
    std::vector<float> best_score(scores.begin(), scores.begin() + nb);
    std::vector<int64_t> best(static_cast<size_t>(nb), 0);
    for (int64_t j = 1; j < Ns; ++j) {
      const float* row = scores.data() + j * nb;
      for (int64_t i = 0; i < nb; ++i)
        if (row[i] > best_score[static_cast<size_t>(i)]) {
          best_score[static_cast<size_t>(i)] = row[i];
          best[static_cast<size_t>(i)] = j;
        }
    }
    std::copy(best.begin(), best.end(), match.begin() + b0);
  }
  const double scale = target.weight / static_cast<double>(N * D);
  double loss = 0.0;
  // col becomes the difference P_i - S_j(i) in place, column by column.
  for (int64_t i = 0; i < N; ++i) {
    const float* s = target.patches.data() + match[static_cast<size_t>(i)] * D;
    for (int64_t d = 0; d < D; ++d) {
      float& c = col[static_cast<size_t>(d * N + i)];
      c -= s[d];
      loss += static_cast<double>(c) * c;
    }
  }
  if (dfeatures) {
    const float f = static_cast<float>(2.0 * scale);
    for (float& c : col) c *= f;
    Tensor dx(features.shape());
    col2im(col.data(), g, 0, g.out_height(), dx.data());
    *dfeatures = dx;
  }
  return scale * loss;
}

}  // namespace neuroshop::stylize
