// Colourfulness and PSNR known values.
#include <gtest/gtest.h>

#include <cmath>

#include <opencv2/core.hpp>

#include "core/errors.h"
#include "io/metrics.h"

namespace neuroshop {
namespace {

TEST(Metrics, ColorfulnessOfGrayIsZero) {
  cv::Mat gray(16, 16, CV_8UC1);
  cv::randu(gray, 0, 256);
  EXPECT_EQ(colorfulness(gray), 0.0);
  cv::Mat bgr;
  cv::merge(std::vector<cv::Mat>{gray, gray, gray}, bgr);
  EXPECT_NEAR(colorfulness(bgr), 0.0, 1e-9);
}

TEST(Metrics, ColorfulnessKnownValues) {
  // Uniform red: rg = 255, yb = 127.5, no spread -> 0.3 * sqrt(255^2 + 127.5^2).
  const cv::Mat red(8, 8, CV_8UC3, cv::Scalar(0, 0, 255));
  EXPECT_NEAR(colorfulness(red), 0.3 * std::sqrt(255.0 * 255.0 + 127.5 * 127.5), 1e-9);
  // Half red, half green: rg = +-255 (mean 0, sd 255), yb = 127.5 everywhere -> 255 + 0.3 * 127.5.
  cv::Mat half(8, 8, CV_8UC3, cv::Scalar(0, 0, 255));
  half(cv::Rect(0, 0, 4, 8)).setTo(cv::Scalar(0, 255, 0));
  EXPECT_NEAR(colorfulness(half), 293.25, 1e-9);
  // Float input in [0, 1] is on the same scale.
  cv::Mat halff;
  half.convertTo(halff, CV_32F, 1.0 / 255.0);
  EXPECT_NEAR(colorfulness(halff), 293.25, 1e-3);
}

TEST(Metrics, PsnrKnownValues) {
  const cv::Mat a(10, 10, CV_8UC3, cv::Scalar::all(0));
  const cv::Mat b(10, 10, CV_8UC3, cv::Scalar::all(10));  // MSE 100
  EXPECT_NEAR(psnr(a, b), 10.0 * std::log10(255.0 * 255.0 / 100.0), 1e-9);
  EXPECT_NEAR(psnr(a, b), 28.1308, 1e-4);
  EXPECT_TRUE(std::isinf(psnr(a, a)));
  EXPECT_THROW(psnr(a, cv::Mat(5, 5, CV_8UC3)), ShapeError);
  EXPECT_THROW(psnr(cv::Mat(10, 10, CV_32FC3), cv::Mat(10, 10, CV_32FC3)), ArgumentError);
}

}  // namespace
}  // namespace neuroshop
