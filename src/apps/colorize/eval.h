// `eval colorize`: the model against two simple baselines on held-out colour photos, with the
// metrics of Zhang et al. 2016 — PSNR (RGB), AuC of the per-pixel ab error curve over thresholds
// 0..150 (plain, and rebalanced by inverse ab-bin frequency, i.e. the mean over colour bins of the
// per-bin curve), and Hasler–Süsstrunk colourfulness of the outputs over the originals'.
// Baselines: gray (a = b = 0) and lookup (the training photos' mean ab per L level).
// Not here: argument parsing or printing (the CLI).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "apps/colorize/colorize.h"
#include "apps/colorize/model.h"
#include "core/progress.h"

namespace neuroshop::colorize {

struct EvalOptions {
  std::vector<std::string> data;  // photo files or folders
  std::string list;               // or a list file (paths relative to its folder), e.g. photos/val.txt
  int64_t size = 384;             // photos are evaluated with their long side at this size
  int64_t working_size = 0;       // the long side the network sees (colorize --size); 0: the same as `size`
  float vividness = kDefaultVividness;
  float prior_correction = kDefaultPriorCorrection;
  int64_t max_images = 0;         // 0: all
  bool mirror = false;            // colorize_image's mirror averaging
  std::string sheet;              // if set, a contact sheet of the first sheet_count photos is written here:
  int64_t sheet_count = 24;       // each as gray input | model | original, four photos a row
};

struct MethodScores {
  std::string name;
  double psnr = 0.0;                 // dB, mean over photos
  double auc = 0.0;                  // percent
  double auc_rebalanced = 0.0;       // percent
  double colorfulness_ratio = 0.0;   // sum of outputs' colourfulness / sum of originals'
};

// The scores of one method, accumulated over photos: each (original, output) pair of 8-bit BGR
// images of one size adds its PSNR, colourfulness and per-pixel ab errors.
class ColourScores {
 public:
  static constexpr int kThresholds = 151;  // ab error thresholds 0, 1, ..., 150
  static constexpr int kCells = 23;        // ab cells of 10 per axis over [-110, 110], for rebalancing

  void add(const cv::Mat& truth_bgr8, const cv::Mat& out_bgr8);
  MethodScores summary(const std::string& name) const;
  int64_t images() const { return images_; }

 private:
  // Mean over thresholds t of the fraction of pixels with ab error <= t, in percent; `rebalanced`
  // weighs every occupied colour cell of the truth equally (inverse-frequency weighting of pixels).
  double auc(bool rebalanced) const;

  // per ground-truth ab cell, how many pixels had an ab error in each integer bucket 0..150, >150
  std::vector<double> counts_ = std::vector<double>(static_cast<size_t>(kCells * kCells * (kThresholds + 1)), 0.0);
  double psnr_sum_ = 0.0, colorfulness_out_ = 0.0, colorfulness_truth_ = 0.0;
  int64_t images_ = 0;
};

struct EvalResult {
  int64_t images = 0;
  int64_t skipped_gray = 0;
  std::vector<MethodScores> methods;  // model, gray, lookup
};

EvalResult evaluate(ColorizeModel& model, const EvalOptions& options, const ProgressFn& progress = {});

}  // namespace neuroshop::colorize
