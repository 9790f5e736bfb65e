// One-line error reporting (see errors.h).
#include "cli/errors.h"

#include <CLI/CLI.hpp>

#include <ostream>

namespace neuroshop::cli {

std::string error_line(const std::string& message) {
  std::string folded;
  folded.reserve(message.size());
  bool space = false;
  for (char c : message) {
    const bool blank = c == '\n' || c == '\r' || c == '\t' || c == ' ';
    if (blank) {
      space = !folded.empty();
      continue;
    }
    if (space) folded += ' ';
    space = false;
    folded += c;
  }
  return "error: " + (folded.empty() ? std::string("unknown failure") : folded) + "\n";
}

int report_error(const std::exception& e, std::ostream& err) {
  err << error_line(e.what()) << std::flush;
  return 1;
}

std::string format_parse_failure(const CLI::App* app, const CLI::Error& e) {
  // The full command path ("neuroshop demo xor") tells the user which --help to run.
  std::string path;
  for (const CLI::App* a = app; a != nullptr; a = a->get_parent()) path = a->get_name() + (path.empty() ? "" : " " + path);
  std::string line = error_line(e.what());
  line.pop_back();  // the newline goes after the hint
  return line + " (run '" + path + " --help' for usage)\n";
}

}  // namespace neuroshop::cli
