// Training the harmonization network and measuring it. Training: random crops of real photos with a
// region's colours changed (harmonize/data.h), the masked residual learned with MSE and Adam on a
// cosine schedule; checkpoints (network, Adam state, data RNG, step) every few steps so a killed
// run resumes, the model file rewritten at each, a JSON log and loss curve beside it (TrainingLog).
// Evaluation: composites built deterministically from any photos, the model against the raw
// composite and the Reinhard baseline: MSE and PSNR on 0–255 RGB over the whole image, and
// foreground MSE (over the region) as in iHarmony4.
// Not here: argument parsing or printing (src/cli/cmd_tryon.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "apps/harmonize/model.h"
#include "core/progress.h"

namespace neuroshop::harmonize {

struct HarmonizeTrainOptions {
  std::vector<std::string> data;     // photo files or folders (searched recursively)
  std::string val_list;              // photos never trained on (list relative to its folder); the validation curve uses them
  std::string masks;                 // optional folder of PNG cut-outs whose alpha shapes the regions
  std::string out = "models/harmonize.nsm";
  int64_t steps = 2000;
  double hours = 0.0;                // if > 0, also stop after this much time in this run
  bool resume = false;
  uint64_t seed = 1;
  int64_t batch_size = 16;
  int64_t crop = 64;                 // training crop side and the model's working size (multiple of 64)
  int64_t width = 16;
  double learning_rate = 2e-3;
  int64_t val_every = 100;
  int64_t checkpoint_every = 50;
  int64_t val_images = 48;
  int64_t max_photos = 0;            // 0: all
  std::string command_line;
};

struct HarmonizeTrainSummary {
  int64_t step = 0;
  double train_mse = 0.0;            // last batch, 0–255 scale
  double val_mse = 0.0, val_raw_mse = 0.0;
  double seconds = 0.0;
  int64_t train_photos = 0, val_photos = 0, masks = 0;
};

HarmonizeTrainSummary train_harmonize(const HarmonizeTrainOptions& options, const ProgressFn& progress = {});

struct HarmonizeEvalOptions {
  std::vector<std::string> data;     // photo files or folders
  std::string list;                  // or a list file (paths relative to its folder)
  int64_t count = 200;               // composites (photos are cycled)
  uint64_t seed = 1;
  int64_t size = 128;                // photos are centre-cropped to size x size
};

struct HarmonizeScores {
  double mse = 0.0;       // mean over images of the per-image MSE, 0–255 RGB
  double psnr = 0.0;      // mean over images, dB
  double fg_mse = 0.0;    // mean over images of the MSE over the region (mask > 0.5)
};

struct HarmonizeEvalResult {
  int64_t images = 0, photos = 0;
  HarmonizeScores model, raw, reinhard;
};

HarmonizeEvalResult evaluate_harmonize(HarmonizeModel& model, const HarmonizeEvalOptions& options,
                                       const ProgressFn& progress = {});

}  // namespace neuroshop::harmonize
