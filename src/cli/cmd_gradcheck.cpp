// `neuroshop gradcheck [--json] [--filter TEXT] [--list]`: runs the LibTorch cross-check table. LibTorch is allowed only in
// tests and benchmarks, so the table is a separate executable, neuroshop-gradcheck, built next to
// neuroshop when LibTorch is found; this command finds it beside /proc/self/exe and execs it with
// the same flags (--json, --filter TEXT, --list, and the global --threads), so its exit status is
// the table's.
// Not here: the checks themselves (tests/torch/).
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/shared_options.h"
#include "core/errors.h"

namespace neuroshop::cli {
namespace {

constexpr const char* kGradcheckBinary = "neuroshop-gradcheck";

[[noreturn]] void exec_gradcheck(const std::vector<std::string>& args) {
  const std::filesystem::path dir = executable_dir();
  if (dir.empty()) throw Error("gradcheck: cannot resolve /proc/self/exe");
  const std::string path = (dir / kGradcheckBinary).string();
  if (access(path.c_str(), X_OK) != 0)
    throw Error("this build has no LibTorch cross-check (install libtorch-dev and rebuild)");
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(path.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::cout.flush();
  std::cerr.flush();
  execv(path.c_str(), argv.data());
  throw Error("gradcheck: cannot run '" + path + "': " + std::strerror(errno));
}

}  // namespace

void add_gradcheck_command(CLI::App& app, const GlobalOptions& global) {
  struct Args {
    bool json = false, list = false;
    std::string filter;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "gradcheck", "compare every op's forward and backward with LibTorch autograd (needs a LibTorch build)");
  sub->add_flag("--json", args->json, "print the rows as JSON instead of a table");
  sub->add_option("--filter", args->filter, "only cases whose \"op config\" contains TEXT")->type_name("TEXT");
  sub->add_flag("--list", args->list, "list the cases without running them");
  sub->footer("Exit status: 0 when every row passes, 1 when any fails or LibTorch is missing.");
  sub->callback([args, &app, &global] {
    std::vector<std::string> argv;
    if (args->json) argv.push_back("--json");
    if (args->list) argv.push_back("--list");
    if (!args->filter.empty()) argv.insert(argv.end(), {"--filter", args->filter});
    // The global --threads, when given, sets LibTorch's threads too.
    if (app.get_option("--threads")->count() > 0) argv.insert(argv.end(), {"--threads", std::to_string(global.threads)});
    exec_gradcheck(argv);
  });
}

}  // namespace neuroshop::cli
