// Try-on compositing: the exact "over" operator, shadows that darken only below and behind the
// item, the wide Gaussian blur against OpenCV's, occluders, Reinhard transfer and the fitted colour
// map, on generated images.
#include <gtest/gtest.h>

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "apps/tryon/composite.h"
#include "apps/tryon/tryon.h"
#include "core/errors.h"
#include "core/rng.h"

namespace neuroshop::tryon {
namespace {

cv::Mat random_image(cv::Size size, int type, Rng& rng) {
  cv::Mat m(size, type);
  float* p = m.ptr<float>();
  for (size_t i = 0; i < m.total() * m.channels(); ++i) p[i] = static_cast<float>(rng.uniform());
  return m;
}

// An opaque box item of `size` and `colour` standing at `at` in a flat room, `height_px` tall, the
// horizon at `horizon_y`, without harmonization: what the compose() tests start from.
struct BoxScene {
  cv::Mat room;
  ItemImage item;
  ItemPlacement placement;
  TryOnOptions options;

  BoxScene(cv::Size room_size, cv::Scalar room_colour, cv::Size size, cv::Scalar colour, cv::Point2d at, double horizon_y)
      : room(room_size, CV_32FC3, room_colour) {
    item.bgr = cv::Mat(size, CV_32FC3, colour);
    item.alpha = cv::Mat(size, CV_32F, cv::Scalar(1.0));
    placement.file = "box";
    placement.at = at;
    placement.height_px = size.height;
    options.horizon_y = horizon_y;
    options.harmonize = false;
  }
  // A 40x60 box of `colour` at (150, 150) in a 300x200 room of (0.4, 0.5, 0.6), horizon at 50.
  static BoxScene small(cv::Scalar colour = {0.9, 0.1, 0.2}) {
    return BoxScene({300, 200}, {0.4, 0.5, 0.6}, {40, 60}, colour, {150, 150}, 50);
  }
  cv::Mat compose(const HarmonizeFn& harmonize, TryOnReport* report) const {
    return tryon::compose(room, {placement}, {item}, options, harmonize, report);
  }
};

TEST(TryonComposite, OverIsExactAndClipped) {
  Rng rng(3);
  const cv::Mat room = random_image({50, 40}, CV_32FC3, rng);
  const cv::Mat fg = random_image({20, 16}, CV_32FC3, rng);
  const cv::Mat alpha = random_image({20, 16}, CV_32F, rng);
  for (const cv::Point origin : {cv::Point(5, 7), cv::Point(-6, -3), cv::Point(40, 30)}) {
    cv::Mat dst = room.clone();
    composite_over(dst, fg, alpha, origin);
    for (int y = 0; y < room.rows; ++y)
      for (int x = 0; x < room.cols; ++x) {
        const int u = x - origin.x, v = y - origin.y;
        const bool inside = u >= 0 && v >= 0 && u < fg.cols && v < fg.rows;
        for (int c = 0; c < 3; ++c) {
          const float want = inside ? alpha.at<float>(v, u) * fg.at<cv::Vec3f>(v, u)[c] +
                                          (1.0f - alpha.at<float>(v, u)) * room.at<cv::Vec3f>(y, x)[c]
                                    : room.at<cv::Vec3f>(y, x)[c];
          ASSERT_EQ(dst.at<cv::Vec3f>(y, x)[c], want) << x << "," << y;
        }
      }
  }
  cv::Mat dst = room.clone();
  EXPECT_THROW(composite_over(dst, fg, cv::Mat(3, 3, CV_32F), {0, 0}), ArgumentError);
}

TEST(TryonComposite, OpaqueAndTransparentPixelsThroughCompose) {
  // Without shadows and colour matching, an opaque item replaces the room exactly and leaves the rest alone.
  BoxScene scene = BoxScene::small();
  scene.options.shadows = false;
  TryOnReport r;
  const cv::Mat out = scene.compose({}, &r);
  const cv::Rect box = r.items[0].box;
  EXPECT_EQ(box.size(), cv::Size(40, 60));
  // Away from the feathered edge: the item's colour exactly; outside its box: the room exactly.
  EXPECT_EQ(out.at<cv::Vec3f>(box.y + 30, box.x + 20), cv::Vec3f(0.9f, 0.1f, 0.2f));
  EXPECT_EQ(out.at<cv::Vec3f>(10, 10), cv::Vec3f(0.4f, 0.5f, 0.6f));
  EXPECT_EQ(out.at<cv::Vec3f>(box.y + box.height + 5, box.x + 20), cv::Vec3f(0.4f, 0.5f, 0.6f));
}

// Composes a box item into a flat room with shadows on; returns the result and the item's box.
cv::Mat with_shadows(const cv::Mat& room, cv::Point2d light, cv::Rect* box) {
  BoxScene scene(room.size(), cv::Scalar::all(0), {60, 80}, cv::Scalar::all(0.3), {200, 220}, 90);
  scene.room = room;
  scene.options.light = light;
  TryOnReport r;
  const cv::Mat out = scene.compose({}, &r);
  *box = r.items[0].box;
  return out;
}

TEST(TryonComposite, ShadowsDarkenOnlyBelowAndBehindTheItem) {
  const cv::Mat room(300, 400, CV_32FC3, cv::Scalar::all(0.6));
  for (const cv::Point2d light : {cv::Point2d(200, 30), cv::Point2d(20, 40), cv::Point2d(390, 60)}) {
    cv::Rect box;
    const cv::Mat out = with_shadows(room, light, &box);
    double darkened_below = 0.0, darkened_left = 0.0, darkened_right = 0.0;
    for (int y = 0; y < out.rows; ++y)
      for (int x = 0; x < out.cols; ++x) {
        const float d = room.at<cv::Vec3f>(y, x)[0] - out.at<cv::Vec3f>(y, x)[0];
        EXPECT_GE(d, -1e-6f) << "shadows never brighten";
        if (y < box.y) {
          ASSERT_EQ(d, 0.0f) << "darkened above the item's top at " << x << "," << y;
        }
        if (box.contains({x, y})) continue;
        if (y >= box.y + box.height) darkened_below += d;
        (x < box.x + box.width / 2 ? darkened_left : darkened_right) += d;
      }
    EXPECT_GT(darkened_below, 5.0) << "a visible shadow under the item";
    // Right under the contact edge the floor is darker than far away.
    const float at_contact = out.at<cv::Vec3f>(box.y + box.height + 1, box.x + box.width / 2)[0];
    EXPECT_LT(at_contact, 0.6f - 0.1f);
    EXPECT_FLOAT_EQ(out.at<cv::Vec3f>(out.rows - 1, 0)[0], 0.6f);
    // The cast shadow falls away from the light.
    if (light.x < 100) {
      EXPECT_GT(darkened_right, 1.2 * darkened_left);
    }
    if (light.x > 300) {
      EXPECT_GT(darkened_left, 1.2 * darkened_right);
    }
  }
}

TEST(TryonComposite, GaussianBlurEqualsOpenCvsForShortAndLongKernels) {
  // Sigmas below and above the switch to the DFT (151 taps); the widest kernel is longer than the
  // map, so its borders are reflected more than once.
  Rng rng(7);
  cv::Mat map = random_image({173, 96}, CV_32F, rng);
  map.rowRange(10, 30).setTo(0.0f);  // zero rows stay zero without a transform
  map.colRange(150, 173).setTo(0.0f);
  for (const double sigma : {1.5, 12.0, 25.0, 60.0}) {
    cv::Mat want;
    cv::GaussianBlur(map, want, cv::Size(0, 0), sigma);
    const cv::Mat got = gaussian_blur(map, sigma);
    ASSERT_EQ(got.size(), map.size());
    ASSERT_EQ(got.type(), CV_32F);
    EXPECT_LT(cv::norm(got, want, cv::NORM_INF), 1e-5) << "sigma " << sigma;
  }
  // A view is blurred as a map of its own: its borders are reflected, the pixels beyond are not used.
  const cv::Rect inner(20, 15, 120, 60);
  cv::Mat copy = map(inner).clone(), want;
  cv::GaussianBlur(copy, want, cv::Size(0, 0), 25.0);
  EXPECT_LT(cv::norm(gaussian_blur(map(inner), 25.0), want, cv::NORM_INF), 1e-5);
  EXPECT_LT(cv::norm(gaussian_blur(map(inner), 3.0), gaussian_blur(copy, 3.0), cv::NORM_INF), 1e-6);
  EXPECT_THROW(gaussian_blur(cv::Mat(5, 5, CV_32FC3), 2.0), ArgumentError);
}

TEST(TryonComposite, OccluderKeepsRoomPixelsInFront) {
  BoxScene scene = BoxScene::small();
  scene.options.occluder = cv::Mat::zeros(scene.room.size(), CV_32F);
  scene.options.occluder(cv::Rect(140, 0, 20, 200)).setTo(1.0f);  // a table leg in front
  TryOnReport r;
  const cv::Mat out = scene.compose({}, &r);
  const cv::Rect box = r.items[0].box;
  EXPECT_EQ(out.at<cv::Vec3f>(box.y + 30, 150), cv::Vec3f(0.4f, 0.5f, 0.6f));
  EXPECT_EQ(out.at<cv::Vec3f>(box.y + 30, box.x + 3), cv::Vec3f(0.9f, 0.1f, 0.2f));
}

TEST(TryonComposite, ReinhardTransferMatchesStatisticsAtFullStrength) {
  Rng rng(5);
  const cv::Mat a = random_image({32, 32}, CV_32FC3, rng) * 0.5 + cv::Scalar(0.2, 0.3, 0.1);
  const cv::Mat b = random_image({32, 32}, CV_32FC3, rng) * 0.3 + cv::Scalar(0.5, 0.4, 0.3);
  const LabStats sa = lab_stats(a), sb = lab_stats(b);
  const LabStats moved = lab_stats(reinhard_transfer(a, sa, sb, 1.0));
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(moved.mean[c], sb.mean[c], 0.5) << c;
    EXPECT_NEAR(moved.stddev[c], sb.stddev[c], 0.5) << c;
  }
  const cv::Mat same = reinhard_transfer(a, sa, sb, 0.0);
  EXPECT_LT(cv::norm(same, a, cv::NORM_INF), 1e-3);
}

TEST(TryonComposite, ColourMapFitRecoversAnAffineMap) {
  Rng rng(9);
  const cv::Mat from = random_image({24, 24}, CV_32FC3, rng);
  const cv::Matx34f truth(0.9f, 0.05f, 0.0f, 0.03f, 0.0f, 0.8f, 0.1f, 0.05f, 0.02f, 0.0f, 0.7f, 0.1f);
  cv::Mat to;
  cv::transform(from, to, truth);
  const cv::Mat weight(from.size(), CV_32F, cv::Scalar(1.0));
  const cv::Matx34f fit = fit_colour_map(from, to, weight);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) EXPECT_NEAR(fit(i, j), truth(i, j), 0.01) << i << "," << j;
  // Too few pixels: the identity.
  const cv::Matx34f none = fit_colour_map(from, to, cv::Mat::zeros(from.size(), CV_32F));
  EXPECT_EQ(none(0, 0), 1.0f);
  EXPECT_EQ(none(0, 3), 0.0f);
}

TEST(TryonComposite, HarmonizerIsAppliedThroughAColourMap) {
  BoxScene scene = BoxScene::small({0.8, 0.6, 0.2});
  scene.options.harmonize = true;
  scene.options.shadows = false;
  scene.options.max_colour_change = 1.0;  // no trust region here: the map is applied as fitted
  // A "network" that halves the pasted region's colours.
  const HarmonizeFn halve = [](const cv::Mat& composite, const cv::Mat& mask) {
    cv::Mat m3;
    cv::merge(std::vector<cv::Mat>{mask, mask, mask}, m3);
    return cv::Mat(composite - 0.5 * composite.mul(m3));
  };
  TryOnReport r;
  const cv::Mat out = scene.compose(halve, &r);
  EXPECT_EQ(r.items[0].colour, "network");
  const cv::Vec3f centre = out.at<cv::Vec3f>(r.items[0].box.y + 30, r.items[0].box.x + 20);
  EXPECT_NEAR(centre[0], 0.4f, 0.02f);
  EXPECT_NEAR(centre[1], 0.3f, 0.02f);
  EXPECT_NEAR(centre[2], 0.1f, 0.02f);

  // With the default trust region the change is capped: mean |change| = 0.06 instead of 0.27.
  scene.options.max_colour_change = 0.06;
  const cv::Mat capped = scene.compose(halve, &r);
  const cv::Vec3f c2 = capped.at<cv::Vec3f>(r.items[0].box.y + 30, r.items[0].box.x + 20);
  EXPECT_NEAR((0.8f - c2[0] + 0.6f - c2[1] + 0.2f - c2[2]) / 3.0f, 0.06f, 0.005f);
}

TEST(TryonComposite, LimitedColourMapKeepsSmallChangesAndShrinksLargeOnes) {
  const cv::Mat bgr(10, 10, CV_32FC3, cv::Scalar(0.5, 0.5, 0.5));
  const cv::Mat weight(10, 10, CV_32F, cv::Scalar(1.0));
  const cv::Matx34f small(1, 0, 0, 0.02f, 0, 1, 0, 0.02f, 0, 0, 1, 0.02f);
  EXPECT_EQ(limit_colour_map(small, bgr, weight, 0.06), small);
  const cv::Matx34f big(1, 0, 0, 0.3f, 0, 1, 0, 0.3f, 0, 0, 1, 0.3f);
  const cv::Matx34f limited = limit_colour_map(big, bgr, weight, 0.06);
  EXPECT_NEAR(limited(0, 3), 0.06f, 1e-5f);
  EXPECT_NEAR(limited(0, 0), 1.0f, 1e-6f);
}

}  // namespace
}  // namespace neuroshop::tryon
