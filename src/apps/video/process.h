// Running a per-frame method (colorize, a fast style) over a clip: frames read from a video file or a
// folder of frames, each processed, optionally carried along the motion (temporal.h) so it does not
// flicker, and written out keeping the frame rate, size and frame count; audio is not carried.
// Resumable: frames are written one by one as PNG into a work folder (the output folder itself, or
// `.NAME.frames/` beside an output video), so a rerun of the same job continues after the last
// frame written; an output video is encoded from them at the end (temporary name, then renamed)
// and the work folder removed.
// Not here: the per-frame methods (apps/colorize, apps/stylize), argument parsing (the CLI).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <opencv2/core.hpp>

#include "apps/video/temporal.h"
#include "core/progress.h"
#include "io/video_file.h"

namespace neuroshop::video {

// The per-frame method: an 8-bit BGR frame in, an 8-bit BGR result of the same size out.
using FrameFn = std::function<cv::Mat(const cv::Mat& frame)>;

struct ClipOptions {
  std::string input;             // video file or folder of frames
  std::string output;            // video file (.mp4 .m4v .mov .mkv .avi) or folder of frame_NNNNNN.png
  int64_t start = 0;             // first frame to process (0-based)
  int64_t frames = 0;            // how many (0: to the end)
  bool stable = true;            // carry results along the motion; false: each frame on its own
  TemporalOptions temporal;
  double folder_fps = 25.0;      // frame rate of a frame-folder input
};

struct ClipSummary {
  VideoInfo info;                // of the input
  int64_t frames = 0;            // frames in the output
  int64_t resumed_from = 0;      // frames found from an earlier run
  int64_t cuts = 0;              // scene cuts detected (stable mode)
  double seconds = 0.0;          // processing time of this run
};

// Throws ArgumentError/IoError before writing anything when the input cannot be read, the output
// is the input, or the work folder holds another job's frames.
ClipSummary process_clip(const ClipOptions& options, const FrameFn& per_frame, const ProgressFn& progress = {});

// The work folder process_clip uses for `output`.
std::string work_folder(const std::string& output);

}  // namespace neuroshop::video
