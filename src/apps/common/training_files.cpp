// Path lists and run files; see training_files.h.
#include "apps/common/training_files.h"

#include <filesystem>
#include <fstream>
#include <set>

#include "core/errors.h"

namespace neuroshop::apps {
namespace fs = std::filesystem;

std::vector<std::string> read_path_list(const std::string& list_path, const std::string& what) {
  if (fs::is_directory(list_path))
    throw IoError(what + " '" + list_path + "' is a folder; expected a text file with one path per line");
  std::ifstream in(list_path);
  if (!in) throw IoError("cannot read " + what + " '" + list_path + "'");
  const fs::path base = fs::path(list_path).parent_path();
  std::vector<std::string> paths;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty() && line[0] != '#') paths.push_back((base / line).string());
  }
  if (paths.empty()) throw IoError(what + " '" + list_path + "' names no files");
  return paths;
}

namespace {
std::string canonical_or_self(const std::string& p) {
  std::error_code ec;
  const fs::path c = fs::weakly_canonical(p, ec);
  return ec ? p : c.string();
}
}  // namespace

void split_by_val_list(const std::vector<std::string>& all, const std::string& val_list, std::vector<std::string>* train,
                       std::vector<std::string>* val) {
  std::set<std::string> held_out;
  if (!val_list.empty())
    for (const std::string& p : read_path_list(val_list, "validation list")) held_out.insert(canonical_or_self(p));
  for (const std::string& p : all) (held_out.count(canonical_or_self(p)) ? val : train)->push_back(p);
}

void check_model_out(const std::string& out) {
  if (fs::path(out).extension() != ".nsm")
    throw ArgumentError("--out '" + out + "': expected a model file name ending in .nsm");
  const fs::path folder = fs::path(out).parent_path();
  if (!folder.empty() && !fs::is_directory(folder))
    throw ArgumentError("--out '" + out + "': folder '" + folder.string() + "' does not exist");
}

std::string checkpoint_path(const std::string& model_path) {
  return fs::path(model_path).replace_extension(".ckpt.nsm").string();
}
std::string log_json_path(const std::string& model_path) {
  return fs::path(model_path).replace_extension(".log.json").string();
}
std::string loss_png_path(const std::string& model_path) {
  return fs::path(model_path).replace_extension(".loss.png").string();
}

}  // namespace neuroshop::apps
