// `neuroshop colorize`, `neuroshop train colorize` and `neuroshop eval colorize`: options, progress
// and printing; the work is in src/apps/colorize/.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "apps/colorize/colorize.h"
#include "apps/colorize/eval.h"
#include "apps/colorize/prepare.h"
#include "apps/colorize/train.h"
#include "apps/common/batch.h"
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

namespace neuroshop::cli {
namespace {

struct ColorizeArgs {
  BatchArgs batch;
  std::string model;
  colorize::ColorizeOptions options;
  std::vector<std::string> hints;
  VideoArgs video;
};

void run_colorize(ColorizeArgs& args, const GlobalOptions& global) {
  for (const std::string& h : args.hints) args.options.hints.push_back(colorize::parse_hint(h));
  if (is_video_job(args.batch.options.inputs, args.batch.options.output, args.video)) {
    if (!args.options.hints.empty()) throw ArgumentError("--hint applies to photos, not clips");
    colorize::ColorizeModel model = colorize::ColorizeModel::load(args.model);
    run_video_job(args.batch.options.inputs, args.batch.options.output, "colorized", args.video,
                  video::colorize_frames(model, args.options), video::kColorizeCarries, global);
    return;
  }
  const apps::BatchOptions batch = batch_options(args.batch);
  const NewOutputFolder new_folder(batch.output);
  ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet));
  const apps::BatchReport report = colorize::colorize_files(args.model, args.options, batch, [&](const ProgressEvent& e) {
    if (e.total > 1) bar.update(e);
  });
  bar.finish();
  finish_batch(report, global.quiet);
}

void add_colorize(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<ColorizeArgs>();
  args->model = default_model_path("colorize.nsm");
  CLI::App* sub = app.add_subcommand("colorize", "colorize black-and-white photos (colour ones are re-colorized from their luminance)");
  add_batch_inputs(*sub, args->batch, "image files or folders", "INPUT...");
  add_batch_output(*sub, args->batch, "output file (one input) or folder; default: beside each input as NAME-colorized.EXT",
                   "FILE|DIR");
  sub->add_option("--model", args->model, "colorize model file");
  sub->add_option("--vividness", args->options.vividness, "annealed-mean temperature: lower is more vivid, 1 is the plain mean")
      ->check(finite_in(0.01, 10.0));
  sub->add_option("--prior-correction", args->options.prior_correction,
                  "undo the training's colour rebalancing: 0 favours rare vivid colours, 1 decodes the plain likelihood")
      ->check(finite_in(0.0, 1.0));
  sub->add_option("--size", args->options.size, "long side of the working image the network sees (the colour is then upsampled to the full image)")->check(CLI::Range(int64_t{32}, int64_t{4096}));
  sub->add_option("--hint", args->hints, "colour hint X,Y,#RRGGBB at pixel X,Y (repeatable)")->type_name("X,Y,#RRGGBB");
  add_batch_options(*sub, args->batch);
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
  add_model_output(*sub, o->out);
  add_training_loop_options(*sub, *o);
  sub->add_option("--hours", o->hours, "also stop after this many hours in this run")->check(finite_in(0.0, 10000.0));
  sub->add_option("--seed", o->seed, "random seed")->check(unsigned_integer());
  sub->add_option("--batch", o->batch_size, "crops per step")->check(CLI::Range(int64_t{1}, int64_t{1024}));
  sub->add_option("--crop", o->crop, "training crop side (multiple of 8)")->check(CLI::Range(int64_t{32}, int64_t{1024}));
  sub->add_option("--photo-side", o->photo_side, "photos are kept with their short side at most this many pixels")
      ->check(CLI::Range(int64_t{32}, int64_t{4096}));
  sub->add_option("--min-chroma", o->min_mean_chroma,
                  "skip photos whose mean Lab chroma is below this (gray and near-gray; 0 keeps every colour photo)")
      ->check(finite_in(0.0, 100.0));
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
  sub->add_option("--size", o->size, "long side the photos are evaluated at")->check(CLI::Range(int64_t{32}, int64_t{4096}));
  sub->add_option("--working-size", o->working_size, "long side of the working image the network sees (colorize --size; 0: --size)")
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

void add_prepare_photos(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<colorize::PrepareOptions>();
  CLI::App* sub = app.add_subcommand("prepare-photos",
                                     "turn folders of photos into a colorize training set: colour only, downscaled, near-duplicates dropped");
  sub->add_option("--data", o->inputs, "photo files or folders (searched recursively), as train colorize takes them")
      ->required()->type_name("DIR...");
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

}  // namespace

void add_colorize_command(CLI::App& app, const GlobalOptions& global) {
  add_colorize(app, global);
  add_prepare_photos(app, global);
  add_train_colorize(app, global);
  add_eval_colorize(app, global);
}

}  // namespace neuroshop::cli
