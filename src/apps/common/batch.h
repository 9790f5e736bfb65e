// Batch jobs over image files, shared by every command that turns images into images
// (colorize, stylize, cutout): which output each input goes to, and a deterministic shard of a
// batch for job arrays (Slurm, Kubernetes) that spread it over machines.
// Not here: reading or writing the images (io/image_file.h).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace neuroshop::apps {

struct Shard {
  int index = 0;  // I in "I/N", 0-based
  int count = 1;  // N
};

// Parses "I/N" with 0 <= I < N (ArgumentError with the expected form otherwise).
Shard parse_shard(const std::string& text);

// Inputs I with position p such that p % N == I, in order.
std::vector<std::string> take_shard(const std::vector<std::string>& inputs, const Shard& shard);

// (input, output) pairs. `out` may be:
//  - empty: each output sits beside its input as STEM-SUFFIX.EXT;
//  - a file name with an image extension: only for a single input;
//  - a folder (existing, or new inside an existing parent; created): outputs are FOLDER/STEM.EXT,
//    or FOLDER/STEM-SUFFIX.EXT when `out` would otherwise overwrite an input.
// Throws ArgumentError when an output would overwrite an input, two inputs map to one output,
// the output's folder does not exist, or `out` is a new name with an extension that is not an
// image format (a new folder's name with a dot must end in '/').
std::vector<std::pair<std::string, std::string>> plan_outputs(const std::vector<std::string>& inputs,
                                                              const std::string& out, const std::string& suffix);

}  // namespace neuroshop::apps
