// Turning any folder of photos into the colorizer's training layout: every readable colour photo
// decoded (EXIF orientation applied), gray and near-gray ones skipped, downscaled so its short
// side is at most `short_side`, near-duplicates dropped by a 64-bit difference hash (dHash:
// the signs of horizontal brightness steps on a 9x8 thumbnail, so a re-encoded or resized copy
// hashes within a few bits of its original), and written as JPEG with a manifest (manifest.tsv)
// and a list of the duplicates and excluded photos with the photo each resembled (dropped.tsv).
// Photos matching an `exclude` set (e.g. the test photos a model is evaluated on) are dropped the
// same way, so a test photo cannot leak into training under another name or size.
// Not here: loading for training (dataset.h), argument parsing (the CLI).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/progress.h"

namespace neuroshop::colorize {

struct PrepareOptions {
  std::vector<std::string> inputs;   // photo files or folders (searched recursively)
  std::string output;                // folder to write (created); existing files of the same name are replaced
  std::vector<std::string> exclude;  // photo files or folders whose near-duplicates are dropped
  int64_t short_side = 256;          // downscale so the short side is at most this (never upscale)
  int64_t min_side = 128;            // skip photos whose short side is below this
  double min_mean_chroma = 6.0;      // skip photos whose mean Lab chroma is below this (gray, sepia, near-gray)
  int64_t max_hash_distance = 3;     // dHashes this many bits apart or closer count as the same photo
};

struct PrepareSummary {
  int64_t found = 0, written = 0;
  int64_t gray = 0, small = 0, unreadable = 0, duplicates = 0, excluded = 0;
  std::string manifest;  // path of the manifest written (output/manifest.tsv)
};

// 64-bit difference hash of a BGR or gray image.
uint64_t difference_hash(const cv::Mat& image);
int hamming_distance(uint64_t a, uint64_t b);

PrepareSummary prepare_photos(const PrepareOptions& options, const ProgressFn& progress = {});

}  // namespace neuroshop::colorize
