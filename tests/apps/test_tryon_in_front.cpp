// Room objects kept in front (in_front.h) on a generated room: a box standing on a floor is found
// from one click, an item placed behind it leaves every box pixel as it was and shows around it,
// an item standing in front of it is drawn over it.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "apps/tryon/in_front.h"
#include "apps/tryon/tryon.h"
#include "core/errors.h"
#include "core/rng.h"

namespace neuroshop::tryon {
namespace {

constexpr double kHorizon = 150.0;

// A 480x360 room: a pale wall above a wooden floor (a gradient with grain), the horizon at row 150,
// and a box (a dark red front face, a lighter top face) whose bottom edge stands on the floor at
// row 299. `box_mask` gets the box's true pixels.
cv::Mat generated_room(cv::Mat* box_mask) {
  Rng rng(7);
  cv::Mat room(360, 480, CV_32FC3);
  for (int y = 0; y < room.rows; ++y)
    for (int x = 0; x < room.cols; ++x) {
      const float grain = 0.03f * static_cast<float>(rng.uniform());
      room.at<cv::Vec3f>(y, x) = y < 120 ? cv::Vec3f(0.82f, 0.85f, 0.86f) + cv::Vec3f(grain, grain, grain)
                                         : cv::Vec3f(0.25f, 0.42f, 0.55f + 0.1f * y / 360.0f) + cv::Vec3f(grain, grain, 0);
    }
  *box_mask = cv::Mat::zeros(room.size(), CV_8U);
  const std::vector<cv::Point> top = {{180, 200}, {300, 200}, {320, 180}, {200, 180}};
  cv::fillConvexPoly(room, top, cv::Scalar(0.35, 0.35, 0.75));
  cv::fillConvexPoly(*box_mask, top, cv::Scalar(255));
  cv::rectangle(room, cv::Rect(180, 200, 121, 100), cv::Scalar(0.15, 0.12, 0.55), cv::FILLED);
  cv::rectangle(*box_mask, cv::Rect(180, 200, 121, 100), cv::Scalar(255), cv::FILLED);
  const std::vector<cv::Point> side = {{300, 200}, {320, 180}, {320, 280}, {300, 299}};
  cv::fillConvexPoly(room, side, cv::Scalar(0.1, 0.08, 0.4));
  cv::fillConvexPoly(*box_mask, side, cv::Scalar(255));
  return room;
}

// A plain green board, 400 cm wide and 200 cm high, seen from the front.
ItemImage board() {
  ItemImage item;
  item.bgr = cv::Mat(200, 400, CV_32FC3, cv::Scalar(0.1, 0.8, 0.2));
  item.alpha = cv::Mat(200, 400, CV_32F, cv::Scalar(1.0));
  item.dims = ItemDimensions{"board", 400.0, 0.0, 200.0, 0.0, 0.0};
  return item;
}

double iou(const cv::Mat& a, const cv::Mat& b) {
  return static_cast<double>(cv::countNonZero(a & b)) / std::max(1, cv::countNonZero(a | b));
}

TEST(TryonInFront, OneClickFindsTheBoxAndItsFloorContact) {
  cv::Mat truth;
  const cv::Mat room = generated_room(&truth);
  const RoomObject box = segment_room_object(room, {240, 250}, "--in-front 1");
  const cv::Mat found = box.mask > 0.5f;
  EXPECT_GT(iou(found, truth), 0.93) << "box found at " << box.box;
  EXPECT_NEAR(box.contact_y, 299.0, 3.0);
  EXPECT_THROW(segment_room_object(room, {480, 10}, "--in-front 1"), ArgumentError);
}

struct Staged {
  cv::Mat room, truth, out;
  TryOnReport report;
};

Staged stage(double item_floor_y) {
  Staged s;
  s.room = generated_room(&s.truth);
  ItemPlacement p;
  p.file = "board";
  p.who = "--item 1 'board'";
  p.at = cv::Point2d(250, item_floor_y);
  TryOnOptions o;
  o.horizon_y = kHorizon;
  o.harmonize = false;
  o.in_front = {{240, 250}};
  s.out = compose(s.room, {p}, {board()}, o, {}, &s.report);
  return s;
}

TEST(TryonInFront, AnItemBehindTheBoxLeavesItsPixelsAndShowsAroundIt) {
  const Staged s = stage(240.0);  // the board's floor contact is above the box's (row 299): behind it
  ASSERT_EQ(s.report.in_front.size(), 1u);
  EXPECT_EQ(s.report.in_front[0].hides, std::vector<int>{0});
  EXPECT_EQ(s.report.items[0].behind, std::vector<int>{0});
  // Every box pixel (but for a 3 px band at its edge, where the mask is soft) is the room's.
  cv::Mat inner;
  cv::erode(s.truth, inner, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(7, 7)));
  cv::Mat diff, same;
  cv::absdiff(s.out, s.room, diff);
  cv::inRange(diff, cv::Scalar::all(0), cv::Scalar::all(0), same);
  EXPECT_EQ(cv::countNonZero(inner & ~same), 0);
  EXPECT_GT(cv::countNonZero(~same), 5000);  // the board and its shadows were drawn
  // The board shows above and beside the box: green there.
  const cv::Rect board = s.report.items[0].box;
  ASSERT_LT(board.y, 170);
  const cv::Vec3f above = s.out.at<cv::Vec3f>(board.y + 10, 250);
  const cv::Vec3f beside = s.out.at<cv::Vec3f>(230, board.x + 5);
  EXPECT_GT(above[1], 0.6f);
  EXPECT_GT(beside[1], 0.6f);
}

TEST(TryonInFront, AnItemInFrontOfTheBoxIsDrawnOverIt) {
  const Staged s = stage(340.0);  // floor contact below the box's: nearer the camera
  EXPECT_TRUE(s.report.in_front[0].hides.empty());
  EXPECT_TRUE(s.report.items[0].behind.empty());
  // The box's front face is covered by the board's green.
  const cv::Vec3f face = s.out.at<cv::Vec3f>(280, 240);
  EXPECT_GT(face[1], 0.6f);
  EXPECT_LT(face[2], 0.4f);
}

}  // namespace
}  // namespace neuroshop::tryon
