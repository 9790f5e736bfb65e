// Parity of the losses (mse, l1, cross-entropy, gram matrix, gram loss, total variation) and of the
// optimizers (Sgd, Adam, L-BFGS) and the StepLr schedule against LibTorch.
// A loss row: y = the loss value, dx = dL/dpred (compared with an absolute tolerance scaled by the
// gradient's largest magnitude, since a mean makes every entry ~1/n). An optimizer row: y = every
// param after each of the steps, compared step by step.
#include "core/losses/cross_entropy.h"
#include "core/losses/regression.h"
#include "core/losses/style.h"
#include "core/optim/adam.h"
#include "core/optim/lbfgs.h"
#include "core/optim/lr_schedule.h"
#include "core/optim/sgd.h"
#include "parity_common.h"

namespace neuroshop::parity {

namespace F = torch::nn::functional;

namespace {

// Our loss: value, and the gradient written into *dpred.
using OurLoss = std::function<double(const Tensor& pred, Tensor* dpred)>;
using TorchLoss = std::function<torch::Tensor(const torch::Tensor& pred)>;

ParityRow check_loss(const std::string& op, const Tensor& pred, const OurLoss& ours, const TorchLoss& theirs) {
  RowBuilder row(op, "");
  Tensor dpred;
  const double value = ours(pred, &dpred);
  torch::Tensor tp = to_torch(pred).requires_grad_(true);
  torch::Tensor tl = theirs(tp);
  tl.backward();
  row.compare_scalar(RowBuilder::kY, "loss", value, tl.item<double>());
  const double scale = std::max(1e-12, tp.grad().abs().max().item<double>());
  row.compare(RowBuilder::kDx, "dpred", dpred, tp.grad(), 1.0, std::min(1.0, scale));
  return row.finish();
}

void add_regression(std::vector<ParityCase>& c) {
  for (const Shape& shape : {Shape{2, 3, 4, 5}, Shape{5, 7}}) {
    c.push_back({"mse_loss", "1/2 mean " + shape.str(), [shape] {
                   Rng rng(201);
                   const Tensor pred = random_tensor(shape, rng, -2.0, 2.0);
                   const Tensor target = random_tensor(shape, rng, -2.0, 2.0);
                   return check_loss("mse_loss", pred, [&](const Tensor& p, Tensor* d) { return mse_loss(p, target, d); },
                                     [&](const torch::Tensor& p) { return 0.5 * F::mse_loss(p, to_torch(target)); });
                 }});
    c.push_back({"l1_loss", "mean " + shape.str(), [shape] {
                   Rng rng(202);
                   const Tensor pred = random_tensor(shape, rng, -2.0, 2.0);
                   // target = pred + a gap of at least 0.05: away from the kink of |.|.
                   Tensor target = random_away_from_zero(shape, rng, 0.05, 1.0);
                   for (int64_t i = 0; i < target.numel(); ++i) target[i] += pred[i];
                   return check_loss("l1_loss", pred, [&](const Tensor& p, Tensor* d) { return l1_loss(p, target, d); },
                                     [&](const torch::Tensor& p) { return F::l1_loss(p, to_torch(target)); });
                 }});
  }
}

// Random non-negative targets; normalized to sum 1 per position unless `raw`.
Tensor soft_targets(const Shape& shape, Rng& rng, bool raw) {
  Tensor t = random_tensor(shape, rng, 0.0, 1.0);
  if (raw) return t;
  const int64_t N = shape[0], C = shape[1], inner = shape.numel() / (N * C);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i < inner; ++i) {
      double s = 0.0;
      for (int64_t k = 0; k < C; ++k) s += t[(n * C + k) * inner + i];
      for (int64_t k = 0; k < C; ++k) t[(n * C + k) * inner + i] = static_cast<float>(t[(n * C + k) * inner + i] / s);
    }
  return t;
}

// The exact formula of cross_entropy.h in torch:
//   L = mean_p v_p * (-sum_c t_pc log_softmax(z)_pc),  v_p = w[argmax_c t_pc] (or 1).
torch::Tensor torch_cross_entropy(const torch::Tensor& z, const torch::Tensor& t, const std::vector<float>* w) {
  torch::Tensor per_position = -(t * torch::log_softmax(z, 1)).sum(1);
  if (w) {
    torch::Tensor tw = torch::tensor(std::vector<double>(w->begin(), w->end()), torch::kFloat64);
    per_position = per_position * tw.index_select(0, t.argmax(1).reshape({-1})).reshape(per_position.sizes());
  }
  return per_position.mean();
}

void add_cross_entropy(std::vector<ParityCase>& c) {
  struct CeConfig {
    std::string name;
    Shape shape;
    bool weighted, raw_targets, use_torch_op;
    double logit_scale;
  };
  const std::vector<CeConfig> configs = {
      {"soft targets (4,6), F::cross_entropy", {4, 6}, false, false, true, 3.0},
      {"soft targets (2,5,3,4), F::cross_entropy", {2, 5, 3, 4}, false, false, true, 3.0},
      {"soft targets + class weights (2,5,3,4)", {2, 5, 3, 4}, true, false, false, 3.0},
      {"unnormalized targets + class weights (3,4)", {3, 4}, true, true, false, 3.0},
      {"large logits +-1e4 (4,6)", {4, 6}, false, false, false, 1e4},
  };
  for (const CeConfig& k : configs) {
    c.push_back({"cross_entropy", k.name, [k] {
                   Rng rng(211);
                   Tensor logits = random_tensor(k.shape, rng, -1.0, 1.0);
                   for (int64_t i = 0; i < logits.numel(); ++i) logits[i] *= static_cast<float>(k.logit_scale);
                   const Tensor target = soft_targets(k.shape, rng, k.raw_targets);
                   std::vector<float> weights;
                   for (int64_t i = 0; i < k.shape[1]; ++i) weights.push_back(static_cast<float>(rng.uniform(0.2, 3.0)));
                   const std::vector<float>* w = k.weighted ? &weights : nullptr;
                   return check_loss(
                       "cross_entropy", logits,
                       [&](const Tensor& z, Tensor* d) { return cross_entropy_loss(z, target, w, d); },
                       [&](const torch::Tensor& z) {
                         if (k.use_torch_op) return F::cross_entropy(z, to_torch(target));  // probability targets
                         return torch_cross_entropy(z, to_torch(target), w);
                       });
                 }});
  }
}

torch::Tensor torch_gram(const torch::Tensor& f) {
  const int64_t N = f.size(0), C = f.size(1), HW = f.size(2) * f.size(3);
  torch::Tensor m = f.reshape({N, C, HW});
  return torch::bmm(m, m.transpose(1, 2)) / static_cast<double>(C * HW);
}

void add_style(std::vector<ParityCase>& c) {
  c.push_back({"gram_matrix", "F F^T / (C*H*W), (2,4,5,6)", [] {
                 FunctionLayer layer([](const Tensor& x) { return gram_matrix(x); },
                                     [](const Tensor& dg, const Tensor& x) { return gram_matrix_backward(x, dg); });
                 Rng rng(221);
                 const Tensor x = random_tensor({2, 4, 5, 6}, rng);
                 return check_layer("gram_matrix", "", layer, x, [](const torch::Tensor& t, const TorchParams&) { return torch_gram(t); });
               }});
  for (bool shared : {false, true}) {
    c.push_back({"gram_loss", shared ? "target (1,C,C) shared, (2,4,5,6)" : "target (N,C,C), (2,4,5,6)", [shared] {
                   Rng rng(222);
                   const Tensor features = random_tensor({2, 4, 5, 6}, rng);
                   Tensor target_gram = gram_matrix(random_tensor({shared ? 1 : 2, 4, 5, 6}, rng, -1.5, 1.5));
                   return check_loss(
                       "gram_loss", features, [&](const Tensor& f, Tensor* d) { return gram_loss(f, target_gram, d); },
                       [&](const torch::Tensor& f) {
                         return (torch_gram(f) - to_torch(target_gram)).pow(2).sum() / static_cast<double>(2 * 4 * 4);
                       });
                 }});
  }
  for (const Shape& shape : {Shape{2, 3, 5, 6}, Shape{1, 1, 1, 4}}) {
    c.push_back({"total_variation", "squared diffs / numel " + shape.str(), [shape] {
                   Rng rng(223);
                   const Tensor image = random_tensor(shape, rng);
                   return check_loss(
                       "total_variation", image, [](const Tensor& x, Tensor* d) { return total_variation_loss(x, d); },
                       [](const torch::Tensor& x) {
                         using torch::indexing::Slice;
                         const int64_t H = x.size(2), W = x.size(3);
                         torch::Tensor sum = torch::zeros({}, torch::kFloat64);
                         if (H > 1) sum = sum + (x.index({Slice(), Slice(), Slice(1, H), Slice()}) -
                                                 x.index({Slice(), Slice(), Slice(0, H - 1), Slice()}))
                                                    .pow(2)
                                                    .sum();
                         if (W > 1) sum = sum + (x.index({Slice(), Slice(), Slice(), Slice(1, W)}) -
                                                 x.index({Slice(), Slice(), Slice(), Slice(0, W - 1)}))
                                                    .pow(2)
                                                    .sum();
                         return sum / static_cast<double>(x.numel());
                       });
                 }});
  }
}

// --- optimizers ------------------------------------------------------------------------------
// Three params (one frozen), the same gradient sequence in both; params compared after each step.
constexpr int kOptimSteps = 6;

ParityRow check_optimizer(const std::function<std::unique_ptr<Optimizer>(std::vector<Param*>)>& make_ours,
                          const std::function<std::unique_ptr<torch::optim::Optimizer>(std::vector<torch::Tensor>)>& make_torch) {
  RowBuilder row("", "");
  Rng rng(301);
  std::vector<Param> params;
  params.emplace_back("w", Shape{4, 3});
  params.emplace_back("b", Shape{5});
  params.emplace_back("frozen", Shape{2, 2});
  params.emplace_back("k", Shape{2, 3, 3, 3});
  params[2].trainable = false;
  for (Param& p : params) p.value = random_tensor(p.value.shape(), rng);
  std::vector<Param*> ptrs;
  for (Param& p : params) ptrs.push_back(&p);

  std::vector<torch::Tensor> tparams, ttrainable;
  for (Param& p : params) {
    tparams.push_back(to_torch(p.value).requires_grad_(p.trainable));
    if (p.trainable) ttrainable.push_back(tparams.back());
  }
  std::unique_ptr<Optimizer> ours = make_ours(ptrs);
  std::unique_ptr<torch::optim::Optimizer> theirs = make_torch(ttrainable);

  for (int step = 0; step < kOptimSteps; ++step) {
    for (size_t i = 0; i < params.size(); ++i) {
      const Tensor g = random_tensor(params[i].value.shape(), rng);
      params[i].grad.copy_from(g);
      if (params[i].trainable) tparams[i].mutable_grad() = to_torch(g);
    }
    ours->step();
    theirs->step();
    for (size_t i = 0; i < params.size(); ++i)
      row.compare(RowBuilder::kY, params[i].name + " after step " + std::to_string(step + 1), params[i].value,
                  tparams[i].detach());
  }
  return row.finish();
}

void add_sgd_adam(std::vector<ParityCase>& c) {
  struct SgdConfig {
    std::string name;
    SgdOptions o;
  };
  const std::vector<SgdConfig> sgd = {
      {"lr 0.1", {0.1, 0.0, 0.0, false}},
      {"lr 0.1 momentum 0.9", {0.1, 0.9, 0.0, false}},
      {"lr 0.1 momentum 0.9 nesterov", {0.1, 0.9, 0.0, true}},
      {"lr 0.05 momentum 0.8 weight decay 0.01", {0.05, 0.8, 0.01, false}},
      {"lr 0.05 momentum 0.8 nesterov weight decay 0.05", {0.05, 0.8, 0.05, true}},
      {"lr 0.1 weight decay 0.1 (no momentum)", {0.1, 0.0, 0.1, false}},
  };
  for (const SgdConfig& k : sgd) {
    c.push_back({"Sgd", k.name + ", 6 steps", [k] {
                   return check_optimizer(
                       [&](std::vector<Param*> p) { return std::make_unique<Sgd>(std::move(p), k.o); },
                       [&](std::vector<torch::Tensor> p) {
                         return std::make_unique<torch::optim::SGD>(
                             p, torch::optim::SGDOptions(k.o.lr).momentum(k.o.momentum).weight_decay(k.o.weight_decay).nesterov(k.o.nesterov));
                       });
                 }});
  }
  struct AdamConfig {
    std::string name;
    AdamOptions o;
  };
  const std::vector<AdamConfig> adam = {
      {"lr 1e-2 (defaults)", {1e-2, 0.9, 0.999, 1e-8, 0.0}},
      {"lr 0.1 betas (0.8, 0.99)", {0.1, 0.8, 0.99, 1e-8, 0.0}},
      {"lr 1e-2 eps 1e-3 weight decay 0.05", {1e-2, 0.9, 0.999, 1e-3, 0.05}},
  };
  for (const AdamConfig& k : adam) {
    c.push_back({"Adam", k.name + ", 6 steps", [k] {
                   return check_optimizer(
                       [&](std::vector<Param*> p) { return std::make_unique<Adam>(std::move(p), k.o); },
                       [&](std::vector<torch::Tensor> p) {
                         return std::make_unique<torch::optim::Adam>(
                             p, torch::optim::AdamOptions(k.o.lr).betas({k.o.beta1, k.o.beta2}).eps(k.o.eps).weight_decay(k.o.weight_decay));
                       });
                 }});
  }
}

// L-BFGS on f(x) = 1/2 x'Qx - b'x + 1/4 sum x^4 (Q symmetric positive definite, 8 unknowns):
// smooth and well conditioned, so the float trajectory follows torch's double one.
void add_lbfgs(std::vector<ParityCase>& c) {
  for (bool line_search : {true, false}) {
    for (int iterations : {3, 8}) {
      c.push_back({"Lbfgs", std::string(line_search ? "strong Wolfe" : "fixed step lr 0.5") + ", history 4, " +
                                std::to_string(iterations) + " iterations",
                   [=] {
                     RowBuilder row("", "");
                     constexpr int64_t n = 8;
                     Rng rng(311);
                     std::vector<double> a(n * n), q(n * n, 0.0), b(n);
                     for (double& v : a) v = rng.uniform(-1.0, 1.0);
                     for (int64_t i = 0; i < n; ++i)
                       for (int64_t j = 0; j < n; ++j) {
                         for (int64_t k = 0; k < n; ++k) q[i * n + j] += a[k * n + i] * a[k * n + j] / n;
                         if (i == j) q[i * n + j] += 1.0;
                       }
                     for (double& v : b) v = rng.uniform(-2.0, 2.0);
                     Tensor x = random_tensor({n}, rng);
                     const torch::Tensor tq = torch::tensor(q, torch::kFloat64).reshape({n, n});
                     const torch::Tensor tb = torch::tensor(b, torch::kFloat64);
                     torch::Tensor tx = to_torch(x).requires_grad_(true);

                     LbfgsOptions o;
                     o.history = 4;
                     o.max_iterations = iterations;
                     o.line_search = line_search;
                     o.learning_rate = line_search ? 1.0 : 0.5;
                     const LbfgsResult result = Lbfgs(o).minimize(
                         [&](const Tensor& xs, Tensor* grad) {
                           double f = 0.0;
                           for (int64_t i = 0; i < n; ++i) {
                             double qx = 0.0;
                             for (int64_t j = 0; j < n; ++j) qx += q[i * n + j] * xs[j];
                             f += 0.5 * xs[i] * qx - b[i] * xs[i] + 0.25 * std::pow(xs[i], 4.0);
                             (*grad)[i] = static_cast<float>(qx - b[i] + std::pow(xs[i], 3.0));
                           }
                           return f;
                         },
                         x);

                     auto topt = torch::optim::LBFGSOptions(o.learning_rate).max_iter(iterations).history_size(4);
                     if (line_search) topt = topt.line_search_fn("strong_wolfe");
                     torch::optim::LBFGS theirs({tx}, topt);
                     auto objective = [&] {
                       return 0.5 * tx.matmul(tq.matmul(tx)) - tb.dot(tx) + 0.25 * tx.pow(4).sum();
                     };
                     theirs.step([&] {
                       theirs.zero_grad();
                       torch::Tensor f = objective();
                       f.backward();
                       return f;
                     });
                     const double torch_loss = objective().item<double>();
                     row.compare_scalar(RowBuilder::kY, "loss", result.loss, torch_loss);
                     row.compare(RowBuilder::kY, "x", x, tx.detach());
                     return row.finish();
                   }});
    }
  }
}

// StepLr against torch::optim::StepLR driving an SGD: the learning rate of each of 12 steps.
// Python's scheduler constructor takes one initial step (last_epoch -1 -> 0); LibTorch's C++
// StepLR does not, and so lags Python by one step (pytorch/pytorch#50577 discusses the missing
// step count). StepLr follows Python, so the C++ scheduler gets that initial step here.
void add_schedules(std::vector<ParityCase>& c) {
  c.push_back({"StepLr", "base 0.1, step 3, gamma 0.5, 12 steps", [] {
                 RowBuilder row("", "");
                 const StepLr ours(0.1, 3, 0.5);
                 torch::Tensor w = torch::zeros({2}, torch::kFloat64).requires_grad_(true);
                 torch::optim::SGD sgd({w}, torch::optim::SGDOptions(0.1));
                 torch::optim::StepLR sched(sgd, 3, 0.5);
                 sched.step();  // Python's initial step (see above)
                 for (int64_t step = 0; step < 12; ++step) {
                   const double torch_lr = sgd.param_groups()[0].options().get_lr();
                   row.compare_scalar(RowBuilder::kY, "lr at step " + std::to_string(step), ours.lr_at(step), torch_lr, 1e-15, 1e-12);
                   w.mutable_grad() = torch::ones({2}, torch::kFloat64);
                   sgd.step();
                   sched.step();
                 }
                 return row.finish();
               }});
}

}  // namespace

void add_loss_cases(std::vector<ParityCase>& cases) {
  add_regression(cases);
  add_cross_entropy(cases);
  add_style(cases);
}

void add_optim_cases(std::vector<ParityCase>& cases) {
  add_sgd_adam(cases);
  add_lbfgs(cases);
  add_schedules(cases);
}

}  // namespace neuroshop::parity
