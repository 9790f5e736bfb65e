// Video: clips written and read back (frame count, size, rate) and bad clips refused; flow found on a
// virtual camera pan whose motion is known exactly; the warping error is ~0 on the clip itself and
// large on a flickering output, and carrying results along the motion removes most of it; scene
// cuts are told from motion; carrying only chroma keeps each frame's lightness.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>
#include <opencv2/imgproc.hpp>

#include "apps/video/flow.h"
#include "apps/video/process.h"
#include "apps/video/temporal.h"
#include "apps/video/video_eval.h"
#include "apps/video/warping_error.h"
#include "core/errors.h"
#include "core/rng.h"
#include "io/color.h"
#include "io/image_file.h"
#include "io/video_file.h"
#include "apps/test_pictures.h"

namespace neuroshop::video {
namespace {
namespace fs = std::filesystem;

cv::Mat texture(int rows, int cols, uint64_t seed) { return test::textured_picture(rows, cols, seed); }

// A virtual camera panning over `scene` by (dx, dy) pixels a frame: frame t = scene at offset
// (8 + t·dx, 8 + t·dy), so flow(t -> t-1) is exactly (dx, dy) everywhere.
std::vector<cv::Mat> pan_clip(const cv::Mat& scene, int frames, int w, int h, int dx, int dy) {
  std::vector<cv::Mat> clip;
  for (int t = 0; t < frames; ++t) clip.push_back(scene(cv::Rect(8 + t * dx, 8 + t * dy, w, h)).clone());
  return clip;
}

class VideoFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("neuroshop_video_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(VideoFiles, WrittenClipsReadBackWithTheirFramesSizeAndRate) {
  const std::vector<cv::Mat> clip = pan_clip(texture(200, 260, 1), 12, 160, 96, 3, 1);
  for (const char* name : {"clip.avi", "clip.mp4"}) {
    const std::string path = (dir_ / name).string();
    {
      VideoWriter writer(path, 12.5, clip[0].size());
      for (const cv::Mat& f : clip) writer.write(f);
      EXPECT_FALSE(fs::exists(path)) << "nothing under the output name before finish()";
      writer.finish();
    }
    VideoReader reader(path);
    EXPECT_EQ(reader.info().width, 160);
    EXPECT_EQ(reader.info().height, 96);
    EXPECT_NEAR(reader.info().fps, 12.5, 0.01) << name;
    cv::Mat frame;
    int count = 0;
    double error = 0.0;
    while (reader.read(frame)) error += cv::norm(frame, clip[static_cast<size_t>(count++)], cv::NORM_L1) / frame.total();
    EXPECT_EQ(count, 12) << name;
    EXPECT_LT(error / count, 3 * 20.0) << name << ": mean absolute error per pixel (3 channels) of the lossy codec";
  }
  std::vector<fs::path> left;
  for (const auto& e : fs::directory_iterator(dir_)) left.push_back(e.path().filename());
  EXPECT_EQ(left.size(), 2u) << "no temporary files left";
}

TEST_F(VideoFiles, AnUnfinishedWriteLeavesNothing) {
  const std::string path = (dir_ / "unfinished.avi").string();
  {
    VideoWriter writer(path, 25, cv::Size(64, 48));
    writer.write(cv::Mat(48, 64, CV_8UC3, cv::Scalar(10, 20, 30)));
  }
  EXPECT_TRUE(fs::is_empty(dir_));
  EXPECT_THROW(VideoWriter((dir_ / "x.txt").string(), 25, cv::Size(64, 48)), IoError);
  EXPECT_THROW(VideoWriter((dir_ / "missing" / "x.avi").string(), 25, cv::Size(64, 48)), IoError);
}

TEST_F(VideoFiles, BadClipsAreRefusedWithOneLine) {
  auto message = [](const std::string& path) -> std::string {
    try {
      VideoReader reader(path);
      cv::Mat frame;
      while (reader.read(frame)) {
      }
    } catch (const IoError& e) {
      return e.what();
    }
    return "";
  };
  std::ofstream((dir_ / "text.mp4").string()) << "this is not a video\n";
  std::ofstream((dir_ / "empty.mp4").string());
  EXPECT_NE(message((dir_ / "text.mp4").string()).find("not a video file"), std::string::npos);
  EXPECT_NE(message((dir_ / "empty.mp4").string()).find("empty"), std::string::npos);
  EXPECT_NE(message((dir_ / "missing.mp4").string()).find("no such file"), std::string::npos);
  fs::create_directories(dir_ / "frames");
  write_image((dir_ / "frames" / frame_file_name(0)).string(), cv::Mat(48, 64, CV_8UC3, cv::Scalar(1, 2, 3)));
  write_image((dir_ / "frames" / frame_file_name(1)).string(), cv::Mat(50, 64, CV_8UC3, cv::Scalar(1, 2, 3)));
  const std::string size_change = message((dir_ / "frames").string());
  EXPECT_NE(size_change.find("frame 2 is 64x50, the first was 64x48"), std::string::npos) << size_change;
  EXPECT_EQ(size_change.find('\n'), std::string::npos);
}

TEST(VideoFlow, FindsAKnownPanAndMarksItReliable) {
  const std::vector<cv::Mat> clip = pan_clip(texture(240, 320, 2), 2, 200, 150, 3, 2);
  const Motion m = estimate_motion(clip[0], clip[1]);
  std::vector<float> ex, ey;
  for (int y = 20; y < 130; ++y)
    for (int x = 20; x < 180; ++x) {
      ex.push_back(m.flow.at<cv::Vec2f>(y, x)[0]);
      ey.push_back(m.flow.at<cv::Vec2f>(y, x)[1]);
    }
  std::nth_element(ex.begin(), ex.begin() + static_cast<long>(ex.size() / 2), ex.end());
  std::nth_element(ey.begin(), ey.begin() + static_cast<long>(ey.size() / 2), ey.end());
  EXPECT_NEAR(ex[ex.size() / 2], 3.0, 0.25);  // frame t-1 shows frame t's point 3 px to the right...
  EXPECT_NEAR(ey[ey.size() / 2], 2.0, 0.25);  // ... and 2 px down
  EXPECT_GT(m.reliable_fraction, 0.8);
  // the right and bottom edges moved out of view in frame t-1 cannot be reliable
  EXPECT_EQ(m.reliable.at<float>(75, 199), 0.0f);
}

TEST(VideoFlow, PixelsAMovingOccluderUncoversAreNotReliable) {
  // The background pans 2 px a frame; a textured card moves 8 px a frame across it. In frame t the
  // strip the card just left (x in [40 + 8(t-1), 40 + 8t)) shows background that frame t-1 hid.
  const cv::Mat scene = texture(200, 320, 12), card = texture(60, 50, 13);
  std::vector<cv::Mat> clip = pan_clip(scene, 2, 240, 150, 2, 0);
  for (int t = 0; t < 2; ++t) card.copyTo(clip[static_cast<size_t>(t)](cv::Rect(40 + 8 * t, 40, 50, 60)));
  const Motion m = estimate_motion(clip[0], clip[1]);
  const cv::Rect uncovered(41, 45, 6, 50), background(150, 20, 60, 100);
  EXPECT_LT(cv::mean(m.reliable(uncovered))[0], 0.5) << "most of the uncovered strip is flagged";
  EXPECT_GT(cv::mean(m.reliable(background))[0], 0.9) << "the plain panning background is kept";
}

TEST(VideoFlow, ForwardBackwardCheckRejectsInconsistentFlow) {
  cv::Mat forward(10, 10, CV_32FC2, cv::Scalar(1, 0)), backward(10, 10, CV_32FC2, cv::Scalar(-1, 0));
  EXPECT_EQ(cv::countNonZero(consistent(forward, backward)), 90);  // all but the last column (leaves the frame)
  backward.setTo(cv::Scalar(3, 0));
  EXPECT_EQ(cv::countNonZero(consistent(forward, backward)), 0);
}

TEST(VideoFlow, SceneCutsAreToldFromMotion) {
  const std::vector<cv::Mat> clip = pan_clip(texture(200, 260, 3), 2, 160, 120, 2, 0);
  cv::Mat other = texture(120, 160, 4);
  cv::Mat darker;
  other.convertTo(darker, -1, 0.4);
  EXPECT_LT(histogram_distance(clip[0], clip[1]), 0.1);
  EXPECT_FALSE(scene_cut(clip[0], clip[1]));
  EXPECT_TRUE(scene_cut(clip[0], darker));
}

// A per-frame method that flickers: every frame's result gets its own colour gain.
std::vector<cv::Mat> flickering(const std::vector<cv::Mat>& clip) {
  Rng rng(9);
  std::vector<cv::Mat> out;
  for (const cv::Mat& f : clip) {
    cv::Mat g;
    const cv::Scalar gain(0.8 + 0.4 * rng.uniform(), 0.8 + 0.4 * rng.uniform(), 0.8 + 0.4 * rng.uniform());
    cv::multiply(f, gain, g);
    out.push_back(g);
  }
  return out;
}

TEST(VideoTemporal, CarryingAlongTheMotionRemovesMostFlicker) {
  const std::vector<cv::Mat> clip = pan_clip(texture(260, 360, 5), 10, 200, 150, 3, 1);
  const std::vector<cv::Mat> per_frame = flickering(clip);
  TemporalOptions options;
  options.carried = Carried::kColour;
  TemporalCarry carry(options);
  std::vector<cv::Mat> stable;
  for (size_t t = 0; t < clip.size(); ++t) stable.push_back(carry.next(clip[t], per_frame[t]));
  EXPECT_EQ(carry.cuts(), 0);

  WarpingError input, raw, carried;
  for (size_t t = 1; t < clip.size(); ++t) {
    const Motion m = estimate_motion(clip[t - 1], clip[t]);
    input.add(m, clip[t - 1], clip[t]);
    raw.add(m, per_frame[t - 1], per_frame[t]);
    carried.add(m, stable[t - 1], stable[t]);
  }
  EXPECT_EQ(input.frames(), 9);
  EXPECT_LT(input.mean(), 2e-4) << "a pure pan warps onto itself";
  EXPECT_GT(raw.mean(), 20 * input.mean());
  const double raw_flicker = raw.mean() - input.mean(), carried_flicker = carried.mean() - input.mean();
  EXPECT_LT(carried_flicker, 0.5 * raw_flicker) << "raw " << raw.mean() << ", carried " << carried.mean();
}

TEST(VideoTemporal, ACutStartsAfreshAndChromaCarryKeepsLightness) {
  TemporalOptions options;  // chroma
  TemporalCarry carry(options);
  const cv::Mat a = texture(120, 160, 6), b = texture(120, 160, 7);
  cv::Mat b_dark;
  b.convertTo(b_dark, -1, 0.3);
  carry.next(a, a);
  const cv::Mat after_cut = carry.next(b_dark, b_dark);
  EXPECT_EQ(carry.cuts(), 1);
  EXPECT_EQ(cv::norm(after_cut, b_dark, cv::NORM_INF), 0.0);

  // chroma carried from a differently coloured warped frame: L stays the result's
  cv::Mat tinted;
  cv::add(a, cv::Scalar(40, 0, -40), tinted);
  const cv::Mat reliable(a.size(), CV_32F, cv::Scalar(1));
  const cv::Mat out = blend_carried(a, tinted, reliable, 0.8, Carried::kChroma);
  std::vector<cv::Mat> lab_out, lab_a;
  cv::split(bgr_to_lab(out), lab_out);
  cv::split(bgr_to_lab(a), lab_a);
  EXPECT_LT(cv::mean(cv::abs(lab_out[0] - lab_a[0]))[0], 1.0);
  EXPECT_GT(cv::mean(cv::abs(lab_out[2] - lab_a[2]))[0], 5.0);  // the blue-yellow axis moved toward the tint
}

// A clip of `n` panning frames written as a frame folder under dir; returns the folder.
std::string frame_folder(const fs::path& dir, int n) {
  const std::vector<cv::Mat> clip = pan_clip(texture(200, 320, 8), n, 128, 96, 4, 1);
  fs::create_directories(dir);
  for (int i = 0; i < n; ++i) write_image((dir / frame_file_name(i)).string(), clip[static_cast<size_t>(i)]);
  return dir.string();
}

TEST_F(VideoFiles, ClipsKeepRateSizeAndCountAndRunsResumeWhereTheyStopped) {
  const std::string input = frame_folder(dir_ / "in", 10);
  const std::string output = (dir_ / "out.avi").string();
  ClipOptions o;
  o.input = input;
  o.output = output;
  o.folder_fps = 10.0;
  int calls = 0;
  const FrameFn invert = [&](const cv::Mat& f) {
    if (++calls == 5) throw Error("interrupted");  // as if the process were killed during frame 5
    cv::Mat out;
    cv::bitwise_not(f, out);
    return out;
  };
  EXPECT_THROW(process_clip(o, invert), Error);
  EXPECT_FALSE(fs::exists(output));
  EXPECT_TRUE(fs::exists(fs::path(work_folder(output)) / frame_file_name(3)));

  calls = 100;  // no more interruptions
  const ClipSummary s = process_clip(o, invert);
  EXPECT_EQ(s.resumed_from, 4);
  EXPECT_EQ(s.frames, 10);
  EXPECT_EQ(calls, 106) << "only the six missing frames were processed";
  EXPECT_FALSE(fs::exists(work_folder(output))) << "the work folder goes once the video is written";
  VideoReader back(output);
  EXPECT_NEAR(back.info().fps, 10.0, 0.01);
  EXPECT_EQ(back.info().width, 128);
  EXPECT_EQ(back.info().height, 96);
  cv::Mat frame;
  int count = 0;
  while (back.read(frame)) ++count;
  EXPECT_EQ(count, 10);
}

TEST_F(VideoFiles, PartsOfClipsAndRefusals) {
  const std::string input = frame_folder(dir_ / "in", 8);
  ClipOptions o;
  o.input = input;
  o.output = (dir_ / "part").string();
  o.start = 2;
  o.frames = 3;
  o.stable = false;
  const FrameFn same = [](const cv::Mat& f) { return f.clone(); };
  EXPECT_EQ(process_clip(o, same).frames, 3);
  EXPECT_EQ(list_images({o.output}, false).size(), 3u);
  const cv::Mat first = read_image((fs::path(o.output) / frame_file_name(0)).string()).pixels;
  const cv::Mat third_in = read_image((fs::path(input) / frame_file_name(2)).string()).pixels;
  EXPECT_EQ(cv::norm(first, third_in, cv::NORM_INF), 0.0) << "--start 2 begins at the third frame";

  // the finished folder is not overwritten by another job, nor is any non-empty folder
  o.start = 0;
  EXPECT_THROW(process_clip(o, same), IoError);
  // a clip that cannot be read leaves nothing
  std::ofstream((dir_ / "bad.mp4").string()) << "not a video";
  o.input = (dir_ / "bad.mp4").string();
  o.output = (dir_ / "bad-out.mp4").string();
  EXPECT_THROW(process_clip(o, same), IoError);
  EXPECT_FALSE(fs::exists(o.output));
  EXPECT_FALSE(fs::exists(work_folder(o.output)));
  // --start past the end
  o.input = input;
  o.start = 50;
  EXPECT_THROW(process_clip(o, same), IoError);
}

TEST_F(VideoFiles, EvalMeasuresFlickerOfBothModesOnTheSameMotion) {
  VideoEvalOptions o;
  o.clip = frame_folder(dir_ / "in", 9);
  o.gray_input = true;
  o.strip = (dir_ / "strip.png").string();
  o.strip_frames = 4;
  Rng rng(4);
  // a stand-in colorizer that decides each frame's tint anew: what per-frame colorization does to video
  const FrameFn tint = [&](const cv::Mat& gray) {
    cv::Mat out;
    cv::multiply(gray, cv::Scalar(0.7 + 0.6 * rng.uniform(), 1.0, 0.7 + 0.6 * rng.uniform()), out);
    return out;
  };
  const VideoEvalResult r = evaluate_video(o, tint);
  EXPECT_EQ(r.frames, 9);
  EXPECT_EQ(r.pairs, 8);
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[0].name, "input");
  EXPECT_EQ(r.rows[0].flicker, 0.0);
  EXPECT_FALSE(r.rows[0].has_quality);
  EXPECT_TRUE(r.rows[1].has_quality && r.rows[2].has_quality);
  EXPECT_GT(r.rows[1].flicker, 0.0);
  EXPECT_LT(r.rows[2].flicker, 0.5 * r.rows[1].flicker);
  EXPECT_GT(r.rows[2].frames_per_second, 0.0);
  const Image strip = read_image(o.strip);
  EXPECT_EQ(strip.pixels.rows, 3 * 96);  // input, per-frame and stable rows of 128x96 frames
  EXPECT_EQ(strip.pixels.cols, 4 * 128);

  o.frames = 1;
  EXPECT_THROW(evaluate_video(o, tint), IoError);  // one frame has no flicker to measure
}

}  // namespace
}  // namespace neuroshop::video
