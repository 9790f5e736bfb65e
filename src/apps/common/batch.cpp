// The batch runner: output planning, sharding, workers, per-file errors; see batch.h.
#include "apps/common/batch.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "core/errors.h"
#include "core/kernels/parallel.h"
#include "core/parse_number.h"
#include "io/image_file.h"

namespace neuroshop::apps {
namespace fs = std::filesystem;

namespace {
// A whole decimal number without sign, at most 9 digits (so it fits an int).
bool parse_count(const std::string& text, int& value) {
  if (text.empty() || text.size() > 9 || text[0] == '-' || text[0] == '+') return false;
  const std::optional<int64_t> parsed = parse_int64(text);
  if (parsed) value = static_cast<int>(*parsed);
  return parsed.has_value();
}
}  // namespace

Shard parse_shard(const std::string& text) {
  int index = -1, count = 0;
  const size_t slash = text.find('/');
  if (slash == std::string::npos || !parse_count(text.substr(0, slash), index) ||
      !parse_count(text.substr(slash + 1), count) || count < 1 || index >= count)
    throw ArgumentError("--shard '" + text + "': expected I/N with 0 <= I < N, e.g. 0/4");
  return {index, count};
}

std::vector<std::string> take_shard(const std::vector<std::string>& inputs, const Shard& shard) {
  std::vector<std::string> out;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (static_cast<int>(i % static_cast<size_t>(shard.count)) == shard.index) out.push_back(inputs[i]);
  return out;
}

namespace {
std::string canonical_name(const fs::path& p) {
  std::error_code ec;
  const fs::path c = fs::weakly_canonical(p, ec);
  return ec ? p.string() : c.string();
}
}  // namespace

std::vector<std::pair<std::string, std::string>> plan_outputs(const std::vector<std::string>& inputs,
                                                              const std::string& out, const std::string& suffix) {
  std::vector<std::pair<std::string, std::string>> plan;
  std::set<std::string> input_set, output_set;
  for (const std::string& in : inputs) input_set.insert(canonical_name(in));

  const bool to_file = !out.empty() && has_image_extension(out) && !fs::is_directory(out);
  // "-o result.gif" means a file of a format we cannot write, not a new folder named result.gif.
  const std::string extension = fs::path(out).extension().string();
  if (!out.empty() && !to_file && !extension.empty() && !fs::exists(out))
    throw ArgumentError("-o '" + out + "': unsupported output extension '" + extension +
                        "' (use .png, .jpg, .jpeg, .tif, .tiff, .webp or .bmp; end a new folder's name with '/')");
  if (to_file) {
    if (inputs.size() != 1)
      throw ArgumentError("-o '" + out + "' names one file but there are " + std::to_string(inputs.size()) +
                          " inputs; give a folder instead");
    const fs::path parent = fs::path(out).parent_path();
    if (!parent.empty() && !fs::is_directory(parent))
      throw ArgumentError("output folder '" + parent.string() + "' does not exist");
    plan.emplace_back(inputs[0], out);
  } else if (out.empty()) {
    for (const std::string& in : inputs) {
      const fs::path p(in);
      plan.emplace_back(in, (p.parent_path() / (p.stem().string() + "-" + suffix + p.extension().string())).string());
    }
  } else {
    const fs::path dir(out);
    if (!fs::is_directory(dir)) {
      const fs::path parent = dir.parent_path();
      if (fs::exists(dir)) throw ArgumentError("-o '" + out + "' exists and is not a folder or an image file name");
      if (!parent.empty() && !fs::is_directory(parent))
        throw ArgumentError("output folder '" + parent.string() + "' does not exist");
    }
    for (const std::string& in : inputs) {
      const fs::path p(in);
      fs::path target = dir / p.filename();
      if (input_set.count(canonical_name(target)))
        target = dir / (p.stem().string() + "-" + suffix + p.extension().string());
      plan.emplace_back(in, target.string());
    }
  }
  for (const auto& [in, o] : plan) {
    const std::string c = canonical_name(o);
    if (input_set.count(c)) throw ArgumentError("output '" + o + "' is one of the inputs; choose another -o");
    if (!output_set.insert(c).second)
      throw ArgumentError("two inputs would both be written to '" + o + "'; give them different names");
  }
  // Only now, with the plan valid, may the output folder come into being.
  if (!out.empty() && !to_file && !fs::is_directory(out)) fs::create_directory(out);
  return plan;
}

std::vector<std::string> batch_inputs(const BatchOptions& options) {
  const std::vector<std::string> all = list_images(options.inputs, options.recursive);
  if (all.empty()) throw IoError("no images found in the given inputs");
  return take_shard(all, options.shard);
}

namespace {
std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Restores the engine's thread count when the run ends, however it ends.
class ThreadShare {
 public:
  explicit ThreadShare(int workers) : before_(num_threads()), shared_(workers > 1) {
    if (shared_) set_num_threads(std::max(1, before_ / workers));
  }
  ~ThreadShare() {
    if (shared_) set_num_threads(before_);
  }
  ThreadShare(const ThreadShare&) = delete;
  ThreadShare& operator=(const ThreadShare&) = delete;

 private:
  int before_;
  bool shared_;
};
}  // namespace

BatchReport run_batch(const std::vector<std::string>& inputs, const BatchOptions& options, const WorkerFactory& make_worker,
                      const ProgressFn& progress, const std::string& stage) {
  const int workers = static_cast<int>(std::min<size_t>(static_cast<size_t>(std::max(1, options.jobs)), inputs.size()));
  std::vector<ImageFn> work;
  for (int w = 0; w < workers; ++w) work.push_back(make_worker(w, workers));

  BatchReport report;
  report.plan = plan_outputs(inputs, options.output, options.suffix);
  if (!options.output_extensions.empty())
    for (auto& [in, out] : report.plan) {
      const std::string ext = lower(fs::path(out).extension().string());
      if (std::find(options.output_extensions.begin(), options.output_extensions.end(), ext) ==
          options.output_extensions.end())
        out = fs::path(out).replace_extension(options.output_extensions.front()).string();
    }

  const size_t total = report.plan.size();
  std::vector<std::string> errors(total);
  std::vector<char> skipped(total, 0);
  std::atomic<size_t> next{0}, done{0};
  std::mutex progress_mutex;
  auto worker = [&](int w) {
    for (size_t i = next++; i < total; i = next++) {
      const auto& [in, out] = report.plan[i];
      try {
        if (options.skip_existing && fs::exists(out)) {
          skipped[i] = 1;
        } else {
          write_image(out, work[static_cast<size_t>(w)](read_image(in), i));
        }
      } catch (const std::exception& e) {
        errors[i] = e.what();
        if (errors[i].empty()) errors[i] = "failed";
      }
      const int64_t finished = static_cast<int64_t>(++done);
      if (progress) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        progress({finished, static_cast<int64_t>(total), stage, {}});
      }
    }
  };
  {
    const ThreadShare share(workers);
    std::vector<std::thread> threads;
    for (int w = 1; w < workers; ++w) threads.emplace_back(worker, w);
    if (workers > 0) worker(0);
    for (auto& t : threads) t.join();
  }
  for (size_t i = 0; i < total; ++i) {
    if (skipped[i]) report.skipped.push_back(report.plan[i].second);
    if (!errors[i].empty()) report.failures.push_back({report.plan[i].first, errors[i]});
  }
  return report;
}

void throw_if_failed(const BatchReport& report, const std::function<void(const std::string&)>& each_failure) {
  if (report.ok()) return;
  if (report.plan.size() == 1) throw Error(report.failures.front().message);
  if (each_failure)
    for (const BatchFailure& f : report.failures) each_failure(f.input + ": " + f.message);
  const BatchFailure& first = report.failures.front();
  std::string message = std::to_string(report.failures.size()) + " of " + std::to_string(report.plan.size()) +
                        " images failed (the others were written): " + first.input + ": " + first.message;
  if (report.failures.size() > 1) message += " (and " + std::to_string(report.failures.size() - 1) + " more)";
  throw Error(message);
}

}  // namespace neuroshop::apps
