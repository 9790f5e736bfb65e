// `neuroshop cutout`: product photos on a plain background in, RGBA cut-outs out (as background
// removers do); the matting network when its model is there, GrabCut otherwise or on request.
// The work is in src/apps/matte/ (cutout.h: cutout_image per photo, cutout_files for a batch).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "apps/common/batch.h"
#include "apps/matte/cutout.h"
#include "cli/batch_options.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/shared_options.h"

namespace neuroshop::cli {
namespace {

struct CutoutArgs {
  BatchArgs batch;
  std::string method = "auto";
  std::string model;
  bool crop = false;
};

void run_cutout(const CutoutArgs& args, const GlobalOptions& global) {
  const apps::BatchOptions batch = batch_options(args.batch);
  const NewOutputFolder new_folder(batch.output);
  ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet));
  const apps::BatchReport report = matte::cutout_files(args.method, args.model, args.crop, batch, [&](const ProgressEvent& e) {
    if (e.total > 1) bar.update(e);
  });
  bar.finish();
  finish_batch(report, global.quiet);
}

}  // namespace

void add_cutout_command(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<CutoutArgs>();
  args->model = default_model_path("matte.nsm");
  CLI::App* sub = app.add_subcommand("cutout", "cut products out of photos on a plain background (RGBA out)");
  add_batch_inputs(*sub, args->batch, "product photos or folders", "PHOTO...");
  add_batch_output(*sub, args->batch, "output .png (one input) or folder; default: beside each input as NAME-cutout.png",
                   "OUT.png|DIR");
  sub->add_option("--method", args->method, "auto: the network when its model is there, else GrabCut")
      ->check(CLI::IsMember({"auto", "network", "grabcut", "threshold"}));
  sub->add_option("--model", args->model, "matte model file");
  // --trim, not --crop: everywhere else --crop is a training crop's side.
  sub->add_flag("--trim", args->crop, "trim the output to the cut-out's bounding box");
  sub->add_flag("--crop", args->crop, "old spelling of --trim")->group("");
  add_batch_options(*sub, args->batch);
  sub->callback([args, &global] { run_cutout(*args, global); });
}

}  // namespace neuroshop::cli
