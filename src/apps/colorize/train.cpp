// Colorizer training loop; see train.h.
#include "apps/colorize/train.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "apps/colorize/ab_bins.h"
#include "apps/colorize/dataset.h"
#include "apps/colorize/model.h"
#include "apps/colorize/network.h"
#include "apps/common/batch_prefetch.h"
#include "apps/common/training_files.h"
#include "apps/common/training_loop.h"
#include "core/errors.h"
#include "core/losses/cross_entropy.h"
#include "core/model/model_file.h"
#include "core/optim/adam.h"
#include "core/parse_number.h"
#include "io/image_file.h"

namespace neuroshop::colorize {
using apps::split_by_val_list;

namespace {

// A randomly initialized network with the bins and rebalancing weights of the training photos:
// a deterministic function of them, so a resumed run recomputes the same tables.
ColorizeModel new_model(const TrainOptions& o, const std::vector<cv::Mat>& photos) {
  AbBins bins = AbBins::from_histogram(ab_histogram(photos, AbBinOptions{}));
  bins.set_rebalancing(bin_counts(photos, bins));
  Rng init_rng(o.seed);
  std::unique_ptr<Layer> net = build_network(NetworkOptions{o.width, bins.size(), o.arch}, init_rng);
  return ColorizeModel(std::move(net), std::move(bins), mean_ab_by_lightness(photos));
}

}  // namespace

TrainSummary train(const TrainOptions& o, const ProgressFn& progress) {
  if (o.crop % kSizeMultiple != 0 || o.crop < 32)
    throw ArgumentError("--crop must be a multiple of 8 and at least 32, got " + std::to_string(o.crop));
  if (o.batch_size < 1 || o.steps < 1) throw ArgumentError("--batch and --steps must be positive");
  apps::check_model_out(o.out);
  std::optional<ColorizeModel> init_model;  // loaded first, so a bad --init fails before the photos load
  if (!o.init.empty()) init_model.emplace(ColorizeModel::load(o.init));

  std::vector<std::string> train_paths, val_paths;
  split_by_val_list(list_images(o.data, true), o.val_list, &train_paths, &val_paths);
  if (train_paths.empty()) throw IoError("no training photos found in the --data folders");

  if (o.photo_side < o.crop || !(o.max_zoom >= 1.0 && o.max_zoom <= 16.0))
    throw ArgumentError("--photo-side must be at least --crop and --zoom in [1, 16]");
  PhotoLoadOptions load_options;
  load_options.short_side = o.photo_side;
  PhotoLoadOptions val_options = load_options;  // the validation curve keeps the default skip, so runs compare
  load_options.min_mean_chroma = o.min_mean_chroma;
  const LoadedPhotos train_set = load_photos(train_paths, load_options, progress);
  LoadedPhotos val_set = load_photos(val_paths, val_options, progress);
  if (train_set.photos.empty()) throw IoError("none of the training photos is a readable colour photo");
  if (static_cast<int64_t>(val_set.photos.size()) > o.val_images) val_set.photos.resize(static_cast<size_t>(o.val_images));

  ColorizeModel model = init_model ? std::move(*init_model) : new_model(o, train_set.photos);
  const AbBins& bins = model.bins();
  Layer& net = model.net();
  Adam adam(net.params(), AdamOptions{o.learning_rate});
  Rng data_rng(o.seed * 7919 + 1);

  apps::TrainingLoopOptions loop_options = apps::common_loop_options(o, "colorize");
  loop_options.seconds_limit = o.hours * 3600.0;
  loop_options.max_warmup_steps = 200;
  if (o.continue_schedule) {
    if (o.init.empty()) throw ArgumentError("--continue needs --init SNAPSHOT (the run's last model file)");
    const std::map<std::string, std::string> metadata = read_model_file(o.init).metadata;
    const auto steps = metadata.find("training_steps"), seconds = metadata.find("training_seconds");
    if (steps == metadata.end()) throw ModelError("'" + o.init + "' records no training_steps to continue from");
    const std::optional<int64_t> start_step = parse_int64(steps->second);
    const std::optional<double> start_seconds = seconds == metadata.end() ? 0.0 : parse_finite(seconds->second);
    if (!start_step || !start_seconds)
      throw ModelError("'" + o.init + "': training_steps/training_seconds are not numbers");
    loop_options.start_step = *start_step;
    loop_options.start_seconds = *start_seconds;
  }
  // A resumed run restores the weights, Adam's moments and the data RNG in place.
  apps::TrainingLoop loop(loop_options, net, adam, {{"data", &data_rng}});

  const std::vector<float>& weights = bins.weights();
  TrainSummary summary;
  summary.train_photos = static_cast<int64_t>(train_set.photos.size());
  summary.val_photos = static_cast<int64_t>(val_set.photos.size());
  summary.skipped_gray = train_set.skipped_gray + val_set.skipped_gray;
  summary.num_bins = bins.size();
  if (!loop.log().val().empty()) summary.val_loss = loop.log().val().back().loss;

  apps::TrainingLoopSteps steps;
  apps::BatchPrefetcher<Batch> batches(
      [&](Rng& rng) {
        return sample_batch(train_set.photos, o.batch_size, o.crop, bins, HintOptions{}, rng, o.max_zoom);
      },
      data_rng);
  steps.train_step = [&] {
    const Batch batch = batches.next();
    Tensor dlogits;
    summary.train_loss = cross_entropy_loss(net.forward(batch.input), batch.target, &weights, &dlogits);
    net.backward_params(dlogits);
    return summary.train_loss;
  };
  steps.validate = [&] {
    double total = 0.0;
    const int64_t n = static_cast<int64_t>(val_set.photos.size());
    for (int64_t b = 0; b < n; b += o.batch_size) {
      const int64_t e = std::min(n, b + o.batch_size);
      const Batch batch = centre_batch(val_set.photos, b, e, o.crop, bins);
      total += cross_entropy_loss(net.forward(batch.input), batch.target, &weights) * static_cast<double>(e - b);
    }
    summary.val_loss = n > 0 ? total / static_cast<double>(n) : 0.0;
    return summary.val_loss;
  };
  steps.save_model = [&](const std::map<std::string, std::string>& metadata) { model.save(o.out, metadata); };
  steps.figures = [&](const apps::TrainPoint& p) -> std::vector<std::pair<std::string, double>> {
    return {{"loss", p.loss}, {"val", summary.val_loss}, {"img/s", p.images_per_second}, {"lr", p.learning_rate}};
  };
  const apps::TrainingLoopResult result = loop.run(steps, progress);
  summary.step = result.step;
  summary.seconds = result.seconds;
  return summary;
}

}  // namespace neuroshop::colorize
