// Text plots of curves (see ascii_plot.h).
#include "cli/ascii_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace neuroshop::cli {
namespace {

std::string label_of(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

}  // namespace

std::string ascii_plot(const std::vector<PlotSeries>& series, const PlotOptions& options) {
  const int width = std::max(options.width, 8);
  const int height = std::max(options.height, 3);
  size_t longest = 0;
  for (const auto& s : series) longest = std::max(longest, s.values.size());
  if (longest == 0) return {};

  auto transform = [&](double v) { return options.log_y ? std::log10(v) : v; };
  auto usable = [&](double v) { return std::isfinite(v) && (!options.log_y || v > 0); };

  // Column c covers points [c * n / width, (c + 1) * n / width) of the longest series.
  const int columns = static_cast<int>(std::min<size_t>(longest, static_cast<size_t>(width)));
  std::vector<std::vector<double>> resampled(series.size(), std::vector<double>(static_cast<size_t>(columns), NAN));
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (size_t k = 0; k < series.size(); ++k) {
    const auto& v = series[k].values;
    for (int c = 0; c < columns; ++c) {
      const size_t begin = static_cast<size_t>(c) * longest / columns;
      const size_t end = std::max(begin + 1, static_cast<size_t>(c + 1) * longest / columns);
      double sum = 0.0;
      int count = 0;
      for (size_t i = begin; i < end && i < v.size(); ++i)
        if (usable(v[i])) {
          sum += transform(v[i]);
          ++count;
        }
      if (count == 0) continue;
      const double y = sum / count;
      resampled[k][static_cast<size_t>(c)] = y;
      lo = std::min(lo, y);
      hi = std::max(hi, y);
    }
  }
  if (!std::isfinite(lo)) return {};
  if (hi - lo < 1e-12) {
    hi += 0.5;
    lo -= 0.5;
  }

  // Row 0 is the top (hi); a point goes to the nearest row.
  std::vector<std::string> grid(static_cast<size_t>(height), std::string(static_cast<size_t>(columns), ' '));
  for (size_t k = 0; k < series.size(); ++k)
    for (int c = 0; c < columns; ++c) {
      const double y = resampled[k][static_cast<size_t>(c)];
      if (std::isnan(y)) continue;
      const int row = static_cast<int>(std::lround((hi - y) / (hi - lo) * (height - 1)));
      char& cell = grid[static_cast<size_t>(row)][static_cast<size_t>(c)];
      cell = (cell == ' ' || cell == series[k].mark) ? series[k].mark : '#';  // '#': curves overlap
    }

  auto untransform = [&](double v) { return options.log_y ? std::pow(10.0, v) : v; };
  const std::string top = label_of(untransform(hi)), bottom = label_of(untransform(lo));
  const std::string mid = label_of(untransform((hi + lo) / 2));
  const size_t margin = std::max({top.size(), bottom.size(), mid.size()});
  auto pad = [&](const std::string& s) { return std::string(margin - s.size(), ' ') + s; };

  std::string out;
  for (int r = 0; r < height; ++r) {
    std::string label;
    if (r == 0) label = top;
    else if (r == height - 1) label = bottom;
    else if (r == (height - 1) / 2 && height >= 5) label = mid;
    std::string line = pad(label) + " |" + grid[static_cast<size_t>(r)];
    while (line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  out += std::string(margin, ' ') + " +" + std::string(static_cast<size_t>(columns), '-') + "\n";
  const std::string first = "0", last = std::to_string(longest - 1);
  std::string axis = std::string(margin + 2, ' ') + first;
  const size_t right = margin + 2 + static_cast<size_t>(columns);
  if (axis.size() + 1 + last.size() <= right) axis += std::string(right - axis.size() - last.size(), ' ') + last;
  out += axis + "\n";
  std::string legend = std::string(margin + 2, ' ');
  for (const auto& s : series) legend += std::string(1, s.mark) + " " + s.label + "   ";
  if (!options.x_label.empty()) legend += "(x: " + options.x_label + (options.log_y ? ", y: log scale)" : ")");
  while (!legend.empty() && legend.back() == ' ') legend.pop_back();
  out += legend + "\n";
  return out;
}

}  // namespace neuroshop::cli
