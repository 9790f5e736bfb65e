// Colorizer training data; see dataset.h.
#include "apps/colorize/dataset.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "apps/colorize/network.h"
#include "core/errors.h"
#include "io/color.h"
#include "io/image_file.h"

namespace neuroshop::colorize {

cv::Mat pack_lab(const cv::Mat& lab) {
  if (lab.type() != CV_32FC3) throw ArgumentError("pack_lab: expected a CV_32FC3 Lab image");
  cv::Mat packed(lab.size(), CV_8UC3);
  for (int y = 0; y < lab.rows; ++y) {
    const cv::Vec3f* in = lab.ptr<cv::Vec3f>(y);
    cv::Vec3b* out = packed.ptr<cv::Vec3b>(y);
    for (int x = 0; x < lab.cols; ++x)
      out[x] = cv::Vec3b(cv::saturate_cast<uchar>(in[x][0] * (255.0f / 100.0f)), cv::saturate_cast<uchar>(in[x][1] + 128.0f),
                         cv::saturate_cast<uchar>(in[x][2] + 128.0f));
  }
  return packed;
}

cv::Mat unpack_lab(const cv::Mat& lab) {
  if (lab.type() == CV_32FC3) return lab;
  if (lab.type() != CV_8UC3) throw ArgumentError("unpack_lab: expected a CV_8UC3 or CV_32FC3 Lab image");
  cv::Mat out(lab.size(), CV_32FC3);
  for (int y = 0; y < lab.rows; ++y) {
    const cv::Vec3b* in = lab.ptr<cv::Vec3b>(y);
    cv::Vec3f* o = out.ptr<cv::Vec3f>(y);
    for (int x = 0; x < lab.cols; ++x)
      o[x] = cv::Vec3f(in[x][0] * (100.0f / 255.0f), in[x][1] - 128.0f, in[x][2] - 128.0f);
  }
  return out;
}

double mean_chroma(const LabPhoto& packed_or_float) {
  const cv::Mat lab = unpack_lab(packed_or_float);
  double sum = 0.0;
  for (int y = 0; y < lab.rows; ++y) {
    const cv::Vec3f* row = lab.ptr<cv::Vec3f>(y);
    for (int x = 0; x < lab.cols; ++x) sum += std::hypot(row[x][1], row[x][2]);
  }
  return sum / std::max(1, lab.rows * lab.cols);
}

LoadedPhotos load_photos(const std::vector<std::string>& paths, const PhotoLoadOptions& options,
                         const ProgressFn& progress) {
  LoadedPhotos out;
  for (size_t i = 0; i < paths.size(); ++i) {
    report(progress, {static_cast<int64_t>(i), static_cast<int64_t>(paths.size()), "load photos", {}});
    Image image;
    try {
      image = read_image(paths[i]);
    } catch (const IoError&) {
      ++out.skipped_unreadable;
      continue;
    }
    if (image.was_gray || image.pixels.channels() != 3) {
      ++out.skipped_gray;
      continue;
    }
    cv::Mat bgr = image.pixels;
    const double scale = static_cast<double>(options.short_side) / std::min(bgr.rows, bgr.cols);
    if (scale < 1.0) cv::resize(bgr, bgr, cv::Size(), scale, scale, cv::INTER_AREA);
    if (std::min(bgr.rows, bgr.cols) < 64) {
      ++out.skipped_unreadable;
      continue;
    }
    LabPhoto lab = bgr_to_lab(bgr);
    if (mean_chroma(lab) < options.min_mean_chroma) {
      ++out.skipped_gray;
      continue;
    }
    out.photos.push_back(pack_lab(lab));
    out.paths.push_back(paths[i]);
  }
  report(progress, {static_cast<int64_t>(paths.size()), static_cast<int64_t>(paths.size()), "load photos", {}});
  return out;
}

Tensor make_input(const cv::Mat& L, const cv::Mat& hint_ab, const cv::Mat& hint_mask) {
  const int64_t H = L.rows, W = L.cols;
  if (H % kSizeMultiple != 0 || W % kSizeMultiple != 0)
    throw ShapeError("colorize input: sides must be multiples of " + std::to_string(kSizeMultiple) + ", got " +
                     std::to_string(H) + "x" + std::to_string(W));
  Tensor input(Shape{1, kInputChannels, H, W});
  // input[0][c][y][x] = input[(c*H + y)*W + x]
  for (int64_t y = 0; y < H; ++y) {
    const float* l = L.ptr<float>(static_cast<int>(y));
    for (int64_t x = 0; x < W; ++x) input[y * W + x] = l[x] / 50.0f - 1.0f;
  }
  if (!hint_ab.empty()) {
    for (int64_t y = 0; y < H; ++y) {
      const cv::Vec2f* ab = hint_ab.ptr<cv::Vec2f>(static_cast<int>(y));
      const float* m = hint_mask.ptr<float>(static_cast<int>(y));
      for (int64_t x = 0; x < W; ++x) {
        input[(1 * H + y) * W + x] = ab[x][0] / kAbScale;
        input[(2 * H + y) * W + x] = ab[x][1] / kAbScale;
        input[(3 * H + y) * W + x] = m[x];
      }
    }
  }
  return input;
}

namespace {

// Writes one sample's input, true ab and soft target into slot n of the batch.
void fill_sample(const cv::Mat& crop_lab, const cv::Mat& hint_ab, const cv::Mat& hint_mask, int64_t n, Batch& batch) {
  std::vector<cv::Mat> channels;
  cv::split(crop_lab, channels);
  const Tensor one = make_input(channels[0], hint_ab, hint_mask);
  std::copy(one.data(), one.data() + one.numel(), batch.input.data() + n * one.numel());

  const int64_t S = batch.ab.dim(2);
  cv::Mat ab_small;
  cv::Mat ab_full;
  cv::merge(std::vector<cv::Mat>{channels[1], channels[2]}, ab_full);
  cv::resize(ab_full, ab_small, cv::Size(static_cast<int>(S), static_cast<int>(S)), 0, 0, cv::INTER_AREA);
  float* dst = batch.ab.data() + n * 2 * S * S;
  for (int64_t y = 0; y < S; ++y) {
    const cv::Vec2f* row = ab_small.ptr<cv::Vec2f>(static_cast<int>(y));
    for (int64_t x = 0; x < S; ++x) {
      dst[y * S + x] = row[x][0];
      dst[S * S + y * S + x] = row[x][1];
    }
  }
}

void encode_targets(Batch& batch, const AbBins& bins) { batch.target = bins.soft_encode(batch.ab); }

}  // namespace

Batch sample_batch(const std::vector<LabPhoto>& photos, int64_t batch_size, int64_t crop, const AbBins& bins,
                   const HintOptions& hints, Rng& rng, double max_zoom) {
  if (photos.empty()) throw ArgumentError("colorize training: no colour photos to sample from");
  if (!(max_zoom >= 1.0 && max_zoom <= 16.0)) throw ArgumentError("colorize training: zoom must be in [1, 16]");
  const int64_t S = crop / kOutputStride;
  Batch batch;
  batch.input = Tensor(Shape{batch_size, kInputChannels, crop, crop});
  batch.ab = Tensor(Shape{batch_size, 2, S, S});
  for (int64_t n = 0; n < batch_size; ++n) {
    const cv::Mat& photo = photos[rng.below(photos.size())];
    const int64_t short_side = std::min(photo.rows, photo.cols);
    const double max_side = std::max<double>(crop, std::min<double>(short_side, max_zoom * crop));
    const int64_t side = std::min<int64_t>(short_side, std::llround(crop * std::pow(max_side / crop, rng.uniform())));
    const int x0 = static_cast<int>(rng.below(photo.cols - side + 1));
    const int y0 = static_cast<int>(rng.below(photo.rows - side + 1));
    cv::Mat sample;
    cv::resize(photo(cv::Rect(x0, y0, static_cast<int>(side), static_cast<int>(side))), sample,
               cv::Size(static_cast<int>(crop), static_cast<int>(crop)), 0, 0, side > crop ? cv::INTER_AREA : cv::INTER_LINEAR);
    if (rng.uniform() < 0.5) cv::flip(sample, sample, 1);
    sample = unpack_lab(sample);

    cv::Mat hint_ab = cv::Mat::zeros(sample.size(), CV_32FC2);
    cv::Mat hint_mask = cv::Mat::zeros(sample.size(), CV_32F);
    if (rng.uniform() >= hints.no_hint_probability) {
      int64_t count = 1;
      while (count < hints.max_hints && rng.uniform() >= hints.geometric_p) ++count;
      for (int64_t h = 0; h < count; ++h) {
        const int p = 1 + static_cast<int>(rng.below(hints.max_patch));
        const int hx = static_cast<int>(rng.below(crop - p + 1)), hy = static_cast<int>(rng.below(crop - p + 1));
        const cv::Rect patch(hx, hy, p, p);
        const cv::Scalar mean = cv::mean(sample(patch));
        hint_ab(patch).setTo(cv::Scalar(mean[1], mean[2]));
        hint_mask(patch).setTo(1.0);
      }
    }
    fill_sample(sample, hint_ab, hint_mask, n, batch);
  }
  encode_targets(batch, bins);
  return batch;
}

Batch centre_batch(const std::vector<LabPhoto>& photos, int64_t begin, int64_t end, int64_t crop, const AbBins& bins) {
  const int64_t count = end - begin, S = crop / kOutputStride;
  Batch batch;
  batch.input = Tensor(Shape{count, kInputChannels, crop, crop});
  batch.ab = Tensor(Shape{count, 2, S, S});
  for (int64_t n = 0; n < count; ++n) {
    const cv::Mat& photo = photos[static_cast<size_t>(begin + n)];
    const double scale = static_cast<double>(crop) / std::min(photo.rows, photo.cols);
    cv::Mat resized;
    cv::resize(photo, resized, cv::Size(), scale, scale, cv::INTER_AREA);
    const int x0 = (resized.cols - static_cast<int>(crop)) / 2, y0 = (resized.rows - static_cast<int>(crop)) / 2;
    const cv::Mat sample = unpack_lab(resized(cv::Rect(x0, y0, static_cast<int>(crop), static_cast<int>(crop))).clone());
    fill_sample(sample, cv::Mat(), cv::Mat(), n, batch);
  }
  encode_targets(batch, bins);
  return batch;
}

std::vector<double> ab_histogram(const std::vector<LabPhoto>& photos, const AbBinOptions& grid, int64_t stride) {
  const int64_t n = static_cast<int64_t>(std::lround(2.0f * grid.ab_range / grid.grid)) + 1;
  std::vector<double> histogram(static_cast<size_t>(n * n), 0.0);
  for (const cv::Mat& packed_or_float : photos) {
    const cv::Mat photo = unpack_lab(packed_or_float);
    for (int y = 0; y < photo.rows; y += static_cast<int>(stride)) {
      const cv::Vec3f* row = photo.ptr<cv::Vec3f>(y);
      for (int x = 0; x < photo.cols; x += static_cast<int>(stride)) {
        auto index = [&](float v) {
          return std::clamp<int64_t>(std::lround((v + grid.ab_range) / grid.grid), 0, n - 1);
        };
        histogram[static_cast<size_t>(index(row[x][1]) * n + index(row[x][2]))] += 1.0;
      }
    }
  }
  return histogram;
}

std::vector<double> bin_counts(const std::vector<LabPhoto>& photos, const AbBins& bins, int64_t stride) {
  std::vector<double> counts(static_cast<size_t>(bins.size()), 0.0);
  for (const cv::Mat& packed_or_float : photos) {
    const cv::Mat photo = unpack_lab(packed_or_float);
    for (int y = 0; y < photo.rows; y += static_cast<int>(stride)) {
      const cv::Vec3f* row = photo.ptr<cv::Vec3f>(y);
      for (int x = 0; x < photo.cols; x += static_cast<int>(stride))
        counts[static_cast<size_t>(bins.nearest(row[x][1], row[x][2]))] += 1.0;
    }
  }
  return counts;
}

}  // namespace neuroshop::colorize
