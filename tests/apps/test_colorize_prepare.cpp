// Preparing a photo folder for colorizer training: colour photos kept and downscaled, gray, tiny,
// duplicate and excluded ones dropped, a manifest written; the 8-bit Lab packing the training set
// is held in loses less than the ab bins resolve; the v2 network keeps v1's input and output shapes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <opencv2/imgproc.hpp>

#include "apps/colorize/dataset.h"
#include "apps/colorize/eval.h"
#include "apps/colorize/model.h"
#include "apps/colorize/network.h"
#include "apps/colorize/prepare.h"
#include "core/errors.h"
#include "core/rng.h"
#include "io/color.h"
#include "io/image_file.h"
#include "apps/test_pictures.h"

namespace neuroshop::colorize {
namespace {
namespace fs = std::filesystem;

using test::colour_picture;

class PreparePhotos : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("neuroshop_prepare_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "src" / "sub");
    fs::create_directories(dir_ / "test");
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(PreparePhotos, KeepsColourPhotosDownscaledAndDropsTheRest) {
  const cv::Mat a = colour_picture(300, 400, 1), b = colour_picture(240, 320, 2), t = colour_picture(300, 300, 3);
  write_image((dir_ / "src" / "a.png").string(), a);
  write_image((dir_ / "src" / "sub" / "b.jpg").string(), b);
  cv::Mat a_small;  // the same photo again, smaller and re-encoded: a duplicate
  cv::resize(a, a_small, cv::Size(200, 150), 0, 0, cv::INTER_AREA);
  write_image((dir_ / "src" / "sub" / "a_copy.jpg").string(), a_small);
  cv::Mat gray_bgr;  // colour channels, gray content
  cv::cvtColor(colour_picture(200, 200, 4), gray_bgr, cv::COLOR_BGR2GRAY);
  cv::cvtColor(gray_bgr, gray_bgr, cv::COLOR_GRAY2BGR);
  write_image((dir_ / "src" / "gray.png").string(), gray_bgr);
  write_image((dir_ / "src" / "tiny.png").string(), colour_picture(40, 60, 5));
  write_image((dir_ / "test" / "t.png").string(), t);  // a test photo ...
  write_image((dir_ / "src" / "t_leak.jpg").string(), t);  // ... that must not reach training

  PrepareOptions o;
  o.inputs = {(dir_ / "src").string()};
  o.output = (dir_ / "out").string();
  o.exclude = {(dir_ / "test").string()};
  o.short_side = 128;
  o.min_side = 64;
  const PrepareSummary s = prepare_photos(o);
  EXPECT_EQ(s.found, 6);
  EXPECT_EQ(s.written, 2);
  EXPECT_EQ(s.gray, 1);
  EXPECT_EQ(s.small, 1);
  EXPECT_EQ(s.duplicates, 1);
  EXPECT_EQ(s.excluded, 1);

  const std::vector<std::string> written = list_images({o.output}, false);
  ASSERT_EQ(written.size(), 2u);
  for (const std::string& path : written) {
    const Image image = read_image(path);
    EXPECT_EQ(std::min(image.pixels.rows, image.pixels.cols), 128) << path;
  }
  EXPECT_TRUE(fs::exists(dir_ / "out" / "a.jpg"));
  EXPECT_TRUE(fs::exists(dir_ / "out" / "sub_b.jpg"));
  std::ifstream manifest(s.manifest);
  std::string line;
  int lines = 0;
  while (std::getline(manifest, line)) ++lines;
  EXPECT_EQ(lines, 3);  // header + two photos
  std::ifstream dropped(dir_ / "out" / "dropped.tsv");
  std::string dropped_text((std::istreambuf_iterator<char>(dropped)), std::istreambuf_iterator<char>());
  EXPECT_NE(dropped_text.find("a_copy.jpg\tduplicate\t"), std::string::npos) << dropped_text;
  EXPECT_NE(dropped_text.find("t_leak.jpg\texcluded\t"), std::string::npos) << dropped_text;
}

// Near-neutral colour photos (a white room, snow) are skipped at the default threshold and kept
// for training at a low one; a gray picture in colour channels is skipped at both.
TEST_F(PreparePhotos, LoadingSkipsNearGrayPhotosOnlyBelowTheThreshold) {
  const cv::Mat colour = colour_picture(160, 200, 21);
  cv::Mat gray;
  cv::cvtColor(colour, gray, cv::COLOR_BGR2GRAY);
  cv::cvtColor(gray, gray, cv::COLOR_GRAY2BGR);
  cv::Mat pale;  // mostly gray, a little of the colour left
  cv::addWeighted(colour, 0.07, gray, 0.93, 0.0, pale);
  const std::string colour_path = (dir_ / "src" / "colour.png").string(),
                    gray_path = (dir_ / "src" / "gray.png").string(), pale_path = (dir_ / "src" / "pale.png").string();
  write_image(colour_path, colour);
  write_image(gray_path, gray);
  write_image(pale_path, pale);
  const double pale_chroma = mean_chroma(bgr_to_lab(read_image(pale_path).pixels));
  ASSERT_GT(pale_chroma, 1.5);  // the premise: between the two thresholds
  ASSERT_LT(pale_chroma, PhotoLoadOptions{}.min_mean_chroma);
  EXPECT_LT(mean_chroma(bgr_to_lab(read_image(gray_path).pixels)), 1.5);

  const std::vector<std::string> paths = {colour_path, gray_path, pale_path};
  const LoadedPhotos by_default = load_photos(paths, PhotoLoadOptions{});
  ASSERT_EQ(by_default.paths, std::vector<std::string>{colour_path});
  EXPECT_EQ(by_default.skipped_gray, 2);
  PhotoLoadOptions low;
  low.min_mean_chroma = 1.5;
  const LoadedPhotos kept = load_photos(paths, low);
  EXPECT_EQ(kept.paths, (std::vector<std::string>{colour_path, pale_path}));
  EXPECT_EQ(kept.skipped_gray, 1);
}

TEST(DifferenceHash, CopiesAreCloseAndDifferentPicturesFar) {
  const cv::Mat a = colour_picture(240, 320, 11), b = colour_picture(240, 320, 12);
  cv::Mat a_small;
  cv::resize(a, a_small, cv::Size(160, 120), 0, 0, cv::INTER_AREA);
  EXPECT_LE(hamming_distance(difference_hash(a), difference_hash(a_small)), 3);
  EXPECT_GT(hamming_distance(difference_hash(a), difference_hash(b)), 10);
}

TEST(PackedLab, RoundTripIsWithinHalfAUnit) {
  const cv::Mat lab = bgr_to_lab(colour_picture(64, 64, 21));
  const cv::Mat back = unpack_lab(pack_lab(lab));
  for (int y = 0; y < lab.rows; ++y)
    for (int x = 0; x < lab.cols; ++x) {
      const cv::Vec3f u = lab.at<cv::Vec3f>(y, x), v = back.at<cv::Vec3f>(y, x);
      EXPECT_NEAR(u[0], v[0], 100.0 / 255.0 / 2 + 1e-4);
      EXPECT_NEAR(u[1], v[1], 0.5 + 1e-4);
      EXPECT_NEAR(u[2], v[2], 0.5 + 1e-4);
    }
  EXPECT_NEAR(mean_chroma(pack_lab(lab)), mean_chroma(lab), 0.5);
  EXPECT_THROW(pack_lab(cv::Mat(4, 4, CV_8UC3)), ArgumentError);
}

TEST(ColorizeNetworkV2, KeepsTheInputAndOutputShapesOfV1) {
  Rng rng(3);
  for (int64_t arch : {1, 2}) {
    auto net = build_network(NetworkOptions{8, 17, arch}, rng);
    EXPECT_EQ(net->output_shape(Shape{2, kInputChannels, 64, 48}), (Shape{2, 17, 16, 12})) << "arch " << arch;
  }
  EXPECT_THROW(build_network(NetworkOptions{8, 17, 3}, rng), ArgumentError);
}

TEST_F(PreparePhotos, EvalScoresBaselinesAndWritesAContactSheet) {
  std::vector<cv::Mat> labs;
  for (int k = 0; k < 5; ++k) {
    const cv::Mat bgr = colour_picture(96, 128, 30 + static_cast<uint64_t>(k));
    write_image((dir_ / "src" / ("p" + std::to_string(k) + ".png")).string(), bgr);
    labs.push_back(bgr_to_lab(bgr));
  }
  AbBins bins = AbBins::from_histogram(ab_histogram(labs, AbBinOptions{}, 1));
  bins.set_rebalancing(bin_counts(labs, bins, 1));
  Rng rng(5);
  ColorizeModel model(build_network(NetworkOptions{8, bins.size()}, rng), bins, mean_ab_by_lightness(labs));
  EvalOptions o;
  o.data = {(dir_ / "src").string()};
  o.size = 64;
  o.sheet = (dir_ / "sheet.png").string();
  const EvalResult r = evaluate(model, o);
  EXPECT_EQ(r.images, 5);
  ASSERT_EQ(r.methods.size(), 3u);
  EXPECT_EQ(r.methods[1].name, "gray");
  EXPECT_EQ(r.methods[1].colorfulness_ratio, 0.0);  // gray has no colour at all
  EXPECT_GT(r.methods[2].colorfulness_ratio, 0.0);  // the lookup baseline has some
  const Image sheet = read_image(o.sheet);
  // two rows (4 + 1 photos) of 128 px tiles with 4 px gaps; four photos of three 192 px tiles + 4 px
  EXPECT_EQ(sheet.pixels.rows, 2 * (128 + 4));
  EXPECT_EQ(sheet.pixels.cols, 4 * (3 * 192 + 4));

  o.sheet = (dir_ / "sheet.txt").string();
  EXPECT_THROW(evaluate(model, o), ArgumentError);
  EXPECT_FALSE(fs::exists(o.sheet));
}

}  // namespace
}  // namespace neuroshop::colorize
