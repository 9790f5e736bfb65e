// `neuroshop stylize`, `neuroshop train style` and `neuroshop eval stylize`: options, progress and
// printing; the work is in src/apps/stylize/.
//   --style IMAGE   arbitrary style by optimization (an existing file, or any path with an image extension)
//   --style NAME    a shipped fast style, models/style-NAME.nsm
//   --model FILE    a fast style from any model file
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "apps/common/batch.h"
#include "apps/stylize/batch.h"
#include "apps/stylize/eval.h"
#include "apps/stylize/fast.h"
#include "apps/stylize/stylize.h"
#include "apps/stylize/train.h"
#include "apps/video/methods.h"
#include "cli/batch_options.h"
#include "cli/commands.h"
#include "cli/json.h"
#include "cli/progress.h"
#include "cli/shared_options.h"
#include "cli/training_options.h"
#include "cli/validators.h"
#include "cli/video_jobs.h"
#include "core/errors.h"
#include "io/image_file.h"

namespace neuroshop::cli {
namespace {
namespace fs = std::filesystem;

struct StylizeArgs {
  BatchArgs batch;
  std::string style;
  std::string model;
  int64_t size = -1;  // -1: 512 for optimization, the input's size for fast styles
  std::string optimizer = "lbfgs";
  stylize::StylizeOptions options;
  VideoArgs video;
};

// The names of the shipped styles (models/style-NAME.nsm), for the error message of an unknown one.
std::string shipped_style_names() {
  const fs::path dir = fs::path(default_model_path("style-x.nsm")).parent_path();
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string file = entry.path().filename().string();
    if (file.rfind("style-", 0) == 0 && entry.path().extension() == ".nsm" && file.find(".ckpt.") == std::string::npos)
      names.push_back(file.substr(6, file.size() - 10));
  }
  std::sort(names.begin(), names.end());
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  return list.empty() ? "none installed" : list;
}

// A fast-style model file for --model or a shipped --style NAME; empty when --style is an image.
std::string fast_model_path(const StylizeArgs& args) {
  if (!args.model.empty()) return args.model;
  if (fs::exists(args.style) || has_image_extension(args.style)) return "";
  const std::string path = default_model_path(stylize::style_model_file_name(args.style));
  if (!fs::exists(path))
    throw ArgumentError("--style '" + args.style + "' is neither an image file nor a shipped style (shipped: " +
                        shipped_style_names() + ")");
  return path;
}

void run_stylize(StylizeArgs& args, const GlobalOptions& global) {
  if (args.style.empty() && args.model.empty()) throw ArgumentError("stylize needs --style IMAGE|NAME or --model FILE");
  if (!args.style.empty() && !args.model.empty()) throw ArgumentError("give either --style or --model, not both");
  stylize::StylizeFilesOptions options;
  options.model = fast_model_path(args);
  options.style = args.style;
  args.options.optimizer = stylize::parse_optimizer(args.optimizer);
  if (is_video_job(args.batch.options.inputs, args.batch.options.output, args.video)) {
    if (options.model.empty()) throw ArgumentError("clips are stylized with a fast style (--style NAME or --model FILE), not by optimization");
    stylize::StyleModel model = stylize::StyleModel::load(options.model);
    stylize::FastOptions fo;
    fo.strength = args.options.strength;
    fo.preserve_colors = args.options.preserve_colors;
    fo.size = args.size < 0 ? 0 : args.size;
    run_video_job(args.batch.options.inputs, args.batch.options.output, "stylized", args.video,
                  video::fast_style_frames(model, fo), video::kStyleCarries, global);
    return;
  }
  options.stylize = args.options;
  options.size = args.size;
  const apps::BatchOptions batch = batch_options(args.batch);
  const NewOutputFolder new_folder(batch.output);
  ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet));
  const apps::BatchReport report = stylize::stylize_files(options, batch, bar.callback());
  bar.finish();
  finish_batch(report, global.quiet);
}

void add_optimization_options(CLI::App* sub, stylize::StylizeOptions& o, std::string& optimizer) {
  sub->add_option("--iterations", o.iterations, "optimizer iterations over all coarse-to-fine stages (--method optimize)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  sub->add_option("--style-weight", o.style_weight, "weight of the Gram (style) losses (--method optimize)")->check(finite_in(0.0, 1e9));
  sub->add_option("--content-weight", o.content_weight, "weight of the content loss (--method optimize)")->check(finite_in(0.0, 1e9));
  sub->add_option("--tv-weight", o.tv_weight, "weight of the total-variation smoothness loss")->check(finite_in(0.0, 1e9));
  sub->add_option("--style-scale", o.style_scale, "style image size relative to the output (larger: larger strokes)")
      ->check(finite_in(0.05, 20.0));
  sub->add_option("--seed", o.seed, "seed of the random feature network, or of the synthesis' start")->check(unsigned_integer());
  sub->add_option("--optimizer", optimizer, "lbfgs or adam")->check(CLI::IsMember({"lbfgs", "adam"}));
  sub->add_option("--patch-weight", o.patch_weight, "weight of the feature patch loss (copies the painting's marks)")
      ->check(finite_in(0.0, 1e9));
  sub->add_option("--patch-layer", o.patch_output, "style output index the patch loss uses (-1: the network's default)")
      ->check(CLI::Range(-1, 100));
  sub->add_option_function<std::string>(
         "--network", [&o](const std::string& n) { o.network = stylize::parse_network(n); },
         "feature network: pyramid, vgg, or colorizer (the pyramid plus the colorization "
         "network's encoder)")
      ->check(CLI::IsMember({"pyramid", "vgg", "colorizer"}));
  sub->add_option("--colorizer-model", o.colorizer_model, "colorize model whose encoder --network colorizer uses")
      ->type_name("MODEL");
  sub->add_option_function<std::string>("--method", [&o](const std::string& m) { o.method = stylize::parse_method(m); },
                                        "patches (synthesis from the painting's own patches) or optimize (through the "
                                        "random feature network)")
      ->check(CLI::IsMember({"patches", "optimize"}))
      ->default_str("patches");
  sub->add_option("--synthesis-content", o.synthesis.content_weight,
                  "patch synthesis: weight of the photo at its edges (larger keeps more of the photo)")
      ->check(finite_in(0.0, 1e6));
  sub->add_option("--synthesis-rounds", o.synthesis.rounds, "patch synthesis: match rounds per patch size and scale")
      ->check(CLI::Range(1, 100));
  sub->add_option("--synthesis-patches", o.synthesis.patch_sizes, "patch synthesis: patch sizes in pixels, large to small")
      ->check(CLI::Range(3, 256))->delimiter(',');
  sub->add_option("--synthesis-robust", o.synthesis.robust_power,
                  "patch synthesis: power r of the robust patch averaging (2: plain mean, lower: closer to one patch per pixel)")
      ->check(finite_in(0.1, 2.0));
  sub->add_option("--synthesis-colour", o.synthesis.colour_transfer,
                  "patch synthesis: how far each round moves to the painting's colour histogram (0..1)")
      ->check(finite_in(0.0, 1.0));
  sub->add_option("--synthesis-scales", o.synthesis.scales, "patch synthesis: pyramid levels")->check(CLI::Range(1, 8));
}

void add_stylize(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<StylizeArgs>();
  CLI::App* sub = app.add_subcommand("stylize", "paint photos in the style of a painting (any image, or a shipped fast style)");
  add_batch_inputs(*sub, args->batch, "content images or folders", "CONTENT...");
  sub->add_option("--style", args->style, "style image (optimization) or the NAME of a shipped fast style")
      ->type_name("IMAGE|NAME");
  sub->add_option("--model", args->model, "fast-style model file (models/style-NAME.nsm)")->type_name("FILE");
  add_batch_output(*sub, args->batch, "output file (one input) or folder; default: beside each input as NAME-stylized.EXT",
                   "FILE|DIR");
  sub->add_option("--size", args->size, "output long side in pixels (default: 512 for optimization, the input's size for fast styles)")
      ->check(CLI::Range(int64_t{32}, int64_t{8192}));
  add_optimization_options(sub, args->options, args->optimizer);
  sub->add_flag("--preserve-colors", args->options.preserve_colors, "keep the content's colours (transfer lightness only)");
  sub->add_option("--strength", args->options.strength, "blend of result and content: 0 content, 1 full style")
      ->check(finite_in(0.0, 1.0));
  add_batch_options(*sub, args->batch);
  add_video_options(*sub, args->video);
  sub->callback([args, &global] { run_stylize(*args, global); });
}

void add_train_style(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<stylize::TrainOptions>();
  auto hours = std::make_shared<double>(-1.0);
  CLI::App& train = command_group(app, "train", "train a model on your own images");
  // Named after its application like every trainer; `train style`, the old name, is an alias.
  CLI::App* sub = train.add_subcommand("stylize", "train a fast (feed-forward) style from one painting")->alias("style");
  sub->add_option("--style", o->style, "the painting")->required()->type_name("IMAGE");
  sub->add_option("--data", o->data, "folders or files of photos (searched recursively)")->required()->type_name("DIR...");
  add_model_output(*sub, o->out);
  add_training_loop_options(*sub, *o);
  CLI::Option* hours_option =
      sub->add_option("--hours", *hours, "also stop after this many hours in this run")->check(finite_in(0.0, 10000.0));
  hidden_alias(sub->add_option("--minutes", o->minutes, "the time limit in minutes"), finite_in(0.0, 1e6))
      ->excludes(hours_option);
  sub->add_option("--crop", o->crop, "training crop side (multiple of 8)")->check(CLI::Range(int64_t{32}, int64_t{1024}));
  hidden_alias(sub->add_option("--size", o->crop, "old spelling of --crop"), CLI::Range(int64_t{32}, int64_t{1024}));
  sub->add_option("--style-size", o->style_size, "style image long side, in crop sides")->check(finite_in(0.2, 20.0));
  sub->add_option("--batch", o->batch_size, "crops per step")->check(CLI::Range(int64_t{1}, int64_t{256}));
  sub->add_option("--width", o->net.base_channels, "base channels of the transform network")->check(CLI::Range(int64_t{2}, int64_t{128}));
  sub->add_option("--blocks", o->net.residual_blocks, "residual blocks")->check(CLI::Range(int64_t{0}, int64_t{16}));
  sub->add_option("--style-weight", o->weights.style, "weight of the Gram (style) losses")->check(finite_in(0.0, 1e9));
  sub->add_option("--content-weight", o->weights.content, "weight of the content loss")->check(finite_in(0.0, 1e9));
  sub->add_option("--tv-weight", o->weights.tv, "weight of the total-variation loss")->check(finite_in(0.0, 1e9));
  sub->add_option("--seed", o->seed, "seed of the network and the data sampling")->check(unsigned_integer());
  sub->add_option("--feature-seed", o->feature_seed, "seed of the random feature network")->check(unsigned_integer());
  sub->add_option("--max-photos", o->max_photos, "use at most this many photos (0: all)")->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  sub->add_option("--teacher", o->teacher,
                  "patches: learn what patch synthesis makes of each photo (made once, kept in OUT.teacher/)")
      ->check(CLI::IsMember({"patches"}));
  sub->add_option("--teacher-pixel", o->teacher_pixel_weight, "weight of the L1 distance to the teacher's result")
      ->check(finite_in(0.0, 1e9));
  sub->add_option("--teacher-cache", o->teacher_cache,
                  "folder the teacher's results are kept in (default: OUT.teacher)")
      ->type_name("DIR");
  sub->callback([o, hours, sub, &global] {
    if (o->out.empty()) throw ArgumentError("train stylize needs -o/--output MODEL.nsm");
    if (o->crop % 8 != 0) throw ArgumentError("--crop must be a multiple of 8, got " + std::to_string(o->crop));
    if (*hours >= 0.0) o->minutes = *hours * 60.0;
    // Recorded as `train style`, the spelling model files have always carried (both names run it).
    o->command_line = recorded_command("neuroshop train style", *sub);
    ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet));
    const stylize::TrainSummary s = stylize::train(*o, bar.callback());
    bar.finish();
    if (!o->teacher.empty())
      std::printf("teacher: %lld results made, the others read from %s\n", static_cast<long long>(s.teacher_computed),
                  s.teacher_cache.c_str());
    std::printf("trained %lld steps in %s on %lld photos (%lld held out), %lld parameters\n"
                "last step: loss %.4f (style %.4f, content %.4f, tv %.5f); validation: loss %.4f (style %.4f, content %.4f)\n"
                "model: %s\n",
                static_cast<long long>(s.step), format_duration(s.seconds).c_str(), static_cast<long long>(s.train_photos),
                static_cast<long long>(s.val_photos), static_cast<long long>(s.parameters), s.train.total, s.train.style,
                s.train.content, s.train.tv, s.val.total, s.val.style, s.val.content, o->out.c_str());
  });
}

// Three photos and three paintings of ../shared/data (from the working directory or beside the
// checkout the executable is built in, as find_shipped looks), when that folder is there.
std::vector<stylize::EvalPair> default_eval_pairs() {
  const fs::path data = find_shipped(fs::path("..") / "shared" / "data");
  const std::vector<std::string> photos = {"photos/debian/kphotoalbum/grand_canyon_1.jpg",
                                           "photos/debian/mate-backgrounds/FreshFlower.jpg",
                                           "photos/debian/kphotoalbum/skagen.jpg"};
  const std::vector<std::string> paintings = {"paintings/Van_Gogh__The_Starry_Night.png",
                                              "paintings/Katsushika_Hokusai_The_Great_Wave_off_Kanagawa_-_1823-1829.png",
                                              "paintings/Wassily_Kandinsky_Composition_VIII_-_1923.png"};
  std::vector<stylize::EvalPair> pairs;
  for (size_t i = 0; i < photos.size(); ++i) {
    const fs::path c = data / photos[i], s = data / paintings[i];
    if (!fs::exists(c) || !fs::exists(s))
      throw ArgumentError("eval stylize: give --pairs CONTENT=STYLE... (the default pairs of ../shared/data are not here)");
    pairs.push_back({c.lexically_normal().string(), s.lexically_normal().string()});
  }
  return pairs;
}

void add_eval_stylize(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<stylize::EvalOptions>();
  auto pairs = std::make_shared<std::vector<std::string>>();
  auto optimizer = std::make_shared<std::string>("lbfgs");
  auto json = std::make_shared<bool>(false);
  o->stylize.size = 256;
  CLI::App& eval = command_group(app, "eval", "measure a model against simple baselines");
  CLI::App* sub = eval.add_subcommand(
      "stylize", "style distance (independently seeded features) before/after and edge SSIM, per content/style pair");
  sub->add_option("--pairs", *pairs, "content and style images (default: 3 pairs from ../shared/data)")
      ->type_name("CONTENT=STYLE...");
  sub->add_option("--model", o->model, "evaluate a fast-style model (the pairs' styles are only measured against)")
      ->type_name("FILE");
  sub->add_option("--size", o->stylize.size, "long side the pairs are stylized and measured at")
      ->check(CLI::Range(int64_t{32}, int64_t{4096}));
  add_optimization_options(sub, o->stylize, *optimizer);
  sub->add_option("--eval-seed", o->eval_seed, "seed of the measuring feature network (not the optimized one)")
      ->check(unsigned_integer());
  sub->add_flag("--json", *json, "print the table as JSON");
  sub->callback([o, pairs, optimizer, json, &global] {
    o->stylize.optimizer = stylize::parse_optimizer(*optimizer);
    for (const std::string& p : *pairs) o->pairs.push_back(stylize::parse_eval_pair(p));
    if (o->pairs.empty()) o->pairs = default_eval_pairs();
    ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet));
    const stylize::EvalResult r = stylize::evaluate(*o, bar.callback());
    bar.finish();
    if (*json) {
      JsonWriter j(std::cout);
      j.begin_object().field("method", o->model.empty() ? std::string("optimization") : o->model);
      j.field("size", o->stylize.size).field("eval_seed", static_cast<int64_t>(o->eval_seed));
      j.key("pairs").begin_array();
      for (const auto& p : r.pairs) {
        j.begin_object().field("content", p.content).field("style", p.style);
        j.field("style_distance_before", p.style_before).field("style_distance_after", p.style_after);
        j.field("edge_ssim", p.edge_ssim).field("palette_style_distance", p.palette_after);
        j.field("palette_edge_ssim", p.palette_edge_ssim).field("seconds", p.seconds);
        j.field("texture_distance_before", p.texture_before).field("texture_distance_after", p.texture_after);
        j.field("patch_distance_before", p.patch_before).field("patch_distance_after", p.patch_after);
        j.field("patch_distribution_before", p.spread_before).field("patch_distribution_after", p.spread_after);
        j.field("palette_patch_distribution", p.palette_spread);
        j.field("colour_speckle_painting", p.speckle_painting).field("colour_speckle_after", p.speckle_after);
        j.field("own_half_texture_distance", p.texture_own).field("own_half_patch_distribution", p.spread_own);
        j.field("artefact_db_content", p.artefact_content).field("artefact_db_after", p.artefact_after);
        j.field("palette_texture_distance", p.palette_texture).field("palette_patch_distance", p.palette_patch);
        j.field("stroke_level", static_cast<int64_t>(p.stroke_level)).end_object();
      }
      j.end_array();
      j.field("mean_style_distance_before", r.mean_before).field("mean_style_distance_after", r.mean_after);
      j.field("mean_edge_ssim", r.mean_edge_ssim).field("mean_palette_style_distance", r.mean_palette_after);
      j.field("mean_palette_edge_ssim", r.mean_palette_edge_ssim);
      j.field("mean_texture_ratio", r.mean_texture_ratio).field("mean_patch_ratio", r.mean_patch_ratio);
      j.field("mean_patch_distribution_ratio", r.mean_spread_ratio).field("mean_colour_speckle_ratio", r.mean_speckle_ratio);
      j.field("mean_own_half_texture_ratio", r.mean_texture_own_ratio).field("mean_own_half_distribution_ratio", r.mean_spread_own_ratio);
      j.field("mean_artefact_db_content", r.mean_artefact_content).field("mean_artefact_db_after", r.mean_artefact_after);
      j.end_object();
      return;
    }
    std::printf("%s at %lld px; style distance = mean relative Gram error, feature net seed %llu (independent);\n"
                "palette only = the content recoloured into the painting's palette, no texture;\n"
                "Gabor texture, nearest-patch and patch-distribution distances to the painting (stroke scale),\n"
                "content -> result; colour speckle = fine-scale chroma RMS, painting -> result;\n"
                "own half = the painting's one half against its other half, as a ratio to the content's distance\n"
                "(how low a genuine piece of the painting takes the ratio);\n"
                "grid artefact = largest stride-frequency spectral peak, dB, content -> result\n\n"
                "| content | style | style distance before | after | after/before | edge SSIM | palette only: distance | edge SSIM "
                "| texture before | after | ratio | patch before | after | ratio | distribution before | after | ratio "
                "| speckle painting | result | ratio | artefact dB content | result | seconds | palette only: texture ratio | patch ratio | distribution ratio "
                "| own half: texture ratio | distribution ratio |\n"
                "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
                o->model.empty() ? "optimization" : o->model.c_str(), static_cast<long long>(o->stylize.size),
                static_cast<unsigned long long>(o->eval_seed));
    for (const auto& p : r.pairs)
      std::printf("| %s | %s | %.4f | %.4f | %.3f | %.3f | %.4f | %.3f | %.3f | %.3f | %.3f | %.4f | %.4f | %.3f | %.4f | %.4f | %.3f "
                  "| %.2f | %.2f | %.2f | %.1f | %.1f | %.2f | %.3f | %.3f | %.3f | %.3f | %.3f |\n",
                  fs::path(p.content).filename().c_str(), fs::path(p.style).filename().c_str(), p.style_before,
                  p.style_after, p.style_after / std::max(p.style_before, 1e-12), p.edge_ssim, p.palette_after,
                  p.palette_edge_ssim, p.texture_before, p.texture_after, p.texture_after / std::max(p.texture_before, 1e-12),
                  p.patch_before, p.patch_after, p.patch_after / std::max(p.patch_before, 1e-12), p.spread_before,
                  p.spread_after, p.spread_after / std::max(p.spread_before, 1e-12), p.speckle_painting, p.speckle_after,
                  p.speckle_after / std::max(p.speckle_painting, 1e-12), p.artefact_content,
                  p.artefact_after, p.seconds, p.palette_texture / std::max(p.texture_before, 1e-12),
                  p.palette_patch / std::max(p.patch_before, 1e-12), p.palette_spread / std::max(p.spread_before, 1e-12),
                  p.texture_own / std::max(p.texture_before, 1e-12), p.spread_own / std::max(p.spread_before, 1e-12));
    std::printf("| mean | | %.4f | %.4f | %.3f | %.3f | %.4f | %.3f | | | %.3f | | | %.3f | | | %.3f | | | %.2f | %.1f | %.1f | | | | | %.3f | %.3f |\n",
                r.mean_before, r.mean_after, r.mean_after / std::max(r.mean_before, 1e-12), r.mean_edge_ssim,
                r.mean_palette_after, r.mean_palette_edge_ssim, r.mean_texture_ratio, r.mean_patch_ratio,
                r.mean_spread_ratio, r.mean_speckle_ratio, r.mean_artefact_content,
                r.mean_artefact_after, r.mean_texture_own_ratio, r.mean_spread_own_ratio);
  });
}

}  // namespace

void add_stylize_command(CLI::App& app, const GlobalOptions& global) {
  add_stylize(app, global);
  add_train_style(app, global);
  add_eval_stylize(app, global);
}

}  // namespace neuroshop::cli
