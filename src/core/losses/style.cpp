// Gram matrix, Gram loss and total variation; the formulas are in style.h.
// Both Gram directions are one gemm per image.
#include "core/losses/style.h"

#include <string>

#include "core/errors.h"
#include "core/kernels/gemm.h"

namespace neuroshop {
namespace {

void expect_features(const Tensor& features, const std::string& who) {
  if (!features.defined() || features.rank() != 4)
    throw ShapeError(who + ": expected features (N,C,H,W), got " + features.shape().str());
  if (features.numel() == 0) throw ShapeError(who + ": empty features " + features.shape().str());
}

}  // namespace

// G_n[C x C] = F_n[C x HW] * F_n^T / (C*H*W)
Tensor gram_matrix(const Tensor& features) {
  expect_features(features, "gram_matrix");
  const int64_t N = features.dim(0), C = features.dim(1), HW = features.dim(2) * features.dim(3);
  const float alpha = static_cast<float>(1.0 / static_cast<double>(C * HW));
  Tensor g = Tensor::empty({N, C, C});
  for (int64_t n = 0; n < N; ++n) {
    const float* f = features.data() + n * C * HW;
    gemm(Trans::kNo, Trans::kYes, C, C, HW, alpha, f, HW, f, HW, 0.0f, g.data() + n * C * C, C);
  }
  return g;
}

// forward was:  G = F F^T / (C*H*W)
// so:           dF = (dG + dG^T) F / (C*H*W)
Tensor gram_matrix_backward(const Tensor& features, const Tensor& dG) {
  expect_features(features, "gram_matrix_backward");
  const int64_t N = features.dim(0), C = features.dim(1), HW = features.dim(2) * features.dim(3);
  if (dG.shape() != Shape{N, C, C})
    throw ShapeError("gram_matrix_backward: expected dG " + Shape{N, C, C}.str() + " for features " +
                     features.shape().str() + ", got " + dG.shape().str());
  const float alpha = static_cast<float>(1.0 / static_cast<double>(C * HW));
  Tensor dF = Tensor::empty(features.shape());
  Tensor sym = Tensor::empty({C, C});
  float* sp = sym.data();
  for (int64_t n = 0; n < N; ++n) {
    const float* dg = dG.data() + n * C * C;
    // sym[i][j] = dG[i][j] + dG[j][i]
    for (int64_t i = 0; i < C; ++i)
      for (int64_t j = 0; j < C; ++j) sp[i * C + j] = dg[i * C + j] + dg[j * C + i];
    gemm(Trans::kNo, Trans::kNo, C, HW, C, alpha, sp, C, features.data() + n * C * HW, HW, 0.0f,
         dF.data() + n * C * HW, HW);
  }
  return dF;
}

// forward:  L = mean (G - T)^2
// backward: dG = 2 (G - T) / (N*C*C), then dF by gram_matrix_backward
double gram_loss(const Tensor& features, const Tensor& target_gram, Tensor* dfeatures) {
  expect_features(features, "gram_loss");
  const int64_t N = features.dim(0), C = features.dim(1);
  const bool shared = target_gram.shape() == Shape{1, C, C};
  if (!shared && target_gram.shape() != Shape{N, C, C})
    throw ShapeError("gram_loss: expected target Gram matrix " + Shape{N, C, C}.str() + " or " + Shape{1, C, C}.str() +
                     " for features " + features.shape().str() + ", got " + target_gram.shape().str());
  const Tensor g = gram_matrix(features);
  const int64_t count = N * C * C;
  const double inv_count = 1.0 / static_cast<double>(count);
  Tensor dg;
  if (dfeatures != nullptr) dg = Tensor::empty(g.shape());
  double sum = 0.0;
  for (int64_t n = 0; n < N; ++n) {
    const float* gp = g.data() + n * C * C;
    const float* tp = target_gram.data() + (shared ? 0 : n * C * C);
    for (int64_t i = 0; i < C * C; ++i) {
      const double diff = static_cast<double>(gp[i]) - tp[i];
      sum += diff * diff;
      if (dfeatures != nullptr) dg[n * C * C + i] = static_cast<float>(2.0 * diff * inv_count);
    }
  }
  if (dfeatures != nullptr) *dfeatures = gram_matrix_backward(features, dg);
  return sum * inv_count;
}

// forward:  L = (1/n) sum (x[h+1][w]-x[h][w])^2 + (x[h][w+1]-x[h][w])^2
// backward: each difference d = b - a adds 2d/n to dx[b] and -2d/n to dx[a]
double total_variation_loss(const Tensor& image, Tensor* dimage) {
  if (!image.defined() || image.rank() != 4)
    throw ShapeError("total_variation_loss: expected image (N,C,H,W), got " + image.shape().str());
  if (image.numel() == 0) throw ShapeError("total_variation_loss: empty image " + image.shape().str());
  const int64_t planes = image.dim(0) * image.dim(1), H = image.dim(2), W = image.dim(3);
  const double inv_n = 1.0 / static_cast<double>(image.numel());
  Tensor dx;
  if (dimage != nullptr) dx = Tensor::zeros(image.shape());
  double sum = 0.0;
  for (int64_t p = 0; p < planes; ++p) {
    // x[p][h][w] = x[(p*H + h)*W + w]
    const float* x = image.data() + p * H * W;
    float* d = dimage != nullptr ? dx.data() + p * H * W : nullptr;
    for (int64_t h = 0; h < H; ++h) {
      for (int64_t w = 0; w < W; ++w) {
        const int64_t i = h * W + w;
        if (h + 1 < H) {
          const double dv = static_cast<double>(x[i + W]) - x[i];
          sum += dv * dv;
          if (d != nullptr) {
            d[i + W] += static_cast<float>(2.0 * dv * inv_n);
            d[i] -= static_cast<float>(2.0 * dv * inv_n);
          }
        }
        if (w + 1 < W) {
          const double dh = static_cast<double>(x[i + 1]) - x[i];
          sum += dh * dh;
          if (d != nullptr) {
            d[i + 1] += static_cast<float>(2.0 * dh * inv_n);
            d[i] -= static_cast<float>(2.0 * dh * inv_n);
          }
        }
      }
    }
  }
  if (dimage != nullptr) *dimage = dx;
  return sum * inv_n;
}

}  // namespace neuroshop
