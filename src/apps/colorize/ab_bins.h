// The quantized ab colour space of Zhang, Isola & Efros 2016 ("Colorful Image Colorization"):
// the ab plane cut into a grid of bins (10 units apart), of which only the bins seen in the
// training photos are kept; soft encoding of a true ab value onto its nearest bins; class
// rebalancing weights; and annealed-mean decoding of a predicted distribution back to ab.
// Not here: Lab conversion (io/color.h) or the network (network.h).
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace neuroshop::colorize {

struct AbBinOptions {
  float grid = 10.0f;      // bin spacing in ab units
  float ab_range = 110.0f;  // bins cover [-range, range] in a and b
};

// The kept bins: centres (a, b) and, after training statistics, the rebalancing weights.
class AbBins {
 public:
  AbBins() = default;
  // All grid bins whose count in `histogram` (one count per grid cell, row-major over a then b) is > 0.
  static AbBins from_histogram(const std::vector<double>& histogram, AbBinOptions options = {});
  // Rebuilds from saved centres (Q,2) and weights (Q).
  static AbBins from_tensors(const Tensor& centres, const Tensor& weights, AbBinOptions options = {});

  int64_t size() const { return static_cast<int64_t>(a_.size()); }
  float a(int64_t q) const { return a_[static_cast<size_t>(q)]; }
  float b(int64_t q) const { return b_[static_cast<size_t>(q)]; }
  const std::vector<float>& weights() const { return weights_; }
  const AbBinOptions& options() const { return options_; }

  // Grid cells per axis and the cell index of an ab value (clamped to the grid).
  int64_t cells_per_axis() const;
  int64_t cell_of(float a, float b) const;
  // The kept bin nearest to (a, b).
  int64_t nearest(float a, float b) const;

  // Rebalancing weights (Zhang 2016 eq. 4): w ∝ ((1−λ)·p̃ + λ/Q)^−1 with p̃ the bin distribution
  // smoothed by a Gaussian of `sigma` ab units, normalized so that Σ p̃·w = 1.
  void set_rebalancing(const std::vector<double>& bin_counts, double lambda = 0.5, double sigma = 5.0);

  // Soft encoding: for each pixel of ab (N,2,H,W) the `neighbours` nearest bins get weights
  // ∝ exp(−d²/2σ²), normalized; result (N,Q,H,W).
  Tensor soft_encode(const Tensor& ab, int neighbours = 5, float sigma = 5.0f) const;

  // Annealed mean (Zhang 2016 eq. 5): f_T(z) = softmax(log z / T), ab = Σ_q f_T(z)_q · centre_q.
  // Takes logits (N,Q,H,W); log z = logits − logsumexp, so f_T = softmax(logits / T).
  // T → 0 gives the mode, T = 1 the mean. Returns ab (N,2,H,W).
  // prior_correction α in [0, 1] first divides z by w^α: a network trained with the rebalancing
  // weights w predicts z ∝ w·p (the weighted loss's minimizer), so α = 1 decodes the plain
  // posterior p, α = 0 the rebalanced one (vivid, rare colours favoured).
  Tensor annealed_mean(const Tensor& logits, float temperature, float prior_correction = 0.0f) const;

  Tensor centres_tensor() const;  // (Q,2)
  Tensor weights_tensor() const;  // (Q)

 private:
  AbBinOptions options_;
  std::vector<float> a_, b_;
  std::vector<float> weights_;
  std::vector<int32_t> cell_to_bin_;  // nearest kept bin for every grid cell
  void build_cell_lookup();
};

}  // namespace neuroshop::colorize
