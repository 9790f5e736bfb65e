// How the executable reports failures: exactly one line "error: <message>" on stderr, exit code 1.
// Used by main() for neuroshop::Error / std::exception and, through CLI11's failure_message hook,
// for argument parse errors. Not here: throwing (commands throw neuroshop::ArgumentError and
// friends from src/core/errors.h) or recovering.
#pragma once

#include <exception>
#include <iosfwd>
#include <string>

namespace CLI {
class App;
class Error;
}  // namespace CLI

namespace neuroshop::cli {

// "error: " + message, with line breaks and tabs folded into single spaces, ending in '\n'.
std::string error_line(const std::string& message);

// Writes error_line(e.what()) to `err`; returns the process exit code (1).
int report_error(const std::exception& e, std::ostream& err);

// CLI11 failure_message hook: "error: <CLI11's message> (run 'neuroshop demo xor --help' for usage)".
std::string format_parse_failure(const CLI::App* app, const CLI::Error& e);

}  // namespace neuroshop::cli
