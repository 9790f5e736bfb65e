// Video inputs of `colorize` and `stylize`: when the input is a clip (a video file, or with --video a
// folder of frames) or -o names a video file, the command runs the clip through
// apps/video/process.h instead of treating its inputs as separate photos.
#pragma once

#include <string>
#include <vector>

#include "apps/video/process.h"
#include "cli/commands.h"

namespace CLI {
class App;
}  // namespace CLI

namespace neuroshop::cli {

struct VideoArgs {
  bool video = false;      // --video: the input folder is one clip's frames
  int64_t start = 0;       // --start
  int64_t frames = 0;      // --frames
  bool per_frame = false;  // --per-frame: no temporal carry
  double carry = video::TemporalOptions{}.carry;
  double fps = 25.0;       // --fps of a frame-folder input
};

// Adds --video, --start, --frames, --per-frame, --carry and --fps to a command.
void add_video_options(CLI::App& sub, VideoArgs& args);

// True when the job is a clip: one input that is a video file, -o naming a video file, or --video.
bool is_video_job(const std::vector<std::string>& inputs, const std::string& out, const VideoArgs& args);

// Runs the clip (one input) into `out` (default: INPUT-SUFFIX.mp4 beside it), printing the output
// path and a summary line; `carried` says what the stable mode carries along the motion.
void run_video_job(const std::vector<std::string>& inputs, const std::string& out, const std::string& suffix,
                   const VideoArgs& args, const video::FrameFn& per_frame, video::Carried carried, const GlobalOptions& global);

}  // namespace neuroshop::cli
