// Atomic writes (core/atomic_file.h, used by image files, training logs): many writers of one
// target at once, threads of one process, never share a temporary name, and the target is always
// one writer's whole file. Also the CRC-32 shared by PNG checks and model files.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/atomic_file.h"
#include "core/crc32.h"
#include "core/errors.h"

namespace neuroshop {
namespace {
namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(AtomicFile, TemporaryNamesAreUniqueAndHidden) {
  std::set<std::string> names;
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(names.insert(atomic_temp_name("/some/dir/x.png")).second);
  const std::string name = fs::path(*names.begin()).filename().string();
  EXPECT_EQ(name.rfind(".x.png.tmp" + std::to_string(::getpid()) + "_", 0), 0u) << name;
}

TEST(AtomicFile, ConcurrentWritersOfOneTargetLeaveOneWholeFile) {
  const fs::path dir = fs::temp_directory_path() / ("neuroshop_atomic_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string target = (dir / "shared.bin").string();
  std::vector<std::string> contents;
  for (int w = 0; w < 8; ++w) contents.push_back(std::string(100000 + w, static_cast<char>('a' + w)));
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int w = 0; w < 8; ++w)
    writers.emplace_back([&, w] {
      for (int k = 0; k < 10; ++k)
        if (!try_write_file_atomically(target, contents[static_cast<size_t>(w)].data(), contents[static_cast<size_t>(w)].size()).empty())
          ++failures;
    });
  for (auto& t : writers) t.join();
  EXPECT_EQ(failures, 0);
  const std::string result = slurp(target);
  EXPECT_NE(std::find(contents.begin(), contents.end(), result), contents.end()) << "a mixed or partial file";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "shared.bin") << "leftover " << entry.path();
  }
  EXPECT_EQ(files, 1);
  fs::remove_all(dir);
}

TEST(AtomicFile, FailureLeavesTheTargetAndNoTemporary) {
  const fs::path dir = fs::temp_directory_path() / ("neuroshop_atomic_fail_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "target_is_a_folder");
  fs::create_directories(dir / "target_is_a_folder" / "inside");
  EXPECT_THROW(write_file_atomically((dir / "target_is_a_folder").string(), std::string("x")), IoError);
  EXPECT_TRUE(fs::is_directory(dir / "target_is_a_folder"));
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) ++files, (void)entry;
  EXPECT_EQ(files, 1);
  EXPECT_THROW(write_file_atomically((dir / "no" / "such" / "x.bin").string(), std::string("x")), IoError);
  fs::remove_all(dir);
}

TEST(AtomicFile, StaleTemporariesOfDeadWritersAreRemoved) {
  const fs::path dir = fs::temp_directory_path() / ("neuroshop_stale_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  // A PID that has just exited: a child reaped here.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  const std::string dead = std::to_string(child), alive = std::to_string(::getpid());
  const std::vector<std::string> stale = {".m.nsm.tmp" + dead + "_3", ".clip.tmp" + dead + "_0.mp4"};
  const std::vector<std::string> kept = {".m.nsm.tmp" + alive + "_1",  // this process is alive
                                         ".m.nsm.tmpX_1",                 // not a PID
                                         ".other.nsm.tmp" + dead + "_2",  // another target
                                         "m.nsm", "notes.txt"};
  for (const auto& names : {stale, kept})
    for (const std::string& name : names) std::ofstream(dir / name) << "x";
  EXPECT_EQ(remove_stale_temporaries((dir / "m.nsm").string()), 1);
  EXPECT_EQ(remove_stale_temporaries((dir / "clip.mp4").string()), 1);
  for (const std::string& name : stale) EXPECT_FALSE(fs::exists(dir / name)) << name;
  for (const std::string& name : kept) EXPECT_TRUE(fs::exists(dir / name)) << name;
  EXPECT_EQ(remove_stale_temporaries((dir / "missing" / "m.nsm").string()), 0);  // no such folder
  fs::remove_all(dir);
}

TEST(Crc32, KnownValuesAndChaining) {
  const std::string check = "123456789";
  EXPECT_EQ(crc32(check.data(), check.size()), 0xCBF43926u);  // the standard check value
  EXPECT_EQ(crc32(nullptr, 0), 0u);
  EXPECT_EQ(crc32(check.data() + 4, 5, crc32(check.data(), 4)), 0xCBF43926u);
}

}  // namespace
}  // namespace neuroshop
