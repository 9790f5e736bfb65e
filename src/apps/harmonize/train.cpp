// Harmonization training and evaluation; see harmonize/train.h.
#include "apps/harmonize/train.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "apps/common/batch_prefetch.h"
#include "apps/common/evaluation.h"
#include "apps/common/training_files.h"
#include "apps/common/training_loop.h"
#include "apps/harmonize/data.h"
#include "core/errors.h"
#include "core/losses/regression.h"
#include "core/optim/adam.h"
#include "io/image_file.h"

namespace neuroshop::harmonize {

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

void divide(HarmonizeScores* s, double n) { apps::divide_sums({&s->mse, &s->fg_mse, &s->psnr}, n); }

// A deterministic composite from photo i, the colours of photo i + 1 and a seed.
HarmonizeSample fixed_sample(const std::vector<cv::Mat>& photos, size_t i, uint64_t seed, const std::vector<cv::Mat>& alphas) {
  Rng rng(seed * 1000003ull + i * 7919ull + 17ull);
  const cv::Mat& photo = photos[i % photos.size()];
  const cv::Mat& other = photos[(i + 1) % photos.size()];
  return make_sample(photo, other, alphas, rng);
}

}  // namespace

HarmonizeTrainSummary train_harmonize(const HarmonizeTrainOptions& o, const ProgressFn& progress) {
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
  Adam adam(net.params(), AdamOptions{o.learning_rate});
  Rng data_rng(o.seed * 7919 + 3);

  apps::TrainingLoopOptions loop_options = apps::common_loop_options(o, "harmonize");
  loop_options.seconds_limit = o.hours * 3600.0;
  loop_options.max_warmup_steps = 100;
  apps::TrainingLoop loop(loop_options, net, adam, {{"data", &data_rng}});

  HarmonizeTrainSummary summary;
  summary.train_photos = static_cast<int64_t>(train_set.images.size());
  summary.val_photos = static_cast<int64_t>(val_samples.size());
  summary.masks = static_cast<int64_t>(alphas.size());

  apps::TrainingLoopSteps steps;
  apps::BatchPrefetcher<std::vector<HarmonizeSample>> batches(
      [&](Rng& rng) {
        std::vector<HarmonizeSample> batch;
        for (int64_t b = 0; b < o.batch_size; ++b) {
          const cv::Mat& photo = train_set.images[rng.below(train_set.images.size())];
          const cv::Mat& other = train_set.images[rng.below(train_set.images.size())];
          batch.push_back(make_sample(random_crop(photo, o.crop, rng), other, alphas, rng));
        }
        return batch;
      },
      data_rng);
  steps.train_step = [&] {
    const std::vector<HarmonizeSample> batch = batches.next();
    std::vector<cv::Mat> composites, masks;
    for (const HarmonizeSample& sample : batch) {
      composites.push_back(sample.composite);
      masks.push_back(sample.mask);
    }
    const Tensor mask = mask_tensor(masks);
    const Tensor pred = net.forward(harmonize_input(composites, masks));
    Tensor dmasked;
    const double loss = mse_loss(times_mask(pred, mask), harmonize_residual(batch), &dmasked);
    net.backward_params(times_mask(dmasked, mask));
    summary.train_mse = 2.0 * loss * kScale255;  // mse_loss carries a 1/2
    return summary.train_mse;
  };
  // Validation MSE (0–255) of the model and of the raw composites on the fixed samples.
  steps.validate = [&] {
    if (val_samples.empty()) return 0.0;
    const HarmonizeSample* s = nullptr;
    HarmonizeScores model_scores, raw_scores;
    HarmonizeScores* scores[] = {&model_scores, &raw_scores};
    apps::evaluate_methods(
        static_cast<int64_t>(val_samples.size()), [&](int64_t i) { s = &val_samples[static_cast<size_t>(i)]; },
        {{[&] { return model.harmonize(s->composite, s->mask); }}, {[&] { return s->composite; }}},
        [&](size_t m, const cv::Mat& out) { score(out, s->target, s->mask, scores[m]); }, "validate harmonize");
    summary.val_raw_mse = raw_scores.mse / static_cast<double>(val_samples.size());
    summary.val_mse = model_scores.mse / static_cast<double>(val_samples.size());
    return summary.val_mse;
  };
  steps.save_model = [&](const std::map<std::string, std::string>& metadata) { model.save(o.out, metadata); };
  steps.figures = [&](const apps::TrainPoint& p) -> std::vector<std::pair<std::string, double>> {
    return {{"mse", p.loss}, {"val", summary.val_mse}, {"raw", summary.val_raw_mse}, {"img/s", p.images_per_second}};
  };
  const apps::TrainingLoopResult result = loop.run(steps, progress);
  summary.step = result.step;
  summary.seconds = result.seconds;
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
  HarmonizeSample s;
  HarmonizeScores* scores[] = {&r.model, &r.raw, &r.reinhard};
  apps::evaluate_methods(
      o.count, [&](int64_t i) { s = fixed_sample(crops, static_cast<size_t>(i), o.seed, {}); },
      {{[&] { return model.harmonize(s.composite, s.mask); }},
       {[&] { return s.composite; }},
       {[&] { return reinhard_harmonize(s.composite, s.mask); }}},
      [&](size_t m, const cv::Mat& out) { score(out, s.target, s.mask, scores[m]); }, "eval harmonize", progress);
  r.images = o.count;
  for (HarmonizeScores* s : {&r.model, &r.raw, &r.reinhard}) divide(s, static_cast<double>(o.count));
  return r;
}

}  // namespace neuroshop::harmonize
