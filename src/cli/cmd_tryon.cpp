// `neuroshop tryon`: options, the per-item option sequence and printing; the work is in
// src/apps/tryon/. Per-item options (--at, --height-px, --height-cm, --width-cm, --rotate, --flip)
// apply to the latest --item: they are CLI11 options whose callbacks run as each is parsed
// (trigger_on_parse), so their order on the command line is kept.
#include <array>
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "apps/common/batch.h"
#include "apps/harmonize/train.h"
#include "apps/matte/train.h"
#include "apps/tryon/networks.h"
#include "apps/tryon/tryon.h"
#include "cli/batch_options.h"
#include "cli/commands.h"
#include "cli/json.h"
#include "cli/progress.h"
#include "cli/shared_options.h"
#include "cli/training_options.h"
#include "cli/validators.h"
#include "core/errors.h"
#include "core/parse_number.h"

namespace neuroshop::cli {
namespace {

struct TryOnArgs {
  BatchArgs batch;  // the rooms (files or folders), -o, and the batch options for several rooms
  std::vector<tryon::ItemPlacement> items;
  bool before_after = false;
  std::optional<double> horizon;
  double camera_height_cm = 150.0;
  bool camera_height_given = false;  // on the command line (it then overrides a scene file's)
  std::string light = "auto";
  std::string occluder;
  std::vector<std::string> in_front;
  std::string catalogue;
  bool no_harmonize = false;
  bool poisson_seams = false;
  std::string scene;
  std::string cutout = "auto";
  std::string harmonize_model;
  std::string matte_model;
  bool json = false;
};

double parse_number(const std::string& text, const std::string& who) {
  if (const std::optional<double> v = parse_finite(text)) return *v;
  throw ArgumentError(who + ": expected a number, got '" + text + "'");
}

tryon::ItemPlacement& latest(TryOnArgs& args, const std::string& option) {
  if (args.items.empty()) throw ArgumentError(option + " applies to an item: give --item FILE before it");
  return args.items.back();
}

void print_report(const tryon::TryOnReport& r, const std::string& output, bool json) {
  if (json) {
    JsonWriter j(std::cout);
    j.begin_object().field("output", output);
    j.key("horizon").begin_object().field("y", r.horizon.y).field("from_image", r.horizon.from_image);
    j.field("given", r.horizon_given).field("note", r.horizon.note).end_object();
    j.key("light").numbers({r.light.x, r.light.y});
    j.field("cast_shadow", r.shadow.cast).field("contact_shadow", r.shadow.contact);
    j.key("items").begin_array();
    for (const auto& it : r.items) {
      j.begin_object().field("file", it.file).key("at").numbers({it.at.x, it.at.y});
      j.key("box").numbers({static_cast<double>(it.box.x), static_cast<double>(it.box.y),
                            static_cast<double>(it.box.width), static_cast<double>(it.box.height)});
      j.field("height_px", it.height_px).field("pixels_per_cm", it.pixels_per_cm).field("size_from", it.size_from);
      j.field("colour", it.colour).field("cutout", it.cutout);
      if (!it.view.empty()) j.field("view", it.view).field("view_reason", it.view_reason).field("sight_deg", it.sight_deg);
      j.key("behind").begin_array();
      for (int k : it.behind) j.value(k);
      j.end_array().end_object();
    }
    j.end_array();
    j.key("in_front").begin_array();
    for (const auto& o : r.in_front) {
      j.begin_object().key("point").numbers({o.point.x, o.point.y});
      j.key("box").numbers({static_cast<double>(o.box.x), static_cast<double>(o.box.y), static_cast<double>(o.box.width),
                            static_cast<double>(o.box.height)});
      j.field("contact_y", o.contact_y).key("hides").begin_array();
      for (int i : o.hides) j.value(i);
      j.end_array().end_object();
    }
    j.end_array().end_object();
    return;
  }
  std::cout << r.horizon.note << "\n";
  std::printf("light: (%.0f, %.0f)%s; shadows: cast %.2f, contact %.2f\n", r.light.x, r.light.y,
              r.light_given ? " (given)" : " (brightest region)", r.shadow.cast, r.shadow.contact);
  for (const auto& it : r.items) {
    std::printf("%s: at (%.0f, %.0f), %dx%d px, %s%s, colour: %s, cut-out: %s\n", it.file.c_str(), it.at.x, it.at.y,
                it.box.width, it.box.height, it.size_from.c_str(),
                it.pixels_per_cm > 0 ? (" = " + std::to_string(it.pixels_per_cm).substr(0, 5) + " px/cm").c_str() : "",
                it.colour.c_str(), it.cutout.c_str());
    if (!it.view.empty()) std::printf("  view %s: %s\n", it.view.c_str(), it.view_reason.c_str());
  }
  for (size_t k = 0; k < r.in_front.size(); ++k) {
    const auto& o = r.in_front[k];
    std::string hides;
    for (int i : o.hides) hides += (hides.empty() ? "" : ", ") + r.items[static_cast<size_t>(i)].file;
    std::printf("in front %zu at (%.0f, %.0f): object %dx%d px at (%d, %d), on the floor at y = %.0f; hides %s\n", k + 1,
                o.point.x, o.point.y, o.box.width, o.box.height, o.box.x, o.box.y, o.contact_y,
                hides.empty() ? "nothing (every item stands in front of it)" : hides.c_str());
  }
  std::cout << output << "\n";
}

// Several rooms, or a folder of them: one batch with the same scene in every room.
bool several_rooms(const std::vector<std::string>& rooms) {
  return rooms.size() > 1 || (rooms.size() == 1 && std::filesystem::is_directory(rooms.front()));
}

void run_tryon_command(TryOnArgs& args, const GlobalOptions& global) {
  const std::vector<std::string>& rooms = args.batch.options.inputs;
  tryon::TryOnJob job;
  if (!args.scene.empty()) {
    const tryon::Scene scene = tryon::read_scene(args.scene);
    if (!args.items.empty()) throw ArgumentError("--scene lists the items; do not combine it with --item");
    job.items = scene.items;
    job.room = rooms.empty() ? scene.room : rooms.front();
    if (job.room.empty()) throw ArgumentError("--scene '" + args.scene + "' names no room: give ROOM or a \"room\" field");
    if (scene.horizon_y && !args.horizon) args.horizon = scene.horizon_y;
    if (scene.camera_height_cm) job.options.camera_height_cm = *scene.camera_height_cm;
  } else {
    if (rooms.empty()) throw ArgumentError("tryon needs a ROOM photo (or --scene FILE)");
    job.room = rooms.front();
    job.items = args.items;
  }
  job.options.horizon_y = args.horizon;
  if (args.camera_height_given || args.scene.empty()) job.options.camera_height_cm = args.camera_height_cm;
  if (args.light != "auto") job.options.light = tryon::parse_point(args.light, "--light");
  job.options.harmonize = !args.no_harmonize;
  job.options.poisson_seams = args.poisson_seams;
  job.cutout = tryon::parse_cutout_mode(args.cutout);
  job.occluder = args.occluder;
  job.catalogue = args.catalogue;
  for (size_t k = 0; k < args.in_front.size(); ++k)
    job.options.in_front.push_back(tryon::parse_point(args.in_front[k], "--in-front " + std::to_string(k + 1)));
  job.before_after = args.before_after;
  const std::string& out = args.batch.options.output;
  const NewOutputFolder new_folder(out);
  if (several_rooms(rooms)) {
    std::vector<tryon::TryOnReport> reports;
    ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet));
    const apps::BatchReport batch = tryon::try_on_rooms(job, batch_options(args.batch), args.harmonize_model,
                                                        args.matte_model, &reports, bar.callback());
    bar.finish();
    apps::throw_if_failed(batch, [](const std::string& line) { std::cerr << "failed: " << line << "\n"; });
    for (size_t i = 0; i < batch.plan.size(); ++i) print_report(reports[i], batch.plan[i].second, args.json);
    return;
  }
  job.output = apps::plan_outputs({job.room}, out, args.before_after ? "before-after" : "tryon").front().second;
  tryon::TryOnNetworks networks(args.harmonize_model, args.matte_model);
  const tryon::TryOnReport report =
      tryon::run_tryon(job, networks.harmonizer(job.options.harmonize), networks.cutout(job.cutout));
  print_report(report, job.output, args.json);
}

void add_tryon(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<TryOnArgs>();
  args->harmonize_model = default_model_path("harmonize.nsm");
  args->matte_model = default_model_path("matte.nsm");
  args->catalogue = default_catalogue_path();
  CLI::App* sub = app.add_subcommand("tryon", "put furniture into a photo of a room, at real size, with shadows");
  sub->add_option("room", args->batch.options.inputs, "room photo, or several rooms or folders of them (one scene in each)")
      ->type_name("ROOM...");
  sub->add_option_function<std::string>(
         "--item", [args](const std::string& file) {
           tryon::ItemPlacement p;
           p.file = file;
           p.who = "--item " + std::to_string(args->items.size() + 1) + " '" + file + "'";
           args->items.push_back(p);
         },
         "item picture (PNG with alpha, or a product photo on a plain background) or a catalogue name "
         "(`neuroshop items`); repeatable, the options below apply to the latest --item")
      ->type_name("FILE|NAME")
      ->trigger_on_parse();
  sub->add_option_function<std::string>(
         "--at", [args](const std::string& v) { latest(*args, "--at").at = tryon::parse_point(v, "--at"); },
         "where the item's footprint centre touches the floor (room pixels; default: spread over the floor)")
      ->type_name("X,Y")
      ->trigger_on_parse();
  sub->add_option_function<std::string>(
         "--height-px", [args](const std::string& v) { latest(*args, "--height-px").height_px = parse_number(v, "--height-px"); },
         "item height in pixels")
      ->type_name("N")
      ->trigger_on_parse();
  sub->add_option_function<std::string>(
         "--height-cm", [args](const std::string& v) { latest(*args, "--height-cm").height_cm = parse_number(v, "--height-cm"); },
         "real item height (default: from the catalogue, or an items.tsv beside the item); sized by the horizon and camera height")
      ->type_name("H")
      ->trigger_on_parse();
  sub->add_option_function<std::string>(
         "--width-cm", [args](const std::string& v) { latest(*args, "--width-cm").width_cm = parse_number(v, "--width-cm"); },
         "real item width")
      ->type_name("W")
      ->trigger_on_parse();
  sub->add_option_function<std::string>(
         "--rotate", [args](const std::string& v) { latest(*args, "--rotate").rotate_deg = parse_number(v, "--rotate"); },
         "rotate the item picture (degrees, counter-clockwise)")
      ->type_name("DEG")
      ->trigger_on_parse();
  sub->add_option_function<std::string>(
         "--view", [args](const std::string& v) { latest(*args, "--view").view = v; },
         "a catalogue item's view (e.g. 34 or front; default: the one whose camera angle suits the place)")
      ->type_name("NAME")
      ->trigger_on_parse();
  sub->add_flag_callback("--flip", [args] { latest(*args, "--flip").flip = true; }, "mirror the item left-right")
      ->trigger_on_parse();
  add_batch_output(*sub, args->batch, "output image, or folder for several rooms (default: beside each room as NAME-tryon.EXT)",
                   "FILE|DIR");
  sub->add_flag("--before-after", args->before_after, "write the room and the result side by side");
  sub->add_option("--horizon", args->horizon, "horizon row in pixels (default: estimated from the room's lines)")
      ->check(finite_number())
      ->type_name("Y");
  CLI::Option* camera = sub->add_option("--camera-height-cm", args->camera_height_cm, "height of the camera above the floor")
                            ->check(finite_in(10.0, 10000.0));
  sub->add_option("--light", args->light, "main light position in the room photo, or auto (its brightest region)")
      ->type_name("X,Y|auto");
  sub->add_option("--occluder", args->occluder, "mask of room pixels that stay in front of the items (white = in front)")
      ->type_name("MASK");
  sub->add_option("--in-front", args->in_front,
                  "a point on a room object that stays in front of the items standing behind it (repeatable)")
      ->type_name("X,Y")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub->add_option("--catalogue", args->catalogue, "the furniture catalogue for items given by name")->type_name("FILE");
  sub->add_flag("--no-harmonize", args->no_harmonize, "leave the items' colours as they are");
  sub->add_flag("--poisson-seams", args->poisson_seams,
                "blend each item's edge into the room (Poisson blending on a narrow band; the inside stays as it is)");
  sub->add_option("--scene", args->scene, "JSON scene: {\"room\": ..., \"items\": [{\"file\", \"at\", \"height_cm\", ...}]}")
      ->type_name("FILE");
  sub->add_option("--cutout", args->cutout, "how items without alpha are cut out")
      ->check(CLI::IsMember({"auto", "alpha", "network", "grabcut"}));
  sub->add_option("--harmonize-model", args->harmonize_model,
                  "harmonization network (when the file is missing: a partial Reinhard colour transfer)");
  sub->add_option("--matte-model", args->matte_model, "cut-out network for items without alpha (when missing: GrabCut)");
  sub->add_flag("--json", args->json, "print the placement report as JSON (one object per room for several rooms)");
  add_batch_options(*sub, args->batch);
  sub->callback([args, camera, &global] {
    args->camera_height_given = camera->count() > 0;
    run_tryon_command(*args, global);
  });
}

void add_train_harmonize(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<harmonize::HarmonizeTrainOptions>();
  CLI::App& train = command_group(app, "train", "train a model on your own images");
  CLI::App* sub = train.add_subcommand("harmonize", "train the harmonization network on photos (self-supervised composites)");
  sub->add_option("--data", o->data, "folders or files of colour photos (searched recursively)")->required()->type_name("DIR...");
  sub->add_option("--val-list", o->val_list, "list of validation photos (relative to the list's folder), never trained on")
      ->type_name("FILE");
  sub->add_option("--masks", o->masks, "folder of PNG cut-outs whose alpha shapes the pasted regions")->type_name("DIR");
  add_model_output(*sub, o->out);
  add_training_loop_options(*sub, *o);
  sub->add_option("--hours", o->hours, "also stop after this many hours in this run")->check(finite_in(0.0, 10000.0));
  sub->add_option("--seed", o->seed, "random seed")->check(unsigned_integer());
  sub->add_option("--batch", o->batch_size, "composites per step")->check(CLI::Range(int64_t{1}, int64_t{1024}));
  sub->add_option("--crop", o->crop, "training crop side = the model's working size (multiple of 64)")
      ->check(CLI::Range(int64_t{64}, int64_t{1024}));
  sub->add_option("--width", o->width, "network width")->check(CLI::Range(int64_t{4}, int64_t{128}));
  sub->add_option("--val-images", o->val_images, "validation photos used for the curve")
      ->check(CLI::Range(int64_t{0}, int64_t{100000}));
  sub->add_option("--max-photos", o->max_photos, "use at most this many training photos (0: all)")
      ->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  sub->callback([o, sub, &global] {
    o->command_line = recorded_command("neuroshop train harmonize", *sub);
    ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet));
    const harmonize::HarmonizeTrainSummary s = harmonize::train_harmonize(*o, bar.callback());
    bar.finish();
    std::cout << "trained " << s.step << " steps in " << format_duration(s.seconds) << " on " << s.train_photos
              << " photos (" << s.masks << " cut-out masks); train MSE " << s.train_mse << ", validation MSE "
              << s.val_mse << " (raw composites " << s.val_raw_mse << ")\nmodel: " << o->out << "\n";
  });
}

void add_eval_harmonize(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<harmonize::HarmonizeEvalOptions>();
  auto model_path = std::make_shared<std::string>(default_model_path("harmonize.nsm"));
  auto json = std::make_shared<bool>(false);
  CLI::App& eval = command_group(app, "eval", "measure a model against simple baselines");
  CLI::App* sub = eval.add_subcommand("harmonize", "MSE, PSNR and foreground MSE vs the raw composite and Reinhard transfer");
  auto* data = sub->add_option("--data", o->data, "folders or files of colour photos")->type_name("DIR...");
  auto* list = sub->add_option("--list", o->list, "list file of photos (relative to its folder)")->type_name("FILE");
  data->excludes(list);
  sub->add_option("--model", *model_path, "harmonize model file");
  sub->add_option("--count", o->count, "composites to build (photos are cycled)")->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  sub->add_option("--seed", o->seed, "seed of the composites")->check(unsigned_integer());
  sub->add_option("--size", o->size, "long side of the working image: photos are centre-cropped to SIZE x SIZE")->check(CLI::Range(int64_t{32}, int64_t{2048}));
  sub->add_flag("--json", *json, "print the scores as JSON");
  sub->callback([o, model_path, json, &global] {
    if (o->data.empty() && o->list.empty()) throw ArgumentError("eval harmonize needs --data DIR... or --list FILE");
    harmonize::HarmonizeModel model = harmonize::HarmonizeModel::load(*model_path);
    ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet));
    const harmonize::HarmonizeEvalResult r = harmonize::evaluate_harmonize(model, *o, bar.callback());
    bar.finish();
    if (*json) {
      JsonWriter j(std::cout);
      j.begin_object().field("images", r.images).field("photos", r.photos).field("seed", static_cast<int64_t>(o->seed));
      j.field("size", o->size);
      for (const auto& [name, s] : {std::pair<const char*, const harmonize::HarmonizeScores*>{"model", &r.model},
                                    {"raw", &r.raw},
                                    {"reinhard", &r.reinhard}}) {
        j.field(std::string(name) + "_mse", s->mse).field(std::string(name) + "_psnr", s->psnr);
        j.field(std::string(name) + "_fg_mse", s->fg_mse);
      }
      j.end_object();
      return;
    }
    std::printf("%lld composites from %lld photos (%lldx%lld, seed %llu)\n\n| method | MSE | PSNR (dB) | foreground MSE |\n|---|---|---|---|\n",
                static_cast<long long>(r.images), static_cast<long long>(r.photos), static_cast<long long>(o->size),
                static_cast<long long>(o->size), static_cast<unsigned long long>(o->seed));
    for (const auto& [name, s] : {std::pair<const char*, const harmonize::HarmonizeScores*>{"network", &r.model},
                                  {"raw composite", &r.raw},
                                  {"Reinhard transfer", &r.reinhard}})
      std::printf("| %s | %.2f | %.2f | %.2f |\n", name, s->mse, s->psnr, s->fg_mse);
  });
}

void add_train_matte(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<matte::MatteTrainOptions>();
  CLI::App& train = command_group(app, "train", "train a model on your own images");
  CLI::App* sub = train.add_subcommand("matte", "train the cut-out network on rendered cut-outs (held-out views never seen)");
  sub->add_option("--renders", o->renders, "folder of PNG cut-outs with alpha (and *_white.jpg shots with manifest.json)")
      ->required()
      ->type_name("DIR");
  sub->add_option("--textures", o->textures, "photo folders whose textures fill silhouettes")->type_name("DIR...");
  sub->add_option("--products", o->products, "folders of product photos on pure white, cut out and re-shot on the backdrops")
      ->type_name("DIR...");
  sub->add_option("--max-products", o->max_products, "product photos to load (0: all)")
      ->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  add_model_output(*sub, o->out);
  add_training_loop_options(*sub, *o);
  sub->add_option("--hours", o->hours, "also stop after this many hours in this run")->check(finite_in(0.0, 10000.0));
  sub->add_option("--seed", o->seed, "random seed")->check(unsigned_integer());
  sub->add_option("--batch", o->batch_size, "pictures per step")->check(CLI::Range(int64_t{1}, int64_t{1024}));
  sub->add_option("--crop", o->crop, "training picture side = the model's working size (multiple of 64)")
      ->check(CLI::Range(int64_t{64}, int64_t{1024}));
  sub->add_option("--width", o->width, "network width of a new network")->check(CLI::Range(int64_t{4}, int64_t{128}));
  sub->add_option("--init", o->init, "fine-tune this matte model (at --crop) instead of training a new network")
      ->type_name("MODEL");
  sub->add_option("--openings", o->openings, "share of cut-out draws given holes between bars or a glass pane")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--max-textures", o->max_textures, "texture photos to load (0: all)")
      ->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  sub->callback([o, sub, &global] {
    o->command_line = recorded_command("neuroshop train matte", *sub);
    ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet));
    const matte::MatteTrainSummary s = matte::train_matte(*o, bar.callback());
    bar.finish();
    std::cout << "trained " << s.step << " steps in " << format_duration(s.seconds) << " on " << s.cutouts << " cut-outs, "
              << s.white_shots << " white shots, " << s.products << " product photos and " << s.textures << " textures; loss " << s.train_loss
              << ", held-out IoU " << s.val_iou << "\nmodel: " << o->out << "\n";
  });
}

void add_eval_matte(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<matte::MatteEvalOptions>();
  auto model_path = std::make_shared<std::string>(default_model_path("matte.nsm"));
  auto json = std::make_shared<bool>(false);
  CLI::App& eval = command_group(app, "eval", "measure a model against simple baselines");
  CLI::App* sub = eval.add_subcommand("matte", "cut-out IoU and alpha error vs a threshold baseline and GrabCut (held-out views)");
  sub->add_option("--data", o->data, "renders folder (PNG cut-outs, *_white.jpg, manifest.json)")->required()->type_name("DIR");
  sub->add_option("--model", *model_path, "matte model file");
  sub->add_option("--count", o->count, "synthetic product photos of the held-out cut-outs (besides their white shots)")
      ->check(CLI::Range(int64_t{0}, int64_t{100000}));
  sub->add_option("--seed", o->seed, "seed of the synthetic photos")->check(unsigned_integer());
  sub->add_option("--size", o->size, "long side the pictures are evaluated at")->check(CLI::Range(int64_t{64}, int64_t{4096}));
  sub->add_option("--views", o->views, "held-out (never trained on), trained or all")
      ->check(CLI::IsMember({"held-out", "trained", "all"}));
  sub->add_option("--sheet", o->sheet, "also draw the worst cut-outs (photo | truth | network + GrabCut) into this image")
      ->type_name("IMAGE");
  sub->add_option("--sheet-count", o->sheet_count, "pictures on the sheet")->check(CLI::Range(int64_t{1}, int64_t{200}));
  sub->add_flag("--json", *json, "print the scores as JSON");
  sub->callback([o, model_path, json, &global] {
    matte::MatteModel model = matte::MatteModel::load(*model_path);
    ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet));
    const matte::MatteEvalResult r = matte::evaluate_matte(model, *o, bar.callback());
    bar.finish();
    auto rows = [](const matte::MatteMethodScores& m) {
      return std::array<std::pair<const char*, const matte::MatteScores*>, 4>{
          {{"network", &m.network}, {"network_grabcut", &m.refined}, {"threshold", &m.threshold}, {"grabcut", &m.grabcut}}};
    };
    if (*json) {
      JsonWriter j(std::cout);
      j.begin_object().field("pictures", r.pictures).field("white_shots", r.white_shots).field("synthetic", r.synthetic);
      for (const auto& [name, s] : rows(r)) {
        j.field(std::string(name) + "_iou", s->iou).field(std::string(name) + "_alpha_error", s->alpha_error);
        j.field(std::string(name) + "_edge_error", s->edge_error).field(std::string(name) + "_seconds", s->seconds);
        j.field(std::string(name) + "_fringe_raw", s->fringe_raw).field(std::string(name) + "_fringe", s->fringe);
      }
      j.field("fringe_pictures", r.fringe_pictures);
      j.key("by_backdrop").begin_array();
      for (const auto& [backdrop, m] : r.by_backdrop) {
        j.begin_object().field("backdrop", backdrop).field("pictures", m.pictures);
        for (const auto& [name, s] : rows(m))
          j.field(std::string(name) + "_iou", s->iou).field(std::string(name) + "_edge_error", s->edge_error);
        j.end_object();
      }
      j.end_array();
      j.key("network_grabcut_pictures").begin_array();
      for (const matte::MattePictureScore& p : r.refined_pictures)
        j.begin_object()
            .field("view", p.view)
            .field("backdrop", p.backdrop)
            .field("iou", p.iou)
            .field("edge_error", p.edge_error)
            .end_object();
      j.end_array().end_object();
      return;
    }
    std::printf(
        "%lld %s pictures (%lld rendered white shots, %lld synthetic)\n\n"
        "| method | IoU | mean alpha error | edge-band error | fringe: photo colours | fringe: decontaminated | "
        "s/picture |\n"
        "|---|---|---|---|---|---|---|\n",
        static_cast<long long>(r.pictures), o->views.c_str(), static_cast<long long>(r.white_shots),
        static_cast<long long>(r.synthetic));
    for (const auto& [name, s] : rows(r))
      std::printf("| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.3f |\n", name, s->iou, s->alpha_error, s->edge_error,
                  s->fringe_raw, s->fringe, s->seconds);
    std::printf("\nfringe: colour error of the cut-out over a dark backdrop in the edge band (%lld synthetic pictures)\n",
                static_cast<long long>(r.fringe_pictures));
    std::printf("\nBy backdrop, IoU / edge-band error:\n\n| backdrop | pictures | network | network_grabcut | threshold | grabcut |\n"
                "|---|---|---|---|---|---|\n");
    for (const auto& [backdrop, m] : r.by_backdrop) {
      if (m.pictures == 0) continue;
      std::printf("| %s | %lld", backdrop.c_str(), static_cast<long long>(m.pictures));
      for (const auto& [name, s] : rows(m)) std::printf(" | %.3f / %.4f", s->iou, s->edge_error);
      std::printf(" |\n");
    }
  });
}

}  // namespace

void add_tryon_command(CLI::App& app, const GlobalOptions& global) {
  add_tryon(app, global);
  add_train_harmonize(app, global);
  add_eval_harmonize(app, global);
  add_train_matte(app, global);
  add_eval_matte(app, global);
}

}  // namespace neuroshop::cli
