// ProgressBar with a fake clock: log-mode throttling, terminal redraws in place, stage changes,
// rate and ETA, --quiet; and the text helpers format_duration / format_rate.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "cli/progress.h"

namespace neuroshop::cli {
namespace {

int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

struct FakeClock {
  double now = 100.0;
  std::function<double()> fn() {
    return [this] { return now; };
  }
};

TEST(Progress, LogModePrintsOneLinePerIntervalAndTheEnd) {
  std::ostringstream out;
  FakeClock clock;
  ProgressStyle style;
  style.terminal = false;
  style.log_interval_s = 10.0;
  ProgressBar bar(out, style, clock.fn());
  for (int i = 1; i <= 30; ++i) {
    clock.now += 1.0;  // one unit a second: 30 s in all
    bar.update({i, 30, "train", {{"loss", 0.5}}});
  }
  const std::string text = out.str();
  // Lines at 10 s and 20 s, then the finished stage; never a '\r'.
  EXPECT_EQ(count_of(text, "\n"), 3) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_NE(text.find("train 100%  30/30"), std::string::npos) << text;
  EXPECT_NE(text.find("loss=0.5"), std::string::npos) << text;
  bar.finish();
  EXPECT_EQ(count_of(out.str(), "\n"), 3) << "finish() repeated the last line";
}

TEST(Progress, TerminalModeRedrawsInPlaceThrottled) {
  std::ostringstream out;
  FakeClock clock;
  ProgressStyle style;
  style.terminal = true;
  style.redraw_interval_s = 0.1;
  style.width = 80;
  ProgressBar bar(out, style, clock.fn());
  for (int i = 1; i < 100; ++i) {
    clock.now += 0.01;  // ten updates per redraw interval
    bar.update({i, 100, "stylize", {}});
  }
  const int redraws = count_of(out.str(), "\r");
  EXPECT_GE(redraws, 9);
  EXPECT_LE(redraws, 12);
  EXPECT_EQ(count_of(out.str(), "\n"), 0) << "the line is still open";
  bar.finish();
  EXPECT_EQ(out.str().back(), '\n');
  EXPECT_NE(out.str().find("["), std::string::npos) << "terminal lines draw a bar";
}

TEST(Progress, NewStageEndsThePreviousLine) {
  std::ostringstream out;
  FakeClock clock;
  ProgressStyle style;
  style.terminal = true;
  ProgressBar bar(out, style, clock.fn());
  bar.update({1, 10, "load photos", {}});
  clock.now += 1.0;
  bar.update({1, 5, "train", {}});
  bar.finish();
  const std::string text = out.str();
  const size_t first = text.find("load photos"), second = text.find("train");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  EXPECT_NE(text.substr(first, second - first).find('\n'), std::string::npos) << text;
}

TEST(Progress, QuietDrawsNothing) {
  std::ostringstream out;
  ProgressStyle style;
  style.enabled = false;
  ProgressBar bar(out, style, [] { return 0.0; });
  bar.update({1, 2, "x", {}});
  bar.update({2, 2, "x", {}});
  bar.finish();
  EXPECT_EQ(out.str(), "");
}

TEST(Progress, RenderShowsRateEtaAndFitsTheWidth) {
  const std::string line = ProgressBar::render({25, 100, "colorize", {}}, 5.0, 5.0, 80, true);
  EXPECT_NE(line.find(" 25%  25/100"), std::string::npos) << line;
  EXPECT_NE(line.find("5.00/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 0:15"), std::string::npos) << line;
  const std::string done = ProgressBar::render({100, 100, "colorize", {}}, 20.0, 5.0, 80, true);
  EXPECT_NE(done.find("in 0:20"), std::string::npos) << done;
  const std::string narrow = ProgressBar::render({1, 3, std::string(100, 's'), {}}, 1.0, 1.0, 40, true);
  EXPECT_LE(narrow.size(), 39u);
  EXPECT_EQ(ProgressBar::render({7, 0, "scan", {}}, 1.0, 0.0, 80, false), "scan  7");
}

TEST(Progress, Formats) {
  EXPECT_EQ(format_duration(42), "0:42");
  EXPECT_EQ(format_duration(725), "12:05");
  EXPECT_EQ(format_duration(3723), "1:02:03");
  EXPECT_EQ(format_duration(-1), "--:--");
  EXPECT_EQ(format_rate(950), "950/s");
  EXPECT_EQ(format_rate(8100), "8100/s");
  EXPECT_EQ(format_rate(81000), "81.0k/s");
  EXPECT_EQ(format_rate(2.5), "2.50/s");
  EXPECT_EQ(format_rate(2.3e6), "2.3M/s");
}

}  // namespace
}  // namespace neuroshop::cli
