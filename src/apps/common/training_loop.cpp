// The shared training loop; see training_loop.h.
#include "apps/common/training_loop.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "apps/common/training_files.h"
#include "core/atomic_file.h"
#include "core/errors.h"
#include "core/optim/lr_schedule.h"

namespace neuroshop::apps {

TrainingLoop::TrainingLoop(TrainingLoopOptions options, Layer& net, Optimizer& optimizer,
                           std::vector<std::pair<std::string, Rng*>> rngs)
    : options_(std::move(options)),
      net_(net),
      optimizer_(optimizer),
      log_(options_.log_title, log_json_path(options_.model_path), loss_png_path(options_.model_path)) {
  state_.optimizer = optimizer_.state();
  state_.rngs = std::move(rngs);
  const std::string checkpoint = checkpoint_path(options_.model_path);
  // A run killed while it wrote a file left the temporary beside it; this run takes the files over.
  for (const std::string& file : {options_.model_path, checkpoint, log_json_path(options_.model_path),
                                  loss_png_path(options_.model_path)})
    remove_stale_temporaries(file);
  if (options_.resume && std::filesystem::exists(checkpoint)) {
    load_checkpoint(checkpoint, net_, state_);
    seconds_before_ = state_.values.count("seconds") ? std::stod(state_.values.at("seconds")) : 0.0;
    log_.load();
    log_.truncate_after(state_.step);
  } else if (options_.start_step > 0) {
    if (options_.start_step >= options_.steps)
      throw ArgumentError("cannot continue at step " + std::to_string(options_.start_step) + ": the schedule has " +
                          std::to_string(options_.steps) + " steps");
    state_.step = options_.start_step;
    seconds_before_ = options_.start_seconds;
    if (std::filesystem::exists(log_json_path(options_.model_path))) {
      log_.load();
      log_.truncate_after(state_.step);
    }
  }
}

TrainingLoopResult TrainingLoop::run(const TrainingLoopSteps& steps, const ProgressFn& progress) {
  using Clock = std::chrono::steady_clock;
  const TrainingLoopOptions& o = options_;
  const CosineLr schedule(o.learning_rate, o.steps, o.learning_rate / 20.0, std::min(o.max_warmup_steps, o.steps / 10));
  const Clock::time_point start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  auto save_all = [&](int64_t step) {
    state_.step = step;
    state_.values["seconds"] = std::to_string(seconds_before_ + elapsed());
    steps.save_model({{"training_command", o.command_line},
                      {"training_steps", std::to_string(step)},
                      {"training_seconds", state_.values["seconds"]}});
    log_.save();
    save_checkpoint(checkpoint_path(o.model_path), net_, state_);  // last: see the header
  };
  auto validate = [&](int64_t step) {
    net_.set_training(false);
    log_.add_val({step, steps.validate()});
    net_.set_training(true);
  };

  net_.set_training(true);
  int64_t step = state_.step;
  Clock::time_point window_start = Clock::now();
  int64_t window_images = 0;
  double images_per_second = 0.0;
  // The time limit is checked after each step, so every run makes progress, however short its limit.
  while (step < o.steps) {
    const double lr = schedule.lr_at(step);
    optimizer_.set_learning_rate(lr);
    optimizer_.zero_grad();
    const double loss = steps.train_step();
    optimizer_.step();
    ++step;
    // images/s over windows of about 5 s, so the figure neither jitters nor lags far behind
    window_images += o.batch_size;
    const double window = std::chrono::duration<double>(Clock::now() - window_start).count();
    if (window > 5.0) {
      images_per_second = static_cast<double>(window_images) / window;
      window_start = Clock::now();
      window_images = 0;
    }
    const TrainPoint point{step, loss, lr, images_per_second};
    log_.add_train(point);
    if (step % o.val_every == 0 || step == o.steps) validate(step);
    if (step % o.checkpoint_every == 0 || step == o.steps) save_all(step);
    report(progress, {step, o.steps, o.stage, steps.figures(point)});
    if (o.seconds_limit > 0 && elapsed() > o.seconds_limit) break;
  }
  if (step % o.checkpoint_every != 0 && step != o.steps) {
    if (o.validate_on_early_stop) validate(step);
    save_all(step);
  }
  return {step, seconds_before_ + elapsed()};
}

}  // namespace neuroshop::apps
