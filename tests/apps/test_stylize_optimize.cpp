// Stylization by optimization on small generated images: the Gram loss falls (L-BFGS and Adam),
// colour preservation keeps the content's chroma exactly, strength 0 gives the content back, the
// output has the requested size, options are validated; eval's style distance drops. Colour
// preservation, strength 0 and the output size are checked for patch synthesis too.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <opencv2/imgproc.hpp>

#include "apps/stylize/eval.h"
#include "apps/stylize/images.h"
#include "apps/stylize/stylize.h"
#include "core/errors.h"
#include "io/color.h"

namespace neuroshop::stylize {
namespace {

// A "photo": a smooth two-colour scene with a soft disc (BGR CV_32FC3 in [0, 1]).
cv::Mat photo(int width, int height) {
  cv::Mat m(height, width, CV_32FC3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const float t = static_cast<float>(y) / height;
      cv::Vec3f v(0.8f - 0.4f * t, 0.5f + 0.2f * t, 0.2f + 0.5f * t);  // B, G, R
      const float dx = x - width * 0.6f, dy = y - height * 0.4f;
      if (dx * dx + dy * dy < width * height * 0.04f) v = cv::Vec3f(0.2f, 0.3f, 0.85f);
      m.at<cv::Vec3f>(y, x) = v;
    }
  return m;
}

// A "painting": strong diagonal stripes of saturated colours, plus some dots.
cv::Mat painting(int width, int height) {
  cv::Mat m(height, width, CV_32FC3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const bool stripe = ((x + y) / 3) % 2 == 0;
      cv::Vec3f v = stripe ? cv::Vec3f(0.9f, 0.7f, 0.1f) : cv::Vec3f(0.1f, 0.2f, 0.9f);
      if ((x % 7 == 3) && (y % 7 == 3)) v = cv::Vec3f(1.0f, 1.0f, 1.0f);
      m.at<cv::Vec3f>(y, x) = v;
    }
  return m;
}

StylizeOptions small_options() {
  StylizeOptions o;
  o.method = StylizeMethod::kOptimize;
  o.size = 48;
  o.iterations = 30;
  o.min_stage_size = 32;
  return o;
}

TEST(StylizeOptimize, GramLossFallsWithLbfgs) {
  const StylizeResult r = transfer_style(photo(48, 40), painting(40, 40), small_options());
  EXPECT_LT(r.last.style, 0.5 * r.first.style) << "first " << r.first.style << ", last " << r.last.style;
  EXPECT_LT(r.last.total, r.first.total);
  EXPECT_GT(r.evaluations, 10);
  EXPECT_EQ(r.bgr.size(), cv::Size(48, 40));
  EXPECT_EQ(r.bgr.type(), CV_32FC3);
}

TEST(StylizeOptimize, GramLossFallsWithAdam) {
  StylizeOptions o = small_options();
  o.optimizer = OptimizerKind::kAdam;
  o.iterations = 40;
  const StylizeResult r = transfer_style(photo(40, 40), painting(40, 40), o);
  EXPECT_LT(r.last.style, 0.8 * r.first.style) << "first " << r.first.style << ", last " << r.last.style;
}

TEST(StylizeOptimize, ProgressCountsEveryIteration) {
  StylizeOptions o = small_options();
  o.size = 64;  // two stages: 32 and 64
  o.iterations = 12;
  int64_t last_done = 0, events = 0;
  std::set<std::string> stages;
  transfer_style(photo(64, 64), painting(32, 32), o, [&](const ProgressEvent& e) {
    ++events;
    EXPECT_EQ(e.total, 12);
    EXPECT_GE(e.done, last_done);
    last_done = e.done;
    stages.insert(e.stage);
  });
  EXPECT_GT(events, 0);
  EXPECT_LE(last_done, 12);
  EXPECT_EQ(stages.size(), 2u);
}

TEST(StylizeOptimize, PreserveColorsKeepsTheContentsChromaExactly) {
  for (StylizeMethod method : {StylizeMethod::kOptimize, StylizeMethod::kPatches}) {
    StylizeOptions o = small_options();
    o.method = method;
    SCOPED_TRACE(method_name(method));
    o.preserve_colors = true;
    const cv::Mat content = photo(48, 40);
    const StylizeResult r = transfer_style(content, painting(40, 40), o);
    const cv::Mat in_lab = bgr_to_lab(content), out_lab = bgr_to_lab(r.bgr);
    double max_chroma_diff = 0.0, max_l_diff = 0.0;
    for (int y = 0; y < in_lab.rows; ++y)
      for (int x = 0; x < in_lab.cols; ++x) {
        const cv::Vec3f a = in_lab.at<cv::Vec3f>(y, x), b = out_lab.at<cv::Vec3f>(y, x);
        max_chroma_diff = std::max({max_chroma_diff, std::abs(double(a[1]) - b[1]), std::abs(double(a[2]) - b[2])});
        max_l_diff = std::max(max_l_diff, std::abs(double(a[0]) - b[0]));
      }
    EXPECT_LT(max_chroma_diff, 2e-3) << "a*, b* must be the content's (float round trip only)";
    EXPECT_GT(max_l_diff, 1.0) << "the lightness must have been stylized";
  }
}

TEST(StylizeOptimize, CombineLuminanceChromaIsExactOnItsOwn) {
  const cv::Mat chroma = photo(20, 16), luminance = luminance_as_bgr(painting(20, 16));
  const cv::Mat out = combine_luminance_chroma(luminance, chroma);
  const cv::Mat lab = bgr_to_lab(out), ref = bgr_to_lab(chroma), lum = lightness(painting(20, 16));
  for (int y = 0; y < lab.rows; ++y)
    for (int x = 0; x < lab.cols; ++x) {
      EXPECT_NEAR(lab.at<cv::Vec3f>(y, x)[1], ref.at<cv::Vec3f>(y, x)[1], 2e-3);
      EXPECT_NEAR(lab.at<cv::Vec3f>(y, x)[2], ref.at<cv::Vec3f>(y, x)[2], 2e-3);
      EXPECT_NEAR(lab.at<cv::Vec3f>(y, x)[0], lum.at<float>(y, x), 2e-3);
    }
}

TEST(StylizeOptimize, StrengthZeroGivesTheContentAtTheOutputSize) {
  for (StylizeMethod method : {StylizeMethod::kOptimize, StylizeMethod::kPatches}) {
    StylizeOptions o = small_options();
    o.method = method;
    SCOPED_TRACE(method_name(method));
    o.strength = 0.0;
    o.iterations = 3;  // with the default palette matching: strength 0 still returns the content itself
    const cv::Mat content = photo(96, 80);
    const StylizeResult r = transfer_style(content, painting(32, 32), o);
    ASSERT_EQ(r.bgr.size(), cv::Size(48, 40));
    const cv::Mat expected = resize_to(content, cv::Size(48, 40));
    EXPECT_LT(cv::norm(r.bgr, expected, cv::NORM_INF), 1e-5);
  }
}

TEST(StylizeOptimize, SizeZeroKeepsTheContentsSizeAndImagesKeepDepthAndAlpha) {
  for (StylizeMethod method : {StylizeMethod::kOptimize, StylizeMethod::kPatches}) {
    StylizeOptions o = small_options();
    o.method = method;
    SCOPED_TRACE(method_name(method));
    o.size = 0;
    o.iterations = 2;
    Image content;
    photo(37, 33).convertTo(content.pixels, CV_16UC3, 65535.0);
    content.bit_depth = 16;
    content.alpha = cv::Mat(33, 37, CV_16U, cv::Scalar(40000));
    Image style;
    painting(32, 32).convertTo(style.pixels, CV_8UC3, 255.0);
    const Image out = stylize_image(content, style, o);
    EXPECT_EQ(out.pixels.size(), cv::Size(37, 33));
    EXPECT_EQ(out.pixels.type(), CV_16UC3);
    EXPECT_EQ(out.bit_depth, 16);
    ASSERT_EQ(out.alpha.size(), cv::Size(37, 33));
    EXPECT_EQ(out.alpha.at<uint16_t>(5, 5), 40000);
  }
}

TEST(StylizeOptimize, RejectsBadOptions) {
  const cv::Mat c = photo(40, 40), s = painting(40, 40);
  auto expect_rejected = [&](auto change) {
    StylizeOptions o = small_options();
    change(o);
    EXPECT_THROW(transfer_style(c, s, o), ArgumentError);
  };
  expect_rejected([](StylizeOptions& o) { o.strength = 1.5; });
  expect_rejected([](StylizeOptions& o) { o.strength = std::nan(""); });
  expect_rejected([](StylizeOptions& o) { o.style_weight = -1.0; });
  expect_rejected([](StylizeOptions& o) { o.tv_weight = INFINITY; });
  expect_rejected([](StylizeOptions& o) { o.style_scale = 0.0; });
  expect_rejected([](StylizeOptions& o) { o.iterations = 0; });
  expect_rejected([](StylizeOptions& o) { o.size = 8; });
  EXPECT_EQ(parse_optimizer("adam"), OptimizerKind::kAdam);
  EXPECT_THROW(parse_optimizer("sgd"), ArgumentError);
  // an output too small for the feature pyramid is refused with a message, not a crash
  StylizeOptions o = small_options();
  o.size = 0;
  EXPECT_THROW(transfer_style(photo(40, 10), s, o), ArgumentError);
}

TEST(StylizeOptimize, MatchPaletteTakesTheReferencesLabStatistics) {
  const cv::Mat out = match_palette(photo(30, 20), painting(25, 25));
  cv::Scalar m, sd, rm, rsd;
  cv::meanStdDev(bgr_to_lab(out), m, sd);
  cv::meanStdDev(bgr_to_lab(painting(25, 25)), rm, rsd);
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(m[c], rm[c], 1e-2);
    EXPECT_NEAR(sd[c], rsd[c], 1e-2);
  }
}

TEST(StylizeEval, StyleDistanceDropsAfterStylizationAndStructureStays) {
  const cv::Mat content = photo(48, 40), style = painting(40, 40);
  StylizeOptions o = small_options();
  o.seed = 1;
  const cv::Mat result = transfer_style(content, style, o).bgr;
  const StyleScores s = score_stylization(content, style, result, 977);
  EXPECT_LT(s.after, 0.7 * s.before) << "before " << s.before << ", after " << s.after;
  EXPECT_GT(s.edge_ssim, 0.0);
  EXPECT_LT(s.edge_ssim, 1.0);
  // the content measured against itself: same distance before and after, structure fully kept
  const StyleScores same = score_stylization(content, style, content, 977);
  EXPECT_NEAR(same.before, same.after, 1e-9);
  EXPECT_NEAR(same.edge_ssim, 1.0, 1e-9);
}

TEST(StylizeEval, SsimKnownValuesAndPairs) {
  const cv::Mat a = edge_map(photo(32, 32));
  EXPECT_NEAR(ssim(a, a, 1.0), 1.0, 1e-12);
  cv::Mat shifted = a + 0.5;  // a constant shift lowers only the luminance term
  EXPECT_LT(ssim(a, shifted, 1.0), 0.9);
  EXPECT_THROW(ssim(a, cv::Mat(10, 10, CV_32F, 0.0f), 1.0), ShapeError);
  const EvalPair p = parse_eval_pair("a.jpg=b.png");
  EXPECT_EQ(p.content, "a.jpg");
  EXPECT_EQ(p.style, "b.png");
  EXPECT_THROW(parse_eval_pair("a.jpg"), ArgumentError);
  EXPECT_THROW(parse_eval_pair("=b.png"), ArgumentError);
}

}  // namespace
}  // namespace neuroshop::stylize
