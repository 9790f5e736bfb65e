// sRGB <-> Lab: known values, round trips, agreement with OpenCV's float conversion, lightness.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/errors.h"
#include "io/color.h"
#include "io/tensor_image.h"

namespace neuroshop {
namespace {

cv::Mat random_bgr(int rows, int cols, uint64_t seed) {
  cv::Mat m(rows, cols, CV_32FC3);
  cv::RNG rng(seed);
  rng.fill(m, cv::RNG::UNIFORM, 0.0, 1.0);
  return m;
}

void expect_lab(const std::array<double, 3>& rgb, double L, double a, double b, double tol) {
  const std::array<double, 3> lab = srgb_to_lab(rgb);
  EXPECT_NEAR(lab[0], L, tol);
  EXPECT_NEAR(lab[1], a, tol);
  EXPECT_NEAR(lab[2], b, tol);
}

TEST(Color, KnownValues) {
  expect_lab({1, 1, 1}, 100.0, 0.0, 0.0, 1e-9);
  expect_lab({0, 0, 0}, 0.0, 0.0, 0.0, 1e-9);
  expect_lab({1, 0, 0}, 53.2408, 80.0925, 67.2032, 0.005);
  expect_lab({0, 1, 0}, 87.7347, -86.1827, 83.1793, 0.005);
  expect_lab({0, 0, 1}, 32.2970, 79.1875, -107.8602, 0.005);
  // Mid gray: L from Y = lin(0.5) = 0.21404, no chroma.
  expect_lab({0.5, 0.5, 0.5}, 53.3889, 0.0, 0.0, 0.005);
  // Below the 6/29 cubic threshold: the linear branch (Y = 0.001 / 12.92 -> L = 903.3 * Y).
  expect_lab({0.001, 0.001, 0.001}, 903.2963 * 0.001 / 12.92, 0.0, 0.0, 1e-6);
}

TEST(Color, MatRoundTripAndLayout) {
  const cv::Mat bgr = random_bgr(31, 29, 5);
  const cv::Mat lab = bgr_to_lab(bgr);
  ASSERT_EQ(lab.type(), CV_32FC3);
  const cv::Vec3f px = bgr.at<cv::Vec3f>(3, 4), lpx = lab.at<cv::Vec3f>(3, 4);
  const std::array<double, 3> expect = srgb_to_lab({px[2], px[1], px[0]});
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(lpx[c], expect[c], 1e-4);
  const cv::Mat back = lab_to_bgr(lab);
  EXPECT_LT(cv::norm(back, bgr, cv::NORM_INF), 1e-3);
}

TEST(Color, TensorRoundTrip) {
  const cv::Mat bgr = random_bgr(17, 23, 6);
  const Tensor rgb = mat_to_tensor(bgr);
  const Tensor lab = rgb_to_lab(rgb);
  ASSERT_EQ(lab.shape(), rgb.shape());
  // Channel 0 of the tensor is red: compare one pixel with the scalar conversion.
  const std::array<double, 3> expect = srgb_to_lab({rgb.at(0, 0, 5, 7), rgb.at(0, 1, 5, 7), rgb.at(0, 2, 5, 7)});
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(lab.at(0, c, 5, 7), expect[c], 1e-4);
  const Tensor back = lab_to_rgb(lab);
  double worst = 0.0;
  for (int64_t i = 0; i < rgb.numel(); ++i) worst = std::max(worst, static_cast<double>(std::abs(back[i] - rgb[i])));
  EXPECT_LT(worst, 1e-3);
  EXPECT_THROW(rgb_to_lab(Tensor({1, 1, 4, 4})), ShapeError);
}

TEST(Color, AgreesWithOpenCvFloatLab) {
  const cv::Mat bgr = random_bgr(64, 64, 7);
  cv::Mat reference;
  cv::cvtColor(bgr, reference, cv::COLOR_BGR2Lab);
  const cv::Mat ours = bgr_to_lab(bgr);
  std::vector<cv::Mat> a, b;
  cv::split(ours, a);
  cv::split(reference, b);
  // OpenCV's float path interpolates from lookup tables (its red is 53.2410, 80.0938, 67.2031 against
  // the exact 53.2408, 80.0925, 67.2032), so it is a loose reference: the exact values are pinned in
  // KnownValues.
  for (int c = 0; c < 3; ++c) {
    EXPECT_LT(cv::norm(a[c], b[c], cv::NORM_INF), c == 0 ? 0.3 : 0.6) << "channel " << c;
    EXPECT_LT(cv::norm(a[c], b[c], cv::NORM_L1) / static_cast<double>(a[c].total()), 0.1) << "channel " << c;
  }
  cv::Mat reference_bgr;
  cv::cvtColor(ours, reference_bgr, cv::COLOR_Lab2BGR);
  EXPECT_LT(cv::norm(lab_to_bgr(ours), reference_bgr, cv::NORM_INF), 2e-3);
}

TEST(Color, LightnessOfGrayAndColour) {
  cv::Mat gray(1, 256, CV_8UC1);
  for (int i = 0; i < 256; ++i) gray.at<uint8_t>(0, i) = static_cast<uint8_t>(i);
  const cv::Mat L = lightness(gray);
  ASSERT_EQ(L.type(), CV_32FC1);
  for (int i = 0; i < 256; i += 15) EXPECT_NEAR(L.at<float>(0, i), srgb_to_lab({i / 255.0, i / 255.0, i / 255.0})[0], 1e-4);
  EXPECT_NEAR(L.at<float>(0, 255), 100.0, 1e-4);

  const cv::Mat bgr = random_bgr(9, 11, 8);
  std::vector<cv::Mat> lab;
  cv::split(bgr_to_lab(bgr), lab);
  EXPECT_LT(cv::norm(lightness(bgr), lab[0], cv::NORM_INF), 1e-4);

  // Tensors: gray (N,1,H,W) and RGB (N,3,H,W) both give (N,1,H,W).
  const Tensor tl = lightness(mat_to_tensor(bgr));
  ASSERT_EQ(tl.shape(), (Shape{1, 1, 9, 11}));
  EXPECT_NEAR(tl.at(0, 0, 4, 6), lab[0].at<float>(4, 6), 1e-4);
  const Tensor tg = lightness(mat_to_tensor(gray));
  EXPECT_NEAR(tg.at(0, 0, 0, 128), L.at<float>(0, 128), 1e-4);
  EXPECT_THROW(lightness(Tensor({1, 2, 3, 3})), ShapeError);
}

// dL/dR, dL/dG, dL/dB against central differences of lightness(), on both segments of the gamma
// curve and of f (dark pixels) and out of [0, 1], as an optimizer's image can be.
TEST(Color, LightnessGradientMatchesFiniteDifferences) {
  Tensor rgb({1, 3, 1, 6});
  const float values[6][3] = {{0.5f, 0.2f, 0.8f},  {0.01f, 0.02f, 0.005f}, {0.9f, 0.95f, 0.99f},
                              {0.03f, 0.6f, 0.1f}, {-0.02f, 0.3f, 1.05f},  {0.2f, 0.2f, 0.2f}};
  for (int p = 0; p < 6; ++p)
    for (int c = 0; c < 3; ++c) rgb.at(0, c, 0, p) = values[p][c];
  const Tensor grad = lightness_gradient(rgb);
  ASSERT_EQ(grad.shape(), rgb.shape());
  const float h = 1e-3f;
  for (int p = 0; p < 6; ++p)
    for (int c = 0; c < 3; ++c) {
      Tensor plus = rgb.clone(), minus = rgb.clone();
      plus.at(0, c, 0, p) += h;
      minus.at(0, c, 0, p) -= h;
      const double numeric = (lightness(plus).at(0, 0, 0, p) - lightness(minus).at(0, 0, 0, p)) / (2.0 * h);
      EXPECT_NEAR(grad.at(0, c, 0, p), numeric, 2e-3 * std::max(1.0, std::abs(numeric))) << p << " " << c;
    }
  EXPECT_THROW(lightness_gradient(Tensor({1, 1, 2, 2})), ShapeError);
}

TEST(Color, OutOfGamutStaysFinite) {
  cv::Mat lab(1, 3, CV_32FC3);
  lab.at<cv::Vec3f>(0, 0) = cv::Vec3f(50, 127, -128);
  lab.at<cv::Vec3f>(0, 1) = cv::Vec3f(0, -128, 127);
  lab.at<cv::Vec3f>(0, 2) = cv::Vec3f(100, 127, 127);
  const cv::Mat bgr = lab_to_bgr(lab);
  EXPECT_TRUE(cv::checkRange(bgr));
  double lo = 0, hi = 0;
  cv::minMaxLoc(bgr.reshape(1), &lo, &hi);
  EXPECT_TRUE(lo < 0.0 || hi > 1.0);
  EXPECT_THROW(lab_to_bgr(cv::Mat(2, 2, CV_8UC3)), ArgumentError);
}

// For pictures, colours outside sRGB lose chroma, not lightness or hue: converting back gives the
// same L and the same hue angle, with a smaller chroma, and every channel within [0, 1].
TEST(Color, InGamutConversionKeepsLightnessAndHue) {
  const std::vector<cv::Vec3f> colours = {{50, 127, -128}, {0.5f, -128, 127}, {99, 127, 127}, {70, -90, 80}, {30, 60, 0}};
  cv::Mat lab(1, static_cast<int>(colours.size()), CV_32FC3);
  for (size_t i = 0; i < colours.size(); ++i) lab.at<cv::Vec3f>(0, static_cast<int>(i)) = colours[i];
  const cv::Mat bgr = lab_to_bgr_in_gamut(lab);
  ASSERT_TRUE(cv::checkRange(bgr, true, nullptr, 0.0, 1.0 + 1e-6));
  const cv::Mat back = bgr_to_lab(bgr);
  for (size_t i = 0; i < colours.size(); ++i) {
    const cv::Vec3f in = colours[i], out = back.at<cv::Vec3f>(0, static_cast<int>(i));
    EXPECT_NEAR(out[0], in[0], 0.05) << "colour " << i;
    const double chroma_in = std::hypot(in[1], in[2]), chroma_out = std::hypot(out[1], out[2]);
    EXPECT_LT(chroma_out, chroma_in) << "colour " << i;
    if (chroma_out > 5.0) {
      const double turn = std::remainder(std::atan2(out[2], out[1]) - std::atan2(in[2], in[1]), 2 * M_PI);
      EXPECT_NEAR(turn, 0.0, 0.02) << "colour " << i;
    }
  }
  // A colour inside the gamut is untouched.
  cv::Mat inside(1, 1, CV_32FC3, cv::Scalar(60, 20, -30));
  const cv::Vec3f round = bgr_to_lab(lab_to_bgr_in_gamut(inside)).at<cv::Vec3f>(0, 0);
  EXPECT_NEAR(round[1], 20.0, 0.05);
  EXPECT_NEAR(round[2], -30.0, 0.05);
  EXPECT_THROW(lab_to_bgr_in_gamut(cv::Mat(2, 2, CV_8UC3)), ArgumentError);
}

}  // namespace
}  // namespace neuroshop
