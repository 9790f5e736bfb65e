// ProgressEvent and ProgressFn: how long-running work (training, stylization, demos) reports how far
// it got, without knowing who listens. The CLI renders events as a progress bar on stderr
// (src/cli/progress.h); tests and servers may collect them or ignore them.
// Not here: any rendering, timing or throttling. Reporters may call the callback as often as they
// like; the listener decides what to show and when.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace neuroshop {

struct ProgressEvent {
  int64_t done = 0;   // units finished so far (steps, epochs, images)
  int64_t total = 0;  // units in this stage; 0 or less when unknown
  std::string stage;  // what is running: "train linear", "stylize", ...
  // Free-form figures shown beside the bar, in order: {"loss", 0.0123}, {"img/s", 42.0}.
  std::vector<std::pair<std::string, double>> figures;
};

// An empty ProgressFn means nobody listens; reporters check before calling.
using ProgressFn = std::function<void(const ProgressEvent&)>;

// Calls `fn` when set: report(progress, {done, total, "stage", {{"loss", l}}}).
inline void report(const ProgressFn& fn, const ProgressEvent& event) {
  if (fn) fn(event);
}

}  // namespace neuroshop
