// One gtest per LibTorch parity case (parity.h): each row of the neuroshop-gradcheck table must pass.
#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>

#include "parity.h"

namespace neuroshop::parity {
namespace {

class Parity : public ::testing::TestWithParam<size_t> {
 protected:
  static void SetUpTestSuite() { set_torch_threads(2); }
};

TEST_P(Parity, MatchesLibTorch) {
  const ParityCase& c = parity_cases()[GetParam()];
  const ParityRow row = run_case(c);
  EXPECT_TRUE(row.pass) << row.op << " [" << row.config << "]: " << row.note << "  (max err y " << row.err_y << ", dx "
                        << row.err_dx << ", dW " << row.err_dw << ")";
}

std::string sanitize(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (std::isalnum(static_cast<unsigned char>(ch))) out += ch;
    else if (!out.empty() && out.back() != '_') out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::vector<size_t> all_indices() {
  std::vector<size_t> v;
  for (size_t i = 0; i < parity_cases().size(); ++i) v.push_back(i);
  return v;
}

// "Conv2d_stride_2_pad_1"; a repeated name gets its index appended.
std::string case_name(const ::testing::TestParamInfo<size_t>& info) {
  static std::set<std::string> seen;
  static std::vector<std::string> names;
  if (names.empty()) {
    for (size_t i = 0; i < parity_cases().size(); ++i) {
      const ParityCase& c = parity_cases()[i];
      std::string n = sanitize(c.op + "_" + c.config);
      if (n.empty() || !seen.insert(n).second) n += "_" + std::to_string(i);
      names.push_back(n);
    }
  }
  return names[info.param];
}

INSTANTIATE_TEST_SUITE_P(LibTorch, Parity, ::testing::ValuesIn(all_indices()), case_name);

// The checker itself: deliberately wrong references must fail.
TEST(ParityChecker, FlagsWrongReferences) {
  set_torch_threads(2);
  for (const ParityRow& row : checker_self_test())
    EXPECT_FALSE(row.pass) << row.op << " [" << row.config << "] passed against a wrong reference";
}

TEST(ParityChecker, TableAndJsonShowEveryRow) {
  ParityRow ok{"Relu", "(2,3)", 0.0, 1e-8, -1.0, true, ""};
  ParityRow bad{"Conv2d", "k3", 0.5, 1e-8, 2e-3, false, "y: [3] ours 1 vs torch 1.5"};
  const std::string table = format_table({ok, bad});
  EXPECT_NE(table.find("PASS"), std::string::npos);
  EXPECT_NE(table.find("FAIL"), std::string::npos);
  EXPECT_NE(table.find("1 passed, 1 failed"), std::string::npos);
  const std::string json = format_json({ok, bad});
  EXPECT_NE(json.find("\"err_dw\": null"), std::string::npos);
  EXPECT_NE(json.find("\"failed\": 1"), std::string::npos);
}

}  // namespace
}  // namespace neuroshop::parity
