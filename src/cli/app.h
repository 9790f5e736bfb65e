// The neuroshop command line as a library: the CLI11 app with every subcommand registered, and
// run(), which parses, runs the chosen command and turns every failure into one line
// "error: ..." on stderr with a non-zero exit code. main.cpp only calls run(); tests build the
// app to check options, defaults and help text without starting a process.
// Not here: any command's options or logic (cmd_*.cpp), application work (src/apps/).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace CLI {
class App;
}  // namespace CLI

namespace neuroshop::cli {

// The top-level app with the global flags (-q/--quiet, --threads, --version) and every
// subcommand, in the order `neuroshop --help` lists them. `global` is filled by parsing and must
// outlive the app.
std::unique_ptr<CLI::App> make_app(GlobalOptions& global);

// Parses argv and runs the chosen command: 0 on success, the exit code otherwise (after printing
// the error line, or help and version text for --help and --version).
int run(int argc, const char* const* argv);

}  // namespace neuroshop::cli
