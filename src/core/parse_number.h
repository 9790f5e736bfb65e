// Strict number parsing, written once: the WHOLE text must be the number (no trailing junk, not
// empty), so "12abc", "" and "1,5" are refused where std::stod and sscanf would take a prefix.
// Each caller turns a refusal into its own error message (a CLI flag, a form field, a file).
// Not here: ranges (each caller knows its own) or locale-dependent forms.
#pragma once

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

namespace neuroshop {

// A floating-point number (strtod's syntax, so also "inf" and "nan"); nullopt unless the whole text is one.
inline std::optional<double> parse_double(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

// A finite floating-point number; nullopt for anything else (including "inf", "nan" and overflow).
inline std::optional<double> parse_finite(const std::string& text) {
  const std::optional<double> value = parse_double(text);
  if (!value || !std::isfinite(*value)) return std::nullopt;
  return value;
}

// A whole decimal number that fits int64_t (an optional sign, then digits only); nullopt otherwise.
inline std::optional<int64_t> parse_int64(const std::string& text) {
  if (text.empty()) return std::nullopt;
  const size_t first = text[0] == '-' || text[0] == '+' ? 1 : 0;
  if (first == text.size() || text.find_first_not_of("0123456789", first) != std::string::npos) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno == ERANGE || end != text.c_str() + text.size()) return std::nullopt;
  return static_cast<int64_t>(value);
}

}  // namespace neuroshop
