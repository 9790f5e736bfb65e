// L-BFGS on the Rosenbrock function, on quadratics (with and without the line search), on an
// image-shaped objective built from the losses, and its stopping rules and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/errors.h"
#include "core/losses/regression.h"
#include "core/losses/style.h"
#include "core/optim/lbfgs.h"
#include "layer_checks.h"

namespace neuroshop {
namespace {

// f(a, b) = (1 - a)^2 + 100 (b - a^2)^2, minimum 0 at (1, 1).
double rosenbrock(const Tensor& x, Tensor* grad) {
  const double a = x[0], b = x[1];
  (*grad)[0] = static_cast<float>(-2.0 * (1.0 - a) - 400.0 * a * (b - a * a));
  (*grad)[1] = static_cast<float>(200.0 * (b - a * a));
  return (1.0 - a) * (1.0 - a) + 100.0 * (b - a * a) * (b - a * a);
}

TEST(Lbfgs, RosenbrockConvergesToOneOne) {
  Tensor x = Tensor::from({2}, {-1.2f, 1.0f});
  LbfgsOptions options;
  options.max_iterations = 200;
  int callbacks = 0;
  const LbfgsResult r = Lbfgs(options).minimize(rosenbrock, x, [&](int iteration, double loss) {
    ++callbacks;
    EXPECT_EQ(iteration, callbacks);
    EXPECT_TRUE(std::isfinite(loss));
  });
  EXPECT_NEAR(x[0], 1.0f, 1e-3);
  EXPECT_NEAR(x[1], 1.0f, 2e-3);
  EXPECT_LT(r.loss, 1e-6);
  EXPECT_EQ(callbacks, r.iterations);
  EXPECT_LT(r.iterations, 200) << r.stop_reason;
  EXPECT_TRUE(r.converged) << r.stop_reason;
}

// f(x) = 1/2 (x - c)' A (x - c) with A = D + u u' (symmetric positive definite, coupled).
struct Quadratic {
  int n = 20;
  std::vector<double> d, u, c;
  Quadratic() {
    Rng rng(41);
    for (int i = 0; i < n; ++i) {
      d.push_back(rng.uniform(0.5, 5.0));
      u.push_back(rng.uniform(-0.5, 0.5));
      c.push_back(rng.uniform(-2.0, 2.0));
    }
  }
  double operator()(const Tensor& x, Tensor* grad) const {
    double uz = 0.0;
    for (int i = 0; i < n; ++i) uz += u[i] * (x[i] - c[i]);
    double f = 0.5 * uz * uz;
    for (int i = 0; i < n; ++i) {
      const double z = x[i] - c[i];
      f += 0.5 * d[i] * z * z;
      (*grad)[i] = static_cast<float>(d[i] * z + u[i] * uz);
    }
    return f;
  }
};

TEST(Lbfgs, QuadraticWithLineSearch) {
  const Quadratic q;
  Tensor x = Tensor::zeros({q.n});
  const LbfgsResult r = Lbfgs().minimize(q, x);
  for (int i = 0; i < q.n; ++i) EXPECT_NEAR(x[i], q.c[i], 1e-4) << i;
  EXPECT_LT(r.loss, 1e-8);
  EXPECT_TRUE(r.converged) << r.stop_reason;
}

TEST(Lbfgs, QuadraticWithFixedSteps) {
  const Quadratic q;
  Tensor x = Tensor::zeros({q.n});
  LbfgsOptions options;
  options.line_search = false;
  options.max_iterations = 200;
  options.learning_rate = 0.2;  // fixed steps need a learning rate below 2 / (largest curvature)
  const LbfgsResult r = Lbfgs(options).minimize(q, x);
  for (int i = 0; i < q.n; ++i) EXPECT_NEAR(x[i], q.c[i], 1e-3) << i;
  EXPECT_LT(r.loss, 1e-6) << r.stop_reason;
}

TEST(Lbfgs, OptimizesAnImageThroughTheLosses) {
  // Denoise: minimize mse(x, noisy) + 0.5 * tv(x) over a (1,3,8,8) image; at the optimum the
  // gradient vanishes and the loss is below both the start and the noisy image's own loss.
  Rng rng(42);
  const Tensor noisy = testing::random_tensor({1, 3, 8, 8}, rng);
  auto objective = [&](const Tensor& x, Tensor* grad) {
    Tensor d_mse, d_tv;
    const double loss = mse_loss(x, noisy, &d_mse) + 0.5 * total_variation_loss(x, &d_tv);
    for (int64_t i = 0; i < x.numel(); ++i) (*grad)[i] = d_mse[i] + 0.5f * d_tv[i];
    return loss;
  };
  Tensor x = Tensor::zeros(noisy.shape());
  Tensor g0 = Tensor::zeros(noisy.shape());
  const double start = objective(x, &g0);
  const double at_noisy = objective(noisy, &g0);
  LbfgsOptions options;
  options.tolerance_grad = 1e-6;
  const LbfgsResult r = Lbfgs(options).minimize(objective, x);
  EXPECT_LT(r.loss, start);
  EXPECT_LT(r.loss, at_noisy);
  Tensor g = Tensor::zeros(noisy.shape());
  objective(x, &g);
  double max_g = 0.0;
  for (int64_t i = 0; i < g.numel(); ++i) max_g = std::max(max_g, static_cast<double>(std::abs(g[i])));
  EXPECT_LT(max_g, 1e-4) << r.stop_reason;
}

TEST(Lbfgs, StopsAtMaxIterationsAndAtAStationaryStart) {
  Tensor x = Tensor::from({2}, {-1.2f, 1.0f});
  LbfgsOptions options;
  options.max_iterations = 3;
  options.max_evaluations = 100;
  const LbfgsResult r = Lbfgs(options).minimize(rosenbrock, x);
  EXPECT_EQ(r.iterations, 3);
  EXPECT_FALSE(r.converged);
  EXPECT_GT(r.evaluations, 3);
  EXPECT_EQ(r.stop_reason, "max_iterations reached");

  // The default evaluation budget is max_iterations * 5 / 4, as in torch: here 3 evaluations,
  // spent by the start and the first line search.
  x = Tensor::from({2}, {-1.2f, 1.0f});
  options.max_evaluations = 0;
  const LbfgsResult by_evaluations = Lbfgs(options).minimize(rosenbrock, x);
  EXPECT_LT(by_evaluations.iterations, 3);
  EXPECT_GE(by_evaluations.evaluations, 3);
  EXPECT_EQ(by_evaluations.stop_reason, "max_evaluations reached");

  Tensor one = Tensor::from({2}, {1.0f, 1.0f});
  const LbfgsResult at_min = Lbfgs().minimize(rosenbrock, one);
  EXPECT_EQ(at_min.iterations, 0);
  EXPECT_EQ(at_min.evaluations, 1);
  EXPECT_TRUE(at_min.converged);
  EXPECT_EQ(one[0], 1.0f);
}

TEST(Lbfgs, RejectsBadOptionsAndObjectives) {
  LbfgsOptions bad;
  bad.history = 0;
  EXPECT_THROW(Lbfgs{bad}, ArgumentError);
  Tensor x = Tensor::from({2}, {0.0f, 0.0f});
  auto wrong_size = [](const Tensor&, Tensor* grad) {
    *grad = Tensor::zeros({3});
    return 1.0;
  };
  EXPECT_THROW(Lbfgs().minimize(wrong_size, x), ShapeError);
  auto not_finite = [](const Tensor&, Tensor*) { return std::nan(""); };
  EXPECT_THROW(Lbfgs().minimize(not_finite, x), Error);
}

}  // namespace
}  // namespace neuroshop
