// Pieces several commands share: where a shipped model is found, and the "train"/"eval" groups
// under which each application registers its own `train NAME` / `eval NAME` subcommand.
#pragma once

#include <string>

namespace CLI {
class App;
}  // namespace CLI

namespace neuroshop::cli {

// The shipped models/NAME: ./models/NAME when present, else beside the executable's source tree.
std::string default_model_path(const std::string& file_name);

// Gets or creates the subcommand group `name` (e.g. "train") that requires one of its subcommands.
CLI::App& command_group(CLI::App& app, const std::string& name, const std::string& description);

}  // namespace neuroshop::cli
