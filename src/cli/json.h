// JsonWriter: a small streaming JSON writer for the CLI's --json output.
//   JsonWriter j(std::cout);
//   j.begin_object().field("demo", "xor").key("loss").numbers(curve).end_object();  // ends with '\n'
// Objects and arrays are indented; numbers() writes a number array on one line so long curves stay
// compact. Non-finite numbers are written as null (JSON has no NaN). Not here: parsing JSON.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace neuroshop::cli {

class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& out, bool pretty = true) : out_(out), pretty_(pretty) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();  // the outermost one also writes '\n'
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The key of the next value inside an object.
  JsonWriter& key(const std::string& name);

  JsonWriter& value(double v);
  JsonWriter& value(int64_t v);
  JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& value(bool v);
  JsonWriter& value(const std::string& v);
  JsonWriter& value(const char* v) { return value(std::string(v)); }
  // An array of numbers on one line.
  JsonWriter& numbers(const std::vector<double>& values);

  template <class T>
  JsonWriter& field(const std::string& name, const T& v) {
    key(name);
    return value(v);
  }

  // `text` as a JSON string literal with quotes and escapes.
  static std::string quote(const std::string& text);
  // Shortest round-trippable form of a double ("%.17g" trimmed), or "null" when not finite.
  static std::string number(double v);

 private:
  void before_value();
  void newline_indent();

  struct Level {
    bool object;
    bool empty = true;
  };
  std::ostream& out_;
  bool pretty_;
  bool after_key_ = false;
  std::vector<Level> stack_;
};

}  // namespace neuroshop::cli
