// Decoding silences OpenCV's own stderr lines for the decoding thread only: other threads keep
// printing (progress bars under `colorize --jobs N`) while one decodes.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "io/image_file.h"

namespace neuroshop {
namespace {
namespace fs = std::filesystem;

TEST(ImageQuietTest, OtherThreadsKeepPrintingWhileOneDecodes) {
  const fs::path dir = fs::temp_directory_path() / ("neuroshop_quiet_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "noise.png").string();
  cv::Mat noise(640, 640, CV_8UC3);
  cv::randu(noise, 0, 256);  // incompressible, so each decode takes a while
  ASSERT_TRUE(cv::imwrite(path, noise));

  constexpr int kLines = 300;
  ::testing::internal::CaptureStderr();
  std::atomic<bool> stop{false};
  std::atomic<int> decodes{0};
  // Two decoders, so one of them is nearly always inside a decode.
  auto decode = [&] {
    while (!stop) {
      (void)read_image(path);
      ++decodes;
    }
  };
  std::thread decoder(decode), decoder2(decode);
  while (decodes == 0) std::this_thread::yield();
  for (int i = 0; i < kLines; ++i) {
    std::cerr << "progress line " << i << "\n";
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  stop = true;
  decoder.join();
  decoder2.join();
  const bool cerr_good = std::cerr.good();
  std::cerr.clear();
  const std::string err = ::testing::internal::GetCapturedStderr();
  fs::remove_all(dir);

  int lines = 0;
  for (size_t at = err.find("progress line "); at != std::string::npos; at = err.find("progress line ", at + 1)) ++lines;
  EXPECT_EQ(lines, kLines) << "lines printed by this thread were dropped while another decoded";
  EXPECT_TRUE(cerr_good);
  EXPECT_GT(decodes.load(), 1);
}

// The decoding thread's own OpenCV messages stay silent: a PNG whose body is corrupt (the header
// checks pass) fails with our error only.
TEST(ImageQuietTest, DecoderMessagesStaySilent) {
  const fs::path dir = fs::temp_directory_path() / ("neuroshop_quiet2_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "bad.webp").string();
  cv::Mat m(64, 64, CV_8UC3, cv::Scalar(10, 20, 30));
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(cv::imencode(".webp", m, bytes));
  for (size_t i = 40; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 37);
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  ::testing::internal::CaptureStderr();
  try {
    (void)read_image(path);
  } catch (const std::exception&) {
  }
  const std::string err = ::testing::internal::GetCapturedStderr();
  fs::remove_all(dir);
  EXPECT_EQ(err, "");
}

}  // namespace
}  // namespace neuroshop
