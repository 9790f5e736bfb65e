// `neuroshop cutout`: product photos on a plain background in, RGBA cut-outs out (as background
// removers do); the matting network when its model is there, GrabCut otherwise or on request.
// The work is in src/apps/tryon/ (matte.h, cutout.h).
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

#include <opencv2/imgproc.hpp>

#include "apps/common/batch.h"
#include "apps/tryon/cutout.h"
#include "apps/tryon/matte.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/shared_options.h"
#include "core/errors.h"
#include "io/image_file.h"

namespace neuroshop::cli {
namespace {

struct CutoutArgs {
  std::vector<std::string> inputs;
  std::string out;
  std::string method = "auto";
  std::string model;
  bool recursive = false;
  bool crop = false;
};

bool keeps_alpha(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".png" || ext == ".webp" || ext == ".tif" || ext == ".tiff";
}

void run_cutout(const CutoutArgs& args, const GlobalOptions& global) {
  const std::vector<std::string> inputs = list_images(args.inputs, args.recursive);
  if (inputs.empty()) throw IoError("no images found in the given inputs");
  if (!args.out.empty() && has_image_extension(args.out) && !keeps_alpha(args.out))
    throw ArgumentError("-o '" + args.out + "': a cut-out has transparency; write .png, .webp or .tif");
  const NewOutputFolder new_folder(args.out);
  auto plan = apps::plan_outputs(inputs, args.out, "cutout");
  for (auto& [in, out] : plan)
    if (!keeps_alpha(out)) out = std::filesystem::path(out).replace_extension(".png").string();

  std::unique_ptr<tryon::MatteModel> model;
  const bool want_network = args.method == "network" || (args.method == "auto" && std::filesystem::exists(args.model));
  if (want_network) model = std::make_unique<tryon::MatteModel>(tryon::MatteModel::load(args.model));
  const std::string used = model ? "network" : args.method == "threshold" ? "threshold" : "grabcut";

  ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet || plan.size() == 1));
  int64_t done = 0;
  for (const auto& [in, out] : plan) {
    const Image image = read_image(in);
    cv::Mat pixels = image.pixels;
    if (pixels.channels() == 1) cv::cvtColor(pixels, pixels, cv::COLOR_GRAY2BGR);
    cv::Mat bgr;
    pixels.convertTo(bgr, CV_32FC3, image.bit_depth == 16 ? 1.0 / 65535.0 : 1.0 / 255.0);
    const cv::Mat alpha = model                  ? tryon::network_cutout(*model, bgr)
                          : used == "threshold" ? tryon::threshold_alpha(bgr)
                                                : tryon::grabcut_alpha(bgr);
    cv::Mat alpha_out;
    alpha.convertTo(alpha_out, pixels.depth(), image.bit_depth == 16 ? 65535.0 : 255.0);
    cv::Rect keep(0, 0, pixels.cols, pixels.rows);
    if (args.crop) {
      const cv::Mat opaque = alpha > 0.02f;
      if (cv::countNonZero(opaque) > 0) keep = cv::boundingRect(opaque);
    }
    write_image(out, pixels(keep), alpha_out(keep));
    bar.update({++done, static_cast<int64_t>(plan.size()), "cutout", {}});
  }
  bar.finish();
  if (!global.quiet)
    for (const auto& [in, out] : plan) std::cout << out << "\n";
}

}  // namespace

void add_cutout_command(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<CutoutArgs>();
  args->model = default_model_path("matte.nsm");
  CLI::App* sub = app.add_subcommand("cutout", "cut products out of photos on a plain background (RGBA out)");
  sub->add_option("inputs", args->inputs, "product photos or folders")->required()->type_name("PHOTO...");
  sub->add_option("-o,--output", args->out, "output .png (one input) or folder; default: beside each input as NAME-cutout.png")
      ->type_name("OUT.png|DIR");
  sub->add_option("--method", args->method, "auto: the network when its model is there, else GrabCut")
      ->check(CLI::IsMember({"auto", "network", "grabcut", "threshold"}));
  sub->add_option("--model", args->model, "matte model file");
  sub->add_flag("--crop", args->crop, "crop the output to the cut-out's bounding box");
  sub->add_flag("-r,--recursive", args->recursive, "search folders recursively");
  sub->callback([args, &global] { run_cutout(*args, global); });
}

}  // namespace neuroshop::cli
