// Colorizer training loop; see train.h.
#include "apps/colorize/train.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include "apps/colorize/ab_bins.h"
#include "apps/colorize/dataset.h"
#include "apps/colorize/model.h"
#include "apps/colorize/network.h"
#include "apps/common/training_files.h"
#include "apps/common/training_log.h"
#include "core/errors.h"
#include "core/losses/cross_entropy.h"
#include "core/model/checkpoint.h"
#include "core/optim/adam.h"
#include "core/optim/lr_schedule.h"
#include "io/image_file.h"

namespace neuroshop::colorize {
namespace fs = std::filesystem;
using apps::TrainingLog;
using apps::checkpoint_path;
using apps::log_json_path;
using apps::loss_png_path;
using apps::split_by_val_list;

TrainSummary train(const TrainOptions& o, const ProgressFn& progress) {
  using Clock = std::chrono::steady_clock;
  if (o.crop % kSizeMultiple != 0 || o.crop < 32)
    throw ArgumentError("--crop must be a multiple of 8 and at least 32, got " + std::to_string(o.crop));
  if (o.batch_size < 1 || o.steps < 1) throw ArgumentError("--batch and --steps must be positive");
  apps::check_model_out(o.out);

  std::vector<std::string> train_paths, val_paths;
  split_by_val_list(list_images(o.data, true), o.val_list, &train_paths, &val_paths);
  if (train_paths.empty()) throw IoError("no training photos found in the --data folders");

  PhotoLoadOptions load_options;
  const LoadedPhotos train_set = load_photos(train_paths, load_options, progress);
  LoadedPhotos val_set = load_photos(val_paths, load_options, progress);
  if (train_set.photos.empty()) throw IoError("none of the training photos is a readable colour photo");
  if (static_cast<int64_t>(val_set.photos.size()) > o.val_images) val_set.photos.resize(static_cast<size_t>(o.val_images));

  // Bins and rebalancing weights are a deterministic function of the training photos, so a resumed
  // run recomputes the same tables.
  AbBins bins = AbBins::from_histogram(ab_histogram(train_set.photos, AbBinOptions{}));
  bins.set_rebalancing(bin_counts(train_set.photos, bins));

  Rng init_rng(o.seed);
  ColorizeModel model(build_network(NetworkOptions{o.width, bins.size()}, init_rng), bins,
                      mean_ab_by_lightness(train_set.photos));
  Layer& net = model.net();
  net.set_training(true);
  Adam adam(net.params(), AdamOptions{o.learning_rate});
  const CosineLr schedule(o.learning_rate, o.steps, o.learning_rate / 20.0, std::min<int64_t>(200, o.steps / 10));
  Rng data_rng(o.seed * 7919 + 1);

  TrainingLog log("colorize", log_json_path(o.out), loss_png_path(o.out));
  TrainingState state;
  state.optimizer = adam.state();
  state.rngs = {{"data", &data_rng}};
  double seconds_before = 0.0;
  const std::string ckpt = checkpoint_path(o.out);
  if (o.resume && fs::exists(ckpt)) {
    load_checkpoint(ckpt, net, state);  // restores the weights, Adam's moments and the data RNG in place
    seconds_before = state.values.count("seconds") ? std::stod(state.values.at("seconds")) : 0.0;
    log.load();
    log.truncate_after(state.step);
  }

  const std::vector<float>& weights = bins.weights();
  TrainSummary summary;
  summary.train_photos = static_cast<int64_t>(train_set.photos.size());
  summary.val_photos = static_cast<int64_t>(val_set.photos.size());
  summary.skipped_gray = train_set.skipped_gray + val_set.skipped_gray;
  summary.num_bins = bins.size();
  if (!log.val().empty()) summary.val_loss = log.val().back().loss;

  const Clock::time_point start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  auto save_all = [&](int64_t step) {
    state.step = step;
    state.values["seconds"] = std::to_string(seconds_before + elapsed());
    std::map<std::string, std::string> meta{{"training_command", o.command_line},
                                            {"training_steps", std::to_string(step)},
                                            {"training_seconds", state.values["seconds"]}};
    model.save(o.out, meta);
    log.save();
    // The checkpoint goes last: --resume starts from it, so a kill between these writes leaves the
    // log ahead of it (trimmed on resume), never behind it with steps missing.
    save_checkpoint(ckpt, net, state);
  };
  auto validate = [&]() {
    if (val_set.photos.empty()) return 0.0;
    net.set_training(false);
    double total = 0.0;
    const int64_t n = static_cast<int64_t>(val_set.photos.size());
    for (int64_t b = 0; b < n; b += o.batch_size) {
      const int64_t e = std::min(n, b + o.batch_size);
      const Batch batch = centre_batch(val_set.photos, b, e, o.crop, bins);
      total += cross_entropy_loss(net.forward(batch.input), batch.target, &weights) * static_cast<double>(e - b);
    }
    net.set_training(true);
    return total / static_cast<double>(n);
  };

  int64_t step = state.step;
  Clock::time_point window_start = Clock::now();
  int64_t window_images = 0;
  double images_per_second = 0.0;
  while (step < o.steps && !(o.hours > 0 && elapsed() > o.hours * 3600.0)) {
    const double lr = schedule.lr_at(step);
    adam.set_learning_rate(lr);
    const Batch batch = sample_batch(train_set.photos, o.batch_size, o.crop, bins, HintOptions{}, data_rng);
    adam.zero_grad();
    Tensor dlogits;
    const double loss = cross_entropy_loss(net.forward(batch.input), batch.target, &weights, &dlogits);
    net.backward(dlogits);
    adam.step();
    ++step;
    window_images += o.batch_size;
    const double window = std::chrono::duration<double>(Clock::now() - window_start).count();
    if (window > 5.0) {
      images_per_second = static_cast<double>(window_images) / window;
      window_start = Clock::now();
      window_images = 0;
    }
    log.add_train({step, loss, lr, images_per_second});
    summary.train_loss = loss;
    if (step % o.val_every == 0 || step == o.steps) {
      summary.val_loss = validate();
      log.add_val({step, summary.val_loss});
    }
    if (step % o.checkpoint_every == 0 || step == o.steps) save_all(step);
    report(progress, {step, o.steps, "train colorize",
                      {{"loss", loss}, {"val", summary.val_loss}, {"img/s", images_per_second}, {"lr", lr}}});
  }
  if (step % o.checkpoint_every != 0 && step != o.steps) save_all(step);
  summary.step = step;
  summary.seconds = seconds_before + elapsed();
  return summary;
}

}  // namespace neuroshop::colorize
