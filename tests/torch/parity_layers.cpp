// Parity of the layers against LibTorch: activations, maxout, softmax, dense, convolution, pooling,
// upsampling, normalization, dropout and the skip containers. One case per op/configuration.
#include <array>
#include <memory>

#include "core/layers/activations.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/dense.h"
#include "core/layers/dropout.h"
#include "core/layers/instance_norm.h"
#include "core/layers/maxout.h"
#include "core/layers/pooling.h"
#include "core/layers/sequential.h"
#include "core/layers/skip.h"
#include "core/layers/softmax.h"
#include "core/layers/upsample.h"
#include "parity_common.h"

namespace neuroshop::parity {

namespace F = torch::nn::functional;

void set_torch_threads(int n) { torch::set_num_threads(std::max(1, n)); }

namespace {

// --- element-wise activations ----------------------------------------------------------------
template <class Fn>
ParityRow activation_case(Fn f, const TorchLayerFn& fn, double gap, double hi) {
  ElementwiseActivation<Fn> layer(f);
  Rng rng(11);
  const Tensor x = random_away_from_zero({2, 3, 5, 5}, rng, gap, hi);
  return check_layer(Fn::kType, "", layer, x, fn);
}

void add_activations(std::vector<ParityCase>& c) {
  c.push_back({"Sigmoid", "(2,3,5,5)", [] {
                 return activation_case(SigmoidFn(), [](const torch::Tensor& x, const TorchParams&) { return torch::sigmoid(x); }, 0.0, 4.0);
               }});
  c.push_back({"Tanh", "(2,3,5,5)", [] {
                 return activation_case(TanhFn(), [](const torch::Tensor& x, const TorchParams&) { return torch::tanh(x); }, 0.0, 3.0);
               }});
  c.push_back({"Relu", "(2,3,5,5)", [] {
                 return activation_case(ReluFn(), [](const torch::Tensor& x, const TorchParams&) { return torch::relu(x); }, 0.05, 2.0);
               }});
  c.push_back({"LeakyRelu", "slope=0.1", [] {
                 return activation_case(LeakyReluFn{0.1f},
                                        [](const torch::Tensor& x, const TorchParams&) { return F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.1f)); },
                                        0.05, 2.0);
               }});
  c.push_back({"LeakyRelu", "slope=0.3", [] {
                 return activation_case(LeakyReluFn{0.3f},
                                        [](const torch::Tensor& x, const TorchParams&) { return F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.3f)); },
                                        0.05, 2.0);
               }});
  c.push_back({"Elu", "alpha=1", [] {
                 return activation_case(EluFn{1.0f},
                                        [](const torch::Tensor& x, const TorchParams&) { return F::elu(x, F::ELUFuncOptions().alpha(1.0)); }, 0.05, 2.0);
               }});
  c.push_back({"Elu", "alpha=0.7", [] {
                 return activation_case(EluFn{0.7f},
                                        [](const torch::Tensor& x, const TorchParams&) { return F::elu(x, F::ELUFuncOptions().alpha(0.7)); }, 0.05, 2.0);
               }});
  // Extremes: finite in both, and equal.
  c.push_back({"Sigmoid", "x in +-300", [] {
                 Sigmoid s;
                 Tensor x = Tensor::from({1, 1, 1, 6}, {-300.f, -90.f, -20.f, 20.f, 90.f, 300.f});
                 return check_layer("Sigmoid", "", s, x, [](const torch::Tensor& t, const TorchParams&) { return torch::sigmoid(t); });
               }});
  c.push_back({"Tanh", "x in +-300", [] {
                 Tanh s;
                 Tensor x = Tensor::from({1, 1, 1, 6}, {-300.f, -90.f, -20.f, 20.f, 90.f, 300.f});
                 return check_layer("Tanh", "", s, x, [](const torch::Tensor& t, const TorchParams&) { return torch::tanh(t); });
               }});
}

// --- maxout and softmax ----------------------------------------------------------------------
// torch: view channels as (C, k) groups of consecutive channels, max over k.
torch::Tensor torch_maxout(const torch::Tensor& x, int64_t k) {
  std::vector<int64_t> s = x.sizes().vec();
  std::vector<int64_t> grouped = {s[0], s[1] / k, k};
  for (size_t i = 2; i < s.size(); ++i) grouped.push_back(s[i]);
  return std::get<0>(x.reshape(grouped).max(2));
}

void add_maxout_softmax(std::vector<ParityCase>& c) {
  for (int64_t k : {2, 3}) {
    c.push_back({"Maxout", "k=" + std::to_string(k) + " (2," + std::to_string(2 * k) + ",4,5)", [k] {
                   Maxout m(k);
                   Rng rng(21);
                   const Tensor x = random_distinct({2, 2 * k, 4, 5}, rng);
                   return check_layer("Maxout", "", m, x, [k](const torch::Tensor& t, const TorchParams&) { return torch_maxout(t, k); });
                 }});
  }
  c.push_back({"Maxout", "k=2 rank 2 (3,8)", [] {
                 Maxout m(2);
                 Rng rng(22);
                 const Tensor x = random_distinct({3, 8}, rng);
                 return check_layer("Maxout", "", m, x, [](const torch::Tensor& t, const TorchParams&) { return torch_maxout(t, 2); });
               }});
  c.push_back({"Softmax", "dim 1 (2,5,3,4)", [] {
                 Softmax s;
                 Rng rng(23);
                 const Tensor x = random_tensor({2, 5, 3, 4}, rng, -3.0, 3.0);
                 return check_layer("Softmax", "", s, x, [](const torch::Tensor& t, const TorchParams&) { return torch::softmax(t, 1); });
               }});
  c.push_back({"Softmax", "dim 1 (4,7)", [] {
                 Softmax s;
                 Rng rng(24);
                 const Tensor x = random_tensor({4, 7}, rng, -3.0, 3.0);
                 return check_layer("Softmax", "", s, x, [](const torch::Tensor& t, const TorchParams&) { return torch::softmax(t, 1); });
               }});
  c.push_back({"Softmax", "large logits +-1e4", [] {
                 Softmax s;
                 Rng rng(25);
                 Tensor x = random_tensor({3, 4}, rng, -1.0, 1.0);
                 for (int64_t i = 0; i < x.numel(); ++i) x[i] *= 1e4f;
                 return check_layer("Softmax", "", s, x, [](const torch::Tensor& t, const TorchParams&) { return torch::softmax(t, 1); });
               }});
}

// --- dense and convolution -------------------------------------------------------------------
void add_dense(std::vector<ParityCase>& c) {
  for (bool bias : {true, false}) {
    c.push_back({"Dense", std::string("7->5 N=4") + (bias ? "" : " no bias"), [bias] {
                   Rng rng(31);
                   Dense d(7, 5, rng, "fc", bias);
                   randomize_params(d, rng);
                   const Tensor x = random_tensor({4, 7}, rng);
                   return check_layer("Dense", "", d, x, [bias](const torch::Tensor& t, const TorchParams& p) {
                     return bias ? F::linear(t, p[0], p[1]) : F::linear(t, p[0]);
                   });
                 }});
  }
}

struct ConvConfig {
  int64_t in_channels, out_channels, kernel, stride, padding, dilation;
  PaddingMode mode;
  bool bias;
  int64_t height, width;
};

std::string conv_name(const ConvConfig& k) {
  std::string s = "C" + std::to_string(k.in_channels) + "->" + std::to_string(k.out_channels) + " k" +
                  std::to_string(k.kernel) + " s" + std::to_string(k.stride) + " p" + std::to_string(k.padding);
  if (k.padding > 0) s += k.mode == PaddingMode::kReflect ? " reflect" : " zeros";
  if (k.dilation != 1) s += " d" + std::to_string(k.dilation);
  if (!k.bias) s += " no-bias";
  s += " " + std::to_string(k.height) + "x" + std::to_string(k.width);
  return s;
}

// torch: reflect padding by F::pad, then an unpadded convolution; zero padding inside conv2d.
torch::Tensor torch_conv(const torch::Tensor& x, const TorchParams& p, const ConvConfig& k) {
  torch::Tensor in = x;
  int64_t pad = k.padding;
  if (k.mode == PaddingMode::kReflect && pad > 0) {
    in = F::pad(x, F::PadFuncOptions({pad, pad, pad, pad}).mode(torch::kReflect));
    pad = 0;
  }
  auto opt = F::Conv2dFuncOptions().stride(k.stride).padding(pad).dilation(k.dilation);
  if (k.bias) opt = opt.bias(p[1]);
  return F::conv2d(in, p[0], opt);
}

void add_conv(std::vector<ParityCase>& c) {
  const std::vector<ConvConfig> configs = {
      {3, 4, 3, 1, 0, 1, PaddingMode::kZeros, true, 7, 7},
      {3, 4, 3, 1, 1, 1, PaddingMode::kZeros, true, 6, 5},
      {3, 4, 3, 2, 1, 1, PaddingMode::kZeros, true, 7, 8},
      {3, 4, 3, 1, 1, 1, PaddingMode::kReflect, true, 6, 7},
      {2, 3, 5, 2, 2, 1, PaddingMode::kReflect, true, 9, 8},
      {3, 4, 3, 1, 2, 2, PaddingMode::kZeros, true, 7, 7},
      {3, 2, 3, 1, 2, 2, PaddingMode::kReflect, false, 8, 7},
      {3, 4, 3, 1, 1, 1, PaddingMode::kZeros, false, 5, 5},
      {4, 3, 1, 1, 0, 1, PaddingMode::kZeros, true, 5, 6},
      {3, 2, 4, 2, 1, 1, PaddingMode::kZeros, true, 8, 8},
  };
  for (const ConvConfig& k : configs) {
    c.push_back({"Conv2d", conv_name(k), [k] {
                   Rng rng(41);
                   Conv2dOptions o;
                   o.in_channels = k.in_channels;
                   o.out_channels = k.out_channels;
                   o.kernel_size = k.kernel;
                   o.stride = k.stride;
                   o.padding = k.padding;
                   o.dilation = k.dilation;
                   o.padding_mode = k.mode;
                   o.bias = k.bias;
                   Conv2d conv(o, rng, "conv");
                   randomize_params(conv, rng);
                   const Tensor x = random_tensor({2, k.in_channels, k.height, k.width}, rng);
                   return check_layer("Conv2d", "", conv, x,
                                      [k](const torch::Tensor& t, const TorchParams& p) { return torch_conv(t, p, k); });
                 }});
  }
}

// --- pooling and upsampling ------------------------------------------------------------------
void add_pooling(std::vector<ParityCase>& c) {
  const std::vector<std::array<int64_t, 3>> configs = {{2, 2, 6}, {2, 2, 7}, {3, 2, 7}, {3, 1, 6}, {2, 1, 5}};
  for (const auto& k : configs) {
    const int64_t kernel = k[0], stride = k[1], size = k[2];
    const std::string name = "k" + std::to_string(kernel) + " s" + std::to_string(stride) + " " +
                             std::to_string(size) + "x" + std::to_string(size);
    c.push_back({"MaxPool2d", name, [=] {
                   MaxPool2d pool(kernel, stride);
                   Rng rng(51);
                   const Tensor x = random_distinct({2, 3, size, size}, rng, 0.01);
                   return check_layer("MaxPool2d", "", pool, x, [=](const torch::Tensor& t, const TorchParams&) {
                     return F::max_pool2d(t, F::MaxPool2dFuncOptions(kernel).stride(stride));
                   });
                 }});
    c.push_back({"AvgPool2d", name, [=] {
                   AvgPool2d pool(kernel, stride);
                   Rng rng(52);
                   const Tensor x = random_tensor({2, 3, size, size}, rng);
                   return check_layer("AvgPool2d", "", pool, x, [=](const torch::Tensor& t, const TorchParams&) {
                     return F::avg_pool2d(t, F::AvgPool2dFuncOptions(kernel).stride(stride));
                   });
                 }});
  }
}

torch::Tensor torch_upsample(const torch::Tensor& x, double scale, UpsampleMode mode) {
  auto opt = F::InterpolateFuncOptions().scale_factor(std::vector<double>{scale, scale});
  if (mode == UpsampleMode::kNearest) return F::interpolate(x, opt.mode(torch::kNearest));
  return F::interpolate(x, opt.mode(torch::kBilinear).align_corners(false));
}

void add_upsample(std::vector<ParityCase>& c) {
  for (UpsampleMode mode : {UpsampleMode::kNearest, UpsampleMode::kBilinear}) {
    for (int64_t scale : {2, 3}) {
      c.push_back({"Upsample", std::string(upsample_mode_name(mode)) + " x" + std::to_string(scale) + " 4x5", [=] {
                     Upsample up(scale, mode);
                     Rng rng(61);
                     const Tensor x = random_tensor({2, 3, 4, 5}, rng);
                     return check_layer("Upsample", "", up, x, [=](const torch::Tensor& t, const TorchParams&) {
                       return torch_upsample(t, static_cast<double>(scale), mode);
                     });
                   }});
    }
  }
  // The free bilinear resize to arbitrary sizes, up and down (torch: interpolate to a size).
  const std::vector<std::array<int64_t, 4>> sizes = {{5, 7, 8, 3}, {9, 6, 4, 4}, {3, 4, 7, 11}};
  for (const auto& s : sizes) {
    const std::string name = "resize_bilinear " + std::to_string(s[0]) + "x" + std::to_string(s[1]) + "->" +
                             std::to_string(s[2]) + "x" + std::to_string(s[3]);
    c.push_back({"Upsample", name, [=] {
                   FunctionLayer layer([=](const Tensor& x) { return resize_bilinear(x, s[2], s[3]); },
                                       [](const Tensor& dy, const Tensor& in) { return resize_bilinear_backward(dy, in.dim(2), in.dim(3)); });
                   Rng rng(62);
                   const Tensor x = random_tensor({2, 2, s[0], s[1]}, rng);
                   return check_layer("Upsample", "", layer, x, [=](const torch::Tensor& t, const TorchParams&) {
                     return F::interpolate(t, F::InterpolateFuncOptions()
                                                  .size(std::vector<int64_t>{s[2], s[3]})
                                                  .mode(torch::kBilinear)
                                                  .align_corners(false));
                   });
                 }});
  }
}

// --- normalization ---------------------------------------------------------------------------
void add_norms(std::vector<ParityCase>& c) {
  struct BnConfig {
    bool training, affine;
    double momentum;
  };
  for (BnConfig k : {BnConfig{true, true, 0.1}, BnConfig{true, true, 0.3}, BnConfig{true, false, 0.1},
                     BnConfig{false, true, 0.1}, BnConfig{false, false, 0.1}}) {
    std::string name = std::string(k.training ? "train" : "eval") + (k.affine ? "" : " no-affine") + " momentum " +
                       (k.momentum == 0.1 ? "0.1" : "0.3") + (k.training ? " (+running stats)" : "");
    c.push_back({"BatchNorm2d", name, [k] {
                   Rng rng(71);
                   BatchNorm2d bn(3, 1e-5, k.momentum, k.affine, "bn");
                   randomize_params(bn, rng, 0.5, 1.5);
                   if (k.affine)
                     for (int64_t i = 0; i < 3; ++i) bn.bias().value[i] = static_cast<float>(rng.uniform(-0.5, 0.5));
                   for (int64_t i = 0; i < 3; ++i) {
                     bn.running_mean().value[i] = static_cast<float>(rng.uniform(-0.5, 0.5));
                     bn.running_var().value[i] = static_cast<float>(rng.uniform(0.5, 2.0));
                   }
                   bn.set_training(k.training);
                   Tensor x = random_tensor({4, 3, 5, 5}, rng, -1.0, 2.0);
                   torch::Tensor rm = to_torch(bn.running_mean().value);
                   torch::Tensor rv = to_torch(bn.running_var().value);
                   return check_layer(
                       "BatchNorm2d", "", bn, x,
                       [&, k](const torch::Tensor& t, const TorchParams& p) {
                         auto opt = F::BatchNormFuncOptions().training(k.training).momentum(k.momentum).eps(1e-5);
                         if (k.affine) opt = opt.weight(p[0]).bias(p[1]);
                         return F::batch_norm(t, rm, rv, opt);
                       },
                       1234,
                       [&](RowBuilder& row) {
                         row.compare(RowBuilder::kY, "running_mean", bn.running_mean().value, rm);
                         row.compare(RowBuilder::kY, "running_var", bn.running_var().value, rv);
                       });
                 }});
  }
  for (bool affine : {true, false}) {
    for (bool training : {true, false}) {
      c.push_back({"InstanceNorm2d", std::string(training ? "train" : "eval") + (affine ? " affine" : " no-affine"),
                   [=] {
                     Rng rng(81);
                     InstanceNorm2d in(3, 1e-5, affine, "in");
                     randomize_params(in, rng, 0.5, 1.5);
                     in.set_training(training);
                     const Tensor x = random_tensor({2, 3, 5, 6}, rng, -1.0, 2.0);
                     return check_layer("InstanceNorm2d", "", in, x, [=](const torch::Tensor& t, const TorchParams& p) {
                       auto opt = F::InstanceNormFuncOptions().eps(1e-5);
                       if (affine) opt = opt.weight(p[0]).bias(p[1]);
                       return F::instance_norm(t, opt);
                     });
                   }});
    }
  }
}

// --- dropout ---------------------------------------------------------------------------------
// Same mask in both: torch computes x * m / (1 - p) with our mask's 0/1 pattern m.
void add_dropout(std::vector<ParityCase>& c) {
  for (double p : {0.3, 0.5}) {
    c.push_back({"Dropout", std::string("train p=") + (p == 0.3 ? "0.3" : "0.5") + " (same mask)", [p] {
                   Dropout d(p, 99);
                   Rng rng(91);
                   const Tensor x = random_away_from_zero({2, 3, 6, 6}, rng, 0.05, 1.0);
                   torch::Tensor keep;
                   return check_layer(
                       "Dropout", "", d, x,
                       [&](const torch::Tensor& t, const TorchParams&) {
                         keep = to_torch(d.mask()).ne(0).to(torch::kFloat64);
                         return t * keep / (1.0 - p);
                       },
                       1234,
                       [&](RowBuilder& row) {
                         // Every mask entry is 0 or 1/(1-p), and about p of them are 0.
                         const torch::Tensor m = to_torch(d.mask());
                         const double scale = 1.0 / (1.0 - p);
                         const bool values_ok =
                             torch::logical_or(m.eq(0), (m - scale).abs().lt(1e-6)).all().item<bool>();
                         if (!values_ok) row.fail("mask has values other than 0 and 1/(1-p)");
                         const double dropped = 1.0 - keep.mean().item<double>();
                         if (std::abs(dropped - p) > 0.15) row.fail("dropped fraction " + std::to_string(dropped));
                       });
                 }});
  }
  c.push_back({"Dropout", "eval p=0.5 (identity)", [] {
                 Dropout d(0.5, 7);
                 d.set_training(false);
                 Rng rng(92);
                 const Tensor x = random_tensor({2, 3, 4, 4}, rng);
                 return check_layer("Dropout", "", d, x, [](const torch::Tensor& t, const TorchParams&) { return t * 1.0; });
               }});
}

// --- skip containers -------------------------------------------------------------------------
void add_skips(std::vector<ParityCase>& c) {
  c.push_back({"SkipConcat", "concat(x, tanh(conv3x3(x)))", [] {
                 Rng rng(101);
                 auto body = std::make_unique<Sequential>("body");
                 Conv2dOptions o;
                 o.in_channels = 3;
                 o.out_channels = 2;
                 o.kernel_size = 3;
                 o.padding = 1;
                 body->emplace<Conv2d>(o, rng, "conv");
                 body->emplace<Tanh>();
                 SkipConcat skip(std::move(body), "skip");
                 randomize_params(skip, rng);
                 const Tensor x = random_tensor({2, 3, 5, 5}, rng);
                 return check_layer("SkipConcat", "", skip, x, [](const torch::Tensor& t, const TorchParams& p) {
                   torch::Tensor b = torch::tanh(F::conv2d(t, p[0], F::Conv2dFuncOptions().padding(1).bias(p[1])));
                   return torch::cat({t, b}, 1);
                 });
               }});
  c.push_back({"Residual", "x + elu(conv3x3 reflect(x))", [] {
                 Rng rng(102);
                 auto body = std::make_unique<Sequential>("body");
                 Conv2dOptions o;
                 o.in_channels = 3;
                 o.out_channels = 3;
                 o.kernel_size = 3;
                 o.padding = 1;
                 o.padding_mode = PaddingMode::kReflect;
                 body->emplace<Conv2d>(o, rng, "conv");
                 body->emplace<Elu>();
                 Residual res(std::move(body), "res");
                 randomize_params(res, rng);
                 const Tensor x = random_tensor({2, 3, 5, 5}, rng);
                 return check_layer("Residual", "", res, x, [](const torch::Tensor& t, const TorchParams& p) {
                   torch::Tensor padded = F::pad(t, F::PadFuncOptions({1, 1, 1, 1}).mode(torch::kReflect));
                   return t + F::elu(F::conv2d(padded, p[0], F::Conv2dFuncOptions().bias(p[1])));
                 });
               }});
  c.push_back({"Sequential", "dense-sigmoid-dense-softmax", [] {
                 Rng rng(103);
                 Sequential net("mlp");
                 net.emplace<Dense>(6, 5, rng, "fc1");
                 net.emplace<Sigmoid>();
                 net.emplace<Dense>(5, 4, rng, "fc2");
                 net.emplace<Softmax>();
                 randomize_params(net, rng);
                 const Tensor x = random_tensor({3, 6}, rng);
                 return check_layer("Sequential", "", net, x, [](const torch::Tensor& t, const TorchParams& p) {
                   return torch::softmax(F::linear(torch::sigmoid(F::linear(t, p[0], p[1])), p[2], p[3]), 1);
                 });
               }});
}

}  // namespace

std::vector<ParityRow> checker_self_test() {
  std::vector<ParityRow> rows;
  {
    Sigmoid s;
    Rng rng(1);
    rows.push_back(check_layer("Sigmoid", "vs tanh", s, random_tensor({2, 3, 4, 4}, rng),
                               [](const torch::Tensor& t, const TorchParams&) { return torch::tanh(t); }));
  }
  {
    Rng rng(2);
    Dense d(6, 4, rng, "fc");
    randomize_params(d, rng);
    // One weight off by 1e-2: y, dx and dW must all notice.
    rows.push_back(check_layer("Dense", "one weight off by 1e-2", d, random_tensor({3, 6}, rng),
                               [](const torch::Tensor& t, const TorchParams& p) {
                                 torch::Tensor bump = torch::zeros_like(p[0]);
                                 bump.index_put_({1, 2}, 1e-2);
                                 return F::linear(t, p[0] + bump, p[1]);
                               }));
  }
  {
    Rng rng(3);
    Conv2dOptions o;
    o.in_channels = 2;
    o.out_channels = 2;
    o.padding = 1;
    o.padding_mode = PaddingMode::kReflect;
    Conv2d conv(o, rng, "conv");
    randomize_params(conv, rng);
    // Reflect padding in ours, zeros in torch: differs on the border only.
    rows.push_back(check_layer("Conv2d", "reflect vs zeros", conv, random_tensor({1, 2, 5, 5}, rng),
                               [](const torch::Tensor& t, const TorchParams& p) {
                                 return F::conv2d(t, p[0], F::Conv2dFuncOptions().padding(1).bias(p[1]));
                               }));
  }
  return rows;
}

void add_layer_cases(std::vector<ParityCase>& cases) {
  add_activations(cases);
  add_maxout_softmax(cases);
  add_dense(cases);
  add_conv(cases);
  add_pooling(cases);
  add_upsample(cases);
  add_norms(cases);
  add_dropout(cases);
  add_skips(cases);
}

}  // namespace neuroshop::parity
