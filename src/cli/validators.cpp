// Validators for numeric CLI flags (see validators.h).
#include "cli/validators.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <sstream>

#include "core/parse_number.h"

namespace neuroshop::cli {
namespace {

// Parses the whole string as a double; false on trailing junk or an empty string.
bool parse_double(const std::string& text, double& value) {
  const std::optional<double> parsed = neuroshop::parse_double(text);
  if (parsed) value = *parsed;
  return parsed.has_value();
}

}  // namespace

CLI::Validator finite_number() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        double value = 0.0;
        if (!parse_double(input, value)) return "'" + input + "' is not a number";
        if (!std::isfinite(value)) return "'" + input + "' is not a finite number";
        return {};
      },
      "FINITE", "FINITE");
}

CLI::Validator positive_number() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        double value = 0.0;
        if (!parse_double(input, value)) return "'" + input + "' is not a number";
        if (!std::isfinite(value) || !(value > 0.0)) return "'" + input + "' is not a positive finite number";
        return {};
      },
      "POSITIVE", "POSITIVE");
}

CLI::Validator finite_in(double lo, double hi) {
  std::ostringstream desc;
  desc << "in [" << lo << ", " << hi << "]";
  return CLI::Validator(
      [lo, hi](std::string& input) -> std::string {
        double value = 0.0;
        if (!parse_double(input, value)) return "'" + input + "' is not a number";
        if (!std::isfinite(value) || value < lo || value > hi) {
          std::ostringstream msg;
          msg << "'" << input << "' is not a number in [" << lo << ", " << hi << "]";
          return msg.str();
        }
        return {};
      },
      desc.str(), "FINITE_IN");
}

CLI::Validator unsigned_integer() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        if (input.empty() || input.find_first_not_of("0123456789") != std::string::npos)
          return "'" + input + "' is not a non-negative whole number";
        return {};
      },
      "UINT", "UINT");
}

}  // namespace neuroshop::cli
