// Training the colorizer: photos -> ab bins and rebalancing weights -> the network trained with
// the class-rebalanced soft cross-entropy of Zhang et al. 2016, Adam and a cosine schedule.
// Checkpoints every few minutes (network, Adam state, data-sampling RNG, step), so a killed run
// resumes where it was; the model file is rewritten at each checkpoint, so it is always usable.
// With `init`, a trained model is fine-tuned: its network, bins and rebalancing weights (so its
// decoding stays as it was) under a new schedule.
// Not here: argument parsing or progress rendering (the CLI), evaluation (eval.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/progress.h"

namespace neuroshop::colorize {

struct TrainOptions {
  std::vector<std::string> data;     // photo files or directories (searched recursively)
  std::string val_list;              // file listing validation photos (relative to its own folder); never trained on
  std::string out = "models/colorize.nsm";
  int64_t steps = 20000;             // schedule length; training stops here
  double hours = 0.0;                // if > 0, also stop after this much time in this run
  bool resume = false;
  std::string init;                  // if set, fine-tune this colorize model (its network, bins and weights) instead of a new one
  bool continue_schedule = false;    // with init: a snapshot of this run; continue its schedule at its step
                                     // (the checkpoint is lost: the optimizer state starts afresh)
  uint64_t seed = 1;
  int64_t batch_size = 16;
  int64_t crop = 128;                // training crop side (multiple of 8)
  int64_t photo_side = 320;          // photos are kept with their short side at most this
  double min_mean_chroma = 6.0;      // photos whose mean Lab chroma is below this are skipped (gray, near-gray)
  double max_zoom = 2.5;             // crops span crop..max_zoom*crop photo pixels (scale jitter; the shipped model's recipe)
  int64_t width = 32;                // network width (network.h) of a new network; an --init model keeps its own
  int64_t arch = 1;                  // network version (network.h) of a new network
  double learning_rate = 1e-3;
  int64_t val_every = 250;
  int64_t checkpoint_every = 100;
  int64_t val_images = 64;           // validation photos used for the curve
  std::string command_line;          // recorded in the model file
};

struct TrainSummary {
  int64_t step = 0;
  double train_loss = 0.0;
  double val_loss = 0.0;
  double seconds = 0.0;              // total training time over all resumed runs
  int64_t train_photos = 0, val_photos = 0, skipped_gray = 0;
  int64_t num_bins = 0;
};

// Checkpoint and logs go beside the model (apps/common/training_files.h).
TrainSummary train(const TrainOptions& options, const ProgressFn& progress = {});

}  // namespace neuroshop::colorize
