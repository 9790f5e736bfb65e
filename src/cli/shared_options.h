// Pieces several commands share: where a shipped model is found, the "train"/"eval" groups under
// which each application registers its own `train NAME` / `eval NAME` subcommand, and the clean-up
// of a new -o folder that a failed job leaves empty.
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

// apps::plan_outputs creates a new -o folder; a job that then fails before writing into it must not
// leave it behind. Made before planning, this notes whether `out` exists yet; when it goes out of
// scope it removes the folder if the job created it and left it empty.
class NewOutputFolder {
 public:
  explicit NewOutputFolder(const std::string& out);
  ~NewOutputFolder();
  NewOutputFolder(const NewOutputFolder&) = delete;
  NewOutputFolder& operator=(const NewOutputFolder&) = delete;

 private:
  std::string path_;  // empty when `out` is empty or already existed
};

}  // namespace neuroshop::cli
