// Learning-rate schedules as pure functions of the step index (0-based), so a resumed run needs
// only the step count: the trainer calls optimizer.set_learning_rate(schedule.lr_at(step)).
// Not here: schedules that react to the loss (reduce-on-plateau).
#pragma once

#include <cstdint>

namespace neuroshop {

class LrSchedule {
 public:
  virtual ~LrSchedule() = default;
  // Throws ArgumentError for step < 0.
  virtual double lr_at(int64_t step) const = 0;
};

// lr = base_lr, always.
class ConstantLr : public LrSchedule {
 public:
  explicit ConstantLr(double base_lr);
  double lr_at(int64_t step) const override;

 private:
  double base_lr_;
};

// torch.optim.lr_scheduler.StepLR:  lr = base_lr * gamma^floor(step / step_size).
class StepLr : public LrSchedule {
 public:
  // Throws ArgumentError unless base_lr >= 0, step_size > 0, gamma > 0.
  StepLr(double base_lr, int64_t step_size, double gamma);
  double lr_at(int64_t step) const override;

 private:
  double base_lr_;
  int64_t step_size_;
  double gamma_;
};

// Linear warm-up, then half a cosine from base_lr down to min_lr at total_steps:
//   step < warmup_steps:  lr = base_lr * (step + 1) / warmup_steps   (never 0; base_lr at warmup - 1)
//   otherwise:            progress = min(1, (step - warmup_steps) / (total_steps - warmup_steps))
//                         lr = min_lr + (base_lr - min_lr) * (1 + cos(pi * progress)) / 2
// so lr = base_lr at step warmup_steps and min_lr from step total_steps on.
class CosineLr : public LrSchedule {
 public:
  // Throws ArgumentError unless base_lr >= min_lr >= 0, total_steps > 0, 0 <= warmup_steps <= total_steps.
  CosineLr(double base_lr, int64_t total_steps, double min_lr = 0.0, int64_t warmup_steps = 0);
  double lr_at(int64_t step) const override;

 private:
  double base_lr_;
  int64_t total_steps_;
  double min_lr_;
  int64_t warmup_steps_;
};

}  // namespace neuroshop
