// JsonWriter: what it writes parses as JSON with the same values (nlohmann-json as the reader),
// strings are escaped, non-finite numbers become null, doubles round-trip.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/json.h"

namespace neuroshop::cli {
namespace {

TEST(JsonWriter, WritesValidJsonWithTheSameValues) {
  for (const bool pretty : {true, false}) {
    std::ostringstream out;
    JsonWriter j(out, pretty);
    j.begin_object().field("name", "a \"quoted\" \\ name\n\t").field("count", int64_t{42}).field("ok", true);
    j.field("pi", 3.141592653589793).field("nan", std::nan("")).field("inf", std::numeric_limits<double>::infinity());
    j.key("curve").numbers({1.0, 0.5, 0.25});
    j.key("items").begin_array();
    j.begin_object().field("x", 1).end_object();
    j.begin_object().end_object();
    j.end_array();
    j.key("empty").begin_array().end_array();
    j.end_object();
    const std::string text = out.str();
    ASSERT_EQ(text.back(), '\n');
    nlohmann::json parsed;
    ASSERT_NO_THROW(parsed = nlohmann::json::parse(text)) << text;
    EXPECT_EQ(parsed["name"], "a \"quoted\" \\ name\n\t");
    EXPECT_EQ(parsed["count"], 42);
    EXPECT_EQ(parsed["ok"], true);
    EXPECT_EQ(parsed["pi"].get<double>(), 3.141592653589793);
    EXPECT_TRUE(parsed["nan"].is_null());
    EXPECT_TRUE(parsed["inf"].is_null());
    EXPECT_EQ(parsed["curve"], nlohmann::json::parse("[1, 0.5, 0.25]"));
    EXPECT_EQ(parsed["items"].size(), 2u);
    EXPECT_EQ(parsed["items"][0]["x"], 1);
    EXPECT_TRUE(parsed["empty"].is_array() && parsed["empty"].empty());
  }
}

TEST(JsonWriter, NumbersRoundTripShortest) {
  EXPECT_EQ(JsonWriter::number(0.1), "0.1");
  EXPECT_EQ(JsonWriter::number(1e-300), "1e-300");
  EXPECT_EQ(JsonWriter::number(std::nan("")), "null");
  for (const double v : {1.0 / 3.0, 2.0 / 7.0, 6.02214076e23, -0.000123456789})
    EXPECT_EQ(std::stod(JsonWriter::number(v)), v);
}

TEST(JsonWriter, QuoteEscapesControlCharacters) {
  EXPECT_EQ(JsonWriter::quote("a\"b"), "\"a\\\"b\"");
  const std::string control = JsonWriter::quote(std::string("\x01", 1));
  EXPECT_EQ(nlohmann::json::parse(control).get<std::string>(), std::string("\x01", 1));
}

}  // namespace
}  // namespace neuroshop::cli
