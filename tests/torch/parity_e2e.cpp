// End-to-end parity: a small CNN (conv, batch or instance norm, activations, max-pool, bilinear
// upsample, a skip concat) built in both engines from the same initial weights and trained on the
// same batch with MSE, 10 steps of SGD with momentum or of Adam; and the lecture's "should I go
// outside?" demo against LibTorch autograd.
// A training row: y = the loss at every step (then the eval-mode output after training), dx = the
// input gradient at every step, dW = every weight (and running statistic) after the last step.
#include "core/layers/activations.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/instance_norm.h"
#include "core/layers/pooling.h"
#include "core/layers/sequential.h"
#include "core/layers/skip.h"
#include "core/layers/upsample.h"
#include "core/losses/regression.h"
#include "core/optim/adam.h"
#include "core/optim/sgd.h"
#include "parity_common.h"

#if defined(NEUROSHOP_HAVE_APPS) && __has_include("apps/demos/outside.h")
#include "apps/demos/outside.h"
#define NEUROSHOP_PARITY_OUTSIDE 1
#endif

namespace neuroshop::parity {

namespace F = torch::nn::functional;

namespace {

constexpr int kTrainSteps = 10;

enum class Norm { kBatch, kInstance };
enum class Opt { kSgd, kAdam };

// conv3x3 reflect no-bias (3->6) -> norm -> leaky relu ->
//   skip concat [ maxpool 2 -> conv3x3 zeros (6->6) -> tanh -> upsample x2 bilinear ] (-> 12 channels)
// -> conv1x1 (12->2) -> elu
std::unique_ptr<Sequential> build_ours(Norm norm, Rng& rng) {
  auto net = std::make_unique<Sequential>("net");
  Conv2dOptions c1;
  c1.in_channels = 3;
  c1.out_channels = 6;
  c1.kernel_size = 3;
  c1.padding = 1;
  c1.padding_mode = PaddingMode::kReflect;
  // No bias before a normalization: its gradient is exactly zero, and Adam would turn the float
  // noise of that zero into full-size steps of random sign in either engine.
  c1.bias = false;
  net->emplace<Conv2d>(c1, rng, "enc");
  if (norm == Norm::kBatch) net->emplace<BatchNorm2d>(6, 1e-5, 0.1, true, "norm");
  else net->emplace<InstanceNorm2d>(6, 1e-5, true, "norm");
  net->emplace<LeakyRelu>(LeakyReluFn{0.1f});

  auto body = std::make_unique<Sequential>("body");
  body->emplace<MaxPool2d>(2);
  Conv2dOptions c2;
  c2.in_channels = 6;
  c2.out_channels = 6;
  c2.kernel_size = 3;
  c2.padding = 1;
  body->emplace<Conv2d>(c2, rng, "mid");
  body->emplace<Tanh>();
  body->emplace<Upsample>(2, UpsampleMode::kBilinear);
  net->add(std::make_unique<SkipConcat>(std::move(body), "skip"));

  Conv2dOptions c3;
  c3.in_channels = 12;
  c3.out_channels = 2;
  c3.kernel_size = 1;
  net->emplace<Conv2d>(c3, rng, "head");
  net->emplace<Elu>(EluFn{1.0f});
  return net;
}

// The same network in torch; p in our params() order: enc.w, norm.w, norm.b, mid.w, mid.b, head.w,
// head.b. rm/rv are the batch-norm running statistics (updated in place when training).
torch::Tensor torch_forward(const torch::Tensor& x, const std::vector<torch::Tensor>& p, Norm norm, bool training,
                            torch::Tensor& rm, torch::Tensor& rv) {
  torch::Tensor h = F::conv2d(F::pad(x, F::PadFuncOptions({1, 1, 1, 1}).mode(torch::kReflect)), p[0]);
  if (norm == Norm::kBatch)
    h = F::batch_norm(h, rm, rv, F::BatchNormFuncOptions().weight(p[1]).bias(p[2]).training(training).momentum(0.1).eps(1e-5));
  else
    h = F::instance_norm(h, F::InstanceNormFuncOptions().weight(p[1]).bias(p[2]).eps(1e-5));
  h = F::leaky_relu(h, F::LeakyReLUFuncOptions().negative_slope(0.1));
  torch::Tensor b = F::max_pool2d(h, F::MaxPool2dFuncOptions(2));
  b = torch::tanh(F::conv2d(b, p[3], F::Conv2dFuncOptions().padding(1).bias(p[4])));
  b = F::interpolate(b, F::InterpolateFuncOptions()
                            .scale_factor(std::vector<double>{2.0, 2.0})
                            .mode(torch::kBilinear)
                            .align_corners(false));
  h = torch::cat({h, b}, 1);
  return F::elu(F::conv2d(h, p[5], F::Conv2dFuncOptions().bias(p[6])));
}

ParityRow train_case(Norm norm, Opt opt) {
  RowBuilder row("", "");
  Rng rng(401);
  std::unique_ptr<Sequential> net = build_ours(norm, rng);
  randomize_params(*net, rng, -0.4, 0.4);
  for (Param* p : net->params())
    if (p->name == "weight" && p->value.rank() == 1)  // norm scale around 1
      for (int64_t i = 0; i < p->value.numel(); ++i) p->value[i] += 1.0f;
  const Tensor x = random_tensor({4, 3, 8, 8}, rng);
  const Tensor target = random_tensor({4, 2, 8, 8}, rng, -0.5, 1.0);

  std::vector<Param*> params = net->params();
  std::vector<torch::Tensor> tp;
  for (Param* p : params) tp.push_back(to_torch(p->value).requires_grad_(true));
  torch::Tensor rm = torch::zeros({6}, torch::kFloat64), rv = torch::ones({6}, torch::kFloat64);
  const torch::Tensor ttarget = to_torch(target);

  std::unique_ptr<Optimizer> ours;
  std::unique_ptr<torch::optim::Optimizer> theirs;
  if (opt == Opt::kSgd) {
    ours = std::make_unique<Sgd>(params, SgdOptions{0.05, 0.9, 0.0, false});
    theirs = std::make_unique<torch::optim::SGD>(tp, torch::optim::SGDOptions(0.05).momentum(0.9));
  } else {
    ours = std::make_unique<Adam>(params, AdamOptions{0.01, 0.9, 0.999, 1e-8, 0.0});
    theirs = std::make_unique<torch::optim::Adam>(tp, torch::optim::AdamOptions(0.01));
  }

  std::string losses;
  double first_loss = 0.0, last_loss = 0.0;
  for (int step = 0; step < kTrainSteps; ++step) {
    const Tensor y = net->forward(x);
    Tensor dy;
    const double loss = mse_loss(y, target, &dy);
    ours->zero_grad();
    const Tensor dx = net->backward(dy);
    ours->step();

    torch::Tensor tx = to_torch(x).requires_grad_(true);
    theirs->zero_grad();
    torch::Tensor tloss = 0.5 * F::mse_loss(torch_forward(tx, tp, norm, true, rm, rv), ttarget);
    tloss.backward();
    theirs->step();

    // Losses step by step: relative 1e-4.
    row.compare_scalar(RowBuilder::kY, "loss at step " + std::to_string(step + 1), loss, tloss.item<double>(), 1e-7, 1e-4);
    // dx is a mean-loss gradient (entries ~1/numel): absolute tolerance scaled to its size.
    const double scale = std::max(1e-12, tx.grad().abs().max().item<double>());
    row.compare(RowBuilder::kDx, "dx at step " + std::to_string(step + 1), dx, tx.grad(), 1.0, std::min(1.0, scale));
    if (step == 0) first_loss = loss;
    last_loss = loss;
    if (step == 0 || step == kTrainSteps - 1) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%sstep %d loss %.6f", losses.empty() ? "" : ", ", step + 1, loss);
      losses += buf;
    }
  }
  // Training must have done something, or the comparison would be vacuous.
  if (!(last_loss < first_loss)) row.fail("the loss did not decrease: " + losses);
  for (size_t i = 0; i < params.size(); ++i)
    row.compare(RowBuilder::kDw, params[i]->name + "#" + std::to_string(i) + " after training", params[i]->value, tp[i].detach());
  if (norm == Norm::kBatch) {
    auto* bn = dynamic_cast<BatchNorm2d*>(&net->layer(1));
    row.compare(RowBuilder::kDw, "running_mean", bn->running_mean().value, rm);
    row.compare(RowBuilder::kDw, "running_var", bn->running_var().value, rv);
  }
  // The trained network in evaluation mode (batch norm now uses its running statistics).
  net->set_training(false);
  const Tensor y_eval = net->forward(x);
  torch::NoGradGuard no_grad;
  row.compare(RowBuilder::kY, "eval output after training", y_eval, torch_forward(to_torch(x), tp, norm, false, rm, rv));
  row.note(losses);
  return row.finish();
}

#ifdef NEUROSHOP_PARITY_OUTSIDE
// Every number the demo prints, recomputed by LibTorch autograd in double.
ParityRow outside_case(const demos::OutsideOptions& o) {
  RowBuilder row("", "");
  const demos::OutsideResult r = demos::run_outside(o);
  const demos::OutsidePass& p = r.before;
  const demos::OutsideWeights& w = o.weights;
  auto vec = [](const auto& a) { return std::vector<double>(a.begin(), a.end()); };
  const torch::TensorOptions f64 = torch::TensorOptions().dtype(torch::kFloat64);

  torch::Tensor x = torch::tensor(vec(o.inputs), f64).requires_grad_(true);
  torch::Tensor w1 = torch::tensor(std::vector<double>{w.w1[0][0], w.w1[0][1], w.w1[0][2], w.w1[1][0], w.w1[1][1], w.w1[1][2]}, f64)
                         .reshape({2, 3})
                         .requires_grad_(true);
  torch::Tensor b1 = torch::tensor(vec(w.b1), f64).requires_grad_(true);
  torch::Tensor w2 = torch::tensor(vec(w.w2), f64).requires_grad_(true);
  torch::Tensor b2 = torch::tensor(std::vector<double>{w.b2}, f64).requires_grad_(true);
  torch::Tensor z1 = w1.matmul(x) + b1;
  z1.retain_grad();
  torch::Tensor a1 = torch::sigmoid(z1);
  torch::Tensor z2 = w2.dot(a1) + b2;
  z2.retain_grad();
  torch::Tensor error = 0.5 * (o.target - z2).pow(2).sum();
  error.backward();

  constexpr double kAbs = 1e-12, kRel = 1e-9;  // both sides in double
  auto cmp = [&](RowBuilder::Column col, const std::string& what, double ours, const torch::Tensor& t) {
    row.compare_scalar(col, what, ours, t.item<double>(), kAbs, kRel);
  };
  for (int64_t j = 0; j < 2; ++j) {
    const auto J = static_cast<size_t>(j);
    cmp(RowBuilder::kY, "z1", p.z1[J], z1[j]);
    cmp(RowBuilder::kY, "a1", p.a1[J], a1[j]);
    cmp(RowBuilder::kDx, "delta1 = dE/dz1", p.delta1[J], z1.grad()[j]);
    cmp(RowBuilder::kDw, "dE/dW2", p.dE_dW2[J], w2.grad()[j]);
    cmp(RowBuilder::kDw, "dE/db1", p.dE_db1[J], b1.grad()[j]);
    for (int64_t i = 0; i < 3; ++i) cmp(RowBuilder::kDw, "dE/dW1", p.dE_dW1[J][static_cast<size_t>(i)], w1.grad()[j][i]);
  }
  cmp(RowBuilder::kY, "z2", p.z2, z2[0]);
  cmp(RowBuilder::kY, "a2", p.a2, z2[0]);
  cmp(RowBuilder::kY, "E", p.error, error);
  cmp(RowBuilder::kDx, "delta2 = dE/dz2", p.delta2, z2.grad()[0]);
  cmp(RowBuilder::kDw, "dE/db2", p.dE_db2, b2.grad()[0]);
  for (int64_t i = 0; i < 3; ++i) cmp(RowBuilder::kDx, "dE/dx", p.dE_dx[static_cast<size_t>(i)], x.grad()[i]);

  // One SGD step in torch, then the error after it.
  torch::NoGradGuard no_grad;
  torch::optim::SGD sgd({w1, b1, w2, b2}, torch::optim::SGDOptions(o.lr));
  sgd.step();
  const demos::OutsideWeights& n = r.after.weights;
  for (int64_t j = 0; j < 2; ++j) {
    const auto J = static_cast<size_t>(j);
    for (int64_t i = 0; i < 3; ++i) cmp(RowBuilder::kY, "W1 after step", n.w1[J][static_cast<size_t>(i)], w1[j][i]);
    cmp(RowBuilder::kY, "b1 after step", n.b1[J], b1[j]);
    cmp(RowBuilder::kY, "W2 after step", n.w2[J], w2[j]);
  }
  cmp(RowBuilder::kY, "b2 after step", n.b2, b2[0]);
  torch::Tensor pred_after = w2.dot(torch::sigmoid(w1.matmul(x) + b1)) + b2;
  cmp(RowBuilder::kY, "E after step", r.after.error, 0.5 * (o.target - pred_after).pow(2).sum());
  return row.finish();
}
#endif

}  // namespace

void add_e2e_cases(std::vector<ParityCase>& c) {
  c.push_back({"CNN e2e", "batch norm, SGD momentum 0.9, 10 steps", [] { return train_case(Norm::kBatch, Opt::kSgd); }});
  c.push_back({"CNN e2e", "batch norm, Adam lr 0.01, 10 steps", [] { return train_case(Norm::kBatch, Opt::kAdam); }});
  c.push_back({"CNN e2e", "instance norm, SGD momentum 0.9, 10 steps", [] { return train_case(Norm::kInstance, Opt::kSgd); }});
  c.push_back({"CNN e2e", "instance norm, Adam lr 0.01, 10 steps", [] { return train_case(Norm::kInstance, Opt::kAdam); }});
#ifdef NEUROSHOP_PARITY_OUTSIDE
  c.push_back({"demo outside", "lecture defaults", [] { return outside_case(demos::OutsideOptions{}); }});
  c.push_back({"demo outside", "x=(0.2,0.9,0.4) y=0 lr 0.3", [] {
                 demos::OutsideOptions o;
                 o.inputs = {0.2, 0.9, 0.4};
                 o.target = 0.0;
                 o.lr = 0.3;
                 o.weights.w1 = {{{-0.3, 0.8, 0.1}, {0.4, -0.2, 0.9}}};
                 o.weights.b1 = {0.2, 0.3};
                 o.weights.w2 = {-0.5, 1.1};
                 o.weights.b2 = -0.2;
                 return outside_case(o);
               }});
#endif
}

}  // namespace neuroshop::parity
