// neuroshop-bench: our engine against LibTorch, in one process, on the same threads, printing
// medians and ratios (LibTorch time / ours: above 1 means we are faster). The network rows time
// the two engines in alternating rounds (--repeats of them) and take the median per-round ratio.
//   neuroshop-bench [--threads N] [--repeats R] [--json] [--only gemm|network|appnets|xor|apps]
// LibTorch gets its best allocator settings: glibc's mmap threshold and trimming are turned off
// (MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736), by re-executing this program with them
// set when they are not. Our engine recycles its buffers itself (core/buffer_pool.h).
//
// --json prints one object; each section that runs always writes all of its keys:
//   gemm:     fma_peak_gflops (the peak of the instruction set the GEMM dispatches to),
//             gemm2048_gflops, gemm2048_torch_gflops, gemm2048_peak_fraction
//   network:  {train_step,forward,infer512}_{ms,torch_ms,speedup}
//   appnets:  colorize{,_v2}_train_step_{ms,torch_ms,speedup}, colorize{,_v2}_train_crops_per_second,
//             {stylize_net_1mp,harmonize_net,matte_net}_{ms,torch_ms,speedup}   (models/*.nsm present)
//   xor:      xor_steps_per_second, xor_torch_steps_per_second, xor_speedup
//   apps:     colorize_12mp_ms, stylize_fast_1mp_ms, stylize_patches_512_ms, stylize_optimize_512_ms, tryon_12mp_two_items_ms
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <thread>
#include <vector>

#include "apps/colorize/colorize.h"
#include "apps/colorize/network.h"
#include "apps/stylize/fast.h"
#include "apps/stylize/stylize.h"
#include "apps/harmonize/model.h"
#include "apps/tryon/item.h"
#include "apps/tryon/tryon.h"
#include "bench.h"
#include "core/kernels/gemm.h"
#include "core/kernels/parallel.h"
#include "core/layers/activations.h"
#include "core/layers/conv2d.h"
#include "core/layers/dense.h"
#include "core/layers/sequential.h"
#include "core/layers/upsample.h"
#include "core/losses/cross_entropy.h"
#include "core/losses/regression.h"
#include "core/model/model_file.h"
#include "core/optim/adam.h"
#include "core/optim/sgd.h"
#include "core/rng.h"

namespace neuroshop::bench {
namespace {

struct Options {
  int threads = 2;
  int repeats = 5;
  bool json = false;
  std::string only;
};

std::map<std::string, double> g_results;  // the --json object, in key order

void row(const char* name, double ours, double torch, const char* unit, bool higher_is_better = false) {
  const double ratio = higher_is_better ? ours / torch : torch / ours;
  std::printf("  %-34s ours %10.2f %-6s  LibTorch %10.2f %-6s  ratio %5.2fx\n", name, ours, unit, torch, unit, ratio);
}

// A row with the ratio given (the median of per-round ratios, see paired_rounds).
void row_with_ratio(const char* name, double ours, double torch, double ratio, const char* unit) {
  std::printf("  %-34s ours %10.2f %-6s  LibTorch %10.2f %-6s  ratio %5.2fx\n", name, ours, unit, torch, unit, ratio);
}

// LibTorch's OpenBLAS threads spin for 50-100 ms after a call; whatever is timed next waits until
// they have gone to sleep, so they do not compete for the cores.
void let_torch_threads_sleep() { std::this_thread::sleep_for(std::chrono::milliseconds(200)); }

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The networks' rows time the two engines in alternating rounds: round r times ours once (after
// a warm-up call) and then LibTorch once, and the ratio is the median of the per-round ratios. On
// a VM whose speed drifts by tens of per cent over seconds, timing all of ours and then all of
// LibTorch's put the drift into the ratio. Each engine's figure is the median of its rounds.
struct Paired {
  std::vector<double> ours, torch;  // one time per round and row
};
struct PairedRow {
  double ours, torch, ratio;
};
PairedRow paired_row(const Paired& p, size_t row, size_t rows) {
  std::vector<double> ours, torch, ratio;
  for (size_t i = row; i < p.ours.size(); i += rows) {
    ours.push_back(p.ours[i]);
    torch.push_back(p.torch[i]);
    ratio.push_back(p.torch[i] / p.ours[i]);
  }
  return {median_of(ours), median_of(torch), median_of(ratio)};
}
// ours_round / torch_round append one time per row of the group (the reference network has three).
Paired paired_rounds(int rounds, const std::function<void(std::vector<double>&)>& ours_round,
                     const std::function<void(std::vector<double>&)>& torch_round) {
  Paired p;
  // The same pause before each engine: LibTorch's threads need it to go to sleep, and a core that
  // has just idled runs slower for a while (see median_ms), so pausing only after LibTorch's turn
  // put every one of our turns, and none of LibTorch's, right after an idle pause.
  for (int r = 0; r < rounds; ++r) {
    let_torch_threads_sleep();
    ours_round(p.ours);
    let_torch_threads_sleep();
    torch_round(p.torch);
  }
  return p;
}
void paired_result(const char* label, const std::string& key, const PairedRow& r) {
  row_with_ratio(label, r.ours, r.torch, r.ratio, "ms");
  g_results[key + "_ms"] = r.ours;
  g_results[key + "_torch_ms"] = r.torch;
  g_results[key + "_speedup"] = r.ratio;
}

// --- GEMM ------------------------------------------------------------------------------------------
void bench_gemm(const Options& o) {
  std::printf("GEMM (kernel %s, %d threads)\n", gemm_kernel_name(), o.threads);
  struct Case {
    const char* name;
    int64_t M, N, K;
    bool ta, tb;
  };
  const Case cases[] = {
      {"2048^3", 2048, 2048, 2048, false, false},
      {"conv fwd 64x16384x288", 64, 16384, 288, false, false},
      {"conv fwd 128x4096x1152", 128, 4096, 1152, false, false},
      {"conv dW 128x1152x4096 (B^T)", 128, 1152, 4096, false, true},
      {"conv dcol 1152x4096x128 (A^T)", 1152, 4096, 128, true, false},
  };
  Rng rng(1);
  for (const Case& c : cases) {
    std::vector<float> a(static_cast<size_t>(c.M * c.K)), b(static_cast<size_t>(c.K * c.N)), out(static_cast<size_t>(c.M * c.N));
    for (auto& v : a) v = static_cast<float>(rng.uniform(-1, 1));
    for (auto& v : b) v = static_cast<float>(rng.uniform(-1, 1));
    const int64_t lda = c.ta ? c.M : c.K, ldb = c.tb ? c.K : c.N;
    // 2048^3 also measures the FMA peak in each round, right after our product, so the fraction
    // of peak compares two measurements taken within a second of each other.
    const bool with_peak = std::strcmp(c.name, "2048^3") == 0;
    const size_t rows = with_peak ? 2 : 1;
    const Paired p = paired_rounds(
        o.repeats,
        [&](std::vector<double>& t) {
          t.push_back(median_ms(
              [&] {
                gemm(c.ta ? Trans::kYes : Trans::kNo, c.tb ? Trans::kYes : Trans::kNo, c.M, c.N, c.K, 1.0f, a.data(),
                     lda, b.data(), ldb, 0.0f, out.data(), c.N);
              },
              1));
          if (with_peak) t.push_back(gemm_peak_gflops(o.threads));
        },
        [&](std::vector<double>& t) {
          t.push_back(torch_side::gemm_ms(c.M, c.N, c.K, c.ta, c.tb, 1));
          if (with_peak) t.push_back(0.0);
        });
    const PairedRow r = paired_row(p, 0, rows);
    const double flop = 2.0 * c.M * c.N * c.K;
    const double ours_gflops = flop / r.ours / 1e6, torch_gflops = flop / r.torch / 1e6;
    std::printf("  %-34s ours %10.2f %-6s  LibTorch %10.2f %-6s  ratio %5.2fx\n", c.name, ours_gflops, "GF/s",
                torch_gflops, "GF/s", r.ratio);
    if (with_peak) {
      std::vector<double> peaks, fractions;
      for (size_t i = 0; i < p.ours.size(); i += rows) {
        peaks.push_back(p.ours[i + 1]);
        fractions.push_back(flop / p.ours[i] / 1e6 / p.ours[i + 1]);
      }
      const double peak = median_of(peaks), fraction = median_of(fractions);
      g_results["gemm2048_gflops"] = ours_gflops;
      g_results["gemm2048_torch_gflops"] = torch_gflops;
      g_results["gemm2048_peak_fraction"] = fraction;
      g_results["fma_peak_gflops"] = peak;
      std::printf("  %-34s %.0f %% of the FMA peak (%.0f GFLOP/s, measured in each round)\n", "", 100.0 * fraction, peak);
    }
  }
}

std::string source_path(const std::string& relative) { return std::string(NEUROSHOP_SOURCE_DIR) + "/" + relative; }

// --- The reference network -------------------------------------------------------------------------
std::unique_ptr<Sequential> reference_network(Rng& rng) {
  auto net = std::make_unique<Sequential>("reference");
  auto conv = [&](int64_t in, int64_t out, int64_t stride = 1, int64_t dilation = 1) {
    Conv2dOptions c;
    c.in_channels = in;
    c.out_channels = out;
    c.stride = stride;
    c.dilation = dilation;
    c.padding = dilation;
    net->emplace<Conv2d>(c, rng);
  };
  conv(1, 32), net->emplace<Relu>();
  conv(32, 64, 2), net->emplace<Relu>();
  conv(64, 64), net->emplace<Relu>();
  conv(64, 128, 2), net->emplace<Relu>();
  conv(128, 128), net->emplace<Relu>();
  conv(128, 128, 1, 2), net->emplace<Relu>();
  net->emplace<Upsample>(2, UpsampleMode::kNearest);
  conv(128, 64), net->emplace<Relu>();
  net->emplace<Upsample>(2, UpsampleMode::kNearest);
  conv(64, 32), net->emplace<Relu>();
  conv(32, 2), net->emplace<Tanh>();
  return net;
}

Tensor uniform(const Shape& shape, Rng& rng, double lo, double hi) {
  Tensor t = Tensor::empty(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = static_cast<float>(rng.uniform(lo, hi));
  return t;
}

void bench_network(const Options& o) {
  Rng rng(2);
  auto net = reference_network(rng);
  Sgd sgd(net->params(), SgdOptions{0.01});
  const Tensor x = uniform({16, 1, 128, 128}, rng, 0, 1), target = uniform({16, 2, 128, 128}, rng, -1, 1);
  const Tensor big = uniform({1, 1, 512, 512}, rng, 0, 1);
  const Paired p = paired_rounds(
      o.repeats,
      [&](std::vector<double>& times) {
        net->set_training(true);
        times.push_back(median_ms(
            [&] {
              sgd.zero_grad();
              Tensor dy;
              mse_loss(net->forward(x), target, &dy);
              net->backward_params(dy);
              sgd.step();
            },
            1));
        net->set_training(false);
        times.push_back(median_ms([&] { net->forward(x); }, 1));
        times.push_back(median_ms([&] { net->forward(big); }, 1));
      },
      [&](std::vector<double>& times) {
        const ReferenceTimes t = torch_side::reference_network(1);
        times.insert(times.end(), {t.train_step_ms, t.forward_ms, t.infer512_ms});
      });
  std::printf("Reference network (39.1 GFLOP forward per batch of 16 at 128x128)\n");
  paired_result("train step, batch 16", "train_step", paired_row(p, 0, 3));
  paired_result("forward, batch 16", "forward", paired_row(p, 1, 3));
  paired_result("inference, batch 1 at 512x512", "infer512", paired_row(p, 2, 3));
}

// --- The applications' own networks, each against the same network in LibTorch -----------------------
// Random soft targets: at each position a distribution over the Q classes.
Tensor soft_targets(const Shape& shape, Rng& rng) {
  Tensor t = uniform(shape, rng, 0, 1);
  const int64_t N = shape[0], Q = shape[1], P = shape[2] * shape[3];
  for (int64_t n = 0; n < N; ++n)
    for (int64_t p = 0; p < P; ++p) {
      double sum = 0.0;
      for (int64_t q = 0; q < Q; ++q) sum += t[(n * Q + q) * P + p];
      for (int64_t q = 0; q < Q; ++q) t[(n * Q + q) * P + p] = static_cast<float>(t[(n * Q + q) * P + p] / sum);
    }
  return t;
}

// A shipped model's network, in evaluation mode, timed on one random input against its mirror.
void inference_row(const Options& o, const char* model, const char* label, const Shape& in, const char* key) {
  const std::string path = source_path(std::string("models/") + model + ".nsm");
  if (!std::filesystem::exists(path)) return;
  LoadedModel loaded = load_model(path);
  Rng rng(4);
  const Tensor x = uniform(in, rng, -1, 1);
  const Paired p = paired_rounds(
      o.repeats, [&](std::vector<double>& t) { t.push_back(median_ms([&] { loaded.net->forward(x); }, 1)); },
      [&](std::vector<double>& t) { t.push_back(torch_side::network_forward_ms(*loaded.net, x, 1)); });
  paired_result(label, key, paired_row(p, 0, 1));
}

int64_t model_input_size(const char* model, int64_t fallback) {
  const std::string path = source_path(std::string("models/") + model + ".nsm");
  if (!std::filesystem::exists(path)) return fallback;
  const ModelFile file = read_model_file(path);
  const auto it = file.metadata.find("input_size");
  return it == file.metadata.end() ? fallback : std::stoll(it->second);
}

// The colorizer's training step as `neuroshop train colorize` runs it: the model's ab bins,
// batch 16 of 128x128 crops, soft-target cross-entropy, Adam. `key` names the JSON fields.
void bench_colorizer_step(const Options& o, const colorize::NetworkOptions& options, const char* label,
                          const std::string& key) {
  {
    Rng rng(3);
    auto net = colorize::build_network(options, rng);
    const Tensor x = uniform({16, colorize::kInputChannels, 128, 128}, rng, -1, 1);
    const Tensor target = soft_targets({16, options.num_bins, 32, 32}, rng);
    const double lr = 1e-4;  // small, so the repeated steps stay near the starting point in both
    Adam adam(net->params(), AdamOptions{lr});
    const Paired p = paired_rounds(
        o.repeats,
        [&](std::vector<double>& t) {
          t.push_back(median_ms(
              [&] {
                adam.zero_grad();
                Tensor dlogits;
                cross_entropy_loss(net->forward(x), target, nullptr, &dlogits);
                net->backward_params(dlogits);
                adam.step();
              },
              1));
        },
        [&](std::vector<double>& t) { t.push_back(torch_side::network_train_step_ms(*net, x, target, lr, 1)); });
    const PairedRow r = paired_row(p, 0, 1);
    paired_result((std::string(label) + " train step, batch 16").c_str(), key + "_train_step", r);
    std::printf("  %-34s ours %10.1f crops/s     LibTorch %10.1f crops/s\n", (std::string(label) + " throughput").c_str(),
                16e3 / r.ours, 16e3 / r.torch);
    g_results[key + "_train_crops_per_second"] = 16e3 / r.ours;
  }
}

void bench_app_networks(const Options& o) {
  std::printf("Application networks (same weights in both engines)\n");
  colorize::NetworkOptions v1;  // the previous shipped colorizer: width 32, 930k parameters
  v1.width = 32;
  v1.num_bins = 235;
  bench_colorizer_step(o, v1, "colorize", "colorize");
  colorize::NetworkOptions v2 = v1;  // the shipped 3.1M-parameter U-Net with a dilated middle, width 48
  v2.arch = 2;
  v2.width = 48;
  v2.num_bins = 256;  // as in models/colorize.nsm
  bench_colorizer_step(o, v2, "colorize v2", "colorize_v2");
  // 1 MP as the fast style runs it: 1152x864 (sides multiples of 8, as the app pads them).
  inference_row(o, "style-great-wave", "fast style 1 MP (1152x864)", {1, 3, 864, 1152}, "stylize_net_1mp");
  const int64_t harmonize_side = model_input_size("harmonize", 256), matte_side = model_input_size("matte", 256);
  const std::string harmonize_label = "harmonize U-Net " + std::to_string(harmonize_side) + "^2";
  const std::string matte_label = "cut-out U-Net " + std::to_string(matte_side) + "^2";
  inference_row(o, "harmonize", harmonize_label.c_str(), {1, 4, harmonize_side, harmonize_side}, "harmonize_net");
  inference_row(o, "matte", matte_label.c_str(), {1, 3, matte_side, matte_side}, "matte_net");
}

// --- The lecture's XOR MLP ---------------------------------------------------------------------------
void bench_xor(const Options& o) {
  (void)o;
  Rng rng(1);
  Sequential mlp;
  mlp.emplace<Dense>(2, 8, rng);
  mlp.emplace<Tanh>();
  mlp.emplace<Dense>(8, 1, rng);
  mlp.emplace<Sigmoid>();
  Sgd sgd(mlp.params(), SgdOptions{2.0});
  const Tensor x = Tensor::from({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1}), y = Tensor::from({4, 1}, {0, 1, 1, 0});
  auto steps_per_second = [&](int steps) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i) {
      sgd.zero_grad();
      Tensor dy;
      mse_loss(mlp.forward(x), y, &dy);
      mlp.backward(dy);
      sgd.step();
    }
    return steps / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::vector<double> ours, torch;
  for (int r = 0; r < 5; ++r) {
    ours.push_back(steps_per_second(200000));
    torch.push_back(torch_side::xor_steps_per_second(20000));
    let_torch_threads_sleep();
  }
  std::sort(ours.begin(), ours.end());
  std::sort(torch.begin(), torch.end());
  std::printf("XOR MLP (2-8-1, full batch of 4, SGD)\n");
  row("steps per second", ours[2], torch[2], "st/s", true);
  g_results["xor_steps_per_second"] = ours[2];
  g_results["xor_torch_steps_per_second"] = torch[2];
  g_results["xor_speedup"] = ours[2] / torch[2];
}

// --- Applications: the issues' speed targets, measured in memory (no file I/O) -------------------------
// A photo-like test image: noise blurred so it has structure at every scale.
cv::Mat textured(int rows, int cols, int type) {
  cv::Mat m(rows, cols, type);
  cv::randu(m, cv::Scalar::all(0), cv::Scalar::all(255));
  cv::GaussianBlur(m, m, cv::Size(0, 0), 6.0);
  return m;
}

void app_row(const char* name, double ms, double target_ms, const char* key) {
  std::printf("  %-34s %10.0f ms (target < %.0f ms)\n", name, ms, target_ms);
  g_results[key] = ms;
}

void bench_apps(const Options& o) {
  std::printf("Applications\n");
  const std::string colorize_model = source_path("models/colorize.nsm");
  if (std::filesystem::exists(colorize_model)) {
    colorize::ColorizeModel model = colorize::ColorizeModel::load(colorize_model);
    Image photo;
    photo.pixels = textured(3000, 4000, CV_8UC1);
    photo.was_gray = true;
    app_row("colorize 12 MP (4000x3000)",
            median_ms([&] { colorize::colorize_image(model, photo, colorize::ColorizeOptions{}); }, o.repeats), 2000,
            "colorize_12mp_ms");
  }
  const std::string style_model = source_path("models/style-great-wave.nsm");
  if (std::filesystem::exists(style_model)) {
    stylize::StyleModel model = stylize::StyleModel::load(style_model);
    Image photo;
    photo.pixels = textured(866, 1155, CV_8UC3);
    app_row("fast style 1 MP (1155x866)",
            median_ms([&] { stylize::stylize_fast(model, photo, stylize::FastOptions{}); }, o.repeats), 2000,
            "stylize_fast_1mp_ms");
  }
  const cv::Mat content = cv::imread(source_path("samples/stylize/sea.jpg"), cv::IMREAD_COLOR);
  const cv::Mat painting = cv::imread(source_path("samples/stylize/painting-starry-night.jpg"), cv::IMREAD_COLOR);
  if (!content.empty() && !painting.empty()) {
    // Arbitrary style with the defaults (512 px): patch synthesis, and by optimization
    // (coarse-to-fine L-BFGS). Each takes seconds, so three runs at most.
    app_row("stylize by patch synthesis, 512 px",
            median_ms([&] { stylize::transfer_style(content, painting, stylize::StylizeOptions{}); },
                      std::min(o.repeats, 3)),
            60000, "stylize_patches_512_ms");
    stylize::StylizeOptions optimize;
    optimize.method = stylize::StylizeMethod::kOptimize;
    app_row("stylize by optimization, 512 px",
            median_ms([&] { stylize::transfer_style(content, painting, optimize); }, std::min(o.repeats, 3)),
            90000, "stylize_optimize_512_ms");
  }
  const std::string harmonize_model = source_path("models/harmonize.nsm");
  const cv::Mat room8 = cv::imread(source_path("samples/tryon/wine_room.jpg"), cv::IMREAD_COLOR);
  if (std::filesystem::exists(harmonize_model) && !room8.empty()) {
    // Two items into a 12-megapixel room, as `neuroshop tryon` does it after reading the files:
    // horizon and light estimated, shadows, harmonization network.
    harmonize::HarmonizeModel harmonizer = harmonize::HarmonizeModel::load(harmonize_model);
    const tryon::HarmonizeFn harmonize = [&](const cv::Mat& c, const cv::Mat& m) { return harmonizer.harmonize(c, m); };
    cv::Mat room;
    cv::resize(room8, room, cv::Size(4000, 3000), 0, 0, cv::INTER_CUBIC);
    room.convertTo(room, CV_32FC3, 1.0 / 255.0);
    std::vector<tryon::ItemImage> items;
    std::vector<tryon::ItemPlacement> placements;
    for (const char* file : {"sofa_beige_34.png", "plant_palm_34.png"}) {
      items.push_back(tryon::load_item(source_path(std::string("samples/tryon/") + file), tryon::CutoutMode::kAlpha));
      tryon::ItemPlacement p;
      p.file = items.back().path;
      p.at = cv::Point2d(items.size() == 1 ? 1600 : 3000, 2600);
      p.height_px = items.size() == 1 ? 900 : 1300;
      placements.push_back(p);
    }
    app_row("try-on 12 MP room, two items",
            median_ms([&] { tryon::compose(room, placements, items, tryon::TryOnOptions{}, harmonize, nullptr); },
                      o.repeats),
            1500, "tryon_12mp_two_items_ms");
  }
}

}  // namespace
}  // namespace neuroshop::bench

int main(int argc, char** argv) {
  using namespace neuroshop::bench;
  if (std::getenv("MALLOC_MMAP_MAX_") == nullptr) {
    setenv("MALLOC_MMAP_MAX_", "0", 1);
    setenv("MALLOC_TRIM_THRESHOLD_", "68719476736", 1);
    execv("/proc/self/exe", argv);  // on failure, go on with the default allocator settings
  }
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "error: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--threads") o.threads = std::atoi(next().c_str());
    else if (a == "--repeats") o.repeats = std::atoi(next().c_str());
    else if (a == "--json") o.json = true;
    else if (a == "--only") o.only = next();
    else {
      std::fprintf(stderr, "usage: neuroshop-bench [--threads N] [--repeats R] [--json] [--only gemm|network|appnets|xor|apps]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  if (o.threads < 1 || o.repeats < 1) {
    std::fprintf(stderr, "error: --threads and --repeats must be positive\n");
    return 2;
  }
  neuroshop::set_num_threads(o.threads);
  torch_side::set_threads(o.threads);
  std::printf("neuroshop-bench: %d threads, medians of %d runs; ratio = LibTorch time / ours (> 1: ours faster)\n",
              o.threads, o.repeats);
  if (o.only.empty() || o.only == "gemm") bench_gemm(o);
  if (o.only.empty() || o.only == "network") bench_network(o);
  if (o.only.empty() || o.only == "appnets") bench_app_networks(o);
  if (o.only.empty() || o.only == "xor") bench_xor(o);
  if (o.only.empty() || o.only == "apps") bench_apps(o);
  if (o.json) {
    std::printf("{");
    bool first = true;
    for (const auto& [key, value] : g_results) {
      std::printf("%s\"%s\": %.6g", first ? "" : ", ", key.c_str(), value);
      first = false;
    }
    std::printf("}\n");
  }
  return 0;
}
