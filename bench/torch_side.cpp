// The LibTorch side of the benchmark: the same workloads as bench/main.cpp, built from torch's own
// modules and operators, on the same number of threads.
#include <torch/torch.h>

#include <cstring>
#include <functional>
#include <map>
#include <stdexcept>

#include "bench.h"
#include "core/layer.h"
#include "core/layers/sequential.h"
#include "core/tensor.h"

namespace neuroshop::bench::torch_side {

void set_threads(int threads) {
  torch::set_num_threads(threads);
  torch::set_num_interop_threads(1);
}

namespace {
torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t stride = 1, int64_t dilation = 1) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(dilation).dilation(dilation));
}
}  // namespace

ReferenceTimes reference_network(int repeats) {
  auto up = [] { return torch::nn::Upsample(torch::nn::UpsampleOptions().scale_factor(std::vector<double>{2, 2}).mode(torch::kNearest)); };
  torch::nn::Sequential net(conv(1, 32), torch::nn::ReLU(), conv(32, 64, 2), torch::nn::ReLU(), conv(64, 64),
                            torch::nn::ReLU(), conv(64, 128, 2), torch::nn::ReLU(), conv(128, 128), torch::nn::ReLU(),
                            conv(128, 128, 1, 2), torch::nn::ReLU(), up(), conv(128, 64), torch::nn::ReLU(), up(),
                            conv(64, 32), torch::nn::ReLU(), conv(32, 2), torch::nn::Tanh());
  torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.01));
  const torch::Tensor x = torch::rand({16, 1, 128, 128});
  const torch::Tensor target = torch::rand({16, 2, 128, 128}) * 2 - 1;
  ReferenceTimes t;
  t.train_step_ms = median_ms(
      [&] {
        sgd.zero_grad();
        const torch::Tensor loss = 0.5 * torch::mse_loss(net->forward(x), target);
        loss.backward();
        sgd.step();
      },
      repeats);
  {
    torch::NoGradGuard guard;
    net->eval();
    t.forward_ms = median_ms([&] { net->forward(x); }, repeats);
    const torch::Tensor big = torch::rand({1, 1, 512, 512});
    t.infer512_ms = median_ms([&] { net->forward(big); }, repeats);
  }
  return t;
}

double gemm_ms(int64_t M, int64_t N, int64_t K, bool trans_a, bool trans_b, int repeats) {
  // op(A) is M x K: stored K x M when transposed, then viewed through .t().
  const torch::Tensor a = trans_a ? torch::rand({K, M}) : torch::rand({M, K});
  const torch::Tensor b = trans_b ? torch::rand({N, K}) : torch::rand({K, N});
  torch::Tensor c = torch::empty({M, N});
  torch::NoGradGuard guard;
  return median_ms([&] { torch::mm_out(c, trans_a ? a.t() : a, trans_b ? b.t() : b); }, repeats);
}

namespace {

torch::Tensor to_torch(const Tensor& t) {
  return torch::from_blob(const_cast<float*>(t.data()), t.shape().dims(), torch::kFloat32).clone();
}

// One of our networks rebuilt from torch operators, sharing nothing with ours but copies of its
// weights: a tree of closures made by walking the layer tree (spec() for the attributes, params()
// and buffers() for the tensors).
struct Mirror {
  std::function<torch::Tensor(const torch::Tensor&)> forward;
  std::vector<torch::Tensor> params;
};

std::map<std::string, torch::Tensor> named_tensors(Layer& layer, std::vector<torch::Tensor>* params) {
  std::map<std::string, torch::Tensor> m;
  for (Param* p : layer.params()) {
    torch::Tensor t = to_torch(p->value).set_requires_grad(true);
    params->push_back(t);
    m[p->name] = t;
  }
  for (Param* p : layer.buffers()) m[p->name] = to_torch(p->value);
  return m;
}

std::function<torch::Tensor(const torch::Tensor&)> mirror_layer(Layer& layer, std::vector<torch::Tensor>* params) {
  const LayerSpec spec = layer.spec();
  const std::string& type = spec.type;
  if (type == "Sequential") {
    auto& seq = dynamic_cast<Sequential&>(layer);
    std::vector<std::function<torch::Tensor(const torch::Tensor&)>> children;
    for (size_t i = 0; i < seq.num_children(); ++i) children.push_back(mirror_layer(seq.child(i), params));
    return [children](const torch::Tensor& x) {
      torch::Tensor h = x;
      for (const auto& c : children) h = c(h);
      return h;
    };
  }
  if (type == "SkipConcat" || type == "Residual") {
    auto body = mirror_layer(dynamic_cast<Container&>(layer).child(0), params);
    if (type == "SkipConcat") return [body](const torch::Tensor& x) { return torch::cat({x, body(x)}, 1); };
    return [body](const torch::Tensor& x) { return x + body(x); };
  }
  if (type == "Relu") return [](const torch::Tensor& x) { return torch::relu(x); };
  if (type == "Tanh") return [](const torch::Tensor& x) { return torch::tanh(x); };
  if (type == "Sigmoid") return [](const torch::Tensor& x) { return torch::sigmoid(x); };
  if (type == "LeakyRelu") {
    const double slope = spec.get_float("slope");
    return [slope](const torch::Tensor& x) { return torch::leaky_relu(x, slope); };
  }
  auto t = named_tensors(layer, params);
  auto get = [&t](const char* name) { return t.count(name) ? t[name] : torch::Tensor(); };
  if (type == "Conv2d") {
    const int64_t stride = spec.get_int("stride"), padding = spec.get_int("padding"),
                  dilation = spec.get_int("dilation");
    const bool reflect = spec.get_string("padding_mode") == "reflect";
    torch::Tensor w = get("weight"), b = get("bias");
    return [=](const torch::Tensor& x) {
      const std::vector<int64_t> s{stride, stride}, d{dilation, dilation};
      if (reflect && padding > 0)
        return torch::conv2d(torch::reflection_pad2d(x, {padding, padding, padding, padding}), w, b, s,
                             std::vector<int64_t>{0, 0}, d);
      return torch::conv2d(x, w, b, s, std::vector<int64_t>{padding, padding}, d);
    };
  }
  if (type == "BatchNorm2d") {
    const double eps = spec.get_float("eps"), momentum = spec.get_float("momentum");
    torch::Tensor w = get("weight"), b = get("bias"), mean = get("running_mean"), var = get("running_var");
    Layer* ours = &layer;  // training or evaluation as our layer is set
    return [=](const torch::Tensor& x) {
      return torch::batch_norm(x, w, b, mean, var, ours->training(), momentum, eps, false);
    };
  }
  if (type == "InstanceNorm2d") {
    const double eps = spec.get_float("eps");
    torch::Tensor w = get("weight"), b = get("bias");
    return [=](const torch::Tensor& x) { return torch::instance_norm(x, w, b, {}, {}, true, 0.1, eps, false); };
  }
  if (type == "AvgPool2d") {
    const int64_t k = spec.get_int("kernel_size"), s = spec.get_int("stride");
    return [=](const torch::Tensor& x) { return torch::avg_pool2d(x, k, s); };
  }
  if (type == "Upsample") {
    const int64_t f = spec.get_int("scale_factor");
    const bool bilinear = spec.get_string("mode") == "bilinear";
    return [=](const torch::Tensor& x) {
      const std::vector<int64_t> size{x.size(2) * f, x.size(3) * f};
      return bilinear ? torch::upsample_bilinear2d(x, size, false) : torch::upsample_nearest2d(x, size);
    };
  }
  throw std::runtime_error("bench: no LibTorch mirror for layer type " + type);
}

}  // namespace

double network_forward_ms(Layer& net, const Tensor& x, int repeats) {
  std::vector<torch::Tensor> params;
  const auto forward = mirror_layer(net, &params);
  const torch::Tensor tx = to_torch(x);
  torch::NoGradGuard guard;
  return median_ms([&] { forward(tx); }, repeats);
}

double network_train_step_ms(Layer& net, const Tensor& x, const Tensor& target_probs, double learning_rate,
                             int repeats) {
  std::vector<torch::Tensor> params;
  const auto forward = mirror_layer(net, &params);
  const torch::Tensor tx = to_torch(x), target = to_torch(target_probs);
  torch::optim::Adam adam(params, torch::optim::AdamOptions(learning_rate));
  return median_ms(
      [&] {
        adam.zero_grad();
        // Our cross_entropy_loss without class weights: the mean over positions of -sum_c t log softmax(z).
        const torch::Tensor loss = -(target * torch::log_softmax(forward(tx), 1)).sum(1).mean();
        loss.backward();
        adam.step();
      },
      repeats);
}

double xor_steps_per_second(int steps) {
  torch::manual_seed(1);
  torch::nn::Sequential mlp(torch::nn::Linear(2, 8), torch::nn::Tanh(), torch::nn::Linear(8, 1), torch::nn::Sigmoid());
  torch::optim::SGD sgd(mlp->parameters(), torch::optim::SGDOptions(2.0));
  const torch::Tensor x = torch::tensor({0.f, 0.f, 0.f, 1.f, 1.f, 0.f, 1.f, 1.f}).reshape({4, 2});
  const torch::Tensor y = torch::tensor({0.f, 1.f, 1.f, 0.f}).reshape({4, 1});
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) {
    sgd.zero_grad();
    const torch::Tensor loss = 0.5 * torch::mse_loss(mlp->forward(x), y);
    loss.backward();
    sgd.step();
  }
  return steps / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace neuroshop::bench::torch_side
