// Shipped models keep their outputs when the engine's kernels change: each application network
// (models/*.nsm, loaded through the core alone, in inference mode) runs on a fixed random input,
// and samples of its output are compared with a reference rendering kept in
// tests/data/engine_reference/<model>.txt.
//
// The references were made with the engine before its convolution kernels were rewritten (im2col +
// GEMM only), except matte.txt and colorize.txt, remade with the Winograd engine when models/matte.nsm
// and models/colorize.nsm were retrained.
// To make them again, which is only right when a model file itself changes (then keep only that
// model's file: the command rewrites all of them):
//   NEUROSHOP_WRITE_ENGINE_REFERENCE=1 build/neuroshop_tests --gtest_filter='ShippedModels.*'
//
// Tolerance: |ours - reference| <= kTolerance * max(1, max |reference|) for every sample. Kernels
// that reorder sums (blocking, threads) move outputs by ~1e-6 of their scale; Winograd's transforms
// by ~1e-5 per layer, compounded over a dozen layers. 2e-3 of the output's scale is far below anything
// visible (a 1/255 step of an 8-bit pixel is 4e-3) and far above both.
// Not here: whether the models are good (the model cards), the applications' pre- and
// post-processing (tests/apps).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/model/model_file.h"
#include "core/rng.h"
#include "core/tensor.h"

namespace neuroshop {
namespace {

constexpr double kTolerance = 2e-3;
constexpr int64_t kSamples = 400;  // output values kept per model (a few KB of text)

std::string source_path(const std::string& relative) { return std::string(NEUROSHOP_SOURCE_DIR) + "/" + relative; }

struct Case {
  const char* model;  // models/<model>.nsm
  int64_t channels;   // input channels of the network
  int64_t side;       // input is (1, channels, side, side); a multiple of every network's size step
};

// Samples at evenly spaced flat indices, plus the mean and the mean absolute value of the whole output.
std::vector<double> summarize(const Tensor& y) {
  std::vector<double> s;
  const int64_t n = y.numel();
  for (int64_t i = 0; i < kSamples; ++i) s.push_back(y[i * n / kSamples]);
  double sum = 0.0, sum_abs = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    sum += y[i];
    sum_abs += std::fabs(y[i]);
  }
  s.push_back(sum / static_cast<double>(n));
  s.push_back(sum_abs / static_cast<double>(n));
  return s;
}

void check_model(const Case& c) {
  const std::string model_path = source_path(std::string("models/") + c.model + ".nsm");
  if (!std::filesystem::exists(model_path)) GTEST_SKIP() << "no " << model_path;
  LoadedModel loaded = load_model(model_path);
  Rng rng(13);
  Tensor x = Tensor::empty({1, c.channels, c.side, c.side});
  for (int64_t i = 0; i < x.numel(); ++i) x[i] = static_cast<float>(rng.uniform(-1.0, 1.0));
  const std::vector<double> ours = summarize(loaded.net->forward(x));

  const std::string ref_path = source_path(std::string("tests/data/engine_reference/") + c.model + ".txt");
  if (std::getenv("NEUROSHOP_WRITE_ENGINE_REFERENCE")) {
    std::filesystem::create_directories(std::filesystem::path(ref_path).parent_path());
    std::ofstream out(ref_path);
    out << "# " << c.model << ": input (1," << c.channels << "," << c.side << "," << c.side
        << ") U(-1,1) from Rng(13); " << kSamples << " output samples, then mean and mean |y|\n";
    char buf[64];
    for (double v : ours) {
      std::snprintf(buf, sizeof buf, "%.9g\n", v);
      out << buf;
    }
    return;
  }
  std::ifstream in(ref_path);
  ASSERT_TRUE(in) << "missing reference " << ref_path;
  std::vector<double> ref;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') ref.push_back(std::stod(line));
  ASSERT_EQ(ref.size(), ours.size()) << ref_path;
  double scale = 1.0;
  for (double v : ref) scale = std::max(scale, std::fabs(v));
  double worst = 0.0;
  for (size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, std::fabs(ours[i] - ref[i]));
  EXPECT_LE(worst, kTolerance * scale) << c.model << ": largest difference " << worst << " at output scale " << scale;
}

TEST(ShippedModels, ColorizeMatchesReference) { check_model({"colorize", 4, 64}); }
TEST(ShippedModels, HarmonizeMatchesReference) { check_model({"harmonize", 4, 64}); }
TEST(ShippedModels, MatteMatchesReference) { check_model({"matte", 3, 64}); }
TEST(ShippedModels, StyleGreatWaveMatchesReference) { check_model({"style-great-wave", 3, 64}); }
TEST(ShippedModels, StyleKandinskyMatchesReference) { check_model({"style-kandinsky", 3, 64}); }
TEST(ShippedModels, StyleStarryNightMatchesReference) { check_model({"style-starry-night", 3, 64}); }

}  // namespace
}  // namespace neuroshop
