// The LibTorch side of the benchmark: the same workloads as bench/main.cpp, built from torch's own
// modules and operators, on the same number of threads.
#include <torch/torch.h>

#include "bench.h"

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
