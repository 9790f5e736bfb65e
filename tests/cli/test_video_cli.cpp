// The video side of `colorize` and `stylize` from the command line: a clip in, a clip out with the
// same frame count, size and rate; bad clips (not a video, empty, no frames, a frame size change
// mid-stream, a wrong output name) refused with one line and nothing left under the output name.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/cli_runner.h"
#include "io/image_file.h"
#include "io/video_file.h"

namespace neuroshop {
namespace {
namespace fs = std::filesystem;
using testing::CliResult;
using testing::run_cli;

class VideoCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("neuroshop_video_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string p(const std::string& name) const { return (dir_ / name).string(); }

  // A short clip of a gradient sliding sideways, written with our own writer.
  std::string make_clip(const std::string& name, int frames) const {
    VideoWriter writer(p(name), 8.0, cv::Size(96, 64));
    for (int t = 0; t < frames; ++t) {
      cv::Mat f(64, 96, CV_8UC3);
      for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 96; ++x)
          f.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>((x + 3 * t) * 2), static_cast<uchar>(y * 3), 120);
      writer.write(f);
    }
    writer.finish();
    return p(name);
  }
  fs::path dir_;
};

TEST_F(VideoCli, ColorizesAClipIntoAClipOfTheSameShape) {
  const std::string clip = make_clip("in.avi", 6);
  const CliResult r = run_cli({"--quiet", "colorize", clip, "-o", p("out.mp4")}, 300.0);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  VideoReader back(p("out.mp4"));
  EXPECT_EQ(back.info().width, 96);
  EXPECT_EQ(back.info().height, 64);
  EXPECT_NEAR(back.info().fps, 8.0, 0.01);
  cv::Mat frame;
  int n = 0;
  while (back.read(frame)) ++n;
  EXPECT_EQ(n, 6);
  EXPECT_FALSE(fs::exists(p(".out.mp4.frames")));
}

TEST_F(VideoCli, BadClipsAreRefusedWithOneLineAndNothingLeft) {
  std::ofstream(p("text.mp4")) << "not a video at all\n";
  std::ofstream(p("empty.mp4"));
  { VideoWriter(p("noframes.avi"), 8.0, cv::Size(96, 64)).finish(); }
  fs::create_directories(dir_ / "frames");
  write_image((dir_ / "frames" / frame_file_name(0)).string(), cv::Mat(64, 96, CV_8UC3, cv::Scalar(40, 80, 120)));
  write_image((dir_ / "frames" / frame_file_name(1)).string(), cv::Mat(60, 96, CV_8UC3, cv::Scalar(40, 80, 120)));
  const std::string good = make_clip("good.avi", 3);
  struct Case {
    std::vector<std::string> args;
    std::string key;
  };
  const std::vector<Case> cases = {
      {{"colorize", p("text.mp4"), "-o", p("out.mp4")}, "not a video"},
      {{"colorize", p("empty.mp4"), "-o", p("out.mp4")}, "empty"},
      {{"colorize", p("noframes.avi"), "-o", p("out.mp4")}, "no frames"},
      {{"colorize", p("frames"), "--video", "-o", p("out.mp4")}, "frame 2 is 96x60"},
      {{"stylize", p("frames"), "--video", "--style", "starry-night", "-o", p("out.mp4")}, "frame 2 is 96x60"},
      {{"colorize", good, "-o", p("out.webm")}, "expected a video file name"},
      {{"colorize", good, "--start", "10", "-o", p("out.mp4")}, "has only 3 frames"},
  };
  for (const Case& c : cases) {
    const CliResult r = run_cli(c.args, 120.0);
    const std::string cmd = testing::command_text(c.args);
    EXPECT_NE(r.exit_code, 0) << cmd;
    EXPECT_EQ(r.signal, 0) << cmd;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << cmd << ": " << r.err;
    EXPECT_TRUE(!r.err.empty() && r.err.find('\n') == r.err.size() - 1) << cmd << ": not one line: " << r.err;
    EXPECT_NE(r.err.find(c.key), std::string::npos) << cmd << ": " << r.err;
    for (const char* left : {"out.mp4", ".out.mp4.frames", "out.webm"}) EXPECT_FALSE(fs::exists(dir_ / left)) << cmd << " left " << left;
  }
}

}  // namespace
}  // namespace neuroshop
