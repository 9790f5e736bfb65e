// Try-on geometry: the horizon size law (an item twice as far below the horizon is twice as tall,
// end to end through compose()), apparent extents of a view, and the horizon estimated from a
// synthetic image with known vanishing lines (the same when the caller has shrunk the photo).
#include <gtest/gtest.h>

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "apps/tryon/geometry.h"
#include "apps/tryon/item.h"
#include "apps/tryon/tryon.h"
#include "core/errors.h"

namespace neuroshop::tryon {
namespace {

TEST(TryonGeometry, SizeLawIsLinearInTheDistanceBelowTheHorizon) {
  // H (y_c − y_h) / C
  EXPECT_DOUBLE_EQ(pixel_height(90.0, 400.0, 100.0, 150.0), 90.0 * 300.0 / 150.0);
  const double near = pixel_height(80.0, 100.0 + 2 * 120.0, 100.0, 150.0);
  const double far = pixel_height(80.0, 100.0 + 120.0, 100.0, 150.0);
  EXPECT_DOUBLE_EQ(near, 2.0 * far);
  // A lower camera makes the same item bigger.
  EXPECT_GT(pixel_height(80.0, 300.0, 100.0, 100.0), pixel_height(80.0, 300.0, 100.0, 150.0));
}

TEST(TryonGeometry, FloorPointAboveTheHorizonIsRefused) {
  EXPECT_THROW(pixels_per_cm(90.0, 100.0, 150.0), ArgumentError);
  EXPECT_THROW(pixels_per_cm(100.0, 100.0, 150.0), ArgumentError);
  EXPECT_THROW(pixels_per_cm(300.0, 100.0, 0.0), ArgumentError);
  try {
    pixels_per_cm(90.0, 100.0, 150.0);
  } catch (const ArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("horizon"), std::string::npos) << e.what();
  }
}

TEST(TryonGeometry, ApparentExtentsOfAView) {
  ItemDimensions d;
  d.width_cm = 200;
  d.depth_cm = 90;
  d.height_cm = 80;
  EXPECT_NEAR(apparent_height_cm(d), 80.0, 1e-9);  // straight from the front at eye level
  EXPECT_NEAR(apparent_width_cm(d), 200.0, 1e-9);
  d.azimuth_deg = -30;
  d.elevation_deg = 17;
  const double a = 30 * M_PI / 180, e = 17 * M_PI / 180;
  EXPECT_NEAR(apparent_height_cm(d), 80 * std::cos(e) + (200 * std::sin(a) + 90 * std::cos(a)) * std::sin(e), 1e-9);
  EXPECT_NEAR(apparent_width_cm(d), 200 * std::cos(a) + 90 * std::sin(a), 1e-9);
  EXPECT_NEAR(apparent_height_cm(scaled(d, 2.0)), 2.0 * apparent_height_cm(d), 1e-9);
}

// A solid box item of the given pixel size.
ItemImage box_item(int w, int h) {
  ItemImage item;
  item.path = "box.png";
  item.bgr = cv::Mat(h, w, CV_32FC3, cv::Scalar(0.2, 0.3, 0.8));
  item.alpha = cv::Mat(h, w, CV_32F, cv::Scalar(1.0));
  item.cutout = "alpha";
  return item;
}

TEST(TryonGeometry, ComposedItemTwiceAsFarBelowTheHorizonIsTwiceAsTall) {
  const cv::Mat room(600, 800, CV_32FC3, cv::Scalar::all(0.5));
  TryOnOptions options;
  options.horizon_y = 100.0;
  options.camera_height_cm = 150.0;
  options.harmonize = false;
  options.shadows = false;
  std::vector<ItemPlacement> placements(2);
  placements[0].file = placements[1].file = "box.png";
  placements[0].at = cv::Point2d(200, 100 + 150);
  placements[1].at = cv::Point2d(600, 100 + 300);
  placements[0].height_cm = placements[1].height_cm = 60.0;
  TryOnReport report;
  compose(room, placements, {box_item(50, 100), box_item(50, 100)}, options, {}, &report);
  ASSERT_EQ(report.items.size(), 2u);
  EXPECT_NEAR(report.items[0].height_px, 60.0 * 150 / 150, 1.0);
  EXPECT_NEAR(report.items[1].height_px, 60.0 * 300 / 150, 1.0);
  EXPECT_NEAR(report.items[1].height_px / report.items[0].height_px, 2.0, 0.02);
  // The silhouette stands on the floor point: its bottom is at or just below `at` (the footprint's near edge).
  for (size_t i = 0; i < 2; ++i) {
    const cv::Rect box = report.items[i].box;
    EXPECT_GE(box.y + box.height, placements[i].at->y);
    EXPECT_LE(box.y + box.height, placements[i].at->y + 0.5 * box.width + 1);
    EXPECT_NEAR(box.x + 0.5 * box.width, placements[i].at->x, 1.0);
  }
}

TEST(TryonGeometry, SizeInPixelsNeedsNoHorizonAndUnknownSizeIsAnError) {
  ItemPlacement p;
  p.file = "box.png";
  p.height_px = 250;
  const ItemImage item = box_item(40, 100);
  EXPECT_NEAR(item_scale(item, p, 50, 400, 150).factor, 2.5, 1e-12);  // even above the horizon
  p.height_px.reset();
  EXPECT_THROW(item_scale(item, p, 500, 100, 150), ArgumentError);
  p.width_cm = 50;  // no sidecar: the silhouette's width is the item's
  EXPECT_NEAR(item_scale(item, p, 400, 100, 150).factor, 50 * 2.0 / 40, 1e-12);
}

// A one-point-perspective room: floor, ceiling and wall edges meeting at `vp`, seen by a level camera.
cv::Mat corridor(cv::Size size, cv::Point2d vp) {
  cv::Mat img(size, CV_8UC3, cv::Scalar(200, 200, 200));
  const cv::Rect back(static_cast<int>(vp.x - 120), static_cast<int>(vp.y - 90), 240, 160);
  cv::rectangle(img, back, cv::Scalar(150, 160, 170), cv::FILLED);
  // Receding lines from the back wall's corners and along the floor and ceiling to the borders.
  const double targets[][2] = {{0, 0}, {640, 0}, {0, 480}, {640, 480}, {0, 420}, {640, 430}, {120, 480},
                               {500, 480}, {0, 60}, {640, 80}, {230, 480}, {420, 0}};
  for (const auto& t : targets) {
    const cv::Point2d dir = cv::Point2d(t[0], t[1]) - vp;
    const cv::Point2d from = vp + dir * 0.35;
    cv::line(img, from, cv::Point2d(t[0], t[1]), cv::Scalar(40, 50, 60), 3, cv::LINE_AA);
  }
  // Distractors: vertical and horizontal edges carry no information about the horizon.
  for (int x = 40; x < 640; x += 90) cv::line(img, {x, 20}, {x, 140}, cv::Scalar(90, 90, 90), 2);
  for (int y = 300; y < 470; y += 40) cv::line(img, {30, y}, {200, y}, cv::Scalar(90, 90, 90), 2);
  return img;
}

TEST(TryonGeometry, HorizonFromVanishingLinesOfASyntheticRoom) {
  for (const cv::Point2d vp : {cv::Point2d(320, 180), cv::Point2d(280, 250)}) {
    const HorizonEstimate e = estimate_horizon(corridor({640, 480}, vp));
    EXPECT_TRUE(e.from_image) << e.note;
    EXPECT_NEAR(e.y, vp.y, 4.0) << e.note;
    ASSERT_FALSE(e.vanishing_points.empty());
    EXPECT_NEAR(e.vanishing_points[0].point.x, vp.x, 6.0);
  }
}

TEST(TryonGeometry, AShrunkPhotoGivesTheSameHorizon) {
  const cv::Point2d vp(320, 180);
  cv::Mat big;
  cv::resize(corridor({640, 480}, vp), big, cv::Size(1600, 1200), 0, 0, cv::INTER_LINEAR);
  const double scale = horizon_scale(big.size());
  EXPECT_DOUBLE_EQ(scale, 0.5);  // long side to 800
  cv::Mat small;
  cv::resize(big, small, cv::Size(), scale, scale, cv::INTER_AREA);
  const HorizonEstimate whole = estimate_horizon(big), shrunk = estimate_horizon_shrunk(small, big.size());
  EXPECT_TRUE(whole.from_image) << whole.note;
  EXPECT_NEAR(whole.y, 2.5 * vp.y, 10.0) << whole.note;
  EXPECT_EQ(shrunk.y, whole.y);
  EXPECT_EQ(shrunk.note, whole.note);
  ASSERT_EQ(shrunk.vanishing_points.size(), whole.vanishing_points.size());
  for (size_t i = 0; i < whole.vanishing_points.size(); ++i) {
    EXPECT_EQ(shrunk.vanishing_points[i].point, whole.vanishing_points[i].point);
    EXPECT_EQ(shrunk.vanishing_points[i].support, whole.vanishing_points[i].support);
  }
  // A photo within the working size is used as it is; a wrongly shrunk one is refused.
  const cv::Mat photo = corridor({640, 480}, vp);
  EXPECT_DOUBLE_EQ(horizon_scale(photo.size()), 1.0);
  EXPECT_EQ(estimate_horizon_shrunk(photo, photo.size()).y, estimate_horizon(photo).y);
  EXPECT_THROW(estimate_horizon_shrunk(big, big.size()), ArgumentError);
}

TEST(TryonGeometry, NoLinesFallsBackToThePriorAndSaysSo) {
  cv::Mat img(300, 400, CV_8UC3, cv::Scalar(120, 130, 140));
  cv::circle(img, {200, 150}, 60, cv::Scalar(30, 30, 30), cv::FILLED);
  const HorizonEstimate e = estimate_horizon(img);
  EXPECT_FALSE(e.from_image);
  EXPECT_DOUBLE_EQ(e.y, kHorizonPrior * 300);
  EXPECT_NE(e.note.find("--horizon"), std::string::npos) << e.note;
}

}  // namespace
}  // namespace neuroshop::tryon
