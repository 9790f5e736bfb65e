// TrainingLoop: the resumable loop every trainer shares. The optimizer stepped on a cosine
// learning-rate schedule (linear warm-up, then down to lr/20); checkpoints that restore the
// weights, the optimizer's state, the data RNGs and the elapsed time on --resume; the JSON/PNG
// training log (training_log.h) with a throughput figure; validation every val_every steps and at
// the last one; saves every checkpoint_every steps and at the end: the model, then the log, then
// the checkpoint, so a kill between two writes leaves the log ahead of the checkpoint (trimmed on
// resume), never behind it.
// Not here: what a step trains on, the network or its loss (the trainer's callables), argument
// checks, or the checkpoint format (core/model/checkpoint.h).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "apps/common/training_log.h"
#include "core/layer.h"
#include "core/model/checkpoint.h"
#include "core/optim/optimizer.h"
#include "core/progress.h"
#include "core/rng.h"

namespace neuroshop::apps {

struct TrainingLoopOptions {
  std::string model_path;         // the trainer's --out; checkpoint and logs go beside it (training_files.h)
  std::string command_line;       // recorded in the model file as training_command
  std::string log_title;          // on the loss curve
  std::string stage;              // the progress stage, e.g. "train colorize"
  int64_t steps = 1;              // schedule length; training stops here
  double seconds_limit = 0.0;     // if > 0, also stop after this long in this run
  bool resume = false;            // continue from the checkpoint, when there is one
  double learning_rate = 1e-3;    // the schedule's peak; it ends at learning_rate / 20
  int64_t max_warmup_steps = 0;   // warm-up lasts min(max_warmup_steps, steps / 10)
  int64_t batch_size = 1;         // images a step, for the images/s figure
  int64_t val_every = 1;
  int64_t checkpoint_every = 1;
  bool validate_on_early_stop = false;  // also validate before the save of a run stopped by the time limit
  // Continuing a run whose checkpoint is lost from a weights snapshot (the trainer loads the
  // weights): when no checkpoint is resumed, the schedule starts at this step with a fresh optimizer
  // state, the elapsed time at start_seconds, and the log beside the model is kept up to it.
  int64_t start_step = 0;
  double start_seconds = 0.0;
};

// The options every trainer's options struct names alike (out, command_line, steps, resume,
// learning_rate, batch_size, val_every, checkpoint_every), with `name` as the log's title and
// "train NAME" as the progress stage; the trainer sets the rest.
template <class TrainerOptions>
TrainingLoopOptions common_loop_options(const TrainerOptions& o, const std::string& name) {
  TrainingLoopOptions l;
  l.log_title = name;
  l.stage = "train " + name;
  l.model_path = o.out;
  l.command_line = o.command_line;
  l.steps = o.steps;
  l.resume = o.resume;
  l.learning_rate = o.learning_rate;
  l.batch_size = o.batch_size;
  l.val_every = o.val_every;
  l.checkpoint_every = o.checkpoint_every;
  return l;
}

// What the trainer supplies; all four are called.
struct TrainingLoopSteps {
  // One batch forward and backward, gradients into the params (the loop clears them before and
  // steps the optimizer after); returns the loss to log.
  std::function<double()> train_step;
  // The network on the validation data; returns the loss to log. The loop switches the network
  // to evaluation mode (set_training(false)) around it.
  std::function<double()> validate;
  // Writes the model file with `metadata` (training_command, training_steps, training_seconds)
  // plus the trainer's own entries.
  std::function<void(const std::map<std::string, std::string>& metadata)> save_model;
  // The figures beside the progress bar after a step.
  std::function<std::vector<std::pair<std::string, double>>(const TrainPoint& point)> figures;
};

struct TrainingLoopResult {
  int64_t step = 0;       // the last step trained
  double seconds = 0.0;   // total training time over all resumed runs
};

class TrainingLoop {
 public:
  // With options.resume and a checkpoint beside options.model_path, restores `net`, the
  // optimizer's state, the named RNGs, the step and the elapsed time from it, and the log from
  // its JSON file (points after the checkpoint's step dropped). The objects must outlive the loop.
  TrainingLoop(TrainingLoopOptions options, Layer& net, Optimizer& optimizer,
               std::vector<std::pair<std::string, Rng*>> rngs);

  // The step training starts from: 0, or the checkpoint's on resume.
  int64_t start_step() const { return state_.step; }
  // The log as restored (empty without resume), then as run() extends it.
  const TrainingLog& log() const { return log_; }

  // Trains (net.set_training(true)) from start_step() until options.steps or the time limit,
  // checked after each step (so a run trains at least one step while any are left).
  // Throws what the callables and the file writes throw.
  TrainingLoopResult run(const TrainingLoopSteps& steps, const ProgressFn& progress = {});

 private:
  TrainingLoopOptions options_;
  Layer& net_;
  Optimizer& optimizer_;
  TrainingState state_;
  TrainingLog log_;
  double seconds_before_ = 0.0;
};

}  // namespace neuroshop::apps
