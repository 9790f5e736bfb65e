// Quantized ab bins, soft encoding, rebalancing and annealed mean; see ab_bins.h.
#include "apps/colorize/ab_bins.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/errors.h"
#include "core/kernels/parallel.h"

namespace neuroshop::colorize {

int64_t AbBins::cells_per_axis() const {
  return static_cast<int64_t>(std::lround(2.0f * options_.ab_range / options_.grid)) + 1;
}

int64_t AbBins::cell_of(float a, float b) const {
  const int64_t n = cells_per_axis();
  auto index = [&](float v) {
    const int64_t i = std::lround((v + options_.ab_range) / options_.grid);
    return std::clamp<int64_t>(i, 0, n - 1);
  };
  return index(a) * n + index(b);
}

AbBins AbBins::from_histogram(const std::vector<double>& histogram, AbBinOptions options) {
  AbBins bins;
  bins.options_ = options;
  const int64_t n = bins.cells_per_axis();
  if (static_cast<int64_t>(histogram.size()) != n * n)
    throw ArgumentError("AbBins: histogram has " + std::to_string(histogram.size()) + " cells, expected " +
                        std::to_string(n * n));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      if (histogram[static_cast<size_t>(i * n + j)] > 0) {
        bins.a_.push_back(-options.ab_range + options.grid * static_cast<float>(i));
        bins.b_.push_back(-options.ab_range + options.grid * static_cast<float>(j));
      }
  if (bins.a_.empty()) throw ArgumentError("AbBins: the histogram is empty (no colour pixels seen)");
  bins.weights_.assign(bins.a_.size(), 1.0f);
  bins.build_cell_lookup();
  return bins;
}

AbBins AbBins::from_tensors(const Tensor& centres, const Tensor& weights, AbBinOptions options) {
  if (centres.rank() != 2 || centres.dim(1) != 2 || weights.rank() != 1 || weights.dim(0) != centres.dim(0) ||
      centres.dim(0) < 2)
    throw ModelError("colorize model: ab bin tables should be (Q,2) and (Q), got " + centres.shape().str() + " and " +
                     weights.shape().str());
  AbBins bins;
  bins.options_ = options;
  for (int64_t q = 0; q < centres.dim(0); ++q) {
    bins.a_.push_back(centres[q * 2]);
    bins.b_.push_back(centres[q * 2 + 1]);
    bins.weights_.push_back(weights[q]);
  }
  bins.build_cell_lookup();
  return bins;
}

int64_t AbBins::nearest(float a, float b) const { return cell_to_bin_[static_cast<size_t>(cell_of(a, b))]; }

void AbBins::build_cell_lookup() {
  const int64_t n = cells_per_axis();
  cell_to_bin_.assign(static_cast<size_t>(n * n), 0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const float a = -options_.ab_range + options_.grid * static_cast<float>(i);
      const float b = -options_.ab_range + options_.grid * static_cast<float>(j);
      float best = std::numeric_limits<float>::max();
      for (int64_t q = 0; q < size(); ++q) {
        const float d = (a_[q] - a) * (a_[q] - a) + (b_[q] - b) * (b_[q] - b);
        if (d < best) {
          best = d;
          cell_to_bin_[static_cast<size_t>(i * n + j)] = static_cast<int32_t>(q);
        }
      }
    }
}

void AbBins::set_rebalancing(const std::vector<double>& bin_counts, double lambda, double sigma) {
  const int64_t Q = size();
  if (static_cast<int64_t>(bin_counts.size()) != Q)
    throw ArgumentError("AbBins::set_rebalancing: " + std::to_string(bin_counts.size()) + " counts for " +
                        std::to_string(Q) + " bins");
  double total = 0.0;
  for (double c : bin_counts) total += c;
  if (total <= 0.0) throw ArgumentError("AbBins::set_rebalancing: no pixels counted");
  // p~ = p convolved with a Gaussian over the bin centres
  std::vector<double> smoothed(static_cast<size_t>(Q), 0.0);
  for (int64_t q = 0; q < Q; ++q) {
    double norm = 0.0, acc = 0.0;
    for (int64_t r = 0; r < Q; ++r) {
      const double d2 = (a_[q] - a_[r]) * (a_[q] - a_[r]) + (b_[q] - b_[r]) * (b_[q] - b_[r]);
      const double k = std::exp(-d2 / (2.0 * sigma * sigma));
      norm += k;
      acc += k * bin_counts[static_cast<size_t>(r)] / total;
    }
    smoothed[static_cast<size_t>(q)] = acc / norm;
  }
  double sum_smoothed = 0.0;
  for (double p : smoothed) sum_smoothed += p;
  std::vector<double> w(static_cast<size_t>(Q));
  double expectation = 0.0;
  for (int64_t q = 0; q < Q; ++q) {
    const double p = smoothed[static_cast<size_t>(q)] / sum_smoothed;
    w[static_cast<size_t>(q)] = 1.0 / ((1.0 - lambda) * p + lambda / static_cast<double>(Q));
    expectation += p * w[static_cast<size_t>(q)];
  }
  weights_.resize(static_cast<size_t>(Q));
  for (int64_t q = 0; q < Q; ++q) weights_[static_cast<size_t>(q)] = static_cast<float>(w[static_cast<size_t>(q)] / expectation);
}

Tensor AbBins::soft_encode(const Tensor& ab, int neighbours, float sigma) const {
  if (ab.rank() != 4 || ab.dim(1) != 2) throw ShapeError("soft_encode: expected ab (N,2,H,W), got " + ab.shape().str());
  const int64_t N = ab.dim(0), H = ab.dim(2), W = ab.dim(3), HW = H * W, Q = size();
  const int k = static_cast<int>(std::min<int64_t>(neighbours, Q));
  Tensor out(Shape{N, Q, H, W});
  parallel_for(N * HW, [&](int64_t begin, int64_t end) {
    std::vector<std::pair<float, int64_t>> d(static_cast<size_t>(Q));
    for (int64_t p = begin; p < end; ++p) {
      const int64_t n = p / HW, i = p % HW;
      // ab[n][c][i] = ab[(n*2 + c)*HW + i]
      const float a = ab[(n * 2 + 0) * HW + i], b = ab[(n * 2 + 1) * HW + i];
      for (int64_t q = 0; q < Q; ++q) d[static_cast<size_t>(q)] = {(a_[q] - a) * (a_[q] - a) + (b_[q] - b) * (b_[q] - b), q};
      std::partial_sort(d.begin(), d.begin() + k, d.end());
      double total = 0.0;
      float w[64];
      for (int j = 0; j < k; ++j) {
        w[j] = std::exp(-d[static_cast<size_t>(j)].first / (2.0f * sigma * sigma));
        total += w[j];
      }
      for (int j = 0; j < k; ++j)
        out[(n * Q + d[static_cast<size_t>(j)].second) * HW + i] = static_cast<float>(w[j] / total);
    }
  }, 256);
  return out;
}

Tensor AbBins::annealed_mean(const Tensor& logits, float temperature, float prior_correction) const {
  const int64_t Q = size();
  if (logits.rank() != 4 || logits.dim(1) != Q)
    throw ShapeError("annealed_mean: expected logits (N," + std::to_string(Q) + ",H,W), got " + logits.shape().str());
  if (!(temperature > 0.0f) || !std::isfinite(temperature))
    throw ArgumentError("annealed_mean: temperature must be a positive number, got " + std::to_string(temperature));
  if (!(prior_correction >= 0.0f && prior_correction <= 1.0f))
    throw ArgumentError("annealed_mean: prior correction must be in [0, 1], got " + std::to_string(prior_correction));
  if (prior_correction > 0.0f && weights_.size() != static_cast<size_t>(Q))
    throw ArgumentError("annealed_mean: prior correction needs the rebalancing weights");
  // log z'_q = z_q - α log w_q (the logits' log-sum-exp cancels in the softmax below)
  std::vector<float> bias(static_cast<size_t>(Q), 0.0f);
  if (prior_correction > 0.0f)
    for (int64_t q = 0; q < Q; ++q) bias[q] = -prior_correction * std::log(std::max(weights_[q], 1e-12f));
  const int64_t N = logits.dim(0), H = logits.dim(2), W = logits.dim(3), HW = H * W;
  Tensor ab = Tensor::empty({N, 2, H, W});
  const float inv_t = 1.0f / temperature;
  parallel_for(N * HW, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const int64_t n = p / HW, i = p % HW;
      const float* z = logits.data() + n * Q * HW + i;  // z[q] at z[q * HW]
      float zmax = -std::numeric_limits<float>::infinity();
      for (int64_t q = 0; q < Q; ++q) zmax = std::max(zmax, z[q * HW] + bias[q]);
      // softmax(z / T), max subtracted so exp cannot overflow even as T -> 0
      double total = 0.0, sa = 0.0, sb = 0.0;
      for (int64_t q = 0; q < Q; ++q) {
        const double e = std::exp(static_cast<double>((z[q * HW] + bias[q] - zmax) * inv_t));
        total += e;
        sa += e * a_[q];
        sb += e * b_[q];
      }
      ab[(n * 2 + 0) * HW + i] = static_cast<float>(sa / total);
      ab[(n * 2 + 1) * HW + i] = static_cast<float>(sb / total);
    }
  }, 256);
  return ab;
}

Tensor AbBins::centres_tensor() const {
  Tensor t = Tensor::empty({size(), 2});
  for (int64_t q = 0; q < size(); ++q) {
    t[q * 2] = a_[q];
    t[q * 2 + 1] = b_[q];
  }
  return t;
}

Tensor AbBins::weights_tensor() const {
  Tensor t = Tensor::empty({size()});
  for (int64_t q = 0; q < size(); ++q) t[q] = weights_[static_cast<size_t>(q)];
  return t;
}

}  // namespace neuroshop::colorize
