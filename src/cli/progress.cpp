// ProgressBar rendering and throttling (see progress.h).
#include "cli/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <ostream>

namespace neuroshop::cli {

double steady_seconds() {
  using Clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const long long s = std::llround(seconds);
  char buf[48];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

std::string format_rate(double per_second) {
  char buf[48];
  if (!std::isfinite(per_second) || per_second < 0) return "-/s";
  if (per_second >= 1e6)
    std::snprintf(buf, sizeof buf, "%.1fM/s", per_second / 1e6);
  else if (per_second >= 1e4)
    std::snprintf(buf, sizeof buf, "%.1fk/s", per_second / 1e3);
  else if (per_second >= 10)
    std::snprintf(buf, sizeof buf, "%.0f/s", per_second);
  else
    std::snprintf(buf, sizeof buf, "%.2f/s", per_second);
  return buf;
}

ProgressBar::ProgressBar(std::ostream& out, ProgressStyle style, std::function<double()> clock)
    : out_(out), style_(style), clock_(std::move(clock)) {}

ProgressBar::~ProgressBar() {
  // Unwinding from an error: the error line is what the user needs, not the last progress state
  // (in place, only the open line is ended so the error starts on a fresh one).
  if (std::uncaught_exceptions() > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (style_.enabled && style_.terminal && line_open_) out_ << '\n' << std::flush;
    return;
  }
  finish();
}

ProgressStyle ProgressBar::stderr_style(bool quiet) {
  ProgressStyle style;
  style.enabled = !quiet;
  style.terminal = isatty(STDERR_FILENO) == 1;
  winsize ws{};
  if (style.terminal && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    style.width = ws.ws_col;
  } else if (const char* columns = std::getenv("COLUMNS")) {
    const int c = std::atoi(columns);
    if (c > 0) style.width = c;
  }
  style.width = std::clamp(style.width, 40, 400);
  return style;
}

std::string ProgressBar::render(const ProgressEvent& e, double elapsed_s, double rate, int width, bool bar) {
  const bool known_total = e.total > 0;
  const double fraction = known_total ? std::clamp(static_cast<double>(e.done) / e.total, 0.0, 1.0) : 0.0;

  std::string tail;
  char buf[128];
  if (known_total) {
    std::snprintf(buf, sizeof buf, " %3d%%  %lld/%lld", static_cast<int>(std::floor(fraction * 100.0)),
                  static_cast<long long>(e.done), static_cast<long long>(e.total));
  } else {
    std::snprintf(buf, sizeof buf, "  %lld", static_cast<long long>(e.done));
  }
  tail += buf;
  if (rate > 0) tail += "  " + format_rate(rate);
  if (known_total) {
    const bool done = e.done >= e.total;
    const double eta = rate > 0 ? (e.total - e.done) / rate : -1.0;
    tail += done ? "  in " + format_duration(elapsed_s) : "  ETA " + format_duration(eta);
  }
  for (const auto& [name, value] : e.figures) {
    std::snprintf(buf, sizeof buf, "  %s=%.4g", name.c_str(), value);
    tail += buf;
  }

  std::string line = e.stage;
  if (bar && known_total) {
    // Fixed per stage and width, so the bar does not jitter while the numbers change length,
    // unless the numbers need the room (figures matter more than the bar).
    const int room = width - 1 - static_cast<int>(line.size() + tail.size()) - 3;
    const int bar_width = std::min({20, (width - static_cast<int>(line.size())) / 4, room});
    if (bar_width >= 8) {
      const int filled = static_cast<int>(std::floor(fraction * bar_width));
      line += (line.empty() ? "[" : " [") + std::string(static_cast<size_t>(filled), '#') +
              std::string(static_cast<size_t>(bar_width - filled), '.') + "]";
    }
  }
  line += tail;
  // Never wrap: a wrapped line cannot be redrawn in place with '\r'.
  if (bar && static_cast<int>(line.size()) > width - 1) line.resize(static_cast<size_t>(std::max(0, width - 1)));
  return line;
}

void ProgressBar::draw_locked(bool final_line) {
  const double now = clock_();
  // A rate from under a quarter second of work is noise; wait for more.
  const double span = now - first_time_;
  const double rate = span >= 0.25 && last_.done > first_done_ ? (last_.done - first_done_) / span : 0.0;
  // The work before the first report took about first_done_ / rate.
  const double elapsed = span + (rate > 0 ? first_done_ / rate : 0.0);
  const std::string line = render(last_, elapsed, rate, style_.width, style_.terminal);
  if (style_.terminal) {
    // '\r' back to column 0, the line, then ESC[K clears what a longer previous line left.
    out_ << '\r' << line << "\x1b[K";
    if (final_line) {
      out_ << '\n';
      line_open_ = false;
    } else {
      line_open_ = true;
    }
  } else {
    out_ << line << '\n';
  }
  out_.flush();
  last_draw_ = now;
}

void ProgressBar::update(const ProgressEvent& event) {
  if (!style_.enabled) return;
  std::lock_guard<std::mutex> lock(mutex_);
  const double now = clock_();
  if (have_event_ && event.stage != last_.stage) {
    // The previous stage is over: show its final state before the new stage starts.
    draw_locked(true);
    have_event_ = false;
  }
  if (!have_event_) {
    first_time_ = now;
    first_done_ = event.done;
    last_draw_ = style_.terminal ? -1e300 : now;  // log mode: first line after one interval
  }
  last_ = event;
  have_event_ = true;
  const bool stage_done = event.total > 0 && event.done >= event.total;
  if (stage_done) {
    draw_locked(true);
    have_event_ = false;
    return;
  }
  const double interval = style_.terminal ? style_.redraw_interval_s : style_.log_interval_s;
  if (now - last_draw_ >= interval) draw_locked(false);
}

void ProgressBar::finish() {
  if (!style_.enabled) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!have_event_) return;
  // Log mode prints the final state only if it was not just printed.
  if (style_.terminal || last_draw_ < clock_()) draw_locked(true);
  have_event_ = false;
}

ProgressFn ProgressBar::callback() {
  return [this](const ProgressEvent& e) { update(e); };
}

}  // namespace neuroshop::cli
