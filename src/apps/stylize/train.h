// Training a fast style (Johnson et al. 2016): the transform network of fast.h learns, on random
// crops of photos, to minimize the same objective stylization by optimization uses (objective.h):
// Gram losses to one painting through the fixed random FeatureNet, a content loss to the photo
// and total variation. The photo is recoloured into the painting's palette before the network
// (as StyleModel::apply does), so the network learns texture rather than a global colour change.
// With a teacher ("patches") the network learns to reproduce instead what patch synthesis
// (stylize.h's default method, which copies the painting's own marks) makes of each training photo:
// the content target is the teacher's result, not the photo, and a pixel L1 term pulls the colours
// to it; the Gram losses to the painting stay (at their weight) so uncertain places get texture
// rather than an average. The teacher's results are computed once per photo and kept in a folder
// beside the model file (<out>.teacher/, or teacher_cache), so a resumed run, or another run on
// the same photos and painting, does not pay again.
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
  std::string teacher;                // "" (the Gram objective alone) or "patches" (see above)
  double teacher_pixel_weight = 1.0;  // weight of the L1 distance to the teacher's result
  std::string teacher_cache;          // folder of the teacher's results ("": <out>.teacher)
};

// The mean absolute difference between y and target (same shape), times weight; adds its gradient
// (weight * sign(y - target) / numel, 0 where equal) to *dy (same shape) when dy is non-null.
double pixel_l1_loss(const Tensor& y, const Tensor& target, double weight, Tensor* dy);

// The file the teacher's result for one photo is kept in: inside cache_dir, named by a hash of
// the photo's path and working size, the painting's path and size in bytes, and the method.
std::string teacher_cache_file(const std::string& cache_dir, const std::string& photo_path, int width, int height,
                               const std::string& style_path);

struct TrainSummary {
  int64_t step = 0;
  LossTerms train;       // the last step's terms
  LossTerms val;         // the last validation
  double seconds = 0.0;  // total over all resumed runs
  int64_t train_photos = 0, val_photos = 0;
  int64_t parameters = 0;
  int64_t teacher_computed = 0;  // teacher results made in this run (the others came from the cache)
  std::string teacher_cache;     // the folder the teacher's results are kept in ("" without a teacher)
};

TrainSummary train(const TrainOptions& options, const ProgressFn& progress = {});

}  // namespace neuroshop::stylize
