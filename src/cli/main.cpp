// The neuroshop executable: CLI11 parsing, progress display and error reporting only.
#include <CLI/CLI.hpp>

#include <iostream>

#include "core/errors.h"

int main(int argc, char** argv) {
  CLI::App app{"neuroshop: colorize, stylize and furniture try-on on a from-scratch neural-network core"};
  app.set_version_flag("--version", NEUROSHOP_VERSION);
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const neuroshop::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
