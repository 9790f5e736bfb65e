// The subcommands of the neuroshop executable and what they share.
//
// Adding a command (colorize, stylize, tryon, train, eval, serve follow this pattern):
//   1. src/cli/cmd_<name>.cpp defines `void add_<name>_command(CLI::App& app, const GlobalOptions& global)`:
//      it creates the subcommand, declares its options into a local Options struct held by a
//      shared_ptr (the callback runs after parsing, when the options are filled), and sets
//      sub->callback(...) to call the app function from src/apps/ and print the result.
//   2. Declare it below and call it in main.cpp, in the order --help should list it.
// In a callback: read flags from `global` (filled before any callback runs), show progress with
// ProgressBar(std::cerr, ProgressBar::stderr_style(global.quiet)), write results to stdout (JSON with
// --json via JsonWriter), throw neuroshop::ArgumentError/Error for failures (main prints one
// "error: ..." line and exits 1), or throw CLI::RuntimeError(code) to exit with `code` silently.
// Numeric options validate with validators.h: positive_number(), finite_in() or finite_number() for
// floating-point values, unsigned_integer() for seeds, CLI::Range for bounded whole numbers; never
// CLI::PositiveNumber or CLI::Range alone on a floating-point value (both let "nan" through).
// Not here: parsing of the global flags (main.cpp) or any application logic (src/apps/).
#pragma once

namespace CLI {
class App;
}  // namespace CLI

namespace neuroshop::cli {

// Flags of the top-level app, valid before or after the subcommand name.
struct GlobalOptions {
  bool quiet = false;  // --quiet: no progress display
  int threads = 0;     // --threads: engine threads (set_num_threads before any command runs)
};

void add_demo_command(CLI::App& app, const GlobalOptions& global);       // cmd_demo.cpp: demo xor|outside
void add_info_command(CLI::App& app, const GlobalOptions& global);       // cmd_info.cpp: info MODEL.nsm
void add_gradcheck_command(CLI::App& app, const GlobalOptions& global);  // cmd_gradcheck.cpp
void add_colorize_command(CLI::App& app, const GlobalOptions& global);   // cmd_colorize.cpp: colorize, train/eval colorize
void add_stylize_command(CLI::App& app, const GlobalOptions& global);    // cmd_stylize.cpp: stylize, train style, eval stylize
void add_tryon_command(CLI::App& app, const GlobalOptions& global);      // cmd_tryon.cpp: tryon, train/eval harmonize, train/eval matte
void add_items_command(CLI::App& app, const GlobalOptions& global);      // cmd_items.cpp: items (the furniture catalogue)
void add_cutout_command(CLI::App& app, const GlobalOptions& global);     // cmd_cutout.cpp: cutout PHOTO...
void add_serve_command(CLI::App& app, const GlobalOptions& global);      // cmd_serve.cpp: serve (local web pages)
void add_video_command(CLI::App& app, const GlobalOptions& global);      // cmd_video.cpp: eval video

}  // namespace neuroshop::cli
