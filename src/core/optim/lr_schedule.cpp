// ConstantLr, StepLr, CosineLr; the formulas are in lr_schedule.h.
#include "core/optim/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/errors.h"

namespace neuroshop {
namespace {

void expect_step(int64_t step, const char* who) {
  if (step < 0) throw ArgumentError(std::string(who) + ": step must be >= 0, got " + std::to_string(step));
}

void expect_lr(double lr, const char* who, const char* what) {
  if (!(lr >= 0.0) || !std::isfinite(lr))
    throw ArgumentError(std::string(who) + ": " + what + " must be finite and >= 0, got " + std::to_string(lr));
}

}  // namespace

ConstantLr::ConstantLr(double base_lr) : base_lr_(base_lr) { expect_lr(base_lr, "ConstantLr", "base_lr"); }

double ConstantLr::lr_at(int64_t step) const {
  expect_step(step, "ConstantLr");
  return base_lr_;
}

StepLr::StepLr(double base_lr, int64_t step_size, double gamma)
    : base_lr_(base_lr), step_size_(step_size), gamma_(gamma) {
  expect_lr(base_lr, "StepLr", "base_lr");
  if (step_size <= 0) throw ArgumentError("StepLr: step_size must be > 0, got " + std::to_string(step_size));
  if (!(gamma > 0.0) || !std::isfinite(gamma))
    throw ArgumentError("StepLr: gamma must be finite and > 0, got " + std::to_string(gamma));
}

double StepLr::lr_at(int64_t step) const {
  expect_step(step, "StepLr");
  return base_lr_ * std::pow(gamma_, static_cast<double>(step / step_size_));
}

CosineLr::CosineLr(double base_lr, int64_t total_steps, double min_lr, int64_t warmup_steps)
    : base_lr_(base_lr), total_steps_(total_steps), min_lr_(min_lr), warmup_steps_(warmup_steps) {
  expect_lr(base_lr, "CosineLr", "base_lr");
  expect_lr(min_lr, "CosineLr", "min_lr");
  if (min_lr > base_lr)
    throw ArgumentError("CosineLr: min_lr (" + std::to_string(min_lr) + ") must not exceed base_lr (" +
                        std::to_string(base_lr) + ")");
  if (total_steps <= 0) throw ArgumentError("CosineLr: total_steps must be > 0, got " + std::to_string(total_steps));
  if (warmup_steps < 0 || warmup_steps > total_steps)
    throw ArgumentError("CosineLr: warmup_steps must be in [0, total_steps=" + std::to_string(total_steps) +
                        "], got " + std::to_string(warmup_steps));
}

double CosineLr::lr_at(int64_t step) const {
  expect_step(step, "CosineLr");
  if (step < warmup_steps_)
    return base_lr_ * static_cast<double>(step + 1) / static_cast<double>(warmup_steps_);
  const int64_t decay_steps = total_steps_ - warmup_steps_;
  const double progress =
      decay_steps == 0 ? 1.0
                       : std::min(1.0, static_cast<double>(step - warmup_steps_) / static_cast<double>(decay_steps));
  return min_lr_ + (base_lr_ - min_lr_) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

}  // namespace neuroshop
