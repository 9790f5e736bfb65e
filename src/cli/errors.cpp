// One-line error reporting (see errors.h).
#include "cli/errors.h"

#include <CLI/CLI.hpp>

#include <ostream>
#include <vector>

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
  // CLI11 hands over the top-level app; follow the chosen subcommands down to the one that failed,
  // so the hint names the right --help ("neuroshop demo xor --help").
  const CLI::App* deepest = app;
  std::string path = app->get_name();
  for (;;) {
    const auto chosen = deepest->get_subcommands();
    if (chosen.empty()) break;
    deepest = chosen.front();
    path += " " + deepest->get_name();
  }
  std::string message = e.what();
  // A hidden option's error comes without its name (": --minutes: ..."); its check names it.
  if (message.rfind(": ", 0) == 0) message.erase(0, 2);
  // "neuroshop frobnicate" fails as "A subcommand is required" before CLI11 looks at the stray
  // word; name the word instead, with the commands that exist.
  // A stray word may be kept by the subcommand or, through fallthrough, by the top-level app.
  std::vector<std::string> stray = deepest->remaining(false);
  if (stray.empty()) stray = app->remaining(false);
  std::string known;
  for (const CLI::App* sub : deepest->get_subcommands([](const CLI::App*) { return true; }))
    if (!sub->get_name().empty()) known += (known.empty() ? "" : ", ") + sub->get_name();
  const bool wants_command = e.get_name() == "RequiredError" && !known.empty() &&
                             message.rfind("A subcommand is required", 0) == 0;
  if (wants_command && !stray.empty() && !stray.front().empty() && stray.front()[0] != '-')
    message = "unknown command '" + stray.front() + "' (expected one of: " + known + ")";
  else if (wants_command)
    message = "'" + path + "' needs a command: " + known;
  std::string line = error_line(message);
  line.pop_back();  // the newline goes after the hint
  return line + " (run '" + path + " --help' for usage)\n";
}

}  // namespace neuroshop::cli
