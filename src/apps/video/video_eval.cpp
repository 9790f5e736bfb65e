// `eval video`; see video_eval.h.
#include "apps/video/video_eval.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "apps/video/flow.h"
#include "apps/video/warping_error.h"
#include "core/errors.h"
#include "io/image_file.h"
#include "io/video_file.h"

namespace neuroshop::video {

VideoEvalResult evaluate_video(const VideoEvalOptions& o, const FrameFn& per_frame, const ProgressFn& progress) {
  using Clock = std::chrono::steady_clock;
  auto seconds_since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  if (o.start < 0 || o.frames < 0 || o.max_frames < 2) throw ArgumentError("--start and --frames must not be negative");
  if (!o.strip.empty() && !has_image_extension(o.strip))
    throw ArgumentError("--strip '" + o.strip + "': expected an image file name (.jpg, .png, ...)");
  VideoReader reader(o.clip, o.folder_fps);
  std::vector<cv::Mat> originals;
  cv::Mat frame;
  for (int64_t i = 0; i < o.start; ++i)
    if (!reader.read(frame)) throw IoError("'" + o.clip + "' has only " + std::to_string(i) + " frames, --start is " + std::to_string(o.start));
  const int64_t limit = o.frames > 0 ? std::min(o.frames, o.max_frames) : o.max_frames;
  while (static_cast<int64_t>(originals.size()) < limit && reader.read(frame)) originals.push_back(frame);
  if (originals.size() < 2) throw IoError("'" + o.clip + "': at least two frames are needed to measure flicker");

  std::vector<cv::Mat> inputs = originals;
  if (o.gray_input)
    for (cv::Mat& f : inputs) {
      cv::cvtColor(f, f, cv::COLOR_BGR2GRAY);
      cv::cvtColor(f, f, cv::COLOR_GRAY2BGR);
    }
  const int64_t n = static_cast<int64_t>(inputs.size());

  std::vector<cv::Mat> per(inputs.size()), stable(inputs.size());
  double per_seconds = 0.0, carry_seconds = 0.0;
  TemporalCarry carry(o.temporal);
  for (int64_t t = 0; t < n; ++t) {
    report(progress, {t, n, "eval video", {}});
    Clock::time_point start = Clock::now();
    per[t] = per_frame(inputs[t]);
    per_seconds += seconds_since(start);
    start = Clock::now();
    stable[t] = carry.next(inputs[t], per[t]);
    carry_seconds += seconds_since(start);
  }
  report(progress, {n, n, "eval video", {}});

  WarpingError input_error, per_error, stable_error;
  VideoEvalResult result;
  for (int64_t t = 1; t < n; ++t) {
    if (scene_cut(inputs[t - 1], inputs[t], o.temporal.cut_threshold)) {
      ++result.cuts;
      continue;
    }
    const Motion m = estimate_motion(inputs[t - 1], inputs[t], o.temporal.flow);
    input_error.add(m, inputs[t - 1], inputs[t]);
    per_error.add(m, per[t - 1], per[t]);
    stable_error.add(m, stable[t - 1], stable[t]);
  }
  result.frames = n;
  result.width = originals[0].cols;
  result.height = originals[0].rows;
  result.pairs = input_error.frames();

  auto row = [&](const std::string& name, const WarpingError& e, const std::vector<cv::Mat>* outputs, double seconds) {
    VideoEvalRow r;
    r.name = name;
    r.warping_error = e.mean();
    r.flicker = e.mean() - input_error.mean();
    if (outputs && o.gray_input) {
      colorize::ColourScores scores;
      for (int64_t t = 0; t < n; ++t) scores.add(originals[t], (*outputs)[t]);
      r.has_quality = true;
      r.quality = scores.summary(name);
    }
    if (seconds > 0.0) r.frames_per_second = static_cast<double>(n) / seconds;
    return r;
  };
  if (!o.strip.empty()) {
    const int64_t count = std::min<int64_t>(o.strip_frames, n), stride = std::max<int64_t>(1, std::min(o.strip_stride, (n - 1) / std::max<int64_t>(1, count - 1)));
    const int64_t first = std::max<int64_t>(0, n / 2 - (count - 1) * stride / 2);
    const int tile_h = std::min(180, originals[0].rows);
    const int tile_w = static_cast<int>(std::lround(static_cast<double>(originals[0].cols) * tile_h / originals[0].rows));
    cv::Mat sheet(3 * tile_h, static_cast<int>(count) * tile_w, CV_8UC3);
    const std::vector<cv::Mat>* rows[3] = {&inputs, &per, &stable};
    for (int r = 0; r < 3; ++r)
      for (int64_t k = 0; k < count; ++k) {
        cv::Mat tile;
        cv::resize((*rows[r])[static_cast<size_t>(std::min(n - 1, first + k * stride))], tile, cv::Size(tile_w, tile_h), 0, 0, cv::INTER_AREA);
        tile.copyTo(sheet(cv::Rect(static_cast<int>(k) * tile_w, r * tile_h, tile_w, tile_h)));
      }
    write_image(o.strip, sheet);
  }
  result.rows = {row("input", input_error, nullptr, 0.0), row("per-frame", per_error, &per, per_seconds),
                 row("stable", stable_error, &stable, per_seconds + carry_seconds)};
  return result;
}

}  // namespace neuroshop::video
