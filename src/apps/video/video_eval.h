// `eval video`: how much a per-frame method flickers on a clip, and how much carrying its results
// along the motion (temporal.h) removes: the warping error (warping_error.h) of the clip the method
// is given (for colorization the gray clip, whose lightness the output keeps), of
// plain per-frame processing and of the stable mode, side by side, on the same motion; for
// colorization also each mode's per-frame quality against the original colour frames (the clip is
// converted to gray first), with colorize's metrics (PSNR, AuC, rebalanced AuC, colourfulness).
// Not here: argument parsing or printing (the CLI).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "apps/colorize/eval.h"
#include "apps/video/process.h"
#include "apps/video/temporal.h"
#include "core/progress.h"

namespace neuroshop::video {

struct VideoEvalOptions {
  std::string clip;              // video file or folder of frames
  int64_t start = 0;
  int64_t frames = 0;            // 0: to the end (at most max_frames)
  int64_t max_frames = 900;      // the clip is held in memory
  double folder_fps = 25.0;
  bool gray_input = false;       // colorize: feed the gray clip, score against the colour one
  TemporalOptions temporal;
  std::string strip;             // if set, a frame strip is written here: rows input | per-frame | stable,
  int64_t strip_frames = 6;      // this many frames, `strip_stride` apart, from the middle of the clip
  int64_t strip_stride = 3;
};

struct VideoEvalRow {
  std::string name;              // "input", "per-frame", "stable"
  double warping_error = 0.0;    // mean squared RGB difference in [0,1]² per reliable pixel
  double flicker = 0.0;          // warping error minus the input's
  bool has_quality = false;
  colorize::MethodScores quality;  // against the original frames (gray_input only)
  double frames_per_second = 0.0;  // processing speed of the mode (0 for the input)
};

struct VideoEvalResult {
  int64_t frames = 0, width = 0, height = 0;
  int64_t pairs = 0;             // consecutive frame pairs scored (cuts excluded)
  int64_t cuts = 0;
  std::vector<VideoEvalRow> rows;  // input, per-frame, stable
};

VideoEvalResult evaluate_video(const VideoEvalOptions& options, const FrameFn& per_frame, const ProgressFn& progress = {});

}  // namespace neuroshop::video
