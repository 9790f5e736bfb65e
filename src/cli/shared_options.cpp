// Shared command pieces; see shared_options.h.
#include "cli/shared_options.h"

#include <CLI/CLI.hpp>
#include <filesystem>

namespace neuroshop::cli {

namespace fs = std::filesystem;

fs::path executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

std::string find_shipped(const fs::path& relative, const fs::path& exe_dir) {
  std::error_code ec;
  if (fs::exists(relative, ec)) return relative.string();
  // PREFIX/bin/neuroshop -> PREFIX/share/neuroshop/...; build/neuroshop -> the checkout's own files.
  fs::path dir = exe_dir;
  for (int up = 0; up < 4 && !dir.empty(); ++up) {
    for (const fs::path& candidate : {dir / "share" / "neuroshop" / relative, dir / relative})
      if (fs::exists(candidate, ec)) return candidate.lexically_normal().string();
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return relative.string();
}

std::string find_shipped(const fs::path& relative) { return find_shipped(relative, executable_dir()); }

std::string default_model_path(const std::string& file_name) { return find_shipped(fs::path("models") / file_name); }

std::string default_catalogue_path() { return find_shipped(fs::path("samples") / "furniture" / "catalogue.tsv"); }

NewOutputFolder::NewOutputFolder(const std::string& out) {
  std::error_code ec;
  if (!out.empty() && !std::filesystem::exists(out, ec)) path_ = out;
}

NewOutputFolder::~NewOutputFolder() {
  std::error_code ec;
  if (!path_.empty() && std::filesystem::is_directory(path_, ec) && std::filesystem::is_empty(path_, ec))
    std::filesystem::remove(path_, ec);
}

CLI::App& command_group(CLI::App& app, const std::string& name, const std::string& description) {
  for (CLI::App* sub : app.get_subcommands({}))
    if (sub->get_name() == name) return *sub;
  CLI::App* group = app.add_subcommand(name, description);
  group->require_subcommand(1);
  return *group;
}

}  // namespace neuroshop::cli
