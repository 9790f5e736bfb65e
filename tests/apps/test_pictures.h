// Synthetic colour pictures for the app tests (photo preparation, evaluation, video), so no test
// needs files outside the repository.
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/rng.h"

namespace neuroshop::test {

// `count` filled discs of random colour, radius min_radius + [0, radius_range), at random centres.
inline void random_discs(cv::Mat& bgr, Rng& rng, int count, int min_radius, int radius_range) {
  for (int k = 0; k < count; ++k) {
    const cv::Point centre(static_cast<int>(rng.below(bgr.cols)), static_cast<int>(rng.below(bgr.rows)));
    const cv::Scalar colour(static_cast<double>(rng.below(256)), static_cast<double>(rng.below(256)),
                            static_cast<double>(rng.below(256)));
    cv::circle(bgr, centre, min_radius + static_cast<int>(rng.below(radius_range)), colour, cv::FILLED);
  }
}

// A colourful BGR picture whose structure depends on `seed`: discs of random colour on a gradient.
inline cv::Mat colour_picture(int rows, int cols, uint64_t seed) {
  Rng rng(seed);
  cv::Mat bgr(rows, cols, CV_8UC3);
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x)
      bgr.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(40 + 150 * x / cols), static_cast<uchar>(90),
                                          static_cast<uchar>(200 - 150 * y / rows));
  random_discs(bgr, rng, 12, rows / 8, rows / 4);
  return bgr;
}

// A textured picture: blurred colour noise plus discs, so optical flow has detail to lock on to everywhere.
inline cv::Mat textured_picture(int rows, int cols, uint64_t seed) {
  Rng rng(seed);
  cv::Mat noise(rows, cols, CV_32FC3);
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x)
      noise.at<cv::Vec3f>(y, x) = cv::Vec3f(static_cast<float>(rng.uniform()), static_cast<float>(rng.uniform()),
                                            static_cast<float>(rng.uniform()));
  cv::GaussianBlur(noise, noise, cv::Size(0, 0), 2.0);
  cv::normalize(noise, noise, 0, 255, cv::NORM_MINMAX);
  cv::Mat bgr;
  noise.convertTo(bgr, CV_8UC3);
  random_discs(bgr, rng, 10, 6, 20);
  return bgr;
}

}  // namespace neuroshop::test
