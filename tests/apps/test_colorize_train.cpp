// The colorizer learns: a tiny network overfits synthetic photos whose colour follows from L;
// hints steer a region's colour; output planning and argument parsing behave.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <utility>
#include <opencv2/imgproc.hpp>

#include "apps/colorize/colorize.h"
#include "apps/colorize/dataset.h"
#include "apps/colorize/model.h"
#include "apps/colorize/network.h"
#include "apps/common/batch.h"
#include "core/errors.h"
#include "core/losses/cross_entropy.h"
#include "core/optim/adam.h"
#include "io/color.h"

namespace neuroshop::colorize {
namespace {

// A Lab photo: sky (L 75, blue) above a field (L 45, green by default), with a red band (L 60) on the left.
cv::Mat synthetic_lab(int size, int band, cv::Vec3f field = cv::Vec3f(45, -40, 40)) {
  cv::Mat lab(size, size, CV_32FC3);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      cv::Vec3f v = y < size / 2 ? cv::Vec3f(75, -10, -40) : field;
      if (x < band) v = cv::Vec3f(60, 55, 30);
      lab.at<cv::Vec3f>(y, x) = v;
    }
  return lab;
}

struct Trained {
  std::unique_ptr<ColorizeModel> model;
  double first_loss = 0, last_loss = 0;
};

Trained train_tiny(const std::vector<cv::Mat>& photos, int steps, double hint_free_share) {
  AbBins bins = AbBins::from_histogram(ab_histogram(photos, AbBinOptions{}, 1));
  bins.set_rebalancing(bin_counts(photos, bins, 1));
  Rng rng(3);
  Trained t;
  t.model = std::make_unique<ColorizeModel>(build_network(NetworkOptions{8, bins.size()}, rng), bins,
                                            mean_ab_by_lightness(photos));
  Layer& net = t.model->net();
  net.set_training(true);
  Adam adam(net.params(), AdamOptions{3e-3});
  HintOptions hints;
  hints.no_hint_probability = hint_free_share;
  hints.geometric_p = 0.2;
  for (int step = 0; step < steps; ++step) {
    const Batch batch = sample_batch(photos, 8, 32, bins, hints, rng);
    adam.zero_grad();
    Tensor dlogits;
    const double loss = cross_entropy_loss(net.forward(batch.input), batch.target, &bins.weights(), &dlogits);
    net.backward(dlogits);
    adam.step();
    if (step == 0) t.first_loss = loss;
    t.last_loss = loss;
  }
  net.set_training(false);
  return t;
}

cv::Mat to_bgr8(const cv::Mat& lab) {
  cv::Mat bgr8;
  lab_to_bgr(lab).convertTo(bgr8, CV_8U, 255.0);
  return bgr8;
}

TEST(ColorizeTraining, TinyModelOverfitsSyntheticPhotos) {
  const Trained t = train_tiny({synthetic_lab(64, 16), synthetic_lab(64, 24)}, 400, 1.0);
  EXPECT_LT(t.last_loss, 0.5 * t.first_loss);

  Image input;
  input.pixels = to_bgr8(synthetic_lab(64, 16));
  cv::cvtColor(input.pixels, input.pixels, cv::COLOR_BGR2GRAY);  // a black-and-white photo
  input.was_gray = true;
  ColorizeOptions options;
  options.size = 64;
  const Image out = colorize_image(*t.model, input, options);
  ASSERT_EQ(out.pixels.size(), input.pixels.size());
  ASSERT_EQ(out.pixels.channels(), 3);
  const cv::Mat lab = bgr_to_lab(out.pixels);
  const cv::Vec3f sky = lab.at<cv::Vec3f>(8, 40), grass = lab.at<cv::Vec3f>(56, 40);
  EXPECT_LT(sky[2], -15.0f) << "sky should be blue, got b = " << sky[2];
  EXPECT_LT(grass[1], -15.0f) << "grass should be green, got a = " << grass[1];
  EXPECT_GT(grass[2], 15.0f);
  // The input's lightness is kept exactly (up to 8-bit rounding).
  const cv::Mat L_in = lightness(input.pixels), L_out = lightness(out.pixels);
  double max_diff = 0;
  cv::minMaxLoc(cv::abs(L_in - L_out), nullptr, &max_diff);
  EXPECT_LT(max_diff, 1.5);
}

TEST(ColorizeTraining, HintsChangeTheHintedRegionsColour) {
  // The field is green in one photo and red in the other with the same lightness: only a hint can
  // tell which, so a network that learned to use hints must follow them.
  const cv::Vec3f green(45, -40, 40), red(45, 50, 30);
  const Trained t = train_tiny({synthetic_lab(64, 0, green), synthetic_lab(64, 0, red)}, 600, 0.3);
  Image input;
  input.pixels = to_bgr8(synthetic_lab(64, 0, green));
  // Both decodings: the default (mean, half the rebalancing undone) and Zhang's vivid one.
  for (const auto& [vividness, prior_correction] : {std::pair{kDefaultVividness, kDefaultPriorCorrection},
                                                   std::pair{0.38f, 0.0f}}) {
    SCOPED_TRACE("vividness " + std::to_string(vividness) + ", prior correction " + std::to_string(prior_correction));
    ColorizeOptions options;
    options.size = 64;
    options.hint_radius = 3;
    options.vividness = vividness;
    options.prior_correction = prior_correction;
    options.hints = {parse_hint("40,56,#C03030")};  // red
    const cv::Mat red_hinted = bgr_to_lab(colorize_image(*t.model, input, options).pixels);
    options.hints = {parse_hint("40,56,#308030")};  // green
    const cv::Mat green_hinted = bgr_to_lab(colorize_image(*t.model, input, options).pixels);
    const float a_red = red_hinted.at<cv::Vec3f>(56, 40)[1], a_green = green_hinted.at<cv::Vec3f>(56, 40)[1];
    EXPECT_GT(a_red, 10.0f) << "a red hint should make the field red";
    EXPECT_LT(a_green, -10.0f) << "a green hint should make the field green";
    // The sky, far from the hint, stays blue either way.
    EXPECT_LT(red_hinted.at<cv::Vec3f>(6, 40)[2], -15.0f);
  }
}

TEST(ColorizeTraining, ScaleJitterSpansOneToZoomLogUniformly) {
  // L rises by 0.25 per photo pixel, so a crop of side s resized to 32 rises by 0.25 * s / 32 per
  // crop pixel: the zoom each crop was taken at can be read off its lightness slope.
  cv::Mat lab(160, 160, CV_32FC3);
  for (int y = 0; y < lab.rows; ++y)
    for (int x = 0; x < lab.cols; ++x) lab.at<cv::Vec3f>(y, x) = cv::Vec3f(10.0f + 0.25f * x, 20, 20);
  const AbBins bins = AbBins::from_histogram(ab_histogram({lab}, AbBinOptions{}, 1));
  HintOptions no_hints;
  no_hints.no_hint_probability = 1.0;
  Rng rng(5);
  const int64_t crop = 32;
  const Batch batch = sample_batch({lab}, 400, crop, bins, no_hints, rng, 4.0);
  std::vector<double> zooms;
  for (int64_t n = 0; n < 400; ++n) {
    const float* L = batch.input.data() + n * 4 * crop * crop + 16 * crop;  // row 16, as L / 50 - 1
    zooms.push_back(std::abs(L[24] - L[8]) * 50.0 / 16.0 / 0.25);         // flips make the slope negative
  }
  std::sort(zooms.begin(), zooms.end());
  EXPECT_NEAR(zooms.front(), 1.0, 0.05);
  EXPECT_NEAR(zooms.back(), 4.0, 0.15);
  EXPECT_NEAR(zooms[200], 2.0, 0.3) << "log-uniform zoom in [1, 4] has its median at 2";
  EXPECT_THROW(sample_batch({lab}, 1, crop, bins, no_hints, rng, 0.5), ArgumentError);
}

TEST(ColorizeModelTest, MirrorAveragingIsExactlyMirrorEquivariant) {
  // Averaging each prediction with the mirror image's (mirrored back) gives the same answer, mirrored,
  // for the mirrored photo; the network alone does not, so a wrongly mirrored average would show.
  const std::vector<cv::Mat> photos{synthetic_lab(64, 16)};
  AbBins bins = AbBins::from_histogram(ab_histogram(photos, AbBinOptions{}, 1));
  bins.set_rebalancing(bin_counts(photos, bins, 1));
  Rng rng(11);
  ColorizeModel model(build_network(NetworkOptions{8, bins.size()}, rng), bins, mean_ab_by_lightness(photos));
  cv::Mat L(48, 64, CV_32F);  // 64 wide: a multiple of 8, so no padding breaks the symmetry
  for (int y = 0; y < L.rows; ++y)
    for (int x = 0; x < L.cols; ++x) L.at<float>(y, x) = static_cast<float>(rng.uniform(0.0, 100.0));
  cv::Mat L_mirrored;
  cv::flip(L, L_mirrored, 1);
  auto asymmetry = [&](bool mirror) {
    cv::Mat back;
    cv::flip(model.predict_ab(L_mirrored, {}, {}, 1.0f, 0.5f, mirror), back, 1);
    return cv::norm(model.predict_ab(L, {}, {}, 1.0f, 0.5f, mirror), back, cv::NORM_INF);
  };
  EXPECT_GT(asymmetry(false), 0.1);
  EXPECT_LT(asymmetry(true), 1e-4);
}

TEST(ColorizeArguments, ParsesHintsAndRejectsMalformedOnes) {
  const Hint h = parse_hint("12,34.5,#FF8000");
  EXPECT_EQ(h.x, 12.0);
  EXPECT_EQ(h.y, 34.5);
  EXPECT_EQ(h.r, 255);
  EXPECT_EQ(h.g, 128);
  EXPECT_EQ(h.b, 0);
  for (const char* bad : {"", "1,2", "1,2,FF0000", "1,2,#FF00", "nan,2,#FF0000", "1,2,#FF0000x", "a,b,#FF0000"})
    EXPECT_THROW(parse_hint(bad), ArgumentError) << bad;
}

TEST(BatchPlanning, ShardsSplitDeterministicallyAndCoverEverything) {
  const std::vector<std::string> inputs = {"a", "b", "c", "d", "e"};
  EXPECT_EQ(apps::take_shard(inputs, apps::parse_shard("0/2")), (std::vector<std::string>{"a", "c", "e"}));
  EXPECT_EQ(apps::take_shard(inputs, apps::parse_shard("1/2")), (std::vector<std::string>{"b", "d"}));
  for (const char* bad : {"2/2", "-1/2", "0/0", "x", "1/2/3"}) EXPECT_THROW(apps::parse_shard(bad), ArgumentError) << bad;
}

TEST(BatchPlanning, OutputsNeverOverwriteInputs) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / ("batch_planning_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string in = (dir / "photo.jpg").string();
  EXPECT_EQ(apps::plan_outputs({in}, "", "colorized")[0].second, (dir / "photo-colorized.jpg").string());
  EXPECT_EQ(apps::plan_outputs({in}, (dir / "x.png").string(), "colorized")[0].second, (dir / "x.png").string());
  EXPECT_THROW(apps::plan_outputs({in}, in, "colorized"), ArgumentError);
  EXPECT_EQ(apps::plan_outputs({in}, dir.string(), "colorized")[0].second, (dir / "photo-colorized.jpg").string());
  EXPECT_THROW(apps::plan_outputs({in}, (dir / "missing" / "x.png").string(), "c"), ArgumentError);
  EXPECT_THROW(apps::plan_outputs({in, in + "2.jpg"}, (dir / "x.png").string(), "c"), ArgumentError);
  const auto plan = apps::plan_outputs({in}, (dir / "new").string(), "colorized");
  EXPECT_TRUE(fs::is_directory(dir / "new"));
  EXPECT_EQ(plan[0].second, (dir / "new" / "photo.jpg").string());
}

}  // namespace
}  // namespace neuroshop::colorize
