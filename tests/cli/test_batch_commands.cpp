// The image commands over folders through the built binary: a folder of rooms gets the same
// try-on as each room alone, --jobs and --shard split the work without changing a byte, and a bad
// file is named while the others are written.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/cli_runner.h"

namespace neuroshop {
namespace {
namespace fs = std::filesystem;
using testing::CliResult;
using testing::read_whole_file;
using testing::run_cli;

class BatchCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("neuroshop_batch_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "rooms");
    fs::create_directories(dir_ / "photos");
    const fs::path samples = fs::path(NEUROSHOP_SOURCE_DIR) / "samples";
    fs::copy_file(samples / "tryon" / "wine_room.jpg", dir_ / "rooms" / "a.jpg");
    fs::copy_file(samples / "tryon" / "wine_room.jpg", dir_ / "rooms" / "b.jpg");
    for (const char* name : {"pool.jpg", "Path.jpg", "scarlet_macaw.jpg"})
      fs::copy_file(samples / "colorize" / name, dir_ / "photos" / name);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string p(const std::string& relative) const { return (dir_ / relative).string(); }
  fs::path dir_;
};

TEST_F(BatchCommands, AFolderOfRoomsGetsTheSameTryOnAsEachRoomAlone) {
  const std::string item = (fs::path(NEUROSHOP_SOURCE_DIR) / "samples" / "tryon" / "lamp_floor_34.png").string();
  const CliResult one = run_cli({"-q", "tryon", p("rooms/a.jpg"), "--item", item, "--at", "150,800", "-o", p("one.jpg")});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const CliResult all =
      run_cli({"-q", "tryon", p("rooms"), "--item", item, "--at", "150,800", "-o", p("staged"), "--jobs", "2"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(read_whole_file(p("staged/a.jpg")), read_whole_file(p("one.jpg")));
  EXPECT_EQ(read_whole_file(p("staged/b.jpg")), read_whole_file(p("one.jpg")));
  EXPECT_NE(all.out.find(p("staged/b.jpg")), std::string::npos) << all.out;
}

TEST_F(BatchCommands, JobsAndShardsWriteTheSameBytes) {
  const CliResult serial = run_cli({"-q", "colorize", p("photos"), "-o", p("serial")});
  ASSERT_EQ(serial.exit_code, 0) << serial.err;
  const CliResult jobs = run_cli({"-q", "colorize", p("photos"), "-o", p("jobs"), "--jobs", "3"});
  ASSERT_EQ(jobs.exit_code, 0) << jobs.err;
  for (const char* shard : {"0/2", "1/2"}) {
    const CliResult r = run_cli({"-q", "colorize", p("photos"), "-o", p("shards"), "--shard", shard});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  for (const char* name : {"pool.jpg", "Path.jpg", "scarlet_macaw.jpg"}) {
    const std::string expected = read_whole_file(p(std::string("serial/") + name));
    ASSERT_FALSE(expected.empty()) << name;
    EXPECT_EQ(read_whole_file(p(std::string("jobs/") + name)), expected) << name;
    EXPECT_EQ(read_whole_file(p(std::string("shards/") + name)), expected) << name;
  }
  // Run again with --skip-existing: nothing to do, every output listed.
  const CliResult again = run_cli({"-q", "colorize", p("photos"), "-o", p("serial"), "--skip-existing"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
}

TEST_F(BatchCommands, ABadFileIsNamedAndTheOthersAreWritten) {
  { std::ofstream(p("photos/broken.jpg")) << "not a jpeg"; }
  const CliResult r = run_cli({"-q", "cutout", p("photos"), "--method", "threshold", "-o", p("cut")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("failed: " + p("photos/broken.jpg")), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("error: 1 of 4 images failed"), std::string::npos) << r.err;
  for (const char* name : {"pool.png", "Path.png", "scarlet_macaw.png"}) EXPECT_TRUE(fs::exists(p(std::string("cut/") + name))) << name;
}

}  // namespace
}  // namespace neuroshop
