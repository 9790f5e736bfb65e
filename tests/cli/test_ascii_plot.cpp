// ascii_plot: axes and labels, one mark per series, resampling to the width, log scale, and the
// empty and non-finite cases.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "cli/ascii_plot.h"

namespace neuroshop::cli {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(AsciiPlot, DrawsAxesMarksAndLegend) {
  PlotOptions o;
  o.width = 30;
  o.height = 8;
  o.x_label = "epoch";
  std::vector<double> falling, flat;
  for (int i = 0; i < 30; ++i) {
    falling.push_back(1.0 - i / 30.0);
    flat.push_back(0.5);
  }
  const std::string text = ascii_plot({{"falling", falling, 'f'}, {"flat", flat, 'm'}}, o);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const std::vector<std::string> lines = lines_of(text);
  EXPECT_GE(lines.size(), 8u + 2u) << text;
  EXPECT_NE(text.find('+'), std::string::npos) << "x axis corner\n" << text;
  EXPECT_NE(text.find('f'), std::string::npos);
  EXPECT_NE(text.find('m'), std::string::npos);
  EXPECT_NE(text.find("falling"), std::string::npos);
  EXPECT_NE(text.find("flat"), std::string::npos);
  EXPECT_NE(text.find("29"), std::string::npos) << "the last x is labelled\n" << text;
  // The falling series starts on the top row and ends on the bottom row.
  const size_t top_f = lines.front().find('f'), bottom_f = lines[7].rfind('f');
  EXPECT_NE(top_f, std::string::npos) << text;
  EXPECT_NE(bottom_f, std::string::npos) << text;
  EXPECT_LT(top_f, bottom_f);
}

TEST(AsciiPlot, LongSeriesAreResampledToTheWidth) {
  PlotOptions o;
  o.width = 20;
  o.height = 5;
  std::vector<double> v(1000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(i * 0.01);
  const std::vector<std::string> lines = lines_of(ascii_plot({{"s", v, '*'}}, o));
  ASSERT_GE(lines.size(), 5u);
  const size_t bar = lines[0].find('|');
  ASSERT_NE(bar, std::string::npos);
  for (int r = 0; r < 5; ++r) EXPECT_LE(lines[static_cast<size_t>(r)].size(), bar + 1 + 20) << lines[static_cast<size_t>(r)];
}

TEST(AsciiPlot, LogScaleAndDegenerateInputs) {
  PlotOptions o;
  o.log_y = true;
  o.width = 20;
  o.height = 6;
  const std::string text = ascii_plot({{"loss", {1.0, 0.1, 0.01, 0.001}, 'l'}}, o);
  EXPECT_NE(text.find('l'), std::string::npos);
  EXPECT_EQ(ascii_plot({}, o), "");
  EXPECT_EQ(ascii_plot({{"none", {}, 'n'}}, o), "");
  // Non-finite points are skipped; the rest still draws.
  const std::string partial = ascii_plot({{"p", {1.0, std::nan(""), 3.0}, 'p'}}, PlotOptions{});
  EXPECT_NE(partial.find('p'), std::string::npos);
}

}  // namespace
}  // namespace neuroshop::cli
