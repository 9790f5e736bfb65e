// The batch runner shared by every command that turns image files into image files (colorize,
// stylize, cutout, try-on over a folder of rooms): plan the inputs (list, shard, map each to its
// output) -> read -> process -> write atomically -> report, with several images at once (--jobs),
// a deterministic shard of the batch for job arrays (Slurm, Kubernetes), skipping outputs already
// there, and a per-file error summary instead of stopping at the first bad file.
// Not here: what is done to an image (each app's plain per-image function) or argv.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/progress.h"
#include "io/image_file.h"

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

struct BatchOptions {
  std::vector<std::string> inputs;  // image files or folders
  bool recursive = false;           // -r: search folders recursively
  std::string output;               // -o: see plan_outputs
  std::string suffix;               // NAME-SUFFIX.EXT when an output sits beside its input
  // When not empty: an output whose extension is not one of these gets the first (cutout: ".png").
  std::vector<std::string> output_extensions;
  int jobs = 1;                     // images processed at once, each by its own worker
  Shard shard;
  bool skip_existing = false;       // leave an output that is already there (resuming a job array)
};

// A worker's per-image work: input image (plan entry `index`) -> output image. Each worker gets its
// own (a network caches activations, so workers share none); a worker is only ever called from one
// thread.
using ImageFn = std::function<Image(const Image& input, size_t index)>;
// Makes worker `index` of `count` (on the calling thread, before any image is read): e.g. loads its
// copy of a model.
using WorkerFactory = std::function<ImageFn(int index, int count)>;

struct BatchFailure {
  std::string input;
  std::string message;
};

struct BatchReport {
  std::vector<std::pair<std::string, std::string>> plan;  // (input, output) of this shard, in order
  std::vector<std::string> skipped;                      // outputs left as they were (skip_existing)
  std::vector<BatchFailure> failures;                    // in plan order
  bool ok() const { return failures.empty(); }
};

// The inputs of this shard: list_images of options.inputs, then take_shard. Throws IoError when
// the inputs hold no image at all (an empty shard of a non-empty batch is fine).
std::vector<std::string> batch_inputs(const BatchOptions& options);

// Makes min(jobs, inputs) workers, plans the outputs (creating a new -o folder), then reads,
// processes and writes (atomically) each input, reporting {done, total, stage} to `progress`. A
// file that fails is recorded and the others go on. With several workers the engine's threads are
// shared out among them for the run.
BatchReport run_batch(const std::vector<std::string>& inputs, const BatchOptions& options, const WorkerFactory& make_worker,
                      const ProgressFn& progress = {}, const std::string& stage = "batch");

// Throws Error for a report with failures: a single input's failure with its own message, else
// "N of M images failed: FIRST-INPUT: MESSAGE (and N-1 more)". `each_failure`, when set, is given
// every failure's line first ("INPUT: MESSAGE"), for a summary printed before the error.
void throw_if_failed(const BatchReport& report, const std::function<void(const std::string&)>& each_failure = {});

}  // namespace neuroshop::apps
