// Fast-style training loop; see train.h.
#include "apps/stylize/train.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "apps/common/training_files.h"
#include "apps/common/training_loop.h"
#include "apps/stylize/images.h"
#include "core/errors.h"
#include "core/optim/adam.h"
#include "io/image_file.h"

namespace neuroshop::stylize {
namespace fs = std::filesystem;

namespace {

// Photos as BGR CV_32FC3 with their short side at `short_side` (enough room for random crops).
std::vector<cv::Mat> load_photos(const std::vector<std::string>& paths, int64_t short_side, const ProgressFn& progress,
                                 int64_t* skipped) {
  std::vector<cv::Mat> photos;
  for (size_t i = 0; i < paths.size(); ++i) {
    try {
      const cv::Mat bgr = to_bgr_float(read_image(paths[i]).pixels);
      const double scale = static_cast<double>(short_side) / std::min(bgr.rows, bgr.cols);
      photos.push_back(resize_to(bgr, cv::Size(std::max<int>(static_cast<int>(short_side), static_cast<int>(std::lround(bgr.cols * scale))),
                                               std::max<int>(static_cast<int>(short_side), static_cast<int>(std::lround(bgr.rows * scale))))));
    } catch (const IoError&) {
      ++*skipped;
    }
    report(progress, {static_cast<int64_t>(i + 1), static_cast<int64_t>(paths.size()), "load photos", {}});
  }
  return photos;
}

// A batch as the network sees it and as its content target: the crops recoloured into the
// painting's palette (StyleModel::apply does the same before the network).
Tensor palette_matched(const std::vector<cv::Mat>& crops, const Palette& palette) {
  std::vector<cv::Mat> matched;
  for (const cv::Mat& c : crops) matched.push_back(match_palette(c, palette));
  return bgrs_to_tensor(matched);
}

// N random crops (random photo, position, horizontal flip), BGR CV_32FC3.
std::vector<cv::Mat> sample_crops(const std::vector<cv::Mat>& photos, int64_t n, int64_t crop, Rng& rng) {
  std::vector<cv::Mat> crops;
  const int c = static_cast<int>(crop);
  for (int64_t i = 0; i < n; ++i) {
    const cv::Mat& p = photos[rng.below(photos.size())];
    const int x = static_cast<int>(rng.below(static_cast<uint64_t>(p.cols - c + 1)));
    const int y = static_cast<int>(rng.below(static_cast<uint64_t>(p.rows - c + 1)));
    cv::Mat patch = p(cv::Rect(x, y, c, c)).clone();
    if (rng.uniform() < 0.5) cv::flip(patch, patch, 1);
    crops.push_back(patch);
  }
  return crops;
}

std::vector<cv::Mat> centre_crops(const std::vector<cv::Mat>& photos, int64_t crop) {
  std::vector<cv::Mat> crops;
  const int c = static_cast<int>(crop);
  for (const cv::Mat& p : photos) crops.push_back(p(cv::Rect((p.cols - c) / 2, (p.rows - c) / 2, c, c)).clone());
  return crops;
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.5g", v);
  return buf;
}

}  // namespace

TrainSummary train(const TrainOptions& o, const ProgressFn& progress) {
  if (o.crop % kTransformMultiple != 0 || o.crop < 32)
    throw ArgumentError("--crop must be a multiple of 4 and at least 32, got " + std::to_string(o.crop));
  if (o.batch_size < 1 || o.steps < 1) throw ArgumentError("--batch and --steps must be positive");
  if (!(o.style_size > 0.1 && o.style_size <= 20.0)) throw ArgumentError("--style-size must be in (0.1, 20]");
  apps::check_model_out(o.out);

  // The photo order is a fixed function of the seed, so a resumed run holds out the same photos.
  std::vector<std::string> paths = list_images(o.data, true);
  Rng order_rng(o.seed * 31 + 7);
  for (size_t i = paths.size(); i > 1; --i) std::swap(paths[i - 1], paths[order_rng.below(i)]);
  if (o.max_photos > 0 && static_cast<int64_t>(paths.size()) > o.max_photos) paths.resize(static_cast<size_t>(o.max_photos));
  const size_t n_val = std::min(paths.size() / 5, static_cast<size_t>(std::max<int64_t>(0, o.val_images)));
  const std::vector<std::string> val_paths(paths.begin(), paths.begin() + static_cast<std::ptrdiff_t>(n_val));
  const std::vector<std::string> train_paths(paths.begin() + static_cast<std::ptrdiff_t>(n_val), paths.end());
  if (train_paths.empty()) throw IoError("no training photos found in the --data folders");
  int64_t skipped = 0;
  const int64_t short_side = o.crop + o.crop / 2;
  const std::vector<cv::Mat> train_photos = load_photos(train_paths, short_side, progress, &skipped);
  const std::vector<cv::Mat> val_photos = load_photos(val_paths, short_side, progress, &skipped);
  if (train_photos.empty()) throw IoError("none of the training photos could be read");

  FeatureNet features(FeatureNetOptions{o.feature_seed});
  const cv::Mat style_bgr = to_bgr_float(read_image(o.style).pixels);
  const cv::Size style_size = with_long_side(style_bgr.size(), std::lround(o.style_size * static_cast<double>(o.crop)));
  const StyleTarget style = make_style_target(features, bgr_to_tensor(resize_to(style_bgr, style_size)));

  Rng init_rng(o.seed);
  StyleModel model(build_transform_net(o.net, init_rng), palette_of(style_bgr));
  Layer& net = model.net();
  Adam adam(net.params(), AdamOptions{o.learning_rate});
  Rng data_rng(o.seed * 7919 + 1);

  apps::TrainingLoopOptions loop_options = apps::common_loop_options(o, "style");
  loop_options.log_title = "style " + fs::path(o.style).stem().string();
  loop_options.seconds_limit = o.minutes * 60.0;
  loop_options.max_warmup_steps = 50;
  loop_options.validate_on_early_stop = true;  // the model file records the validation losses
  apps::TrainingLoop loop(loop_options, net, adam, {{"data", &data_rng}});

  TrainSummary summary;
  summary.train_photos = static_cast<int64_t>(train_photos.size());
  summary.val_photos = static_cast<int64_t>(val_photos.size());
  for (Param* p : net.params()) summary.parameters += p->value.numel();

  const std::vector<cv::Mat> val_crops = centre_crops(val_photos, o.crop);
  const Tensor val_batch = val_photos.empty() ? Tensor() : palette_matched(val_crops, model.palette());
  const ContentTarget val_content = val_photos.empty() ? ContentTarget{} : make_content_target(features, val_batch);

  apps::TrainingLoopSteps steps;
  steps.train_step = [&] {
    const std::vector<cv::Mat> crops = sample_crops(train_photos, o.batch_size, o.crop, data_rng);
    const Tensor x = palette_matched(crops, model.palette());
    const ContentTarget content = make_content_target(features, x);
    Tensor dy;
    summary.train = style_transfer_loss(features, style, content, net.forward(x), o.weights, &dy);
    net.backward_params(dy);
    return summary.train.total;
  };
  steps.validate = [&] {
    summary.val = val_photos.empty() ? LossTerms{}
                                     : style_transfer_loss(features, style, val_content, net.forward(val_batch), o.weights, nullptr);
    return summary.val.total;
  };
  steps.save_model = [&](std::map<std::string, std::string> metadata) {
    metadata.insert({{"style_image", o.style},
                     {"feature_seed", std::to_string(o.feature_seed)},
                     {"crop", std::to_string(o.crop)},
                     {"style_size", fmt(o.style_size)},
                     {"train_style_loss", fmt(summary.train.style)},
                     {"train_content_loss", fmt(summary.train.content)},
                     {"val_loss", fmt(summary.val.total)},
                     {"val_style_loss", fmt(summary.val.style)},
                     {"val_content_loss", fmt(summary.val.content)}});
    model.save(o.out, metadata);
  };
  steps.figures = [&](const apps::TrainPoint& p) -> std::vector<std::pair<std::string, double>> {
    return {{"loss", p.loss}, {"style", summary.train.style}, {"content", summary.train.content},
            {"val", summary.val.total}, {"img/s", p.images_per_second}};
  };
  const apps::TrainingLoopResult result = loop.run(steps, progress);
  summary.step = result.step;
  summary.seconds = result.seconds;
  return summary;
}

}  // namespace neuroshop::stylize
