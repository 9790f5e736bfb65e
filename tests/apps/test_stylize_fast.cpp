// Fast styles: the transform network keeps any input's size (odd ones too), starts as the
// identity, round-trips through a model file with its palette, trains and resumes on tiny
// generated photos, also from the patch-synthesis teacher; the CLI's stylize errors are one line.
#include <gtest/gtest.h>

#include "apps/common/training_files.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "apps/stylize/fast.h"
#include "apps/stylize/images.h"
#include "apps/stylize/train.h"
#include "core/errors.h"
#include "io/image_file.h"

namespace neuroshop::stylize {
namespace {
namespace fs = std::filesystem;

cv::Mat gradient_image(int width, int height, float phase) {
  cv::Mat m(height, width, CV_32FC3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      m.at<cv::Vec3f>(y, x) = cv::Vec3f(0.5f + 0.4f * std::sin(0.2f * x + phase), 0.3f + 0.5f * y / height,
                                        0.5f + 0.4f * std::cos(0.3f * y - phase));
  return m;
}

StyleModel small_model(uint64_t seed = 1) {
  Rng rng(seed);
  return StyleModel(build_transform_net(TransformNetOptions{4, 1, 3}, rng), Palette{});
}

// A fresh folder under the system temp dir, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("neuroshop_stylize_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

TEST(StylizeFast, OutputSizeEqualsInputSizeOddSizesToo) {
  StyleModel model = small_model();
  for (const cv::Size size : {cv::Size(64, 48), cv::Size(17, 23), cv::Size(33, 8), cv::Size(1, 1), cv::Size(101, 7)}) {
    const cv::Mat out = model.apply(gradient_image(size.width, size.height, 0.3f));
    EXPECT_EQ(out.size(), size);
    EXPECT_EQ(out.type(), CV_32FC3);
  }
}

TEST(StylizeFast, UntrainedNetworkIsCloseToTheIdentity) {
  StyleModel model = small_model();
  const cv::Mat in = gradient_image(40, 32, 0.1f);
  EXPECT_LT(cv::norm(model.apply_network(in), in, cv::NORM_INF), 0.1);
}

TEST(StylizeFast, ModelFileRoundTripKeepsWeightsPaletteAndMetadata) {
  TempDir dir;
  Palette palette;
  palette.mean[0] = 55.0;
  palette.sd[2] = 12.5;
  Rng rng(3);
  StyleModel model(build_transform_net(TransformNetOptions{4, 1, 3}, rng), palette);
  const std::string path = (dir.path / "style-x.nsm").string();
  model.save(path, {{"style_image", "x.png"}});
  StyleModel loaded = StyleModel::load(path);
  EXPECT_EQ(loaded.metadata().at("app"), "stylize");
  EXPECT_EQ(loaded.metadata().at("style_image"), "x.png");
  EXPECT_FLOAT_EQ(loaded.palette().mean[0], 55.0f);
  EXPECT_FLOAT_EQ(loaded.palette().sd[2], 12.5f);
  const cv::Mat in = gradient_image(24, 20, 0.7f);
  EXPECT_LT(cv::norm(model.apply(in), loaded.apply(in), cv::NORM_INF), 1e-6);
  EXPECT_THROW(StyleModel::load((dir.path / "missing.nsm").string()), ModelError);
}

TEST(StylizeFast, StylizeFastKeepsSizeDepthAlphaAndChecksOptions) {
  StyleModel model = small_model();
  Image content;
  gradient_image(31, 19, 0.0f).convertTo(content.pixels, CV_8UC3, 255.0);
  content.alpha = cv::Mat(19, 31, CV_8U, cv::Scalar(128));
  const Image out = stylize_fast(model, content, FastOptions{});
  EXPECT_EQ(out.pixels.size(), cv::Size(31, 19));
  EXPECT_EQ(out.pixels.type(), CV_8UC3);
  EXPECT_EQ(out.alpha.at<uint8_t>(3, 3), 128);
  FastOptions sized;
  sized.size = 62;
  EXPECT_EQ(stylize_fast(model, content, sized).pixels.size(), cv::Size(62, 38));
  FastOptions bad;
  bad.strength = -0.5;
  EXPECT_THROW(stylize_fast(model, content, bad), ArgumentError);
}

// `count` generated photos p0.png, p1.png, ... in dir/photos, each phase_step further along.
void write_photos(const fs::path& dir, int count, int width, int height, float phase_step) {
  fs::create_directories(dir / "photos");
  for (int i = 0; i < count; ++i) {
    cv::Mat bgr8;
    gradient_image(width, height, phase_step * i).convertTo(bgr8, CV_8UC3, 255.0);
    write_image((dir / "photos" / ("p" + std::to_string(i) + ".png")).string(), bgr8);
  }
}

// Training options for the photos of write_photos: 32 px crops, two per step, a tiny network.
TrainOptions tiny_training(const fs::path& dir, const std::string& style, const std::string& out_name) {
  TrainOptions o;
  o.style = style;
  o.data = {(dir / "photos").string()};
  o.out = (dir / out_name).string();
  o.crop = 32;
  o.batch_size = 2;
  o.net = TransformNetOptions{4, 1, 3};
  return o;
}

TEST(StylizeFast, TrainsAndResumesOnTinyPhotos) {
  TempDir dir;
  write_photos(dir.path, 6, 56, 48, 0.5f);
  cv::Mat style8;
  gradient_image(40, 40, 2.0f).convertTo(style8, CV_8UC3, 255.0);
  const std::string style = (dir.path / "style.png").string();
  write_image(style, style8);
  TrainOptions o = tiny_training(dir.path, style, "style-tiny.nsm");
  o.steps = 3;
  o.checkpoint_every = 2;
  o.val_every = 2;
  o.val_images = 1;
  const TrainSummary first = train(o);
  EXPECT_EQ(first.step, 3);
  EXPECT_EQ(first.val_photos, 1);
  EXPECT_TRUE(fs::exists(o.out));
  EXPECT_TRUE(fs::exists(apps::checkpoint_path(o.out)));
  EXPECT_TRUE(fs::exists(apps::log_json_path(o.out)));
  EXPECT_GT(first.train.style, 0.0);
  // Resuming with a longer schedule continues from step 3.
  o.steps = 4;
  o.resume = true;
  const TrainSummary second = train(o);
  EXPECT_EQ(second.step, 4);
  StyleModel model = StyleModel::load(o.out);
  EXPECT_EQ(model.metadata().at("training_steps"), "4");
  EXPECT_EQ(model.apply(gradient_image(30, 21, 0.0f)).size(), cv::Size(30, 21));
  o.crop = 30;
  EXPECT_THROW(train(o), ArgumentError);
}

TEST(StylizeFast, PixelL1LossHasKnownValueAndGradient) {
  Tensor y({1, 1, 1, 4}), t({1, 1, 1, 4}), dy({1, 1, 1, 4});
  const float yv[] = {0.5f, 0.2f, 0.7f, 0.0f}, tv[] = {0.25f, 0.2f, 1.0f, 0.5f};
  for (int i = 0; i < 4; ++i) {
    y.data()[i] = yv[i];
    t.data()[i] = tv[i];
    dy.data()[i] = 1.0f;  // the gradient is added to what is there
  }
  // |0.25| + 0 + |-0.3| + |-0.5| = 1.05, mean 0.2625, times 2.
  EXPECT_NEAR(pixel_l1_loss(y, t, 2.0, &dy), 0.525, 1e-6);
  EXPECT_FLOAT_EQ(dy.data()[0], 1.5f);  // + 2 / 4
  EXPECT_FLOAT_EQ(dy.data()[1], 1.0f);  // equal: no push either way
  EXPECT_FLOAT_EQ(dy.data()[2], 0.5f);
  EXPECT_FLOAT_EQ(dy.data()[3], 0.5f);
  EXPECT_NEAR(pixel_l1_loss(y, y, 1.0, nullptr), 0.0, 0.0);
  EXPECT_THROW(pixel_l1_loss(y, Tensor({1, 1, 2, 2}), 1.0, nullptr), ArgumentError);
}

TEST(StylizeFast, TrainsFromThePatchSynthesisTeacherAndKeepsItsResults) {
  TempDir dir;
  write_photos(dir.path, 5, 64, 56, 0.7f);
  // A painting of strokes: diagonal stripes in two colours.
  cv::Mat style8(48, 48, CV_8UC3);
  for (int y = 0; y < 48; ++y)
    for (int x = 0; x < 48; ++x)
      style8.at<cv::Vec3b>(y, x) = ((x + y) / 3) % 2 ? cv::Vec3b(30, 60, 200) : cv::Vec3b(220, 180, 40);
  const std::string style = (dir.path / "stripes.png").string();
  write_image(style, style8);
  TrainOptions o = tiny_training(dir.path, style, "style-taught.nsm");
  o.teacher = "patches";
  o.steps = 2;
  o.val_images = 1;
  const TrainSummary first = train(o);
  EXPECT_EQ(first.step, 2);
  EXPECT_EQ(first.teacher_computed, 5);  // 4 training photos and the held-out one
  const fs::path cache = dir.path / "style-taught.nsm.teacher";
  int64_t files = 0;
  for (const auto& entry : fs::directory_iterator(cache)) {
    ++files;
    // The teacher's result has the working photo's size (short side 1.5 crops).
    const cv::Mat taught = read_image(entry.path().string()).pixels;
    EXPECT_EQ(std::min(taught.rows, taught.cols), 48);
  }
  EXPECT_EQ(files, 5);
  // The total is the objective's terms plus the pixel term, which is not zero.
  const LossTerms& t = first.train;
  EXPECT_GT(t.total - (o.weights.style * t.style + o.weights.content * t.content + o.weights.tv * t.tv), 1e-4);
  EXPECT_EQ(StyleModel::load(o.out).metadata().at("teacher"), "patches");
  // Another run on the same photos and painting reads them back instead of making them again.
  o.out = (dir.path / "style-taught-2.nsm").string();
  o.teacher_cache = cache.string();
  EXPECT_EQ(train(o).teacher_computed, 0);
  o.teacher = "gram";
  EXPECT_THROW(train(o), ArgumentError);
}

// The executable's stylize errors: one line, non-zero exit, no output file left behind.
std::pair<int, std::string> run_cli(const std::string& args) {
  const std::string command = std::string("'") + NEUROSHOP_BINARY + "' " + args + " 2>&1 >/dev/null </dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buf[512];
  while (pipe != nullptr && fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  const int status = pipe != nullptr ? pclose(pipe) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(StylizeCli, BadArgumentsGiveOneLineErrors) {
  TempDir dir;
  cv::Mat img;
  gradient_image(40, 40, 0.0f).convertTo(img, CV_8UC3, 255.0);
  const std::string content = (dir.path / "c.png").string(), out = (dir.path / "out.png").string();
  write_image(content, img);
  for (const std::string& args :
       {"stylize '" + content + "' --style '" + content + "' --strength 2 -o '" + out + "'",
        "stylize '" + content + "' --style '" + content + "' --style-weight nan -o '" + out + "'",
        "stylize '" + content + "' --style no-such-style -o '" + out + "'",
        "stylize '" + content + "' -o '" + out + "'",
        "stylize '" + content + "' --style '" + (dir.path / "missing.png").string() + "' -o '" + out + "'",
        "train stylize --style '" + content + "' --data '" + dir.path.string() + "' --teacher gram -o '" + out + "'",
        "train stylize --style '" + content + "' --data '" + dir.path.string() +
            "' --teacher patches --teacher-pixel -1 -o '" + out + "'"}) {
    const auto [code, text] = run_cli(args);
    EXPECT_NE(code, 0) << args;
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << args << "\n" << text;
    EXPECT_EQ(text.rfind("error: ", 0), 0u) << text;
    EXPECT_FALSE(fs::exists(out)) << args;
  }
}

TEST(StylizeCli, StylizesASmallImageByOptimization) {
  TempDir dir;
  cv::Mat c, s;
  gradient_image(48, 40, 0.0f).convertTo(c, CV_8UC3, 255.0);
  gradient_image(40, 40, 2.0f).convertTo(s, CV_8UC3, 255.0);
  const std::string content = (dir.path / "c.png").string(), style = (dir.path / "s.png").string(),
                    out = (dir.path / "out.jpg").string();
  write_image(content, c);
  write_image(style, s);
  const auto [code, text] = run_cli("-q stylize '" + content + "' --style '" + style + "' --size 48 --iterations 5 -o '" + out + "'");
  EXPECT_EQ(code, 0) << text;
  const Image result = read_image(out);
  EXPECT_EQ(result.pixels.size(), cv::Size(48, 40));
}

}  // namespace
}  // namespace neuroshop::stylize
