// Pieces several commands share: where a shipped model is found, the "train"/"eval" groups under
// which each application registers its own `train NAME` / `eval NAME` subcommand, and the clean-up
// of a new -o folder that a failed job leaves empty.
#pragma once

#include <filesystem>
#include <string>

namespace CLI {
class App;
}  // namespace CLI

namespace neuroshop::cli {

// The folder of the running executable (empty when it cannot be told).
std::filesystem::path executable_dir();

// Where a shipped file or folder (e.g. "models/colorize.nsm", "web/index.html") is: under the
// working directory when it is there, else found from the executable's folder `exe_dir` upwards
// (at most three levels): DIR/share/neuroshop/RELATIVE (an installed PREFIX/bin/neuroshop; `cmake
// --install` puts models, web pages and samples there), then DIR/RELATIVE (a build folder inside
// the source tree). `relative` itself when none exists. Never a path compiled into the binary.
std::string find_shipped(const std::filesystem::path& relative, const std::filesystem::path& exe_dir);
std::string find_shipped(const std::filesystem::path& relative);  // from executable_dir()

// The shipped models/NAME (find_shipped).
std::string default_model_path(const std::string& file_name);

// The shipped furniture catalogue, samples/furniture/catalogue.tsv (find_shipped).
std::string default_catalogue_path();

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
