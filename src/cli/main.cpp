// The neuroshop executable: builds the CLI11 app, registers the subcommands, parses, and turns
// every failure into one line "error: ..." on stderr with a non-zero exit code.
//
// Each subcommand lives in its own file and registers itself through one plain function
// (src/cli/commands.h explains the pattern): to add `neuroshop foo`, write src/cli/cmd_foo.cpp with
// add_foo_command(app, global), declare it in commands.h and call it in register_commands() below.
// Not here: any command's options or logic.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/errors.h"
#include "core/errors.h"
#include "core/kernels/parallel.h"

namespace {

using neuroshop::cli::GlobalOptions;

// The order here is the order `neuroshop --help` lists the subcommands.
void register_commands(CLI::App& app, const GlobalOptions& global) {
  neuroshop::cli::add_colorize_command(app, global);
  neuroshop::cli::add_stylize_command(app, global);
  neuroshop::cli::add_tryon_command(app, global);
  neuroshop::cli::add_cutout_command(app, global);
  neuroshop::cli::add_serve_command(app, global);
  neuroshop::cli::add_video_command(app, global);
  neuroshop::cli::add_demo_command(app, global);
  neuroshop::cli::add_info_command(app, global);
  neuroshop::cli::add_gradcheck_command(app, global);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"neuroshop: colorize, stylize and furniture try-on on a from-scratch neural-network core",
               "neuroshop"};
  app.set_version_flag("--version", "neuroshop " NEUROSHOP_VERSION, "print the version and exit");
  app.require_subcommand(1);
  app.fallthrough();  // global flags work after the subcommand name too: neuroshop demo xor --quiet
  app.option_defaults()->always_capture_default();  // --help shows every default
  app.failure_message(neuroshop::cli::format_parse_failure);
  app.footer("Run 'neuroshop COMMAND --help' for a command's options.");

  GlobalOptions global;
  global.threads = neuroshop::num_threads();
  app.add_flag("-q,--quiet", global.quiet, "no progress display on stderr");
  app.add_option("--threads", global.threads, "engine threads (default: all cores)")
      ->check(CLI::Range(1, 256))
      ->type_name("N");
  // Runs after all flags are parsed and before any subcommand's callback.
  app.parse_complete_callback([&global] { neuroshop::set_num_threads(global.threads); });

  register_commands(app, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive here too (exit 0); RuntimeError(code) exits silently with code.
    return app.exit(e);
  } catch (const std::exception& e) {
    return neuroshop::cli::report_error(e, std::cerr);
  }
  return 0;
}
