// The batch runner (apps/common/batch.h): every input read, processed by its own worker and
// written; shards; skip-existing; a bad file reported while the others are written; forced output
// extensions; the same outputs with one worker or several.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "apps/common/batch.h"
#include "core/errors.h"
#include "io/image_file.h"

namespace neuroshop::apps {
namespace {
namespace fs = std::filesystem;

class BatchRunner : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("neuroshop_batch_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "in");
    for (int i = 0; i < 6; ++i) {
      cv::Mat m(8 + i, 10, CV_8UC3, cv::Scalar(10 * i, 20, 30));
      write_image((dir_ / "in" / ("p" + std::to_string(i) + ".png")).string(), m);
    }
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string in() const { return (dir_ / "in").string(); }
  std::string out() const { return (dir_ / "out").string(); }

  // A worker that inverts the image and counts the workers made.
  WorkerFactory inverter() {
    return [this](int, int count) -> ImageFn {
      ++workers_made_;
      worker_count_ = count;
      return [](const Image& input, size_t) {
        Image out = input;
        out.pixels = cv::Scalar::all(255) - input.pixels;
        return out;
      };
    };
  }

  fs::path dir_;
  std::atomic<int> workers_made_{0};
  int worker_count_ = 0;
};

TEST_F(BatchRunner, EveryInputIsProcessedAndWritten) {
  BatchOptions o;
  o.inputs = {in()};
  o.output = out();
  o.suffix = "inv";
  std::vector<ProgressEvent> events;
  const BatchReport r = run_batch(batch_inputs(o), o, inverter(), [&](const ProgressEvent& e) { events.push_back(e); });
  EXPECT_TRUE(r.ok());
  ASSERT_EQ(r.plan.size(), 6u);
  for (const auto& [input, output] : r.plan) {
    ASSERT_TRUE(fs::exists(output)) << output;
    const Image a = read_image(input), b = read_image(output);
    EXPECT_EQ(b.pixels.at<cv::Vec3b>(0, 0)[2], 255 - a.pixels.at<cv::Vec3b>(0, 0)[2]);
  }
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events.back().done, 6);
  EXPECT_EQ(events.back().total, 6);
  EXPECT_EQ(workers_made_, 1);
}

TEST_F(BatchRunner, SeveralWorkersWriteTheSameFiles) {
  BatchOptions one;
  one.inputs = {in()};
  one.output = out();
  run_batch(batch_inputs(one), one, inverter());
  BatchOptions four = one;
  four.output = (dir_ / "out4").string();
  four.jobs = 4;
  const BatchReport r = run_batch(batch_inputs(four), four, inverter());
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(worker_count_, 4);
  for (const auto& [input, output] : r.plan) {
    std::ifstream a(output, std::ios::binary), b(fs::path(out()) / fs::path(output).filename(), std::ios::binary);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(a), {}), std::string(std::istreambuf_iterator<char>(b), {}));
  }
}

TEST_F(BatchRunner, ShardsSplitTheSortedInputs) {
  std::set<std::string> seen;
  for (int i = 0; i < 4; ++i) {
    BatchOptions o;
    o.inputs = {in()};
    o.shard = parse_shard(std::to_string(i) + "/4");
    for (const std::string& f : batch_inputs(o)) EXPECT_TRUE(seen.insert(f).second) << f << " in two shards";
  }
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_THROW(parse_shard("4/4"), ArgumentError);
  EXPECT_THROW(parse_shard("-1/4"), ArgumentError);
  EXPECT_THROW(parse_shard("1/x"), ArgumentError);
  EXPECT_THROW(parse_shard("+1/4"), ArgumentError);
}

TEST_F(BatchRunner, SkipExistingLeavesOutputsAlone) {
  BatchOptions o;
  o.inputs = {in()};
  o.output = out();
  run_batch(batch_inputs(o), o, inverter());
  const std::string first = (fs::path(out()) / "p0.png").string();
  fs::remove(first);
  const auto before = fs::last_write_time(fs::path(out()) / "p1.png");
  o.skip_existing = true;
  const BatchReport r = run_batch(batch_inputs(o), o, inverter());
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.skipped.size(), 5u);
  EXPECT_TRUE(fs::exists(first));
  EXPECT_EQ(fs::last_write_time(fs::path(out()) / "p1.png"), before);
}

TEST_F(BatchRunner, ABadFileIsReportedAndTheOthersAreWritten) {
  {
    std::ofstream bad(dir_ / "in" / "p9.png");
    bad << "not a png";
  }
  BatchOptions o;
  o.inputs = {in()};
  o.output = out();
  o.jobs = 2;
  const BatchReport r = run_batch(batch_inputs(o), o, inverter());
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_NE(r.failures[0].input.find("p9.png"), std::string::npos);
  EXPECT_EQ(fs::exists(fs::path(out()) / "p9.png"), false);
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(fs::exists(fs::path(out()) / ("p" + std::to_string(i) + ".png")));
  std::vector<std::string> lines;
  try {
    throw_if_failed(r, [&](const std::string& line) { lines.push_back(line); });
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("1 of 7 images failed"), std::string::npos) << e.what();
  }
  EXPECT_EQ(lines.size(), 1u);
}

TEST_F(BatchRunner, OneInputFailsWithItsOwnMessage) {
  BatchOptions o;
  o.inputs = {(dir_ / "in" / "p0.png").string()};
  o.output = (dir_ / "one.png").string();
  const BatchReport r = run_batch(batch_inputs(o), o, [](int, int) -> ImageFn {
    return [](const Image&, size_t) -> Image { throw ArgumentError("this picture is unsuitable"); };
  });
  ASSERT_FALSE(r.ok());
  try {
    throw_if_failed(r);
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "this picture is unsuitable");
  }
}

TEST_F(BatchRunner, OutputExtensionsAreForced) {
  cv::Mat m(4, 4, CV_8UC3, cv::Scalar(1, 2, 3));
  write_image((dir_ / "in" / "photo.jpg").string(), m);
  BatchOptions o;
  o.inputs = {(dir_ / "in" / "photo.jpg").string()};
  o.suffix = "cut";
  o.output_extensions = {".png", ".webp"};
  const BatchReport r = run_batch(batch_inputs(o), o, inverter());
  ASSERT_EQ(r.plan.size(), 1u);
  EXPECT_EQ(fs::path(r.plan[0].second).filename(), "photo-cut.png");
  EXPECT_TRUE(fs::exists(r.plan[0].second));
}

TEST_F(BatchRunner, NoImagesIsAnError) {
  fs::create_directories(dir_ / "empty");
  BatchOptions o;
  o.inputs = {(dir_ / "empty").string()};
  EXPECT_THROW(batch_inputs(o), IoError);
}

}  // namespace
}  // namespace neuroshop::apps
