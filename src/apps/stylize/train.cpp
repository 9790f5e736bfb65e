// Fast-style training loop; see train.h.
#include "apps/stylize/train.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "apps/common/training_files.h"
#include "apps/common/training_loop.h"
#include "apps/stylize/images.h"
#include "apps/stylize/stylize.h"
#include "core/errors.h"
#include "core/optim/adam.h"
#include "io/image_file.h"

namespace neuroshop::stylize {
namespace fs = std::filesystem;

namespace {

// Photos as BGR CV_32FC3 with their short side at `short_side` (enough room for random crops);
// `kept` receives the paths of the photos that could be read, in the same order.
std::vector<cv::Mat> load_photos(const std::vector<std::string>& paths, int64_t short_side, const ProgressFn& progress,
                                 int64_t* skipped, std::vector<std::string>* kept) {
  std::vector<cv::Mat> photos;
  for (size_t i = 0; i < paths.size(); ++i) {
    try {
      const cv::Mat bgr = to_bgr_float(read_image(paths[i]).pixels);
      const double scale = static_cast<double>(short_side) / std::min(bgr.rows, bgr.cols);
      photos.push_back(resize_to(bgr, cv::Size(std::max<int>(static_cast<int>(short_side), static_cast<int>(std::lround(bgr.cols * scale))),
                                               std::max<int>(static_cast<int>(short_side), static_cast<int>(std::lround(bgr.rows * scale))))));
      kept->push_back(paths[i]);
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

// N random crops (random photo, position, horizontal flip), BGR CV_32FC3. When `paired` is given
// (images of the photos' sizes), *paired_crops receives the same crops of those.
std::vector<cv::Mat> sample_crops(const std::vector<cv::Mat>& photos, int64_t n, int64_t crop, Rng& rng,
                                  const std::vector<cv::Mat>* paired = nullptr,
                                  std::vector<cv::Mat>* paired_crops = nullptr) {
  std::vector<cv::Mat> crops;
  const int c = static_cast<int>(crop);
  for (int64_t i = 0; i < n; ++i) {
    const size_t index = rng.below(photos.size());
    const cv::Mat& p = photos[index];
    const int x = static_cast<int>(rng.below(static_cast<uint64_t>(p.cols - c + 1)));
    const int y = static_cast<int>(rng.below(static_cast<uint64_t>(p.rows - c + 1)));
    const cv::Rect rect(x, y, c, c);
    cv::Mat patch = p(rect).clone();
    cv::Mat twin = paired != nullptr ? (*paired)[index](rect).clone() : cv::Mat();
    if (rng.uniform() < 0.5) {
      cv::flip(patch, patch, 1);
      if (!twin.empty()) cv::flip(twin, twin, 1);
    }
    crops.push_back(patch);
    if (paired_crops != nullptr) paired_crops->push_back(twin);
  }
  return crops;
}

std::vector<cv::Mat> centre_crops(const std::vector<cv::Mat>& photos, int64_t crop) {
  std::vector<cv::Mat> crops;
  const int c = static_cast<int>(crop);
  for (const cv::Mat& p : photos) crops.push_back(p(cv::Rect((p.cols - c) / 2, (p.rows - c) / 2, c, c)).clone());
  return crops;
}

// The method a teacher stands for: stylize.h's default (patch synthesis at the photo's own size,
// painting at the photo's long side, recoloured into the painting's palette first, seed 1).
StylizeOptions teacher_options() {
  StylizeOptions t;
  t.method = StylizeMethod::kPatches;
  t.size = 0;
  return t;
}

// The teacher's result for every photo, from the cache folder where it is there, else made and
// written there (8-bit PNG). `computed` counts the ones made.
std::vector<cv::Mat> teacher_images(const std::vector<cv::Mat>& photos, const std::vector<std::string>& paths,
                                    const cv::Mat& style_bgr, const std::string& style_path,
                                    const std::string& cache_dir, const ProgressFn& progress, int64_t* computed) {
  fs::create_directories(cache_dir);
  std::vector<cv::Mat> out;
  for (size_t i = 0; i < photos.size(); ++i) {
    const std::string file = teacher_cache_file(cache_dir, paths[i], photos[i].cols, photos[i].rows, style_path);
    cv::Mat result;
    if (fs::exists(file)) {
      try {
        result = to_bgr_float(read_image(file).pixels);
      } catch (const IoError&) {
        result.release();  // a damaged cache file is made again
      }
      if (result.size() != photos[i].size()) result.release();
    }
    if (result.empty()) {
      cv::min(cv::max(transfer_style(photos[i], style_bgr, teacher_options()).bgr, 0.0), 1.0, result);
      cv::Mat bgr8;
      result.convertTo(bgr8, CV_8UC3, 255.0);
      write_image(file, bgr8);
      result = to_bgr_float(bgr8);  // what a later run reads back from the file
      ++*computed;
    }
    out.push_back(result);
    report(progress,
           {static_cast<int64_t>(i + 1), static_cast<int64_t>(photos.size()), "teacher (patch synthesis)", {}});
  }
  return out;
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.5g", v);
  return buf;
}

}  // namespace

double pixel_l1_loss(const Tensor& y, const Tensor& target, double weight, Tensor* dy) {
  if (y.shape() != target.shape() || (dy != nullptr && dy->shape() != y.shape()))
    throw ArgumentError("pixel_l1_loss: the output, the target and the gradient must have one shape");
  const int64_t n = y.numel();
  if (n == 0) return 0.0;
  const float* a = y.data();
  const float* b = target.data();
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += std::fabs(static_cast<double>(a[i]) - b[i]);
  if (dy != nullptr) {
    const float g = static_cast<float>(weight / static_cast<double>(n));
    float* d = dy->data();
    for (int64_t i = 0; i < n; ++i) d[i] += a[i] > b[i] ? g : (a[i] < b[i] ? -g : 0.0f);
  }
  return weight * sum / static_cast<double>(n);
}

std::string teacher_cache_file(const std::string& cache_dir, const std::string& photo_path, int width, int height,
                               const std::string& style_path) {
  std::error_code ec;
  const auto style_bytes = fs::file_size(style_path, ec);
  const std::string key = "patches-v1|" + photo_path + "|" + std::to_string(width) + "x" + std::to_string(height) +
                          "|" + style_path + "|" + std::to_string(ec ? 0 : style_bytes);
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char ch : key) h = (h ^ ch) * 1099511628211ull;
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.png", static_cast<unsigned long long>(h));
  return (fs::path(cache_dir) / name).string();
}

TrainSummary train(const TrainOptions& o, const ProgressFn& progress) {
  if (o.crop % kTransformMultiple != 0 || o.crop < 32)
    throw ArgumentError("--crop must be a multiple of 4 and at least 32, got " + std::to_string(o.crop));
  if (o.batch_size < 1 || o.steps < 1) throw ArgumentError("--batch and --steps must be positive");
  if (!(o.style_size > 0.1 && o.style_size <= 20.0)) throw ArgumentError("--style-size must be in (0.1, 20]");
  if (!o.teacher.empty() && o.teacher != "patches")
    throw ArgumentError("--teacher must be patches (or left out), got '" + o.teacher + "'");
  if (!(o.teacher_pixel_weight >= 0.0 && std::isfinite(o.teacher_pixel_weight)))
    throw ArgumentError("--teacher-pixel must be a finite weight >= 0");
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
  std::vector<std::string> train_kept, val_kept;
  const std::vector<cv::Mat> train_photos = load_photos(train_paths, short_side, progress, &skipped, &train_kept);
  const std::vector<cv::Mat> val_photos = load_photos(val_paths, short_side, progress, &skipped, &val_kept);
  if (train_photos.empty()) throw IoError("none of the training photos could be read");

  FeatureNet features(FeatureNetOptions{o.feature_seed});
  const cv::Mat style_bgr = to_bgr_float(read_image(o.style).pixels);
  TrainSummary summary;
  const bool distill = !o.teacher.empty();
  std::vector<cv::Mat> train_teacher, val_teacher;
  if (distill) {
    summary.teacher_cache = o.teacher_cache.empty() ? o.out + ".teacher" : o.teacher_cache;
    train_teacher = teacher_images(train_photos, train_kept, style_bgr, o.style, summary.teacher_cache, progress,
                                   &summary.teacher_computed);
    val_teacher = teacher_images(val_photos, val_kept, style_bgr, o.style, summary.teacher_cache, progress,
                                 &summary.teacher_computed);
  }
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

  summary.train_photos = static_cast<int64_t>(train_photos.size());
  summary.val_photos = static_cast<int64_t>(val_photos.size());
  for (Param* p : net.params()) summary.parameters += p->value.numel();

  const std::vector<cv::Mat> val_crops = centre_crops(val_photos, o.crop);
  const Tensor val_batch = val_photos.empty() ? Tensor() : palette_matched(val_crops, model.palette());
  // The content target: the photo itself, or with a teacher its result.
  const Tensor val_target = val_photos.empty() ? Tensor()
                            : distill          ? bgrs_to_tensor(centre_crops(val_teacher, o.crop))
                                               : val_batch;
  const ContentTarget val_content = val_photos.empty() ? ContentTarget{} : make_content_target(features, val_target);

  // The objective plus, with a teacher, the pixel term (its value is added to total only).
  auto loss = [&](const ContentTarget& content, const Tensor& target, const Tensor& y, Tensor* dy) {
    LossTerms terms = style_transfer_loss(features, style, content, y, o.weights, dy);
    if (distill) terms.total += pixel_l1_loss(y, target, o.teacher_pixel_weight, dy);
    return terms;
  };
  apps::TrainingLoopSteps steps;
  steps.train_step = [&] {
    std::vector<cv::Mat> teacher_crops;
    const std::vector<cv::Mat> crops =
        sample_crops(train_photos, o.batch_size, o.crop, data_rng, distill ? &train_teacher : nullptr,
                     distill ? &teacher_crops : nullptr);
    const Tensor x = palette_matched(crops, model.palette());
    const Tensor target = distill ? bgrs_to_tensor(teacher_crops) : x;
    const ContentTarget content = make_content_target(features, target);
    Tensor dy;
    summary.train = loss(content, target, net.forward(x), &dy);
    net.backward_params(dy);
    return summary.train.total;
  };
  steps.validate = [&] {
    summary.val = val_photos.empty() ? LossTerms{} : loss(val_content, val_target, net.forward(val_batch), nullptr);
    return summary.val.total;
  };
  steps.save_model = [&](std::map<std::string, std::string> metadata) {
    metadata.insert({{"style_image", o.style},
                     {"feature_seed", std::to_string(o.feature_seed)},
                     {"crop", std::to_string(o.crop)},
                     {"teacher", o.teacher.empty() ? "none" : o.teacher},
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
