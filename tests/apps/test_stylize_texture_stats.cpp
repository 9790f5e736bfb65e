// The independent texture measures of `eval stylize`: the grid-artefact score flags a faint pixel
// grid and passes smooth images and random texture; the Gabor statistics and the patch distance are
// 0 for an image against itself and tell two textures apart far more than two samples of one; the
// patch distribution distance also ranks a painting's own marks closer than a photo or a flat image.
#include <gtest/gtest.h>

#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "apps/stylize/images.h"
#include "apps/stylize/texture_stats.h"
#include "core/errors.h"

namespace neuroshop::stylize {
namespace {

// A smooth picture: a diagonal ramp plus a slow wave, gray, as BGR CV_32FC3 in [0, 1].
cv::Mat smooth(int H, int W) {
  cv::Mat g(H, W, CV_32F);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x)
      g.at<float>(y, x) = static_cast<float>(0.2 + 0.5 * (x + y) / (H + W) + 0.1 * std::sin(0.05 * x + 0.03 * y));
  cv::Mat bgr;
  cv::cvtColor(g, bgr, cv::COLOR_GRAY2BGR);
  return bgr;
}

// Random texture: white noise blurred by a Gaussian of (sx, sy) pixels, stretched to [0.2, 0.8].
cv::Mat texture(int H, int W, double sx, double sy, uint64_t seed) {
  cv::Mat noise(H, W, CV_32F);
  cv::RNG rng(seed);
  rng.fill(noise, cv::RNG::NORMAL, 0.0, 1.0);
  cv::Mat blurred;
  cv::GaussianBlur(noise, blurred, cv::Size(0, 0), sx, sy, cv::BORDER_REFLECT_101);
  cv::normalize(blurred, blurred, 0.2, 0.8, cv::NORM_MINMAX);
  cv::Mat bgr;
  cv::cvtColor(blurred, bgr, cv::COLOR_GRAY2BGR);
  return bgr;
}

TEST(StylizeTextureStats, GridArtefactFlagsAFaintGridAndPassesSmoothImages) {
  const cv::Mat clean = smooth(300, 400);
  const cv::Mat noisy = texture(300, 400, 3.0, 3.0, 5);
  cv::Mat grid = clean.clone();
  // every 4th column and row a little brighter: what a stride-4 loss network leaves
  for (int y = 0; y < grid.rows; ++y)
    for (int x = 0; x < grid.cols; ++x)
      if (x % 4 == 0 || y % 4 == 0) grid.at<cv::Vec3f>(y, x) += cv::Vec3f(0.015f, 0.015f, 0.015f);
  const double a_clean = grid_artefact_db(clean), a_noisy = grid_artefact_db(noisy), a_grid = grid_artefact_db(grid);
  EXPECT_LT(a_clean, 6.0);
  EXPECT_LT(a_noisy, 6.0);
  EXPECT_GT(a_grid, 15.0) << "smooth " << a_clean << " dB, noise " << a_noisy << " dB";
  // a checkerboard (stride 2) on random texture, at 1 % of the range
  cv::Mat checker = noisy.clone();
  for (int y = 0; y < checker.rows; ++y)
    for (int x = 0; x < checker.cols; ++x)
      if ((x + y) % 2 == 0) checker.at<cv::Vec3f>(y, x) += cv::Vec3f(0.01f, 0.01f, 0.01f);
  EXPECT_GT(grid_artefact_db(checker), a_noisy + 10.0);
}

TEST(StylizeTextureStats, TextureDistanceIsZeroForItselfAndSeparatesTextures) {
  const cv::Mat a1 = texture(384, 512, 6.0, 1.0, 1), a2 = texture(384, 512, 6.0, 1.0, 2);  // horizontal streaks
  const cv::Mat b = texture(384, 512, 2.0, 2.0, 3);                                         // isotropic grain
  const TextureStats s1 = texture_stats(a1), s2 = texture_stats(a2), sb = texture_stats(b);
  ASSERT_EQ(s1.log_mean.size(), static_cast<size_t>(kTextureScales * kTextureOrientations));
  ASSERT_EQ(s1.orientation_corr.size(), static_cast<size_t>(kTextureScales * 6));
  ASSERT_EQ(s1.scale_corr.size(), static_cast<size_t>((kTextureScales - 1) * kTextureOrientations));
  EXPECT_EQ(texture_distance(s1, texture_stats(a1)), 0.0);
  const double same = texture_distance(s1, s2), other = texture_distance(s1, sb);
  EXPECT_GT(other, 5.0 * same) << "same texture " << same << ", other texture " << other;
  // a flat image is far from any texture
  EXPECT_GT(texture_distance(texture_stats(smooth(384, 512)), s1), other);
}

TEST(StylizeTextureStats, StrokeLevelFindsTheScaleOfTheMarks) {
  // blobs of about 3 px and of about 20 px at 512 px long side
  EXPECT_LE(stroke_level(texture_stats(texture(384, 512, 1.2, 1.2, 4))), 1);
  EXPECT_GE(stroke_level(texture_stats(texture(384, 512, 10.0, 10.0, 4))), 2);
}

TEST(StylizeTextureStats, PatchDistanceIsZeroForItselfAndSeparatesTextures) {
  const cv::Mat a1 = texture(192, 256, 4.0, 0.7, 1), a2 = texture(192, 256, 4.0, 0.7, 2);
  const cv::Mat b = texture(192, 256, 0.7, 4.0, 3);  // the same streaks, turned by 90 degrees
  EXPECT_NEAR(patch_distance(a1, a1, 1), 0.0, 1e-4);
  const double same = patch_distance(a2, a1, 1), other = patch_distance(b, a1, 1);
  EXPECT_GT(other, 1.3 * same) << "same texture " << same << ", other texture " << other;
  EXPECT_THROW(patch_distance(a1, a1, kTextureScales), ArgumentError);
}

TEST(StylizeTextureStats, PatchDistributionIsZeroForItselfAndSeparatesTextures) {
  const cv::Mat a1 = texture(192, 256, 4.0, 0.7, 1), a2 = texture(192, 256, 4.0, 0.7, 2);
  const cv::Mat b = texture(192, 256, 0.7, 4.0, 3);  // the same streaks, turned by 90 degrees
  EXPECT_NEAR(patch_distribution_distance(a1, a1), 0.0, 1e-6);
  const double same = patch_distribution_distance(a2, a1), other = patch_distribution_distance(b, a1);
  EXPECT_GT(other, 3.0 * same) << "same texture " << same << ", other texture " << other;
  // a flat image is far from the marks: smoothness does not pass for style
  EXPECT_GT(patch_distribution_distance(smooth(192, 256), a1), other);
}

TEST(StylizeTextureStats, ColourSpeckleSeesARainbowMeshAndNotSmoothColour) {
  // a smooth colour ramp and a gray texture: no fine chroma
  cv::Mat ramp(128, 160, CV_32FC3);
  for (int y = 0; y < ramp.rows; ++y)
    for (int x = 0; x < ramp.cols; ++x)
      ramp.at<cv::Vec3f>(y, x) = cv::Vec3f(0.2f + 0.5f * x / ramp.cols, 0.4f, 0.7f - 0.4f * y / ramp.rows);
  EXPECT_LT(fine_chroma_rms(ramp), 0.05);
  EXPECT_LT(fine_chroma_rms(texture(128, 160, 1.0, 1.0, 4)), 0.05);
  // the same ramp with a rainbow mesh of +-0.05 per channel, alternating every 2 pixels
  cv::Mat mesh = ramp.clone();
  for (int y = 0; y < mesh.rows; ++y)
    for (int x = 0; x < mesh.cols; ++x) {
      const float s = ((x / 2 + y / 2) % 2) ? 0.05f : -0.05f;
      mesh.at<cv::Vec3f>(y, x) += cv::Vec3f(s, -s, s * 0.5f);
    }
  EXPECT_GT(fine_chroma_rms(mesh), 2.0) << "smooth ramp " << fine_chroma_rms(ramp);
}

// The calibration the nearest-patch figure fails and the distribution figure passes, on the shipped
// paintings: the left half of a painting, measured against its right half, is closer than a photo
// of the same size and than a flat image.
TEST(StylizeTextureStats, PatchDistributionRanksThePaintingsOwnMarksClosest) {
  const std::string dir = std::string(NEUROSHOP_SOURCE_DIR) + "/samples/stylize/";
  const cv::Mat photo_full = to_bgr_float(cv::imread(dir + "flower.jpg", cv::IMREAD_COLOR));
  ASSERT_FALSE(photo_full.empty());
  for (const char* name : {"painting-starry-night.jpg", "painting-great-wave.jpg", "painting-kandinsky.jpg"}) {
    cv::Mat painting = to_bgr_float(cv::imread(dir + name, cv::IMREAD_COLOR));
    ASSERT_FALSE(painting.empty()) << name;
    painting = resize_to(painting, with_long_side(painting.size(), 512));
    const int w = painting.cols / 2;
    const cv::Mat left = painting(cv::Rect(0, 0, w, painting.rows)).clone();
    const cv::Mat right = painting(cv::Rect(painting.cols - w, 0, w, painting.rows)).clone();
    // the photo at the painting's scale (long side 512), cropped to the half's size
    const cv::Mat photo512 = resize_to(photo_full, with_long_side(photo_full.size(), 512));
    ASSERT_GE(photo512.cols, w);
    ASSERT_GE(photo512.rows, std::min(photo512.rows, painting.rows));
    const int h = std::min(photo512.rows, painting.rows);
    const cv::Mat photo = photo512(cv::Rect(0, 0, w, h)).clone();
    const cv::Mat half = left(cv::Rect(0, 0, w, h)).clone(), reference = right(cv::Rect(0, 0, w, h)).clone();
    const cv::Mat flat(h, w, CV_32FC3, cv::mean(reference));
    const double own = patch_distribution_distance(half, reference), from_photo = patch_distribution_distance(photo, reference),
                 from_flat = patch_distribution_distance(flat, reference);
    EXPECT_LT(own, from_photo) << name << ": own " << own << ", photo " << from_photo;
    EXPECT_LT(own, from_flat) << name << ": own " << own << ", flat " << from_flat;
  }
}

}  // namespace
}  // namespace neuroshop::stylize
