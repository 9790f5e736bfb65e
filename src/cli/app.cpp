// The neuroshop command-line app; see app.h.
//
// Each subcommand lives in its own file and registers itself through one plain function
// (src/cli/commands.h explains the pattern): to add `neuroshop foo`, write src/cli/cmd_foo.cpp with
// add_foo_command(app, global), declare it in commands.h and call it in make_app() below.
#include "cli/app.h"

#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/errors.h"
#include "core/errors.h"
#include "core/kernels/parallel.h"

namespace neuroshop::cli {

std::unique_ptr<CLI::App> make_app(GlobalOptions& global) {
  auto app = std::make_unique<CLI::App>(
      "neuroshop: colorize, stylize and furniture try-on on a from-scratch neural-network core", "neuroshop");
  app->set_version_flag("--version", "neuroshop " NEUROSHOP_VERSION, "print the version and exit");
  app->require_subcommand(1);
  app->fallthrough();  // global flags work after the subcommand name too: neuroshop demo xor --quiet
  app->option_defaults()->always_capture_default();  // --help shows every default
  app->failure_message(format_parse_failure);
  app->footer("Run 'neuroshop COMMAND --help' for a command's options.");

  global.threads = num_threads();
  app->add_flag("-q,--quiet", global.quiet, "no progress display on stderr");
  app->add_option("--threads", global.threads, "engine threads (default: all cores)")
      ->check(CLI::Range(1, 256))
      ->type_name("N");
  // Runs after all flags are parsed and before any subcommand's callback.
  app->parse_complete_callback([&global] { set_num_threads(global.threads); });

  // The order here is the order `neuroshop --help` lists the subcommands.
  add_colorize_command(*app, global);
  add_stylize_command(*app, global);
  add_tryon_command(*app, global);
  add_items_command(*app, global);
  add_cutout_command(*app, global);
  add_serve_command(*app, global);
  add_video_command(*app, global);
  add_demo_command(*app, global);
  add_info_command(*app, global);
  add_gradcheck_command(*app, global);
  return app;
}

int run(int argc, const char* const* argv) {
  GlobalOptions global;
  const std::unique_ptr<CLI::App> app = make_app(global);
  try {
    app->parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive here too (exit 0); RuntimeError(code) exits silently with code.
    return app->exit(e);
  } catch (const std::exception& e) {
    return report_error(e, std::cerr);
  }
  return 0;
}

}  // namespace neuroshop::cli
