// Training a fast style (Johnson et al. 2016): the transform network of fast.h learns, on random
// crops of photos, to minimize the same objective stylization by optimization uses (objective.h):
// Gram losses to one painting through the fixed random FeatureNet, a content loss to the photo
// and total variation. The photo is recoloured into the painting's palette before the network
// (as StyleModel::apply does), so the network learns texture rather than a global colour change.
// Adam with a cosine schedule. Checkpoints every checkpoint_every steps (network, Adam state, data
// RNG, step) so a killed run resumes exactly; the model file, a JSON log and the loss curve
// (apps/common/training_log.h) are rewritten at each checkpoint.
// Not here: argument parsing or progress rendering (the CLI), evaluation (eval.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "apps/stylize/fast.h"
#include "apps/stylize/objective.h"
#include "core/progress.h"

namespace neuroshop::stylize {

struct TrainOptions {
  std::string style;                  // the painting
  std::vector<std::string> data;      // photo files or folders (searched recursively)
  std::string out = "models/style.nsm";
  int64_t steps = 1000;               // schedule length; training stops here
  double minutes = 0.0;               // if > 0, also stop after this much time in this run
  bool resume = false;
  uint64_t seed = 1;                  // network init and data sampling
  uint64_t feature_seed = 1;          // the FeatureNet's seed (as `stylize --seed`)
  int64_t batch_size = 4;
  int64_t crop = 128;                 // training crop side (multiple of 4)
  double style_size = 2.0;            // the style image's long side is style_size * crop
  TransformNetOptions net;
  double learning_rate = 2e-3;
  LossWeights weights{1.0, 0.4, 2.0};
  int64_t val_every = 50;
  int64_t checkpoint_every = 50;
  int64_t val_images = 8;             // photos held out for the validation loss (never trained on)
  int64_t max_photos = 0;             // 0: all
  std::string command_line;           // recorded in the model file
};

struct TrainSummary {
  int64_t step = 0;
  LossTerms train;       // the last step's terms
  LossTerms val;         // the last validation
  double seconds = 0.0;  // total over all resumed runs
  int64_t train_photos = 0, val_photos = 0;
  int64_t parameters = 0;
};

TrainSummary train(const TrainOptions& options, const ProgressFn& progress = {});

}  // namespace neuroshop::stylize
