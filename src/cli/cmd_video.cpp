// `neuroshop eval video CLIP`: flicker of per-frame processing and of the stable mode, side by side
// (apps/video/video_eval.h), for colorize (the clip converted to gray, scored against its colours)
// or a fast style.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "apps/video/methods.h"
#include "apps/video/video_eval.h"
#include "cli/commands.h"
#include "cli/json.h"
#include "cli/progress.h"
#include "cli/shared_options.h"
#include "cli/validators.h"
#include "cli/video_jobs.h"
#include "core/errors.h"

namespace neuroshop::cli {
namespace {

struct EvalVideoArgs {
  video::VideoEvalOptions options;
  std::string app = "colorize";
  std::string model;   // colorize model, or a fast-style model file
  std::string style;   // a shipped fast style NAME
  bool json = false;
};

void print(const video::VideoEvalResult& r, bool json) {
  if (json) {
    JsonWriter j(std::cout);
    j.begin_object().field("frames", r.frames).field("pairs", r.pairs).field("cuts", r.cuts);
    for (const auto& row : r.rows) {
      j.key(row.name).begin_object().field("warping_error", row.warping_error).field("flicker", row.flicker);
      j.field("frames_per_second", row.frames_per_second);
      if (row.has_quality)
        j.field("psnr", row.quality.psnr).field("auc", row.quality.auc).field("auc_rebalanced", row.quality.auc_rebalanced)
            .field("colorfulness_ratio", row.quality.colorfulness_ratio);
      j.end_object();
    }
    j.end_object();
    return;
  }
  std::printf("%lld frames of %lldx%lld, %lld pairs scored (%lld cuts skipped)\n\n", static_cast<long long>(r.frames),
              static_cast<long long>(r.width), static_cast<long long>(r.height), static_cast<long long>(r.pairs),
              static_cast<long long>(r.cuts));
  std::printf("| mode | warping error (x1e-3) | flicker (x1e-3) | PSNR (dB) | AuC rebalanced (%%) | colourfulness | frames/s |\n"
              "|---|---|---|---|---|---|---|\n");
  for (const auto& row : r.rows) {
    std::printf("| %s | %.3f | %.3f | ", row.name.c_str(), 1e3 * row.warping_error, 1e3 * row.flicker);
    if (row.has_quality)
      std::printf("%.2f | %.2f | %.3f | ", row.quality.psnr, row.quality.auc_rebalanced, row.quality.colorfulness_ratio);
    else
      std::printf("— | — | — | ");
    if (row.frames_per_second > 0) std::printf("%.1f |\n", row.frames_per_second);
    else std::printf("— |\n");
  }
}

}  // namespace

void add_video_options(CLI::App& sub, VideoArgs& a) {
  sub.add_flag("--video", a.video, "treat the input folder as the frames of one clip (video files are clips anyway)");
  sub.add_option("--start", a.start, "clips: first frame to process (0-based)")->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  sub.add_option("--frames", a.frames, "clips: frames to process (0: to the end)")->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  sub.add_flag("--per-frame", a.per_frame, "clips: process each frame on its own (flickers; for comparison)");
  sub.add_option("--carry", a.carry, "clips: weight of the previous frame's result carried along the motion")
      ->check(finite_in(0.0, 1.0));
  sub.add_option("--fps", a.fps, "clips: frame rate of a folder of frames")->check(finite_in(0.1, 1000.0));
}

bool is_video_job(const std::vector<std::string>& inputs, const std::string& out, const VideoArgs& args) {
  return args.video || has_video_extension(out) || (inputs.size() == 1 && has_video_extension(inputs[0]));
}

void run_video_job(const std::vector<std::string>& inputs, const std::string& out, const std::string& suffix,
                   const VideoArgs& args, const video::FrameFn& per_frame, video::Carried carried, const GlobalOptions& global) {
  if (inputs.size() != 1) throw ArgumentError("a clip is one input (a video file or a folder of frames); got " + std::to_string(inputs.size()));
  video::ClipOptions o;
  o.input = inputs[0];
  if (out.empty()) {
    const std::filesystem::path in(inputs[0]);
    o.output = (in.parent_path() / (in.stem().string() + "-" + suffix + ".mp4")).string();
  } else {
    o.output = out;
    if (!has_video_extension(out) && std::filesystem::path(out).has_extension())
      throw ArgumentError("-o '" + out + "': expected a video file name (.mp4, .m4v, .mov, .mkv, .avi) or a folder for the frames");
  }
  o.start = args.start;
  o.frames = args.frames;
  o.stable = !args.per_frame;
  o.temporal.carry = args.carry;
  o.temporal.carried = carried;
  o.folder_fps = args.fps;
  ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet));
  const video::ClipSummary s = video::process_clip(o, per_frame, bar.callback());
  bar.finish();
  std::cout << o.output << "\n";
  if (!global.quiet)
    std::cerr << s.frames << " frames of " << s.info.width << "x" << s.info.height << " at " << s.info.fps << " fps"
              << (s.resumed_from > 0 ? ", " + std::to_string(s.resumed_from) + " kept from an earlier run" : std::string())
              << (o.stable ? ", " + std::to_string(s.cuts) + " scene cuts" : std::string(", each frame on its own"))
              << "; audio is not carried\n";
}

void add_video_command(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<EvalVideoArgs>();
  CLI::App& eval = command_group(app, "eval", "measure a model against simple baselines");
  CLI::App* sub = eval.add_subcommand("video", "flicker (warping error) of per-frame vs stable processing of a clip");
  sub->add_option("clip", a->options.clip, "video file or folder of frames")->required()->type_name("CLIP");
  sub->add_option("--app", a->app, "colorize or stylize")->check(CLI::IsMember({"colorize", "stylize"}));
  sub->add_option("--model", a->model, "colorize model, or fast-style model file (default: the shipped colorizer)")->type_name("FILE");
  sub->add_option("--style", a->style, "a shipped fast style NAME (stylize)");
  sub->add_option("--start", a->options.start, "first frame (0-based)")->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  sub->add_option("--frames", a->options.frames, "frames to evaluate (0: to the end, at most 900)")
      ->check(CLI::Range(int64_t{0}, int64_t{900}));
  sub->add_option("--carry", a->options.temporal.carry, "weight of the previous frame carried along the motion")
      ->check(finite_in(0.0, 1.0));
  sub->add_option("--strip", a->options.strip, "also write a frame strip: rows input, per-frame, stable")->type_name("IMAGE");
  sub->add_flag("--json", a->json, "print the table as JSON");
  sub->callback([a, &global] {
    ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet));
    video::VideoEvalResult r;
    if (a->app == "colorize") {
      if (!a->style.empty()) throw ArgumentError("--style applies to --app stylize");
      colorize::ColorizeModel model =
          colorize::ColorizeModel::load(a->model.empty() ? default_model_path("colorize.nsm") : a->model);
      a->options.gray_input = true;
      a->options.temporal.carried = video::kColorizeCarries;
      r = video::evaluate_video(a->options, video::colorize_frames(model, colorize::ColorizeOptions{}), bar.callback());
    } else {
      if (a->style.empty() == a->model.empty()) throw ArgumentError("eval video --app stylize needs --style NAME or --model FILE");
      stylize::StyleModel model = stylize::StyleModel::load(
          a->model.empty() ? default_model_path(stylize::style_model_file_name(a->style)) : a->model);
      a->options.temporal.carried = video::kStyleCarries;
      r = video::evaluate_video(a->options, video::fast_style_frames(model, stylize::FastOptions{}), bar.callback());
    }
    bar.finish();
    print(r, a->json);
  });
}

}  // namespace neuroshop::cli
