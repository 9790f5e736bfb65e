// Photo-folder preparation for colorizer training; see prepare.h.
#include "apps/colorize/prepare.h"

#include <algorithm>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <unordered_set>

#include "apps/colorize/dataset.h"
#include "core/atomic_file.h"
#include "core/errors.h"
#include "io/color.h"
#include "io/image_file.h"
#include "io/pixels.h"

namespace neuroshop::colorize {
namespace fs = std::filesystem;

uint64_t difference_hash(const cv::Mat& image) {
  cv::Mat gray = image;
  if (image.channels() == 3) cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
  gray = to_8bit(gray);
  cv::Mat thumb;
  cv::resize(gray, thumb, cv::Size(9, 8), 0, 0, cv::INTER_AREA);
  uint64_t hash = 0;
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) hash = (hash << 1) | (thumb.at<uchar>(y, x + 1) > thumb.at<uchar>(y, x) ? 1u : 0u);
  return hash;
}

int hamming_distance(uint64_t a, uint64_t b) { return __builtin_popcountll(a ^ b); }

namespace {

// Index of the first hash within max_distance bits of `hash`, or -1.
int64_t find_near(uint64_t hash, const std::vector<uint64_t>& hashes, int64_t max_distance) {
  for (size_t i = 0; i < hashes.size(); ++i)
    if (hamming_distance(hash, hashes[i]) <= max_distance) return static_cast<int64_t>(i);
  return -1;
}

// Writes lines (after a header) to path atomically.
void write_tsv(const std::string& path, const std::string& header, const std::vector<std::string>& lines) {
  std::string text = header + "\n";
  for (const std::string& line : lines) text += line + "\n";
  write_file_atomically(path, text);
}

// "a/b/c.JPEG" under root "a" -> "b_c.jpg": unique within one input, readable, flat.
std::string output_name(const std::string& path, const std::string& root) {
  std::string rel = fs::path(path).lexically_relative(root).replace_extension(".jpg").generic_string();
  if (rel.empty() || rel.rfind("..", 0) == 0) rel = fs::path(path).filename().replace_extension(".jpg").string();
  std::replace(rel.begin(), rel.end(), '/', '_');
  return rel;
}

std::string hex(uint64_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<size_t>(i)] = digits[v & 15];
  return s;
}

}  // namespace

PrepareSummary prepare_photos(const PrepareOptions& o, const ProgressFn& progress) {
  if (o.inputs.empty()) throw ArgumentError("prepare-photos: no input folders or files");
  if (o.output.empty()) throw ArgumentError("prepare-photos: no output folder");
  if (o.short_side < 32 || o.min_side < 1 || o.max_hash_distance < 0 || o.max_hash_distance > 32)
    throw ArgumentError("prepare-photos: short side must be >= 32, min side >= 1, hash distance in [0, 32]");

  std::vector<uint64_t> excluded_hashes;
  std::vector<std::string> excluded_paths;
  for (const std::string& path : o.exclude.empty() ? std::vector<std::string>{} : list_images(o.exclude, true)) {
    try {
      excluded_hashes.push_back(difference_hash(read_image(path).pixels));
      excluded_paths.push_back(path);
    } catch (const IoError&) {
    }
  }

  PrepareSummary summary;
  std::vector<std::pair<std::string, std::string>> jobs;  // (path, output name)
  for (const std::string& input : o.inputs) {
    const std::string root = fs::is_directory(input) ? input : fs::path(input).parent_path().string();
    for (const std::string& path : list_images({input}, true)) jobs.emplace_back(path, output_name(path, root));
  }
  summary.found = static_cast<int64_t>(jobs.size());
  fs::create_directories(o.output);

  std::vector<uint64_t> kept_hashes;
  std::vector<size_t> kept_sources;  // index into jobs of each kept photo
  std::vector<std::string> manifest_lines, dropped_lines;
  std::unordered_set<std::string> used_names;
  for (size_t i = 0; i < jobs.size(); ++i) {
    report(progress, {static_cast<int64_t>(i), static_cast<int64_t>(jobs.size()), "prepare photos", {}});
    const auto& [path, name] = jobs[i];
    Image image;
    try {
      image = read_image(path);
    } catch (const IoError&) {
      ++summary.unreadable;
      continue;
    }
    cv::Mat bgr = image.pixels;
    if (image.was_gray || bgr.channels() != 3) {
      ++summary.gray;
      continue;
    }
    bgr = to_8bit(bgr);
    if (std::min(bgr.rows, bgr.cols) < o.min_side) {
      ++summary.small;
      continue;
    }
    const double scale = static_cast<double>(o.short_side) / std::min(bgr.rows, bgr.cols);
    if (scale < 1.0) cv::resize(bgr, bgr, cv::Size(), scale, scale, cv::INTER_AREA);
    if (mean_chroma(bgr_to_lab(bgr)) < o.min_mean_chroma) {
      ++summary.gray;
      continue;
    }
    const uint64_t hash = difference_hash(bgr);
    if (const int64_t k = find_near(hash, excluded_hashes, o.max_hash_distance); k >= 0) {
      ++summary.excluded;
      dropped_lines.push_back(path + "\texcluded\t" + excluded_paths[static_cast<size_t>(k)]);
      continue;
    }
    if (const int64_t k = find_near(hash, kept_hashes, o.max_hash_distance); k >= 0) {
      ++summary.duplicates;
      dropped_lines.push_back(path + "\tduplicate\t" + jobs[kept_sources[static_cast<size_t>(k)]].first);
      continue;
    }
    std::string out_name = name;
    for (int k = 2; used_names.count(out_name) > 0; ++k)
      out_name = fs::path(name).stem().string() + "_" + std::to_string(k) + ".jpg";
    write_image((fs::path(o.output) / out_name).string(), bgr);
    used_names.insert(out_name);
    kept_hashes.push_back(hash);
    kept_sources.push_back(i);
    manifest_lines.push_back(out_name + "\t" + path + "\t" + std::to_string(bgr.cols) + "\t" + std::to_string(bgr.rows) +
                             "\t" + hex(hash));
    ++summary.written;
  }
  report(progress, {static_cast<int64_t>(jobs.size()), static_cast<int64_t>(jobs.size()), "prepare photos", {}});

  summary.manifest = (fs::path(o.output) / "manifest.tsv").string();
  write_tsv(summary.manifest, "file\tsource\twidth\theight\tdhash", manifest_lines);
  write_tsv((fs::path(o.output) / "dropped.tsv").string(), "source\twhy\tlike", dropped_lines);
  return summary;
}

}  // namespace neuroshop::colorize
