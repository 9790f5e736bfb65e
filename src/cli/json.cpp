// JsonWriter (see json.h).
#include "cli/json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ostream>

namespace neuroshop::cli {

std::string JsonWriter::quote(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string JsonWriter::number(double v) {
  if (!std::isfinite(v)) return "null";
  // The shortest precision that reads back to the same double keeps 0.1 as "0.1".
  char buf[40];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

void JsonWriter::newline_indent() {
  if (!pretty_) return;
  out_ << '\n' << std::string(2 * stack_.size(), ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  if (!stack_.back().empty) out_ << ',';
  stack_.back().empty = false;
  newline_indent();
}

JsonWriter& JsonWriter::key(const std::string& name) {
  if (!stack_.empty()) {
    if (!stack_.back().empty) out_ << ',';
    stack_.back().empty = false;
  }
  newline_indent();
  out_ << quote(name) << (pretty_ ? ": " : ":");
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_ << '{';
  stack_.push_back({true});
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) newline_indent();
  out_ << '}';
  if (stack_.empty()) out_ << '\n' << std::flush;
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_ << '[';
  stack_.push_back({false});
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) newline_indent();
  out_ << ']';
  if (stack_.empty()) out_ << '\n' << std::flush;
  return *this;
}

JsonWriter& JsonWriter::value(double v) {
  before_value();
  out_ << number(v);
  return *this;
}

JsonWriter& JsonWriter::value(int64_t v) {
  before_value();
  out_ << v;
  return *this;
}

JsonWriter& JsonWriter::value(bool v) {
  before_value();
  out_ << (v ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::value(const std::string& v) {
  before_value();
  out_ << quote(v);
  return *this;
}

JsonWriter& JsonWriter::numbers(const std::vector<double>& values) {
  before_value();
  out_ << '[';
  for (size_t i = 0; i < values.size(); ++i) out_ << (i ? (pretty_ ? ", " : ",") : "") << number(values[i]);
  out_ << ']';
  return *this;
}

}  // namespace neuroshop::cli
