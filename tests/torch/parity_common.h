// Shared machinery of the parity_*.cpp files: Tensor <-> torch::Tensor, the error bookkeeping of a
// ParityRow, and the generic "same layer in both engines" check.
//
// The torch side runs in float64 from the very float32 values our side got, so a reported error
// is our float error alone (torch's own float rounding does not blur it).
// Not here: the cases themselves (parity_layers.cpp, parity_losses.cpp, parity_e2e.cpp).
#pragma once

#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "core/layer.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "parity.h"
#include "random_tensors.h"

namespace neuroshop::parity {

inline torch::Tensor to_torch(const Tensor& t, torch::Dtype dtype = torch::kFloat64) {
  std::vector<int64_t> dims = t.shape().dims();
  torch::Tensor f = torch::from_blob(const_cast<float*>(t.data()), dims, torch::kFloat32);
  return f.to(dtype).clone();
}

inline Tensor from_torch(const torch::Tensor& t) {
  torch::Tensor f = t.detach().to(torch::kFloat32).contiguous();
  Tensor out = Tensor::empty(Shape(f.sizes().vec()));
  std::memcpy(out.data(), f.data_ptr<float>(), sizeof(float) * static_cast<size_t>(out.numel()));
  return out;
}

using neuroshop::testing::random_away_from_zero;
using neuroshop::testing::random_distinct;
using neuroshop::testing::random_tensor;

// Overwrites every param value with U(lo, hi) (biases start at zero, which would hide errors in db).
inline void randomize_params(Layer& layer, Rng& rng, double lo = -0.5, double hi = 0.5) {
  for (Param* p : layer.params())
    for (int64_t i = 0; i < p->value.numel(); ++i) p->value[i] = static_cast<float>(rng.uniform(lo, hi));
}

inline std::string shape_str(const torch::Tensor& t) {
  std::ostringstream s;
  s << "(";
  for (int64_t i = 0; i < t.dim(); ++i) s << (i ? "," : "") << t.size(i);
  s << ")";
  return s.str();
}

// Accumulates the comparisons of one row. Each compare() folds max |ours - torch| into the y, dx
// or dW column and fails the row (first failure noted) if any element is outside
// kAtol + kRtol * |torch| (scaled by `loosen` where a case documents why).
// The reported errors are absolute.
class RowBuilder {
 public:
  enum Column { kY, kDx, kDw };

  RowBuilder(std::string op, std::string config) {
    row_.op = std::move(op);
    row_.config = std::move(config);
    row_.pass = true;
  }

  // atol_scale multiplies kAtol: a loss gradient of size ~1/n passes max|torch| so the absolute
  // tolerance stays relative to the tensor's magnitude.
  void compare(Column col, const std::string& what, const Tensor& ours, const torch::Tensor& ref, double loosen = 1.0,
               double atol_scale = 1.0) {
    if (!ref.defined() || ref.numel() != ours.numel()) {
      fail(what + ": ours has " + ours.shape().str() + ", torch " + (ref.defined() ? shape_str(ref) : "undefined"));
      return;
    }
    torch::Tensor r = ref.detach().to(torch::kFloat64).contiguous().reshape({-1});
    const double* rp = r.data_ptr<double>();
    double max_err = 0.0;
    int64_t worst = -1;
    double worst_excess = 0.0;
    for (int64_t i = 0; i < ours.numel(); ++i) {
      const double err = std::abs(static_cast<double>(ours[i]) - rp[i]);
      if (!std::isfinite(err)) {
        max_err = INFINITY;
        worst = i;
        worst_excess = INFINITY;
        break;
      }
      max_err = std::max(max_err, err);
      const double excess = err - loosen * (kAtol * atol_scale + kRtol * std::abs(rp[i]));
      if (excess > worst_excess) {
        worst_excess = excess;
        worst = i;
      }
    }
    double& cell = col == kY ? row_.err_y : col == kDx ? row_.err_dx : row_.err_dw;
    cell = std::max(cell, max_err);
    if (worst >= 0) {
      char buf[200];
      std::snprintf(buf, sizeof buf, ": [%lld] ours %.7g vs torch %.7g", static_cast<long long>(worst),
                    static_cast<double>(ours[worst]), rp[worst]);
      fail(what + buf);
    }
  }

  // A scalar: |ours - ref| <= atol + rtol * |ref|.
  void compare_scalar(Column col, const std::string& what, double ours, double ref, double atol = kAtol,
                      double rtol = kRtol) {
    const double err = std::abs(ours - ref);
    double& cell = col == kY ? row_.err_y : col == kDx ? row_.err_dx : row_.err_dw;
    cell = std::max(cell, std::isfinite(err) ? err : INFINITY);
    if (!(err <= atol + rtol * std::abs(ref))) {
      char buf[200];
      std::snprintf(buf, sizeof buf, ": ours %.9g vs torch %.9g", ours, ref);
      fail(what + buf);
    }
  }

  void fail(const std::string& why) {
    if (row_.pass) row_.note = why;
    row_.pass = false;
  }
  void note(const std::string& n) {
    if (row_.pass && row_.note.empty()) row_.note = n;
  }

  ParityRow finish() const { return row_; }

 private:
  ParityRow row_;
};

// A parameter-free function of x as a layer, so check_layer can drive free functions (resize,
// gram matrix): f(x) forward, b(dy, x) backward.
class FunctionLayer : public Layer {
 public:
  using Forward = std::function<Tensor(const Tensor& x)>;
  using Backward = std::function<Tensor(const Tensor& dy, const Tensor& x)>;
  FunctionLayer(Forward f, Backward b) : f_(std::move(f)), b_(std::move(b)) {}
  Shape output_shape(const Shape& in) const override { return in; }
  Tensor forward(const Tensor& x) override {
    x_ = x;
    return f_(x);
  }
  Tensor backward(const Tensor& dy) override { return b_(dy, x_); }
  LayerSpec spec() const override { return LayerSpec{"Function", name_, {}, {}}; }

 private:
  Forward f_;
  Backward b_;
  Tensor x_;
};

// The torch expression of a layer: gets x (requires grad) and our params in layer.params() order
// (each requiring grad when trainable), returns y.
using TorchParams = std::vector<torch::Tensor>;
using TorchLayerFn = std::function<torch::Tensor(const torch::Tensor& x, const TorchParams& p)>;

// Runs `layer` on x and backward on a random g; runs `fn` in torch on the same x, params and g;
// compares y, dx and every trainable param's grad. `extra` may add comparisons afterwards (running
// statistics, ...).
inline ParityRow check_layer(const std::string& op, const std::string& config, Layer& layer, const Tensor& x,
                             const TorchLayerFn& fn, uint64_t seed = 1234,
                             const std::function<void(RowBuilder&)>& extra = {}) {
  RowBuilder row(op, config);
  Rng rng(seed);
  const Tensor y = layer.forward(x);
  const Tensor g = random_tensor(y.shape(), rng);
  for (Param* p : layer.params()) p->grad.zero();
  const Tensor dx = layer.backward(g);

  torch::Tensor tx = to_torch(x).requires_grad_(true);
  TorchParams tp;
  for (Param* p : layer.params()) tp.push_back(to_torch(p->value).requires_grad_(p->trainable));
  torch::Tensor ty = fn(tx, tp);
  (ty * to_torch(g).reshape(ty.sizes())).sum().backward();

  row.compare(RowBuilder::kY, "y", y, ty);
  row.compare(RowBuilder::kDx, "dx", dx, tx.grad());
  const std::vector<Param*> params = layer.params();
  for (size_t i = 0; i < params.size(); ++i) {
    if (!params[i]->trainable) continue;
    row.compare(RowBuilder::kDw, "d" + params[i]->name + "#" + std::to_string(i), params[i]->grad, tp[i].grad());
  }
  if (extra) extra(row);
  return row.finish();
}

}  // namespace neuroshop::parity
