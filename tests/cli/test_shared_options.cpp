// Where shipped files are found: the working directory first, then relative to the executable (an
// install's share/neuroshop, or the checkout above a build folder); never a path compiled in.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli/shared_options.h"

namespace neuroshop::cli {
namespace {
namespace fs = std::filesystem;

class FindShipped : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("neuroshop_shipped_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void touch(const fs::path& p) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "x";
  }
  fs::path dir_;
};

TEST_F(FindShipped, InstalledPrefix) {
  touch(dir_ / "prefix" / "share" / "neuroshop" / "models" / "only-installed.nsm");
  fs::create_directories(dir_ / "prefix" / "bin");
  EXPECT_EQ(fs::path(find_shipped("models/only-installed.nsm", dir_ / "prefix" / "bin")),
            (dir_ / "prefix" / "share" / "neuroshop" / "models" / "only-installed.nsm").lexically_normal());
}

TEST_F(FindShipped, CheckoutAboveTheBuildFolder) {
  // A name the working directory does not have (it would be found there first).
  touch(dir_ / "checkout" / "shipped-pages" / "index.html");
  fs::create_directories(dir_ / "checkout" / "build" / "sub");
  EXPECT_EQ(fs::path(find_shipped("shipped-pages/index.html", dir_ / "checkout" / "build" / "sub")),
            (dir_ / "checkout" / "shipped-pages" / "index.html").lexically_normal());
}

TEST_F(FindShipped, NotFoundIsTheRelativePath) {
  fs::create_directories(dir_ / "bin");
  EXPECT_EQ(find_shipped("models/nowhere-to-be-found.nsm", dir_ / "bin"), "models/nowhere-to-be-found.nsm");
  EXPECT_EQ(find_shipped("models/nowhere-to-be-found.nsm", fs::path()), "models/nowhere-to-be-found.nsm");
}

TEST_F(FindShipped, TheTestsOwnCheckoutHasTheShippedModels) {
  // This test binary sits in a build folder of the checkout, like build/neuroshop.
  EXPECT_TRUE(fs::exists(default_model_path("colorize.nsm"))) << default_model_path("colorize.nsm");
  EXPECT_FALSE(executable_dir().empty());
}

}  // namespace
}  // namespace neuroshop::cli
