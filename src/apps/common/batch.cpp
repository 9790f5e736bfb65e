// Output planning and sharding for batch image commands; see batch.h.
#include "apps/common/batch.h"

#include <string>
#include <filesystem>
#include <set>

#include "core/errors.h"
#include "io/image_file.h"

namespace neuroshop::apps {
namespace fs = std::filesystem;

namespace {
// A whole decimal number of at most 9 digits (so it fits an int; sscanf's %d overflows silently).
bool parse_count(const std::string& text, int& value) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  value = std::stoi(text);
  return true;
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

}  // namespace neuroshop::apps
