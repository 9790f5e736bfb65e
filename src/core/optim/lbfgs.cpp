// Lbfgs: a port of torch.optim.LBFGS (torch/optim/lbfgs.py) with its strong-Wolfe line search.
// Vectors are float tensors like x; every dot product and max is accumulated in double.
#include "core/optim/lbfgs.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <vector>

#include "core/errors.h"

namespace neuroshop {
namespace {

double dot(const Tensor& a, const Tensor& b) {
  const float* ap = a.data();
  const float* bp = b.data();
  double s = 0.0;
  for (int64_t i = 0, n = a.numel(); i < n; ++i) s += static_cast<double>(ap[i]) * bp[i];
  return s;
}

double max_abs(const Tensor& a) {
  const float* ap = a.data();
  double m = 0.0;
  for (int64_t i = 0, n = a.numel(); i < n; ++i) m = std::max(m, static_cast<double>(std::abs(ap[i])));
  return m;
}

double sum_abs(const Tensor& a) {
  const float* ap = a.data();
  double s = 0.0;
  for (int64_t i = 0, n = a.numel(); i < n; ++i) s += std::abs(ap[i]);
  return s;
}

// out = x + t * d, in float; both the line search and the final update use this, so the accepted
// point is exactly the one evaluated.
Tensor add_scaled(const Tensor& x, double t, const Tensor& d) {
  Tensor out = Tensor::empty(x.shape());
  const float tf = static_cast<float>(t);
  const float* xp = x.data();
  const float* dp = d.data();
  float* op = out.data();
  for (int64_t i = 0, n = x.numel(); i < n; ++i) op[i] = xp[i] + tf * dp[i];
  return out;
}

// y += alpha * x
void axpy(double alpha, const Tensor& x, Tensor& y) {
  const float a = static_cast<float>(alpha);
  const float* xp = x.data();
  float* yp = y.data();
  for (int64_t i = 0, n = x.numel(); i < n; ++i) yp[i] += a * xp[i];
}

// Minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clamped to the bounds
// (default: the interval between x1 and x2); the bounds' midpoint when the cubic has no minimum.
double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2, double lo, double hi) {
  const double d1 = g1 + g2 - 3.0 * (f1 - f2) / (x1 - x2);
  const double d2_square = d1 * d1 - g1 * g2;
  if (d2_square >= 0.0) {
    const double d2 = std::sqrt(d2_square);
    const double min_pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2.0 * d2))
                                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2.0 * d2));
    // A non-finite value (say f = inf at a trial point) falls through to the midpoint.
    if (std::isfinite(min_pos)) return std::min(std::max(min_pos, lo), hi);
  }
  return 0.5 * (lo + hi);
}

double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2) {
  return cubic_interpolate(x1, f1, g1, x2, f2, g2, std::min(x1, x2), std::max(x1, x2));
}

struct LineSearchResult {
  double loss;
  Tensor grad;
  double t;
};

// Strong-Wolfe line search along d from the point with loss f, gradient g and slope gtd = g.d,
// first trying step t: the bracketing phase, then the zoom phase (Nocedal & Wright, algorithms
// 3.5 and 3.6, as implemented by torch's _strong_wolfe). `evaluate(t, &grad)` returns f(x + t d).
template <class Evaluate>
LineSearchResult strong_wolfe(const Evaluate& evaluate, double t, const Tensor& d, double f, const Tensor& g,
                              double gtd, double tolerance_change) {
  constexpr double c1 = 1e-4, c2 = 0.9;
  constexpr int max_ls = 25;
  const double d_norm = max_abs(d);
  Tensor g_new;
  double f_new = evaluate(t, &g_new);
  double gtd_new = dot(g_new, d);

  double t_prev = 0.0, f_prev = f, gtd_prev = gtd;
  Tensor g_prev = g;
  bool done = false;
  int ls_iter = 0;
  double bracket[2] = {0.0, 0.0}, bracket_f[2] = {0.0, 0.0}, bracket_gtd[2] = {0.0, 0.0};
  Tensor bracket_g[2];
  int bracket_size = 0;
  auto set_bracket = [&](double t0, double f0, const Tensor& g0, double gtd0, double t1, double f1, const Tensor& g1,
                         double gtd1) {
    bracket[0] = t0, bracket_f[0] = f0, bracket_g[0] = g0, bracket_gtd[0] = gtd0;
    bracket[1] = t1, bracket_f[1] = f1, bracket_g[1] = g1, bracket_gtd[1] = gtd1;
    bracket_size = 2;
  };

  while (ls_iter < max_ls) {
    if (f_new > f + c1 * t * gtd || (ls_iter > 1 && f_new >= f_prev)) {
      set_bracket(t_prev, f_prev, g_prev, gtd_prev, t, f_new, g_new, gtd_new);
      break;
    }
    if (std::abs(gtd_new) <= -c2 * gtd) {
      bracket[0] = t, bracket_f[0] = f_new, bracket_g[0] = g_new, bracket_gtd[0] = gtd_new;
      bracket_size = 1;
      done = true;
      break;
    }
    if (gtd_new >= 0.0) {
      set_bracket(t_prev, f_prev, g_prev, gtd_prev, t, f_new, g_new, gtd_new);
      break;
    }
    // Extrapolate: the next trial lies between 1.01 t and 10 t.
    const double min_step = t + 0.01 * (t - t_prev);
    const double max_step = t * 10.0;
    const double previous = t;
    t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, min_step, max_step);
    t_prev = previous;
    f_prev = f_new;
    g_prev = g_new;
    gtd_prev = gtd_new;
    f_new = evaluate(t, &g_new);
    gtd_new = dot(g_new, d);
    ++ls_iter;
  }
  if (ls_iter == max_ls) set_bracket(0.0, f, g, gtd, t, f_new, g_new, gtd_new);

  // Zoom: shrink the bracket until a point satisfies the strong Wolfe conditions.
  bool insufficient_progress = false;
  int low = 0, high = 1;
  if (bracket_size == 2 && bracket_f[0] > bracket_f[1]) low = 1, high = 0;
  while (!done && ls_iter < max_ls) {
    if (std::abs(bracket[1] - bracket[0]) * d_norm < tolerance_change) break;
    t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]);
    // Keep the trial at least a tenth of the bracket away from its ends when the interpolation
    // hugs a boundary twice in a row (or lands on it).
    const double b_max = std::max(bracket[0], bracket[1]), b_min = std::min(bracket[0], bracket[1]);
    const double eps = 0.1 * (b_max - b_min);
    if (std::min(b_max - t, t - b_min) < eps) {
      if (insufficient_progress || t >= b_max || t <= b_min) {
        t = std::abs(t - b_max) < std::abs(t - b_min) ? b_max - eps : b_min + eps;
        insufficient_progress = false;
      } else {
        insufficient_progress = true;
      }
    } else {
      insufficient_progress = false;
    }
    f_new = evaluate(t, &g_new);
    gtd_new = dot(g_new, d);
    ++ls_iter;
    if (f_new > f + c1 * t * gtd || f_new >= bracket_f[low]) {
      // Armijo fails or no lower than the low end: the trial becomes the high end.
      bracket[high] = t, bracket_f[high] = f_new, bracket_g[high] = g_new, bracket_gtd[high] = gtd_new;
      if (bracket_f[0] <= bracket_f[1]) low = 0, high = 1;
      else low = 1, high = 0;
    } else {
      if (std::abs(gtd_new) <= -c2 * gtd) {
        done = true;
      } else if (gtd_new * (bracket[high] - bracket[low]) >= 0.0) {
        // The old low end becomes the high end.
        bracket[high] = bracket[low], bracket_f[high] = bracket_f[low], bracket_g[high] = bracket_g[low];
        bracket_gtd[high] = bracket_gtd[low];
      }
      bracket[low] = t, bracket_f[low] = f_new, bracket_g[low] = g_new, bracket_gtd[low] = gtd_new;
    }
  }
  return {bracket_f[low], bracket_g[low], bracket[low]};
}

}  // namespace

Lbfgs::Lbfgs(LbfgsOptions options) : options_(options) {
  auto fail = [](const std::string& what) { throw ArgumentError("Lbfgs: " + what); };
  if (options.history < 1) fail("history must be >= 1, got " + std::to_string(options.history));
  if (options.max_iterations < 1) fail("max_iterations must be >= 1, got " + std::to_string(options.max_iterations));
  if (options.max_evaluations < 0)
    fail("max_evaluations must be >= 0 (0: automatic), got " + std::to_string(options.max_evaluations));
  if (!(options.learning_rate > 0.0) || !std::isfinite(options.learning_rate))
    fail("learning_rate must be finite and > 0, got " + std::to_string(options.learning_rate));
  if (!(options.tolerance_grad >= 0.0)) fail("tolerance_grad must be >= 0, got " + std::to_string(options.tolerance_grad));
  if (!(options.tolerance_change >= 0.0))
    fail("tolerance_change must be >= 0, got " + std::to_string(options.tolerance_change));
}

LbfgsResult Lbfgs::minimize(const LbfgsObjective& f, Tensor& x, const LbfgsCallback& on_iteration) const {
  if (!x.defined() || x.numel() == 0) throw ShapeError("Lbfgs: the starting point is empty");
  const LbfgsOptions& opt = options_;
  const int max_evaluations = opt.max_evaluations > 0 ? opt.max_evaluations : opt.max_iterations * 5 / 4;
  LbfgsResult result;

  // f at a fresh copy of `point`; NaN counts as +inf so the line search backs away from it.
  auto evaluate = [&](const Tensor& point, Tensor* grad) {
    Tensor g = Tensor::zeros(point.shape());
    double loss = f(point, &g);
    ++result.evaluations;
    if (!g.defined() || g.numel() != point.numel())
      throw ShapeError("Lbfgs: the objective returned a gradient " + g.shape().str() + " for x " +
                       point.shape().str());
    *grad = g.reshaped(point.shape());
    return std::isnan(loss) ? std::numeric_limits<double>::infinity() : loss;
  };
  auto evaluate_along = [&](const Tensor& d) {
    return [&x, &d, &evaluate](double t, Tensor* grad) { return evaluate(add_scaled(x, t, d), grad); };
  };

  Tensor flat_grad;
  double loss = evaluate(x.clone(), &flat_grad);
  if (!std::isfinite(loss)) throw Error("Lbfgs: the objective is not finite at the starting point");
  result.loss = loss;
  if (max_abs(flat_grad) <= opt.tolerance_grad) {
    result.converged = true;
    result.stop_reason = "gradient below tolerance_grad at the start";
    return result;
  }

  std::deque<Tensor> old_dirs, old_stps;  // y = g_{k+1} - g_k and s = x_{k+1} - x_k
  std::deque<double> ro;                  // 1 / y's
  std::vector<double> al(static_cast<size_t>(opt.history));
  double h_diag = 1.0;
  Tensor d, prev_flat_grad;
  double t = 0.0;

  for (int n_iter = 1;; ++n_iter) {
    // Direction: steepest descent first, then the two-loop recursion.
    if (n_iter == 1) {
      d = flat_grad.clone();
      for (int64_t i = 0; i < d.numel(); ++i) d[i] = -d[i];
    } else {
      Tensor y = flat_grad.clone();
      axpy(-1.0, prev_flat_grad, y);
      Tensor s = d.clone();
      for (int64_t i = 0; i < s.numel(); ++i) s[i] *= static_cast<float>(t);
      const double ys = dot(y, s);
      if (ys > 1e-10) {  // curvature condition, else keep the old memory
        if (static_cast<int>(old_dirs.size()) == opt.history) {
          old_dirs.pop_front();
          old_stps.pop_front();
          ro.pop_front();
        }
        old_dirs.push_back(y);
        old_stps.push_back(s);
        ro.push_back(1.0 / ys);
        h_diag = ys / dot(y, y);
      }
      const int num_old = static_cast<int>(old_dirs.size());
      Tensor q = flat_grad.clone();
      for (int64_t i = 0; i < q.numel(); ++i) q[i] = -q[i];
      for (int i = num_old - 1; i >= 0; --i) {
        al[static_cast<size_t>(i)] = dot(old_stps[static_cast<size_t>(i)], q) * ro[static_cast<size_t>(i)];
        axpy(-al[static_cast<size_t>(i)], old_dirs[static_cast<size_t>(i)], q);
      }
      for (int64_t i = 0; i < q.numel(); ++i) q[i] *= static_cast<float>(h_diag);
      for (int i = 0; i < num_old; ++i) {
        const double be_i = dot(old_dirs[static_cast<size_t>(i)], q) * ro[static_cast<size_t>(i)];
        axpy(al[static_cast<size_t>(i)] - be_i, old_stps[static_cast<size_t>(i)], q);
      }
      d = q;
    }
    prev_flat_grad = flat_grad;
    const double prev_loss = loss;

    // Step length: the first step is scaled so it moves at most learning_rate in the l1 sense.
    t = n_iter == 1 ? std::min(1.0, 1.0 / sum_abs(flat_grad)) * opt.learning_rate : opt.learning_rate;
    const double gtd = dot(flat_grad, d);
    if (gtd > -opt.tolerance_change) {
      result.converged = true;
      result.stop_reason = "directional derivative above -tolerance_change";
      break;
    }

    if (opt.line_search) {
      LineSearchResult ls = strong_wolfe(evaluate_along(d), t, d, loss, flat_grad, gtd, opt.tolerance_change);
      loss = ls.loss;
      flat_grad = ls.grad;
      t = ls.t;
      x.copy_from(add_scaled(x, t, d));
    } else {
      x.copy_from(add_scaled(x, t, d));
      loss = evaluate(x.clone(), &flat_grad);
    }
    result.loss = loss;
    result.iterations = n_iter;
    if (on_iteration) on_iteration(n_iter, loss);

    if (max_abs(flat_grad) <= opt.tolerance_grad) {
      result.converged = true;
      result.stop_reason = "gradient below tolerance_grad";
      break;
    }
    if (n_iter >= opt.max_iterations) {
      result.stop_reason = "max_iterations reached";
      break;
    }
    if (result.evaluations >= max_evaluations) {
      result.stop_reason = "max_evaluations reached";
      break;
    }
    if (max_abs(d) * std::abs(t) <= opt.tolerance_change) {
      result.converged = true;
      result.stop_reason = "step below tolerance_change";
      break;
    }
    if (std::abs(loss - prev_loss) < opt.tolerance_change) {
      result.converged = true;
      result.stop_reason = "loss change below tolerance_change";
      break;
    }
  }
  return result;
}

}  // namespace neuroshop
