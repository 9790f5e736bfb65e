// Poisson-blended seams of the try-on (composite_poisson_seam, through compose with
// TryOnOptions::poisson_seams): without the flag the plain "over" composite byte for byte; with it
// the item's interior, its thin parts and the room away from the edge untouched and a smaller
// colour step across the edge; items cut by the image edge; on a generated room and item.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

#include <opencv2/imgproc.hpp>

#include "apps/tryon/composite.h"
#include "apps/tryon/tryon.h"

namespace neuroshop::tryon {
namespace {

// A wall shading from left to right and from top to bottom, with a faint weave.
cv::Mat wall(cv::Size size) {
  cv::Mat room(size, CV_32FC3);
  for (int y = 0; y < size.height; ++y)
    for (int x = 0; x < size.width; ++x) {
      const float weave = 0.02f * std::sin(0.9f * x) * std::sin(0.7f * y);
      room.at<cv::Vec3f>(y, x) = cv::Vec3f(0.55f + 0.2f * x / size.width + weave, 0.6f + weave,
                                           0.7f - 0.15f * y / size.height + weave);
    }
  return room;
}

// A dark striped ellipse (semi-axes kA x kB about (kCx, kCy)) standing on a 6 px leg, transparent
// (and black, as resize_item leaves it) elsewhere.
constexpr int kCx = 74, kCy = 54, kA = 70, kB = 50;
ItemImage dark_item() {
  ItemImage item;
  item.bgr = cv::Mat::zeros(140, 150, CV_32FC3);
  item.alpha = cv::Mat::zeros(140, 150, CV_32F);
  for (int y = 0; y < 140; ++y)
    for (int x = 0; x < 150; ++x) {
      const double u = static_cast<double>(x - kCx) / kA, v = static_cast<double>(y - kCy) / kB;
      const bool leg = std::abs(x - kCx) < 3 && y >= kCy + kB - 5;
      if (u * u + v * v > 1.0 && !leg) continue;
      const float stripe = (x / 4) % 2 ? 0.05f : 0.0f;
      item.bgr.at<cv::Vec3f>(y, x) = cv::Vec3f(0.12f + stripe, 0.1f + stripe, 0.09f + stripe);
      item.alpha.at<float>(y, x) = 1.0f;
    }
  return item;
}

// The item composed at its own size with its footprint at `at`; `box` receives where it went.
cv::Mat compose_at(const cv::Mat& room, cv::Point2d at, bool poisson_seams, cv::Rect* box) {
  ItemPlacement p;
  p.file = "ellipse";
  p.at = at;
  p.height_px = 140;
  TryOnOptions o;
  o.horizon_y = 10;
  o.harmonize = false;
  o.shadows = false;
  o.poisson_seams = poisson_seams;
  TryOnReport r;
  const cv::Mat out = compose(room, {p}, {dark_item()}, o, {}, &r);
  *box = r.items[0].box;
  return out;
}

bool same_bytes(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && a.isContinuous() && b.isContinuous() &&
         std::memcmp(a.data, b.data, a.total() * a.elemSize()) == 0;
}

// Distance of every room pixel to the item's alpha = 0.5 contour within the image (an image edge
// cutting the item is no contour).
cv::Mat distance_to_edge(cv::Size room, cv::Rect box) {
  const ItemImage item = dark_item();
  cv::Mat inside = cv::Mat::zeros(room, CV_8U);
  const cv::Rect seen = box & cv::Rect(0, 0, room.width, room.height);
  cv::Mat(item.alpha(seen - box.tl()) > 0.5f).copyTo(inside(seen));
  cv::Mat to_outside, to_inside;
  cv::distanceTransform(inside, to_outside, cv::DIST_L2, cv::DIST_MASK_PRECISE);
  cv::distanceTransform(~inside, to_inside, cv::DIST_L2, cv::DIST_MASK_PRECISE);
  return cv::max(to_outside, to_inside);
}

// Pixels between `from` and `to` px from the contour that differ between a and b.
int changed_between(const cv::Mat& a, const cv::Mat& b, const cv::Mat& distance, float from, float to) {
  int changed = 0;
  for (int y = 0; y < a.rows; ++y)
    for (int x = 0; x < a.cols; ++x) {
      const float d = distance.at<float>(y, x);
      if (d >= from && d < to && a.at<cv::Vec3f>(y, x) != b.at<cv::Vec3f>(y, x)) ++changed;
    }
  return changed;
}

// The item composed with its footprint at `at` without and with Poisson seams, and where it went.
struct Composed {
  cv::Mat plain, blended;
  cv::Rect box;
};
Composed compose_both(const cv::Mat& room, cv::Point2d at) {
  Composed c;
  cv::Rect plain_box;
  c.plain = compose_at(room, at, false, &plain_box);
  c.blended = compose_at(room, at, true, &c.box);
  EXPECT_EQ(c.box, plain_box);
  EXPECT_EQ(c.blended.size(), room.size());
  EXPECT_EQ(c.blended.type(), CV_32FC3);
  return c;
}

// The colour step across the ellipse's rim (its bottom, where the leg stands, left out): the mean
// over the rim of |inside − outside| 1 px either side of the edge along its normal, averaged over
// the channels.
double seam_step(const cv::Mat& image, cv::Point2d centre) {
  double total = 0.0;
  int samples = 0;
  for (int deg = 0; deg < 360; ++deg) {
    const double th = deg * CV_PI / 180.0;
    if (std::sin(th) > 0.9) continue;
    const cv::Point2d edge = centre + cv::Point2d(kA * std::cos(th), kB * std::sin(th));
    cv::Point2d normal(std::cos(th) / kA, std::sin(th) / kB);
    normal *= 1.0 / cv::norm(normal);
    cv::Mat in, out;
    cv::getRectSubPix(image, {1, 1}, cv::Point2f(edge - normal), in);
    cv::getRectSubPix(image, {1, 1}, cv::Point2f(edge + normal), out);
    const cv::Vec3f d = in.at<cv::Vec3f>(0, 0) - out.at<cv::Vec3f>(0, 0);
    total += (std::abs(d[0]) + std::abs(d[1]) + std::abs(d[2])) / 3.0;
    ++samples;
  }
  return total / samples;
}

TEST(TryonPoisson, WithoutTheFlagTheCompositeIsPlainOver) {
  EXPECT_FALSE(TryOnOptions{}.poisson_seams);
  const cv::Mat room = wall({360, 280});
  cv::Rect box;
  const cv::Mat out = compose_at(room, {180, 250}, false, &box);
  // compose's feather for a 140 px item (sigma 0.5), then the exact "over".
  const ItemImage item = dark_item();
  cv::Mat alpha, want = room.clone();
  cv::GaussianBlur(item.alpha, alpha, cv::Size(0, 0), 0.5);
  composite_over(want, item.bgr, alpha, box.tl());
  EXPECT_TRUE(same_bytes(out, want));
}

TEST(TryonPoisson, SeamSoftensWhileInsideAndFarRoomStayExact) {
  const cv::Mat room = wall({360, 280});
  const auto [plain, blended, box] = compose_both(room, {180, 250});
  const cv::Mat distance = distance_to_edge(room.size(), box);
  // The band reaches about 1.4h = 1.4 (3 + 0.004 * 150) = 5 px either side of the edge: 10 px away
  // nothing moves.
  EXPECT_EQ(changed_between(plain, blended, distance, 10.0f, 1e9f), 0);
  EXPECT_GT(changed_between(plain, blended, distance, 0.0f, 3.0f), 500) << "the rim is blended";
  // The leg is thinner than 4h: it and the room beside it stay as they were (below the ellipse's band).
  const cv::Rect leg(box.x + kCx - 12, box.y + kCy + kB + 12, 24, box.height - (kCy + kB + 12));
  EXPECT_TRUE(same_bytes(plain(leg).clone(), blended(leg).clone()));

  const cv::Point2d centre(box.x + kCx, box.y + kCy);
  const double step_plain = seam_step(plain, centre), step_blended = seam_step(blended, centre);
  RecordProperty("seam_step_plain", std::to_string(step_plain));
  RecordProperty("seam_step_poisson", std::to_string(step_blended));
  EXPECT_GT(step_plain, 0.3);  // a dark item on a light wall
  EXPECT_LT(step_blended, 0.7 * step_plain) << "plain " << step_plain << ", Poisson " << step_blended;
}

TEST(TryonPoisson, ItemCutByTheImageEdgeIsBlendedWithoutError) {
  // The ellipse runs out of the image at the left and the top.
  const cv::Mat room = wall({220, 150});
  const auto [plain, blended, box] = compose_both(room, {20, 125});
  ASSERT_LT(box.x + kCx - kA, 0);
  ASSERT_LT(box.y + kCy - kB, 0);
  // Along the cut the item is not pulled towards the room: only the real edge moves.
  const cv::Mat distance = distance_to_edge(room.size(), box);
  EXPECT_EQ(changed_between(plain, blended, distance, 10.0f, 1e9f), 0);
  EXPECT_GT(changed_between(plain, blended, distance, 0.0f, 3.0f), 0);
}

TEST(TryonPoisson, ReturnsWhereItMayChangeAndSkipsAnItemWithNoRoomAround) {
  const cv::Mat room = wall({360, 280});
  const ItemImage item = dark_item();
  // All changes lie in the returned rectangle.
  cv::Mat over = room.clone(), seam = room.clone();
  composite_over(over, item.bgr, item.alpha, {100, 60});
  const cv::Rect region = composite_poisson_seam(seam, item.bgr, item.alpha, {100, 60});
  cv::Mat outside = cv::Mat(seam != over).reshape(1, room.rows);
  outside(cv::Rect(region.x * 3, region.y, region.width * 3, region.height)).setTo(0);
  EXPECT_EQ(cv::countNonZero(outside), 0);
  EXPECT_FALSE(same_bytes(seam, over));
  // Entirely outside the room: nothing changes.
  cv::Mat untouched = room.clone();
  EXPECT_TRUE(composite_poisson_seam(untouched, item.bgr, item.alpha, {500, 400}).empty());
  EXPECT_TRUE(same_bytes(untouched, room));
  // An item covering the whole room leaves no room to blend into: plain "over".
  const cv::Mat small = room(cv::Rect(40, 20, 60, 40)).clone();
  cv::Mat covered = small.clone(), covered_over = small.clone();
  composite_over(covered_over, item.bgr, item.alpha, {-30, -30});
  composite_poisson_seam(covered, item.bgr, item.alpha, {-30, -30});
  EXPECT_TRUE(same_bytes(covered, covered_over));
}

}  // namespace
}  // namespace neuroshop::tryon
