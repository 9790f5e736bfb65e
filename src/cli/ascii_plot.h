// ascii_plot: draws one or more curves (loss per epoch) as text for the terminal.
//
//   0.1401 |l
//          | lllllllllllllllllllllllllllllllllllllllllll
//          |m
//          |  mm
//   0.0012 |      mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm
//          +--------------------------------------------
//           0                                      2999
//           l linear   m mlp
//
// Series longer than the width are resampled (each column shows the mean of its range of points).
// Not here: colours, terminal detection, or any numbers output (--json prints those).
#pragma once

#include <string>
#include <vector>

namespace neuroshop::cli {

struct PlotSeries {
  std::string label;
  std::vector<double> values;  // y per x = 0, 1, 2, ...; non-finite points are skipped
  char mark = '*';
};

struct PlotOptions {
  int width = 60;      // plot columns, without the axis labels
  int height = 12;     // plot rows
  bool log_y = false;  // log10 y axis (for losses spanning decades); needs positive values
  std::string x_label;  // written under the axis, e.g. "epoch"
};

// The plot as lines ending in '\n'. Empty series give an empty string.
std::string ascii_plot(const std::vector<PlotSeries>& series, const PlotOptions& options = {});

}  // namespace neuroshop::cli
