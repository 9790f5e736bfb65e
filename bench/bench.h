// The benchmark's shared pieces: timing with medians, and the LibTorch side declared without any
// torch header, so only bench/torch_side.cpp pays torch's compile time.
// Not here: any measured code (bench/main.cpp for ours, bench/torch_side.cpp for LibTorch's).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

namespace neuroshop {
class Layer;
class Tensor;
}  // namespace neuroshop

namespace neuroshop::bench {

// Runs fn `warmup` times, then `repeats` measurements, and returns the median wall time of one
// call in milliseconds. A call shorter than kMinMeasureMs is timed in runs of as many back-to-back
// calls as fill that time (the same for both engines): a single 3 ms call's time is mostly the
// thread pool waking up and cold caches, and swung 2-3x between runs.
constexpr double kMinMeasureMs = 25.0;

inline double median_ms(const std::function<void()>& fn, int repeats, int warmup = 1) {
  using clock = std::chrono::steady_clock;
  auto elapsed_ms = [](clock::time_point start) {
    return std::chrono::duration<double, std::milli>(clock::now() - start).count();
  };
  // The warm-up lasts at least kMinMeasureMs as well: on the VM a core that idled (the 200 ms
  // pause between engines) ran the next 25 ms of a 64^2 U-Net 20-45 % slower than a busy one
  // (1.70-1.95 ms against 1.33-1.50 ms per call), and whichever engine ran first after the pause
  // paid for it. Both engines warm up the same way.
  const auto warm_start = clock::now();
  for (int i = 0; i < warmup || (warmup > 0 && elapsed_ms(warm_start) < kMinMeasureMs); ++i) fn();
  const auto probe = clock::now();
  fn();
  const double once = elapsed_ms(probe);
  const int calls = once >= kMinMeasureMs ? 1 : std::min(1000, static_cast<int>(kMinMeasureMs / std::max(once, 1e-3)) + 1);
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const auto start = clock::now();
    for (int k = 0; k < calls; ++k) fn();
    times.push_back(elapsed_ms(start) / calls);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// The reference network of the core's benchmark (39.1 GFLOP forward per batch of 16 at 128x128):
// conv3x3(1->32) ReLU, conv3x3/2(32->64) ReLU, conv3x3(64->64) ReLU, conv3x3/2(64->128) ReLU,
// conv3x3(128->128) ReLU, conv3x3 dilation 2 (128->128) ReLU, upsample x2, conv3x3(128->64) ReLU,
// upsample x2, conv3x3(64->32) ReLU, conv3x3(32->2) tanh; MSE; SGD.
struct ReferenceTimes {
  double train_step_ms = 0, forward_ms = 0, infer512_ms = 0;
};

namespace torch_side {
void set_threads(int threads);
// Any of our networks (the layer types the applications use) rebuilt from torch operators with a
// copy of its weights, batch norm in training or evaluation mode as ours is set.
double network_forward_ms(Layer& net, const Tensor& x, int repeats);
// One step of softmax cross-entropy against soft targets (our cross_entropy_loss, no class
// weights) and Adam.
double network_train_step_ms(Layer& net, const Tensor& x, const Tensor& target_probs, double learning_rate,
                             int repeats);
ReferenceTimes reference_network(int repeats);
double gemm_ms(int64_t M, int64_t N, int64_t K, bool trans_a, bool trans_b, int repeats);
double xor_steps_per_second(int steps);
}  // namespace torch_side

}  // namespace neuroshop::bench
