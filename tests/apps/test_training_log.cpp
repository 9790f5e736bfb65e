// TrainingLog's JSON file: valid JSON whatever the title holds, read back by a JSON parser, and
// non-finite losses kept valid.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>
#include <string>

#include "apps/common/training_log.h"

namespace neuroshop::apps {
namespace {
namespace fs = std::filesystem;

class TrainingLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("neuroshop_training_log_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string json_path() const { return (dir_ / "m.log.json").string(); }
  std::string png_path() const { return (dir_ / "m.loss.png").string(); }
  fs::path dir_;
};

nlohmann::json parse_file(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);  // throws on invalid JSON
}

// A painting's file name can hold quotes and backslashes; the title is written escaped.
TEST_F(TrainingLogTest, TitleWithQuotesAndBackslashesStaysValidJson) {
  const std::string title = "style \"Starry\" C:\\paintings\\van_gogh\ttab";
  TrainingLog log(title, json_path(), png_path());
  log.add_train({1, 0.5, 1e-3, 12.0});
  log.add_train({2, 0.25, 1e-3, 13.0});
  log.add_val({2, 0.75});
  log.save();
  nlohmann::json j;
  ASSERT_NO_THROW(j = parse_file(json_path()));
  EXPECT_EQ(j.at("title").get<std::string>(), title);
  ASSERT_EQ(j.at("train").size(), 2u);
  EXPECT_EQ(j.at("train")[1].at("step").get<int64_t>(), 2);
  EXPECT_DOUBLE_EQ(j.at("val")[0].at("loss").get<double>(), 0.75);

  TrainingLog again(title, json_path(), png_path());
  again.load();
  ASSERT_EQ(again.train().size(), 2u);
  EXPECT_DOUBLE_EQ(again.train()[1].loss, 0.25);
  EXPECT_DOUBLE_EQ(again.train()[0].images_per_second, 12.0);
  ASSERT_EQ(again.val().size(), 1u);
  EXPECT_EQ(again.val()[0].step, 2);
}

// The loader is a JSON parser, not a line scanner: the same log on one line reads the same.
TEST_F(TrainingLogTest, LoadReadsAnyJsonLayout) {
  {
    std::ofstream out(json_path());
    out << R"({"val": [{"loss": 0.5, "step": 4}], "title": "x", "train": [{"lr": 0.01, "step": 3, "loss": 0.125,
             "images_per_second": 7}]})";
  }
  TrainingLog log("x", json_path(), png_path());
  log.load();
  ASSERT_EQ(log.train().size(), 1u);
  EXPECT_EQ(log.train()[0].step, 3);
  EXPECT_DOUBLE_EQ(log.train()[0].loss, 0.125);
  EXPECT_DOUBLE_EQ(log.train()[0].learning_rate, 0.01);
  ASSERT_EQ(log.val().size(), 1u);
  EXPECT_EQ(log.val()[0].step, 4);
  EXPECT_DOUBLE_EQ(log.val()[0].loss, 0.5);
}

// A diverged run's NaN loss is written as null, which keeps the file valid, and read back as NaN.
TEST_F(TrainingLogTest, NonFiniteLossKeepsTheFileValid) {
  TrainingLog log("t", json_path(), png_path());
  log.add_train({1, std::nan(""), 1e-3, 1.0});
  log.add_train({2, 0.5, 1e-3, 1.0});
  log.save();
  ASSERT_NO_THROW(parse_file(json_path()));
  TrainingLog again("t", json_path(), png_path());
  again.load();
  ASSERT_EQ(again.train().size(), 2u);
  EXPECT_TRUE(std::isnan(again.train()[0].loss));
  EXPECT_DOUBLE_EQ(again.train()[1].loss, 0.5);
}

TEST_F(TrainingLogTest, MissingFileLeavesTheLogEmpty) {
  TrainingLog log("t", json_path(), png_path());
  log.load();
  EXPECT_TRUE(log.train().empty());
  EXPECT_TRUE(log.val().empty());
}

}  // namespace
}  // namespace neuroshop::apps
