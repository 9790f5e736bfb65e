// ProgressBar: renders core ProgressEvents on stderr for the CLI.
//  - stderr is a terminal: one line redrawn in place (at most every redraw_interval_s, ~10x/s) with
//    a bar, percentage, count, rate, ETA and the event's figures (loss=..., img/s=...).
//  - stderr is not a terminal (logs, pipes): a plain line every log_interval_s and when a stage ends.
//  - --quiet: nothing at all.
// Not here: timing of the work itself or any knowledge of what is running; apps only emit events
// (src/core/progress.h) and never include this file.
#pragma once

#include <functional>
#include <iosfwd>
#include <mutex>
#include <string>

#include "core/progress.h"

namespace neuroshop::cli {

struct ProgressStyle {
  bool enabled = true;             // false: draw nothing (--quiet)
  bool terminal = false;           // true: redraw one line in place; false: plain log lines
  double redraw_interval_s = 0.1;  // terminal mode: at most ~10 redraws a second
  double log_interval_s = 10.0;    // log mode: one line every this many seconds
  int width = 80;                  // terminal columns
};

// Seconds on a monotonic clock.
double steady_seconds();

class ProgressBar {
 public:
  // Draws on `out`; `clock` returns seconds (tests pass a fake clock).
  explicit ProgressBar(std::ostream& out, ProgressStyle style = {},
                       std::function<double()> clock = steady_seconds);
  // Ends a line still being drawn.
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // The style for std::cerr: in place when stderr is a terminal (isatty), log lines otherwise,
  // disabled when `quiet`. Width from the terminal (TIOCGWINSZ), else $COLUMNS, else 80.
  static ProgressStyle stderr_style(bool quiet);

  // Thread-safe; throttled. A new stage name ends the previous stage's line.
  void update(const ProgressEvent& event);
  // Draws the last event unthrottled and ends its line. Idempotent.
  void finish();
  // A ProgressFn forwarding to update(); this bar must outlive every call.
  ProgressFn callback();

  // One line without newline, e.g.
  //   "train mlp [########............]  40%  1200/3000  8.1k/s  ETA 0:00  loss=0.0213"
  // `rate` is units per second (<= 0: not known yet, no rate or ETA shown); `elapsed_s` is shown
  // when the stage is done. `bar` false leaves out the [###...] part (log lines). Unknown totals
  // (total <= 0) show the count only.
  static std::string render(const ProgressEvent& event, double elapsed_s, double rate, int width, bool bar);

 private:
  void draw_locked(bool final_line);

  std::ostream& out_;
  ProgressStyle style_;
  std::function<double()> clock_;
  std::mutex mutex_;
  ProgressEvent last_;
  bool have_event_ = false;  // last_ holds an event of the current stage
  bool line_open_ = false;   // terminal mode: a line is drawn without its newline
  // The stage's first event: rate = (done - first_done_) / (now - first_time_), so work done before
  // the first report does not count as instantaneous.
  double first_time_ = 0.0;
  int64_t first_done_ = 0;
  double last_draw_ = -1e300;
};

// "0:42", "12:05", "1:02:03"; "--:--" for negative or non-finite input.
std::string format_duration(double seconds);
// "950/s", "8.1k/s", "2.3M/s".
std::string format_rate(double per_second);

}  // namespace neuroshop::cli
