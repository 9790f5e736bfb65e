// Item loading, dimensions and transforms; see item.h.
#include "apps/tryon/item.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "apps/matte/cutout.h"
#include "core/errors.h"
#include "core/parse_number.h"
#include "io/image_file.h"
#include "io/pixels.h"

namespace neuroshop::tryon {
namespace fs = std::filesystem;

std::string TsvRow::cell(const std::string& name) const {
  const auto it = column->find(name);
  return it == column->end() || it->second >= cells.size() ? std::string() : cells[it->second];
}

bool read_tsv(const std::string& path, const std::vector<std::string>& required,
              const std::function<bool(const TsvRow&)>& row) {
  std::ifstream in(path);
  if (!in || fs::is_directory(path)) return false;
  std::map<std::string, size_t> column;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    TsvRow r;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, '\t');) r.cells.push_back(cell);
    r.who = path + " line " + std::to_string(line_no);
    if (column.empty()) {
      for (size_t i = 0; i < r.cells.size(); ++i) column[r.cells[i]] = i;
      for (const std::string& need : required)
        if (!column.count(need)) throw IoError(r.who + ": the header has no '" + need + "' column");
      continue;
    }
    r.column = &column;
    if (!row(r)) break;
  }
  return true;
}

namespace {

double parse_cm(const std::string& text, const std::string& who) {
  if (const std::optional<double> v = parse_finite(text)) return *v;
  throw IoError(who + ": expected a number, got '" + text + "'");
}

// Image pixels (8/16-bit, gray or BGR) -> BGR CV_32FC3 in [0, 1]; alpha likewise -> CV_32F.
cv::Mat to_float(const cv::Mat& m, int depth_bits) { return to_unit_float(m, depth_bits); }

}  // namespace

std::optional<ItemDimensions> find_item_dimensions(const std::string& item_path) {
  const std::string sidecar = (fs::path(item_path).parent_path() / "items.tsv").string();
  const std::string file_name = fs::path(item_path).filename().string();
  std::optional<ItemDimensions> found;
  read_tsv(sidecar, {"file", "width_cm", "depth_cm", "height_cm"}, [&](const TsvRow& r) {
    if (r.cell("file") != file_name) return true;
    ItemDimensions d;
    d.name = r.cell("item_name");
    d.width_cm = parse_cm(r.cell("width_cm"), r.who + " width_cm");
    d.depth_cm = parse_cm(r.cell("depth_cm"), r.who + " depth_cm");
    d.height_cm = parse_cm(r.cell("height_cm"), r.who + " height_cm");
    if (!r.cell("azimuth_deg").empty()) d.azimuth_deg = parse_cm(r.cell("azimuth_deg"), r.who + " azimuth_deg");
    if (!r.cell("elevation_deg").empty()) d.elevation_deg = parse_cm(r.cell("elevation_deg"), r.who + " elevation_deg");
    if (!(d.width_cm > 0 && d.depth_cm >= 0 && d.height_cm > 0))
      throw IoError(r.who + ": width_cm and height_cm must be positive and depth_cm not negative");
    found = d;
    return false;
  });
  return found;
}

double apparent_height_cm(const ItemDimensions& d) {
  const double a = d.azimuth_deg * M_PI / 180.0, e = d.elevation_deg * M_PI / 180.0;
  return d.height_cm * std::cos(e) + (d.width_cm * std::abs(std::sin(a)) + d.depth_cm * std::abs(std::cos(a))) * std::sin(e);
}

double apparent_width_cm(const ItemDimensions& d) {
  const double a = d.azimuth_deg * M_PI / 180.0;
  return d.width_cm * std::abs(std::cos(a)) + d.depth_cm * std::abs(std::sin(a));
}

ItemDimensions scaled(const ItemDimensions& d, double factor) {
  ItemDimensions out = d;
  out.width_cm *= factor;
  out.depth_cm *= factor;
  out.height_cm *= factor;
  return out;
}

cv::Point2d parse_point(const std::string& text, const std::string& who) {
  double x = 0, y = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%lf,%lf%c", &x, &y, &tail) != 2 || !std::isfinite(x) || !std::isfinite(y))
    throw ArgumentError(who + ": expected X,Y in pixels, got '" + text + "'");
  return {x, y};
}

CutoutMode parse_cutout_mode(const std::string& text) {
  if (text == "auto") return CutoutMode::kAuto;
  if (text == "alpha") return CutoutMode::kAlpha;
  if (text == "network") return CutoutMode::kNetwork;
  if (text == "grabcut") return CutoutMode::kGrabcut;
  throw ArgumentError("--cutout: expected auto, alpha, network or grabcut, got '" + text + "'");
}

cv::Rect alpha_bounds(const cv::Mat& alpha, float threshold) {
  cv::Mat mask = alpha > threshold;
  if (cv::countNonZero(mask) == 0) return {};
  return cv::boundingRect(mask);
}

ItemImage load_item(const std::string& path, CutoutMode mode, const NetworkCutout& network) {
  const Image image = read_image(path);
  ItemImage item;
  item.path = path;
  cv::Mat pixels = image.pixels;
  if (pixels.channels() == 1) cv::cvtColor(pixels, pixels, cv::COLOR_GRAY2BGR);
  item.bgr = to_float(pixels, image.bit_depth);
  const bool has_alpha = !image.alpha.empty();
  if (mode == CutoutMode::kAlpha && !has_alpha)
    throw ArgumentError("item '" + path + "' has no alpha channel; use --cutout auto, network or grabcut");
  if ((mode == CutoutMode::kAuto || mode == CutoutMode::kAlpha) && has_alpha) {
    item.alpha = to_float(image.alpha, image.bit_depth);
    item.cutout = "alpha";
  } else if (mode == CutoutMode::kNetwork || (mode == CutoutMode::kAuto && network)) {
    if (!network) throw ArgumentError("item '" + path + "': --cutout network needs a matting model (models/matte.nsm)");
    item.alpha = network(item.bgr);
    item.cutout = "network";
  } else {
    item.alpha = matte::grabcut_alpha(item.bgr);
    item.cutout = "grabcut";
  }
  if (item.cutout != "alpha") item.bgr = matte::decontaminate(item.bgr, item.alpha);  // no backdrop rim on the room
  const cv::Rect box = alpha_bounds(item.alpha);
  if (box.empty()) throw ArgumentError("item '" + path + "': the cut-out is empty (no opaque pixels)");
  item.bgr = item.bgr(box).clone();
  item.alpha = item.alpha(box).clone();
  item.dims = find_item_dimensions(path);
  return item;
}

ItemImage transform_item(const ItemImage& item, bool flip, double degrees) {
  ItemImage out = item;
  if (flip) {
    cv::flip(item.bgr, out.bgr, 1);
    cv::flip(item.alpha, out.alpha, 1);
  }
  if (std::abs(degrees) < 1e-9) return out;
  // Premultiply so the transparent pixels' colours cannot bleed into the edge when resampling.
  cv::Mat alpha3, premultiplied;
  cv::merge(std::vector<cv::Mat>{out.alpha, out.alpha, out.alpha}, alpha3);
  cv::multiply(out.bgr, alpha3, premultiplied);
  const cv::Point2f centre(0.5f * (out.bgr.cols - 1), 0.5f * (out.bgr.rows - 1));
  cv::Mat rot = cv::getRotationMatrix2D(centre, degrees, 1.0);
  const cv::Rect2f bounds = cv::RotatedRect(centre, cv::Size2f(static_cast<float>(out.bgr.cols), static_cast<float>(out.bgr.rows)),
                                            static_cast<float>(degrees))
                                .boundingRect2f();
  rot.at<double>(0, 2) += 0.5 * bounds.width - centre.x;
  rot.at<double>(1, 2) += 0.5 * bounds.height - centre.y;
  const cv::Size size(static_cast<int>(std::ceil(bounds.width)), static_cast<int>(std::ceil(bounds.height)));
  cv::Mat bgr, alpha;
  cv::warpAffine(premultiplied, bgr, rot, size, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  cv::warpAffine(out.alpha, alpha, rot, size, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  cv::Mat safe = cv::max(alpha, 1e-6f);
  cv::merge(std::vector<cv::Mat>{safe, safe, safe}, alpha3);
  cv::divide(bgr, alpha3, bgr);
  bgr = cv::min(bgr, 1.0f);
  const cv::Rect box = alpha_bounds(alpha);
  if (box.empty()) return out;
  out.bgr = bgr(box).clone();
  out.alpha = alpha(box).clone();
  return out;
}

}  // namespace neuroshop::tryon
