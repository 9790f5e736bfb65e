// TrainingLog: JSON log and loss-curve PNG; see training_log.h.
#include "apps/common/training_log.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "core/atomic_file.h"
#include "core/errors.h"

namespace neuroshop::apps {

TrainingLog::TrainingLog(std::string title, std::string json_path, std::string png_path)
    : title_(std::move(title)), json_path_(std::move(json_path)), png_path_(std::move(png_path)) {}

void TrainingLog::truncate_after(int64_t step) {
  train_.erase(std::remove_if(train_.begin(), train_.end(), [&](const TrainPoint& p) { return p.step > step; }),
               train_.end());
  val_.erase(std::remove_if(val_.begin(), val_.end(), [&](const ValPoint& p) { return p.step > step; }), val_.end());
}

void write_text_atomically(const std::string& path, const std::string& text) { write_file_atomically(path, text); }

namespace {
// A number as JSON: 8 significant digits, and null for NaN or infinity (a diverged run's loss),
// which JSON cannot spell.
std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  std::ostringstream os;
  os.precision(8);
  os << v;
  return os.str();
}
}  // namespace

// One point per line, so the log reads well and diffs well; strings go through nlohmann-json, so a
// title with quotes or backslashes (a painting's file name) is escaped.
void TrainingLog::save() const {
  std::ostringstream os;
  os << "{\n  \"title\": " << nlohmann::json(title_).dump() << ",\n  \"train\": [\n";
  for (size_t i = 0; i < train_.size(); ++i) {
    const TrainPoint& p = train_[i];
    os << "    {\"step\": " << p.step << ", \"loss\": " << json_number(p.loss) << ", \"lr\": "
       << json_number(p.learning_rate) << ", \"images_per_second\": " << json_number(p.images_per_second) << "}"
       << (i + 1 < train_.size() ? "," : "") << "\n";
  }
  os << "  ],\n  \"val\": [\n";
  for (size_t i = 0; i < val_.size(); ++i)
    os << "    {\"step\": " << val_[i].step << ", \"loss\": " << json_number(val_[i].loss) << "}"
       << (i + 1 < val_.size() ? "," : "") << "\n";
  os << "  ]\n}\n";
  write_text_atomically(json_path_, os.str());

  // The loss-curve PNG: train loss (smoothed) in blue, validation loss in red, log-scaled y.
  const int width = 900, height = 500, left = 70, right = 20, top = 40, bottom = 50;
  cv::Mat img(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  if (train_.empty()) return;
  int64_t max_step = 1;
  double lo = 1e30, hi = -1e30;
  for (const auto& p : train_) {
    max_step = std::max(max_step, p.step);
    if (p.loss > 0) lo = std::min(lo, p.loss), hi = std::max(hi, p.loss);
  }
  for (const auto& p : val_) {
    max_step = std::max(max_step, p.step);
    if (p.loss > 0) lo = std::min(lo, p.loss), hi = std::max(hi, p.loss);
  }
  if (!(lo < hi)) hi = lo * 1.1 + 1e-9;
  const double llo = std::log10(lo), lhi = std::log10(hi);
  auto to_px = [&](int64_t step, double loss) {
    const double x = left + (width - left - right) * static_cast<double>(step) / static_cast<double>(max_step);
    const double y = top + (height - top - bottom) * (lhi - std::log10(std::max(loss, lo))) / (lhi - llo);
    return cv::Point(static_cast<int>(x), static_cast<int>(y));
  };
  cv::rectangle(img, cv::Point(left, top), cv::Point(width - right, height - bottom), cv::Scalar(180, 180, 180));
  for (int i = 0; i <= 4; ++i) {
    const double v = std::pow(10.0, llo + (lhi - llo) * i / 4.0);
    const cv::Point p = to_px(0, v);
    char label[32];
    std::snprintf(label, sizeof label, "%.3g", v);
    cv::putText(img, label, cv::Point(5, p.y + 4), cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(60, 60, 60));
    cv::line(img, cv::Point(left, p.y), cv::Point(width - right, p.y), cv::Scalar(230, 230, 230));
  }
  char steps[64];
  std::snprintf(steps, sizeof steps, "step (0 .. %lld)", static_cast<long long>(max_step));
  cv::putText(img, steps, cv::Point(width / 2 - 60, height - 15), cv::FONT_HERSHEY_SIMPLEX, 0.45, cv::Scalar(60, 60, 60));
  cv::putText(img, title_ + ": train (blue, smoothed), validation (red)", cv::Point(left, 25), cv::FONT_HERSHEY_SIMPLEX,
              0.5, cv::Scalar(0, 0, 0));
  // Exponential moving average keeps the noisy per-batch train loss readable.
  double ema = train_.front().loss;
  std::vector<cv::Point> line;
  for (const auto& p : train_) {
    ema = 0.95 * ema + 0.05 * p.loss;
    line.push_back(to_px(p.step, ema));
  }
  cv::polylines(img, line, false, cv::Scalar(200, 80, 0), 2, cv::LINE_AA);
  line.clear();
  for (const auto& p : val_) line.push_back(to_px(p.step, p.loss));
  cv::polylines(img, line, false, cv::Scalar(0, 0, 220), 2, cv::LINE_AA);
  for (const auto& pt : line) cv::circle(img, pt, 3, cv::Scalar(0, 0, 220), cv::FILLED);
  std::vector<uchar> png;
  cv::imencode(".png", img, png);
  write_text_atomically(png_path_, std::string(png.begin(), png.end()));
}

namespace {
// A number field of a log entry; null (written for NaN) and a missing field read as `fallback`.
double number_field(const nlohmann::json& entry, const char* key, double fallback) {
  const auto it = entry.find(key);
  if (it == entry.end() || !it->is_number()) return it != entry.end() && it->is_null() ? std::nan("") : fallback;
  return it->get<double>();
}
}  // namespace

void TrainingLog::load() {
  train_.clear();
  val_.clear();
  std::ifstream in(json_path_);
  if (!in) return;
  nlohmann::json log;
  try {
    log = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw IoError("cannot read the training log '" + json_path_ + "': " + e.what());
  }
  auto entries = [&](const char* key) {
    const auto it = log.find(key);
    return it != log.end() && it->is_array() ? *it : nlohmann::json::array();
  };
  for (const nlohmann::json& e : entries("train")) {
    if (!e.is_object() || !e.contains("step")) continue;
    train_.push_back({e["step"].get<int64_t>(), number_field(e, "loss", 0.0), number_field(e, "lr", 0.0),
                      number_field(e, "images_per_second", 0.0)});
  }
  for (const nlohmann::json& e : entries("val")) {
    if (!e.is_object() || !e.contains("step")) continue;
    val_.push_back({e["step"].get<int64_t>(), number_field(e, "loss", 0.0)});
  }
}

}  // namespace neuroshop::apps
