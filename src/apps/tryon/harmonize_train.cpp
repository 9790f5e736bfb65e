// Harmonization training and evaluation; see harmonize_train.h.
#include "apps/tryon/harmonize_train.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include <opencv2/imgproc.hpp>

#include "apps/common/training_files.h"
#include "apps/common/training_log.h"
#include "apps/tryon/harmonize_data.h"
#include "core/errors.h"
#include "core/losses/regression.h"
#include "core/model/checkpoint.h"
#include "core/optim/adam.h"
#include "core/optim/lr_schedule.h"
#include "io/image_file.h"

namespace neuroshop::tryon {
namespace fs = std::filesystem;
using apps::TrainingLog;

namespace {

constexpr double kScale255 = 255.0 * 255.0;

// pred (N,3,H,W) times mask (N,1,H,W), channel by channel.
Tensor times_mask(const Tensor& pred, const Tensor& mask) {
  const int64_t N = pred.dim(0), C = pred.dim(1), HW = pred.dim(2) * pred.dim(3);
  Tensor out = Tensor::empty(pred.shape());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      const float* p = pred.data() + (n * C + c) * HW;
      const float* m = mask.data() + n * HW;
      float* o = out.data() + (n * C + c) * HW;
      for (int64_t i = 0; i < HW; ++i) o[i] = p[i] * m[i];
    }
  return out;
}

// Per-image scores of `pred` against `target` (BGR CV_32FC3 in [0, 1]).
void score(const cv::Mat& pred, const cv::Mat& target, const cv::Mat& mask, HarmonizeScores* sum) {
  cv::Mat diff = pred - target;
  cv::Mat sq = diff.mul(diff);
  cv::Mat per_pixel;
  cv::transform(sq, per_pixel, cv::Matx13f(1.0f / 3, 1.0f / 3, 1.0f / 3));
  const double mse = cv::mean(per_pixel)[0] * kScale255;
  const cv::Mat fg = mask > 0.5f;
  const double fg_mse = cv::countNonZero(fg) > 0 ? cv::mean(per_pixel, fg)[0] * kScale255 : 0.0;
  sum->mse += mse;
  sum->fg_mse += fg_mse;
  sum->psnr += mse > 0 ? 10.0 * std::log10(kScale255 / mse) : 100.0;
}

void divide(HarmonizeScores* s, double n) {
  s->mse /= n;
  s->fg_mse /= n;
  s->psnr /= n;
}

// A deterministic composite from photo i, the colours of photo i + 1 and a seed.
HarmonizeSample fixed_sample(const std::vector<cv::Mat>& photos, size_t i, uint64_t seed, const std::vector<cv::Mat>& alphas) {
  Rng rng(seed * 1000003ull + i * 7919ull + 17ull);
  const cv::Mat& photo = photos[i % photos.size()];
  const cv::Mat& other = photos[(i + 1) % photos.size()];
  return make_sample(photo, other, alphas, rng);
}

}  // namespace

HarmonizeTrainSummary train_harmonize(const HarmonizeTrainOptions& o, const ProgressFn& progress) {
  using Clock = std::chrono::steady_clock;
  if (o.crop % kHarmonizeSizeMultiple != 0 || o.crop < kHarmonizeSizeMultiple)
    throw ArgumentError("--crop must be a multiple of 64, got " + std::to_string(o.crop));
  if (o.batch_size < 1 || o.steps < 1) throw ArgumentError("--batch and --steps must be positive");
  apps::check_model_out(o.out);

  std::vector<std::string> train_paths, val_paths;
  apps::split_by_val_list(list_images(o.data, true), o.val_list, &train_paths, &val_paths);
  if (train_paths.empty()) throw IoError("no training photos found in the --data folders");
  if (o.max_photos > 0 && static_cast<int64_t>(train_paths.size()) > o.max_photos) {
    // An even spread over the sorted list, so every folder is represented.
    std::vector<std::string> kept;
    for (int64_t i = 0; i < o.max_photos; ++i)
      kept.push_back(train_paths[static_cast<size_t>(i * static_cast<int64_t>(train_paths.size()) / o.max_photos)]);
    train_paths = kept;
  }
  if (static_cast<int64_t>(val_paths.size()) > o.val_images) val_paths.resize(static_cast<size_t>(o.val_images));
  const int64_t load_side = o.crop * 3 / 2;
  const LoadedImages train_set = load_colour_photos(train_paths, load_side, progress);
  const LoadedImages val_set = load_colour_photos(val_paths, load_side, progress);
  if (train_set.images.size() < 2) throw IoError("fewer than two usable colour photos to train on");
  const std::vector<cv::Mat> alphas = o.masks.empty() ? std::vector<cv::Mat>{} : load_alpha_masks(o.masks, 256);
  std::vector<cv::Mat> val_crops;
  for (const cv::Mat& p : val_set.images) val_crops.push_back(centre_crop(p, o.crop));
  std::vector<HarmonizeSample> val_samples;
  for (size_t i = 0; i < val_crops.size() && val_crops.size() >= 2; ++i)
    val_samples.push_back(fixed_sample(val_crops, i, o.seed, {}));

  Rng init_rng(o.seed);
  HarmonizeModel model(build_harmonize_network(o.width, init_rng), o.crop);
  Layer& net = model.net();
  net.set_training(true);
  Adam adam(net.params(), AdamOptions{o.learning_rate});
  const CosineLr schedule(o.learning_rate, o.steps, o.learning_rate / 20.0, std::min<int64_t>(100, o.steps / 10));
  Rng data_rng(o.seed * 7919 + 3);

  TrainingLog log("harmonize", apps::log_json_path(o.out), apps::loss_png_path(o.out));
  TrainingState state;
  state.optimizer = adam.state();
  state.rngs = {{"data", &data_rng}};
  double seconds_before = 0.0;
  const std::string ckpt = apps::checkpoint_path(o.out);
  if (o.resume && fs::exists(ckpt)) {
    load_checkpoint(ckpt, net, state);
    seconds_before = state.values.count("seconds") ? std::stod(state.values.at("seconds")) : 0.0;
    log.load();
    log.truncate_after(state.step);
  }

  HarmonizeTrainSummary summary;
  summary.train_photos = static_cast<int64_t>(train_set.images.size());
  summary.val_photos = static_cast<int64_t>(val_samples.size());
  summary.masks = static_cast<int64_t>(alphas.size());

  const Clock::time_point start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  auto save_all = [&](int64_t step) {
    state.step = step;
    state.values["seconds"] = std::to_string(seconds_before + elapsed());
    model.save(o.out, {{"training_command", o.command_line},
                       {"training_steps", std::to_string(step)},
                       {"training_seconds", state.values["seconds"]}});
    log.save();
    save_checkpoint(ckpt, net, state);  // last, as in colorize/train.cpp: the log is never behind it
  };
  // Validation MSE (0–255) of the model and of the raw composites on the fixed samples.
  auto validate = [&](double* raw) {
    if (val_samples.empty()) return 0.0;
    net.set_training(false);
    double model_sum = 0.0, raw_sum = 0.0;
    for (const HarmonizeSample& s : val_samples) {
      HarmonizeScores m, r;
      score(model.harmonize(s.composite, s.mask), s.target, s.mask, &m);
      score(s.composite, s.target, s.mask, &r);
      model_sum += m.mse;
      raw_sum += r.mse;
    }
    net.set_training(true);
    *raw = raw_sum / static_cast<double>(val_samples.size());
    return model_sum / static_cast<double>(val_samples.size());
  };

  int64_t step = state.step;
  Clock::time_point window_start = Clock::now();
  int64_t window_images = 0;
  double images_per_second = 0.0;
  while (step < o.steps && !(o.hours > 0 && elapsed() > o.hours * 3600.0)) {
    const double lr = schedule.lr_at(step);
    adam.set_learning_rate(lr);
    std::vector<HarmonizeSample> batch;
    std::vector<cv::Mat> composites, masks;
    for (int64_t b = 0; b < o.batch_size; ++b) {
      const cv::Mat& photo = train_set.images[data_rng.below(train_set.images.size())];
      const cv::Mat& other = train_set.images[data_rng.below(train_set.images.size())];
      batch.push_back(make_sample(random_crop(photo, o.crop, data_rng), other, alphas, data_rng));
      composites.push_back(batch.back().composite);
      masks.push_back(batch.back().mask);
    }
    const Tensor mask = mask_tensor(masks);
    adam.zero_grad();
    const Tensor pred = net.forward(harmonize_input(composites, masks));
    Tensor dmasked;
    const double loss = mse_loss(times_mask(pred, mask), harmonize_residual(batch), &dmasked);
    net.backward(times_mask(dmasked, mask));
    adam.step();
    ++step;
    const double mse255 = 2.0 * loss * kScale255;  // mse_loss carries a 1/2
    window_images += o.batch_size;
    const double window = std::chrono::duration<double>(Clock::now() - window_start).count();
    if (window > 5.0) {
      images_per_second = static_cast<double>(window_images) / window;
      window_start = Clock::now();
      window_images = 0;
    }
    log.add_train({step, mse255, lr, images_per_second});
    summary.train_mse = mse255;
    if (step % o.val_every == 0 || step == o.steps) {
      summary.val_mse = validate(&summary.val_raw_mse);
      log.add_val({step, summary.val_mse});
    }
    if (step % o.checkpoint_every == 0 || step == o.steps) save_all(step);
    report(progress, {step, o.steps, "train harmonize",
                      {{"mse", mse255}, {"val", summary.val_mse}, {"raw", summary.val_raw_mse}, {"img/s", images_per_second}}});
  }
  if (step % o.checkpoint_every != 0 && step != o.steps) save_all(step);
  summary.step = step;
  summary.seconds = seconds_before + elapsed();
  return summary;
}

HarmonizeEvalResult evaluate_harmonize(HarmonizeModel& model, const HarmonizeEvalOptions& o, const ProgressFn& progress) {
  if (o.count < 1) throw ArgumentError("--count must be positive");
  if (o.size < 32) throw ArgumentError("--size must be at least 32");
  const std::vector<std::string> paths = o.list.empty() ? list_images(o.data, true) : apps::read_path_list(o.list);
  const LoadedImages loaded = load_colour_photos(paths, o.size, progress);
  if (loaded.images.size() < 2) throw IoError("eval harmonize needs at least two colour photos, found " +
                                              std::to_string(loaded.images.size()));
  std::vector<cv::Mat> crops;
  for (const cv::Mat& p : loaded.images) crops.push_back(centre_crop(p, o.size));
  HarmonizeEvalResult r;
  r.photos = static_cast<int64_t>(crops.size());
  for (int64_t i = 0; i < o.count; ++i) {
    const HarmonizeSample s = fixed_sample(crops, static_cast<size_t>(i), o.seed, {});
    score(model.harmonize(s.composite, s.mask), s.target, s.mask, &r.model);
    score(s.composite, s.target, s.mask, &r.raw);
    score(reinhard_harmonize(s.composite, s.mask), s.target, s.mask, &r.reinhard);
    report(progress, {i + 1, o.count, "eval harmonize", {}});
  }
  r.images = o.count;
  for (HarmonizeScores* s : {&r.model, &r.raw, &r.reinhard}) divide(s, static_cast<double>(o.count));
  return r;
}

}  // namespace neuroshop::tryon
