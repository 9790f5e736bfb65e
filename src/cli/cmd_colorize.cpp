// `neuroshop colorize`, `neuroshop train colorize` and `neuroshop eval colorize`: options, progress
// and printing; the work is in src/apps/colorize/.
#include <CLI/CLI.hpp>

#include <atomic>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "apps/colorize/colorize.h"
#include "apps/colorize/eval.h"
#include "apps/colorize/prepare.h"
#include "apps/colorize/train.h"
#include "apps/common/batch.h"
#include "apps/video/methods.h"
#include "cli/commands.h"
#include "cli/json.h"
#include "cli/progress.h"
#include "cli/shared_options.h"
#include "cli/training_options.h"
#include "cli/validators.h"
#include "cli/video_jobs.h"
#include "core/errors.h"
#include "core/kernels/parallel.h"
#include "io/image_file.h"

namespace neuroshop::cli {
namespace {

struct ColorizeArgs {
  std::vector<std::string> inputs;
  std::string out;
  std::string model;
  float vividness = colorize::kDefaultVividness;
  float prior_correction = colorize::kDefaultPriorCorrection;
  int64_t size = 256;
  std::vector<std::string> hints;
  bool recursive = false;
  int jobs = 1;
  std::string shard = "0/1";
  VideoArgs video;
};

void run_colorize(const ColorizeArgs& args, const GlobalOptions& global) {
  colorize::ColorizeOptions options;
  options.vividness = args.vividness;
  options.prior_correction = args.prior_correction;
  options.size = args.size;
  for (const std::string& h : args.hints) options.hints.push_back(colorize::parse_hint(h));
  if (is_video_job(args.inputs, args.out, args.video)) {
    if (!options.hints.empty()) throw ArgumentError("--hint applies to photos, not clips");
    colorize::ColorizeModel model = colorize::ColorizeModel::load(args.model);
    run_video_job(args.inputs, args.out, "colorized", args.video, video::colorize_frames(model, options),
                  video::kColorizeCarries, global);
    return;
  }
  const apps::Shard shard = apps::parse_shard(args.shard);

  std::vector<std::string> inputs = list_images(args.inputs, args.recursive);
  if (inputs.empty()) throw IoError("no images found in the given inputs");
  inputs = apps::take_shard(inputs, shard);
  if (!options.hints.empty() && inputs.size() > 1)
    throw ArgumentError("--hint applies to one image; give a single input with hints");

  const int jobs = static_cast<int>(std::min<size_t>(static_cast<size_t>(args.jobs), inputs.size()));
  // Each job holds its own network (layers cache activations); the engine's threads are split among them.
  if (jobs > 1) set_num_threads(std::max(1, global.threads / jobs));
  std::vector<std::unique_ptr<colorize::ColorizeModel>> models;
  for (int j = 0; j < jobs; ++j)
    models.push_back(std::make_unique<colorize::ColorizeModel>(colorize::ColorizeModel::load(args.model)));
  const NewOutputFolder new_folder(args.out);
  const auto plan = apps::plan_outputs(inputs, args.out, "colorized");

  ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet || plan.size() == 1));
  std::atomic<size_t> next{0}, done{0};
  std::mutex error_mutex;
  std::string first_error;
  auto worker = [&](int j) {
    for (size_t i = next++; i < plan.size(); i = next++) {
      try {
        const Image input = read_image(plan[i].first);
        write_image(plan[i].second, colorize::colorize_image(*models[static_cast<size_t>(j)], input, options));
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (first_error.empty()) first_error = e.what();
        next = plan.size();  // stop the other workers after their current image
      }
      bar.update({static_cast<int64_t>(++done), static_cast<int64_t>(plan.size()), "colorize", {}});
    }
  };
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs; ++j) threads.emplace_back(worker, j);
  worker(0);
  for (auto& t : threads) t.join();
  bar.finish();
  if (!first_error.empty()) throw Error(first_error);
  if (!global.quiet)
    for (const auto& [in, out] : plan) std::cout << out << "\n";
}

void add_colorize(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<ColorizeArgs>();
  args->model = default_model_path("colorize.nsm");
  CLI::App* sub = app.add_subcommand("colorize", "colorize black-and-white photos (colour ones are re-colorized from their luminance)");
  sub->add_option("inputs", args->inputs, "image files or folders")->required()->type_name("INPUT...");
  sub->add_option("-o,--output", args->out, "output file (one input) or folder; default: beside each input as NAME-colorized.EXT")
      ->type_name("FILE|DIR");
  sub->add_option("--model", args->model, "colorize model file");
  sub->add_option("--vividness", args->vividness, "annealed-mean temperature: lower is more vivid, 1 is the plain mean")
      ->check(finite_in(0.01, 10.0));
  sub->add_option("--prior-correction", args->prior_correction,
                  "undo the training's colour rebalancing: 0 favours rare vivid colours, 1 decodes the plain likelihood")
      ->check(finite_in(0.0, 1.0));
  sub->add_option("--size", args->size, "working resolution (short side) the network sees")->check(CLI::Range(32, 4096));
  sub->add_option("--hint", args->hints, "colour hint X,Y,#RRGGBB at pixel X,Y (repeatable)")->type_name("X,Y,#RRGGBB");
  sub->add_flag("-r,--recursive", args->recursive, "search folders recursively");
  sub->add_option("--jobs", args->jobs, "images processed at once")->check(CLI::Range(1, 64));
  sub->add_option("--shard", args->shard, "process only shard I of N of the sorted inputs (for job arrays)")->type_name("I/N");
  add_video_options(*sub, args->video);
  sub->callback([args, &global] { run_colorize(*args, global); });
}

void add_train_colorize(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<colorize::TrainOptions>();
  CLI::App& train = command_group(app, "train", "train a model on your own images");
  CLI::App* sub = train.add_subcommand("colorize", "train the colorization network on colour photos");
  sub->add_option("--data", o->data, "folders or files of colour photos (searched recursively)")->required()->type_name("DIR...");
  sub->add_option("--val-list", o->val_list, "list of validation photos (relative to the list's folder), never trained on")
      ->type_name("FILE");
  sub->add_option("--out", o->out, "model file to write (checkpoint, JSON log and loss curve go beside it)");
  add_training_loop_options(*sub, *o);
  sub->add_option("--hours", o->hours, "also stop after this many hours in this run")->check(finite_in(0.0, 10000.0));
  sub->add_option("--seed", o->seed, "random seed")->check(unsigned_integer());
  sub->add_option("--batch", o->batch_size, "crops per step")->check(CLI::Range(int64_t{1}, int64_t{1024}));
  sub->add_option("--crop", o->crop, "training crop side (multiple of 8)")->check(CLI::Range(int64_t{32}, int64_t{1024}));
  sub->add_option("--photo-side", o->photo_side, "photos are kept with their short side at most this many pixels")
      ->check(CLI::Range(int64_t{32}, int64_t{4096}));
  sub->add_option("--zoom", o->max_zoom, "scale jitter: crops cover crop..ZOOM*crop photo pixels")->check(finite_in(1.0, 16.0));
  sub->add_option("--init", o->init, "fine-tune this colorize model instead of training a new network")
      ->type_name("MODEL");
  sub->add_option("--width", o->width, "network width (a new network's; --init keeps the model's)")->check(CLI::Range(int64_t{4}, int64_t{256}));
  sub->add_flag("--continue", o->continue_schedule,
                "with --init: the model is this run's own snapshot; continue its schedule at its step (lost checkpoint)");
  sub->add_option("--arch", o->arch, "network version of a new network: 1 (930k parameters at width 32) or 2 (deeper, residual middle)")
      ->check(CLI::Range(int64_t{1}, int64_t{2}));
  sub->callback([o, sub, &global] {
    o->command_line = recorded_command("neuroshop train colorize", *sub);
    ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet));
    const colorize::TrainSummary s = colorize::train(*o, bar.callback());
    bar.finish();
    std::cout << "trained " << s.step << " steps in " << format_duration(s.seconds) << " on " << s.train_photos
              << " photos (" << s.skipped_gray << " gray skipped), " << s.num_bins << " ab bins; train loss "
              << s.train_loss << ", validation loss " << s.val_loss << "\nmodel: " << o->out << "\n";
  });
}

void add_eval_colorize(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<colorize::EvalOptions>();
  auto model_path = std::make_shared<std::string>(default_model_path("colorize.nsm"));
  auto json = std::make_shared<bool>(false);
  CLI::App& eval = command_group(app, "eval", "measure a model against simple baselines");
  CLI::App* sub = eval.add_subcommand("colorize", "PSNR, AuC (plain and rebalanced) and colourfulness vs gray and lookup baselines");
  auto* data = sub->add_option("--data", o->data, "folders or files of colour photos")->type_name("DIR...");
  auto* list = sub->add_option("--list", o->list, "list file of photos (relative to its folder)")->type_name("FILE");
  data->excludes(list);
  sub->add_option("--model", *model_path, "colorize model file");
  sub->add_option("--size", o->size, "short side the photos are evaluated at")->check(CLI::Range(int64_t{32}, int64_t{4096}));
  sub->add_option("--working-size", o->working_size, "short side the network sees (colorize --size; 0: --size)")
      ->check(CLI::Range(int64_t{0}, int64_t{4096}));
  sub->add_option("--vividness", o->vividness, "annealed-mean temperature")->check(finite_in(0.01, 10.0));
  sub->add_option("--prior-correction", o->prior_correction, "undo the colour rebalancing (0..1)")
      ->check(finite_in(0.0, 1.0));
  sub->add_option("--max-images", o->max_images, "evaluate at most this many (0: all)")->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  sub->add_flag("--mirror", o->mirror, "average the predictions for each photo and its mirror image");
  sub->add_option("--sheet", o->sheet, "also write a contact sheet (gray | model | original) of the first photos")
      ->type_name("IMAGE");
  sub->add_option("--sheet-count", o->sheet_count, "photos on the contact sheet")->check(CLI::Range(int64_t{1}, int64_t{400}));
  sub->add_flag("--json", *json, "print the table as JSON");
  sub->callback([o, model_path, json, &global] {
    if (o->data.empty() && o->list.empty()) throw ArgumentError("eval colorize needs --data DIR... or --list FILE");
    colorize::ColorizeModel model = colorize::ColorizeModel::load(*model_path);
    ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet));
    const colorize::EvalResult r = colorize::evaluate(model, *o, bar.callback());
    bar.finish();
    if (*json) {
      JsonWriter j(std::cout);
      j.begin_object().field("images", r.images).field("skipped_gray", r.skipped_gray);
      for (const auto& m : r.methods) {
        j.key(m.name).begin_object();
        j.field("psnr", m.psnr).field("auc", m.auc).field("auc_rebalanced", m.auc_rebalanced);
        j.field("colorfulness_ratio", m.colorfulness_ratio).end_object();
      }
      j.end_object();
      return;
    }
    std::printf("%lld photos (%lld gray skipped)\n\n| method | PSNR (dB) | AuC (%%) | AuC rebalanced (%%) | colourfulness ratio |\n|---|---|---|---|---|\n",
                static_cast<long long>(r.images), static_cast<long long>(r.skipped_gray));
    for (const auto& m : r.methods)
      std::printf("| %s | %.2f | %.2f | %.2f | %.3f |\n", m.name.c_str(), m.psnr, m.auc, m.auc_rebalanced, m.colorfulness_ratio);
  });
}

}  // namespace

void add_prepare_photos(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<colorize::PrepareOptions>();
  CLI::App* sub = app.add_subcommand("prepare-photos",
                                     "turn folders of photos into a colorize training set: colour only, downscaled, near-duplicates dropped");
  sub->add_option("inputs", o->inputs, "photo files or folders (searched recursively)")->required()->type_name("PATH...");
  sub->add_option("-o,--output", o->output, "folder to write the photos and manifest.tsv into")->required()->type_name("DIR");
  sub->add_option("--exclude", o->exclude, "photos (files or folders) whose near-duplicates are left out, e.g. test sets")
      ->type_name("PATH...");
  sub->add_option("--short-side", o->short_side, "downscale so the short side is at most this many pixels")
      ->check(CLI::Range(int64_t{32}, int64_t{4096}));
  sub->add_option("--min-side", o->min_side, "skip photos whose short side is smaller")->check(CLI::Range(int64_t{1}, int64_t{4096}));
  sub->add_option("--min-chroma", o->min_mean_chroma, "skip photos whose mean Lab chroma is below this (gray, sepia)")
      ->check(finite_in(0.0, 100.0));
  sub->add_option("--hash-distance", o->max_hash_distance, "difference hashes this many bits apart count as one photo")
      ->check(CLI::Range(int64_t{0}, int64_t{32}));
  sub->callback([o, &global] {
    ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet));
    const colorize::PrepareSummary s = colorize::prepare_photos(*o, bar.callback());
    bar.finish();
    std::cout << "wrote " << s.written << " of " << s.found << " photos to " << o->output << " (skipped: " << s.gray
              << " gray, " << s.small << " too small, " << s.unreadable << " unreadable, " << s.duplicates
              << " duplicates, " << s.excluded << " excluded)\nmanifest: " << s.manifest << "\n";
  });
}

void add_colorize_command(CLI::App& app, const GlobalOptions& global) {
  add_colorize(app, global);
  add_prepare_photos(app, global);
  add_train_colorize(app, global);
  add_eval_colorize(app, global);
}

}  // namespace neuroshop::cli
