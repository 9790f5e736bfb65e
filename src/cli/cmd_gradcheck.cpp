// `neuroshop gradcheck [args...]`: runs the LibTorch cross-check table. LibTorch is allowed only in
// tests and benchmarks, so the table is a separate executable, neuroshop-gradcheck, built next to
// neuroshop when LibTorch is found; this command finds it beside /proc/self/exe and execs it with
// the remaining arguments (use `neuroshop gradcheck -- --help` for its own help).
// Not here: the checks themselves (tests/torch/).
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/errors.h"

namespace neuroshop::cli {
namespace {

constexpr const char* kGradcheckBinary = "neuroshop-gradcheck";

// The directory of the running executable, from /proc/self/exe.
std::string executable_dir() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw Error(std::string("gradcheck: cannot resolve /proc/self/exe: ") + std::strerror(errno));
  std::string path(buf, static_cast<size_t>(n));
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

[[noreturn]] void exec_gradcheck(const std::vector<std::string>& args) {
  const std::string path = executable_dir() + "/" + kGradcheckBinary;
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
  (void)global;
  CLI::App* sub = app.add_subcommand(
      "gradcheck", "compare every layer's forward and backward with LibTorch autograd (needs a LibTorch build)");
  auto args = std::make_shared<std::vector<std::string>>();
  sub->add_option("args", *args, "arguments passed to neuroshop-gradcheck (after --)");
  sub->callback([args] { exec_gradcheck(*args); });
}

}  // namespace neuroshop::cli
