// Shared command pieces; see shared_options.h.
#include "cli/shared_options.h"

#include <CLI/CLI.hpp>
#include <filesystem>

namespace neuroshop::cli {

std::string default_model_path(const std::string& file_name) {
  const std::filesystem::path local = std::filesystem::path("models") / file_name;
  if (std::filesystem::exists(local)) return local.string();
  const std::filesystem::path source = std::filesystem::path(NEUROSHOP_SOURCE_DIR) / "models" / file_name;
  if (std::filesystem::exists(source)) return source.string();
  return local.string();
}

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
