// The loop every evaluation of several methods shares (`eval harmonize`, `eval matte`, and their
// trainers' validation): each picture in turn, every method on it (timed when asked), each output
// scored by the caller; progress after each picture; sums over pictures turned into means.
// Not here: what a method does, what a picture is, or how a figure is computed (the app's eval).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/progress.h"

namespace neuroshop::apps {

// One method under evaluation: its output for the current picture, and where its time goes.
struct EvalMethod {
  std::function<cv::Mat()> run;
  double* seconds = nullptr;  // when set, the seconds run() took are added here
};

// For pictures 0 .. count-1 in order: prepare(i) makes picture i the current one, then the
// methods run on it in order, score(m, output) adding method m's figures; then progress is
// reported as {i + 1, count, stage}.
void evaluate_methods(int64_t count, const std::function<void(int64_t picture)>& prepare,
                      const std::vector<EvalMethod>& methods,
                      const std::function<void(size_t method, const cv::Mat& output)>& score, const std::string& stage,
                      const ProgressFn& progress = {});

// Divides each sum by n > 0: sums over pictures become means.
void divide_sums(std::initializer_list<double*> sums, double n);

}  // namespace neuroshop::apps
